"""The kit every package describes its part of the OpenAPI document with: schema and
operation helpers, the shared error responses, and ``ApiSpec`` — a package's paths, schemas
and tag, registered with ``register_openapi(app, spec)`` in its ``init_app`` (as
``register_searchable`` registers what search indexes). ``forum.api.openapi.document(app)``
builds the document of one app from the core's part and the registered ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from forum.pagination import MAX_PER_PAGE

Schema = dict[str, Any]

# --- schema helpers -----------------------------------------------------------------------


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    if "type" in schema and isinstance(schema["type"], str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: dict[str, Schema], optional: tuple[str, ...] = (),
        description: str | None = None) -> Schema:
    """A closed object: every property is required unless named in ``optional``."""
    schema: Schema = {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
COUNT: Schema = {"type": "integer", "minimum": 0}
BOOLEAN: Schema = {"type": "boolean"}
DATETIME: Schema = {"type": "string", "format": "date-time",
                    "description": "ISO 8601 in UTC, e.g. 2024-05-01T08:30:00Z"}


def page_of(item: str) -> Schema:
    return obj({"items": array(ref(item)), "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                "total": COUNT})


ERRORS = {
    400: ("BadRequest", "Malformed request: body is not a JSON object (`bad_json`), or the "
                        "CSRF token is missing for a cookie session (`csrf_error`), or an "
                        "unknown list order (`bad_sort`)"),
    401: ("Unauthorized", "Not signed in, invalid or revoked token, or wrong credentials"),
    403: ("Forbidden", "Signed in but not allowed (e.g. editing another user's post)"),
    404: ("NotFound", "No such resource, or not visible to the requester"),
    409: ("Conflict", "Not possible in the current state (e.g. liking one's own post)"),
    413: ("PayloadTooLarge", "The request body is over the size limit (images: 5 MB)"),
    422: ("ValidationError", "Invalid fields; `error.fields` says which and why"),
    429: ("TooManyRequests", "Rate limited (too many posts, messages, failed logins, "
                             "registrations or tokens; too many new private conversations this "
                             "hour); the `Retry-After` header says how many seconds to wait"),
}

# --- operation helpers --------------------------------------------------------------------

PUBLIC, OPTIONAL_AUTH, AUTH = "public", "optional", "auth"
_SECURITY = {
    PUBLIC: [],
    OPTIONAL_AUTH: [{}, {"bearerAuth": []}, {"sessionCookie": []}],
    AUTH: [{"bearerAuth": []}, {"sessionCookie": []}],
}


def path_param(name: str, schema: Schema, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema,
            "description": description}


PAGE = {"name": "page", "in": "query", "required": False,
        "schema": {"type": "integer", "minimum": 1, "default": 1},
        "description": "1-based; values that are not a positive number mean 1, pages past the "
                       "end are empty"}


def per_page(default: int) -> dict:
    return {"name": "per_page", "in": "query", "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                       "default": default},
            "description": f"items per page, capped at {MAX_PER_PAGE}"}


def op(summary: str, tag: str, operation_id: str, *, auth: str = PUBLIC,
       params: tuple[dict, ...] = (), body: str | None = None, body_required: bool = True,
       ok: tuple[int, str | None, str] = (200, None, "OK"), errors: tuple[int, ...] = (),
       description: str | None = None, safe_method: bool = False) -> dict:
    """One operation; ``ok`` is (status, schema name or None for no content, description)."""
    status, schema, ok_description = ok
    response: dict = {"description": ok_description}
    if schema is not None:
        response["content"] = {"application/json": {"schema": ref(schema)}}
    codes = set(errors)
    if auth != PUBLIC:
        codes.add(401)  # an invalid or revoked token is refused even where a token is optional
    if body is not None:
        codes |= {400, 422}
    if any(p.get("in") == "query" and p.get("schema", {}).get("enum") for p in params):
        codes.add(422)  # forum/api/contract.py refuses a value outside the enum
    elif auth == AUTH and not safe_method:
        codes.add(400)  # a cookie session without the CSRF header
    responses = {str(status): response}
    for code in sorted(codes):
        responses[str(code)] = {"$ref": f"#/components/responses/{ERRORS[code][0]}"}
    operation: dict = {"summary": summary, "operationId": operation_id, "tags": [tag],
                       "security": _SECURITY[auth], "responses": responses}
    if description:
        operation["description"] = description
    if params:
        operation["parameters"] = list(params)
    if body is not None:
        operation["requestBody"] = {
            "required": body_required,
            "content": {"application/json": {"schema": ref(body)}},
        }
    return operation


def get(summary: str, tag: str, operation_id: str, **kwargs: Any) -> dict:
    """A GET operation: no body and no CSRF check."""
    return op(summary, tag, operation_id, safe_method=True, **kwargs)


def query_param(name: str, schema: Schema, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


# --- a package's part ---------------------------------------------------------------------


@dataclass(frozen=True)
class ApiSpec:
    """One package's part of the document: its tag (name and description), paths and
    schemas. Paths and schemas must not clash with another part's."""

    tag: str
    description: str
    paths: dict[str, dict] = field(default_factory=dict)
    schemas: dict[str, Schema] = field(default_factory=dict)


def register_openapi(app: Flask, spec: ApiSpec) -> None:
    """Add ``spec`` to ``app``'s OpenAPI document (call it from the package's init_app)."""
    specs: list[ApiSpec] = app.extensions.setdefault("openapi_specs", [])
    if any(s.tag == spec.tag and s.paths is spec.paths for s in specs):
        return  # registered already
    specs.append(spec)
    app.extensions.pop("openapi_document", None)


def registered_specs(app: Flask) -> list[ApiSpec]:
    return list(app.extensions.get("openapi_specs", ()))
