"""The OpenAPI document: valid, served, and in step with the api blueprint's routes.

``documented()`` is used by the other API tests to check each real response against the
schema the document gives for its path, method and status.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest
from flask import current_app

from forum.api.contract import openapi_path
from forum.api.openapi import document

PREFIX = "/api/v1"


class _AppDocument(Mapping):
    """The test app's OpenAPI document (built per app: the core's part and every package's)."""

    def _doc(self) -> dict:
        return document(current_app)

    def __getitem__(self, key):
        return self._doc()[key]

    def __iter__(self):
        return iter(self._doc())

    def __len__(self) -> int:
        return len(self._doc())


DOCUMENT = _AppDocument()
SKIPPED_METHODS = {"HEAD", "OPTIONS"}

try:  # pinned in pyproject's test extras; without it only statuses are checked
    from openapi_schema_validator import OAS31Validator
except ImportError:  # pragma: no cover
    OAS31Validator = None


def api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            for method in rule.methods - SKIPPED_METHODS:
                routes.add((method.lower(), openapi_path(rule.rule)))
    return routes


def documented(response, method: str, path: str):
    """Assert ``response`` is a documented outcome of METHOD path; returns its JSON (or None)."""
    operation = DOCUMENT["paths"][path][method.lower()]
    status = str(response.status_code)
    assert status in operation["responses"], (
        f"{method.upper()} {path} answered {status}, which the document does not list: "
        f"{response.get_data(as_text=True)[:300]}")
    spec = operation["responses"][status]
    if "$ref" in spec:
        spec = DOCUMENT["components"]["responses"][spec["$ref"].rsplit("/", 1)[-1]]
    if "content" not in spec:
        assert not response.get_data(), "a no-content response has a body"
        return None
    assert response.is_json, response.content_type
    body = response.get_json()
    if OAS31Validator is not None:
        schema = {**spec["content"]["application/json"]["schema"],
                  "components": DOCUMENT["components"]}
        errors = sorted(OAS31Validator(schema).iter_errors(body), key=str)
        assert not errors, (f"{method.upper()} {path} → {status} does not match its schema: "
                            + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]))
    return body


def test_document_is_served_as_json(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    assert resp.get_json() == DOCUMENT
    documented(resp, "get", "/openapi.json")


def test_document_is_valid_openapi():
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(dict(DOCUMENT))
    assert DOCUMENT["openapi"].startswith("3.")


def test_every_api_route_is_documented(app):
    documented_ops = {(method, path) for path, ops in DOCUMENT["paths"].items()
                      for method in ops}
    missing = api_routes(app) - documented_ops
    assert not missing, f"routes missing from the OpenAPI document: {sorted(missing)}"


def test_document_describes_no_route_that_does_not_exist(app):
    documented_ops = {(method, path) for path, ops in DOCUMENT["paths"].items()
                      for method in ops}
    phantom = documented_ops - api_routes(app)
    assert not phantom, f"documented but not routed: {sorted(phantom)}"


def test_the_issue_endpoints_are_all_there(app):
    required = {
        ("post", "/auth/register"), ("post", "/auth/token"), ("get", "/me"),
        ("get", "/tribes"), ("post", "/tribes/{slug}/join"), ("post", "/tribes/{slug}/leave"),
        ("get", "/tribes/{slug}/topics"), ("post", "/tribes/{slug}/topics"),
        ("get", "/topics/{topic_id}"), ("patch", "/topics/{topic_id}"),
        ("delete", "/topics/{topic_id}"), ("post", "/topics/{topic_id}/replies"),
        ("patch", "/replies/{reply_id}"), ("delete", "/replies/{reply_id}"),
        ("post", "/topics/{topic_id}/like"), ("post", "/replies/{reply_id}/like"),
        ("post", "/topics/{topic_id}/accept"), ("get", "/users/{username}"),
        ("post", "/users/{username}/follow"), ("get", "/openapi.json"),
    }
    assert required <= api_routes(app)


def test_path_parameters_are_declared_for_every_templated_path():
    for path, ops in DOCUMENT["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method, operation in ops.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (method, path)


def test_protected_operations_use_the_security_schemes_and_document_errors():
    schemes = DOCUMENT["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer",
                                     "description": schemes["bearerAuth"]["description"]}
    error_ref = {"$ref": "#/components/schemas/Error"}
    for response in DOCUMENT["components"]["responses"].values():
        assert response["content"]["application/json"]["schema"] == error_ref
    for path, ops in DOCUMENT["paths"].items():
        for method, operation in ops.items():
            security = operation["security"]
            if {"bearerAuth": []} in security:
                assert "401" in operation["responses"], (method, path)
            if "requestBody" in operation:
                assert {"400", "422"} <= set(operation["responses"]), (method, path)
            assert any(code.startswith("2") for code in operation["responses"]), (method, path)


def test_write_operations_require_authentication():
    open_writes = {("post", "/auth/register"), ("post", "/auth/token"),
                   ("post", "/auth/password-reset"), ("post", "/auth/password-reset/complete")}
    for path, ops in DOCUMENT["paths"].items():
        for method, operation in ops.items():
            if method != "get" and (method, path) not in open_writes:
                assert {} not in operation["security"], (method, path)
                assert operation["security"], (method, path)


def test_input_limits_come_from_the_services():
    from forum.services import topics

    new_topic = DOCUMENT["components"]["schemas"]["NewTopic"]["properties"]
    assert new_topic["title"]["minLength"] == topics.TITLE_MIN
    assert new_topic["title"]["maxLength"] == topics.TITLE_MAX
    assert new_topic["body"]["maxLength"] == topics.BODY_MAX


def test_each_package_adds_its_part_through_init_app_once(app):
    from forum.api.openapi_kit import registered_specs

    tags = [t["name"] for t in DOCUMENT["tags"]]
    assert len(tags) == len(set(tags)) and tags[-1] == "meta"
    parts = {spec.tag for spec in registered_specs(app)}
    assert {"search", "ideas", "moderation", "rewards"} <= parts
    assert "/search" in DOCUMENT["paths"] and "/ideas" in DOCUMENT["paths"]


def test_a_part_that_redefines_another_parts_path_is_refused():
    from flask import Flask

    from forum.api.openapi_kit import ApiSpec, register_openapi

    other = Flask("other")
    register_openapi(other, ApiSpec(tag="x", description="x", paths={"/me": {}}))
    with pytest.raises(RuntimeError, match="redefines"):
        document(other)
