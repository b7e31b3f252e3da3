"""Bad input never makes the API fail with a 500: malformed JSON, wrong types, odd URLs."""

from __future__ import annotations

import pytest

from tests.forum.test_api_openapi import documented

ENDPOINTS_WITH_BODY = [
    ("post", "/auth/register", "/auth/register"),
    ("post", "/auth/token", "/auth/token"),
    ("post", "/tribes/liuliang/topics", "/tribes/{slug}/topics"),
    ("patch", "/topics/{topic}", "/topics/{topic_id}"),
    ("post", "/topics/{topic}/replies", "/topics/{topic_id}/replies"),
    ("patch", "/replies/{reply}", "/replies/{reply_id}"),
    ("post", "/topics/{topic}/like", "/topics/{topic_id}/like"),
    ("post", "/replies/{reply}/like", "/replies/{reply_id}/like"),
    ("post", "/topics/{topic}/accept", "/topics/{topic_id}/accept"),
    ("post", "/users/alice/follow", "/users/{username}/follow"),
]


@pytest.fixture
def setup(make_user, make_tribe, api_token):
    from forum.services import topics

    alice, bob = make_user("alice"), make_user("bob")
    tribe = make_tribe("liuliang", "流量管家")
    topic = topics.create_topic(alice, tribe, "流量怎么查询", "请问怎么查？")
    reply = topics.create_reply(bob, topic, "发短信")
    return {"topic": topic.id, "reply": reply.id, "alice": api_token(alice),
            "bob": api_token(bob)}


def call(client, setup, method, path, template, **kwargs):
    url = "/api/v1" + path.format(topic=setup["topic"], reply=setup["reply"])
    resp = client.open(url, method=method.upper(), **kwargs)
    documented(resp, method, template)
    return resp


@pytest.mark.parametrize("method, path, template", ENDPOINTS_WITH_BODY)
@pytest.mark.parametrize("payload", ["[]", '"x"', "123", "null", "true", "{", "{'a': 1}",
                                     "\x00", '{"title": "x"'])
def test_non_object_or_broken_json_is_400_bad_json(client, setup, method, path, template,
                                                    payload):
    resp = call(client, setup, method, path, template, data=payload,
                headers={**setup["bob"], "Content-Type": "application/json"})
    assert resp.status_code == 400, resp.get_json()
    assert resp.get_json()["error"]["code"] == "bad_json"
    assert resp.get_json()["error"]["message"]


def test_deeply_nested_json_is_400_not_500(client, setup):
    for payload in ("[" * 100_000, '{"a":' * 100_000):
        resp = call(client, setup, "post", "/tribes/liuliang/topics", "/tribes/{slug}/topics",
                    data=payload, headers={**setup["bob"], "Content-Type": "application/json"})
        assert resp.status_code == 400
        assert resp.get_json()["error"]["code"] == "bad_json"


def test_a_charset_other_than_utf8_or_a_text_content_type_is_handled(client, setup):
    text = call(client, setup, "post", "/auth/token", "/auth/token", headers={
        "Content-Type": "text/plain"}, data='{"username": "alice", "password": "password123"}')
    assert text.status_code == 400
    binary = call(client, setup, "post", "/auth/token", "/auth/token", data=b"\xff\xfe{",
                  headers={"Content-Type": "application/json"})
    assert binary.status_code == 400


@pytest.mark.parametrize("method, path, template", [
    ("post", "/tribes/liuliang/topics", "/tribes/{slug}/topics"),
    ("post", "/topics/{topic}/replies", "/topics/{topic_id}/replies"),
    ("post", "/auth/token", "/auth/token"),
])
def test_a_body_that_is_not_json_is_400(client, setup, method, path, template):
    form = call(client, setup, method, path, template, headers=setup["bob"],
                data={"title": "表单提交", "body": "x"})
    assert form.status_code == 400 and form.get_json()["error"]["code"] == "bad_json"
    empty = call(client, setup, method, path, template, headers=setup["bob"])
    assert empty.status_code == 400 and empty.get_json()["error"]["code"] == "bad_json"


@pytest.mark.parametrize("payload, fields", [
    ({"title": 12345, "body": "正文"}, {"title"}),
    ({"title": "流量怎么查询", "body": ["正文"]}, {"body"}),
    ({"title": "流量怎么查询", "body": "正文", "tags": {"a": 1}}, {"tags"}),
    ({"title": "流量怎么查询", "body": "正文", "tags": [1, 2]}, {"tags"}),
    ({"title": "流量怎么查询", "body": "正文", "tags": 5}, {"tags"}),
    ({"title": "流量怎么查询", "body": "正文", "tags": list("abcdef")}, {"tags"}),
    ({"title": "流量怎么查询", "body": "正文", "tags": ["标" * 25]}, {"tags"}),
    ({"title": True, "body": None}, {"title", "body"}),
    ({}, {"title", "body"}),
    ({"body": "正文"}, {"title"}),
    ({"title": {"zh": "标题"}, "body": 1.5}, {"title", "body"}),
])
def test_wrong_types_and_missing_fields_are_422_with_fields(client, setup, payload, fields):
    resp = call(client, setup, "post", "/tribes/liuliang/topics", "/tribes/{slug}/topics",
                headers=setup["alice"], json=payload)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == fields


@pytest.mark.parametrize("payload", [
    {"username": 1, "password": "password123", "display_name": "x"},
    {"username": "newbie", "password": 12345678, "display_name": "x"},
    {"username": "newbie", "password": "password123", "display_name": ["x"]},
    {"username": "newbie", "password": "password123"},
])
def test_register_rejects_wrong_types(client, setup, payload):
    resp = call(client, setup, "post", "/auth/register", "/auth/register", json=payload)
    assert resp.status_code == 422
    assert resp.get_json()["error"]["fields"]


@pytest.mark.parametrize("payload", [{"title": 1}, {"body": False}, {"tags": {"x": 1}}])
def test_patch_rejects_wrong_types(client, setup, payload):
    resp = call(client, setup, "patch", "/topics/{topic}", "/topics/{topic_id}",
                headers=setup["alice"], json=payload)
    assert resp.status_code == 422
    assert set(resp.get_json()["error"]["fields"]) == set(payload)


def test_nul_characters_are_refused_not_stored(client, setup):
    resp = call(client, setup, "post", "/tribes/liuliang/topics", "/tribes/{slug}/topics",
                headers=setup["alice"], json={"title": "标题\x00注入", "body": "a\x00b"})
    assert resp.status_code == 422
    assert set(resp.get_json()["error"]["fields"]) == {"title", "body"}


@pytest.mark.parametrize("method, path, template", [
    ("get", "/users/a%00b", "/users/{username}"),
    ("get", "/tribes/a%00b", "/tribes/{slug}"),
    ("get", "/tribes/a%00b/topics", "/tribes/{slug}/topics"),
    ("get", "/users/" + "x" * 500, "/users/{username}"),
    ("get", "/tribes/" + "x" * 500, "/tribes/{slug}"),
    ("get", "/topics/99999999999999999999", "/topics/{topic_id}"),
    ("post", "/replies/99999999999999999999/like", "/replies/{reply_id}/like"),
    ("delete", "/replies/2147483648", "/replies/{reply_id}"),
])
def test_odd_identifiers_are_404(client, setup, method, path, template):
    resp = call(client, setup, method, path, template, headers=setup["bob"])
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"


def test_nul_in_credentials_is_401_not_500(client, setup):
    resp = call(client, setup, "post", "/auth/token", "/auth/token",
                json={"username": "ali\x00ce", "password": "password123"})
    assert resp.status_code in (401, 422)


def test_unknown_route_under_the_api_is_json_404(client):
    for path in ("/api/v1/nope", "/api/v1/topics/abc", "/api/v1/", "/api/v2/tribes"):
        resp = client.get(path)
        assert resp.status_code == 404, path
        assert resp.is_json, path
        assert resp.get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_json_405(client, setup):
    for method, path in [("delete", "/api/v1/tribes"), ("put", "/api/v1/topics/1"),
                         ("get", "/api/v1/auth/token"), ("post", "/api/v1/me")]:
        resp = client.open(path, method=method.upper(), headers=setup["bob"])
        assert resp.status_code == 405, (method, path)
        assert resp.get_json()["error"]["code"] == "method_not_allowed"


def test_huge_body_is_413_json(app, client, setup):
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    resp = client.post("/api/v1/tribes/liuliang/topics", headers=setup["alice"],
                       json={"title": "很大的帖子", "body": too_big})
    assert resp.status_code == 413
    assert resp.is_json and resp.get_json()["error"]["code"]


def test_options_and_head_do_not_fail(client, setup):
    assert client.options("/api/v1/tribes").status_code == 200
    head = client.head("/api/v1/tribes")
    assert head.status_code == 200 and head.get_data() == b""


def test_a_lost_database_race_is_503_retry_not_500(app):
    """A deadlock or serialization failure PostgreSQL reports is a retryable 503 to the user."""
    import sqlalchemy as sa

    from forum.extensions import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLSTATE 40P01 is PostgreSQL's")
    with app.test_request_context("/api/v1/topics/1/accept", method="POST"):
        try:
            db.session.execute(sa.text(
                "DO $$ BEGIN RAISE EXCEPTION 'lost' USING ERRCODE = '40P01'; END $$"))
        except sa.exc.DBAPIError as err:
            response = app.make_response(app.handle_user_exception(err))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.get_json()["error"]["code"] == "retry"


def test_every_405_names_the_allowed_methods(app, client, setup):
    """Each API path, asked with a method it does not take, answers 405 with ``Allow``."""
    import re

    adapter = app.url_map.bind("localhost")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = re.sub(r"<id:[^>]+>", "1", rule.rule)
        path = re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "x", path)
        allowed = set(adapter.allowed_methods(path))
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            if method in allowed:
                continue
            resp = client.open(path, method=method, headers=setup["bob"])
            assert resp.status_code == 405, (method, path)
            assert set(resp.headers["Allow"].split(", ")) == allowed, (method, path)
            checked += 1
    assert checked > 100
