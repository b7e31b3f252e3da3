"""The JSON API under /api/v1 for the mobile app channel.

Authentication: ``Authorization: Bearer <token>`` (no CSRF needed), or the browser session
cookie (then unsafe methods need the X-CSRFToken header, like forms). Errors are
``{"error": {"code", "message", "fields"?}}`` with a 4xx status.

Endpoints hold no business rules: they read and type-check the input, call the same services
as the pages, and serialize the result (forum/api/serializers.py). The OpenAPI document
(forum/api/openapi.py) describes every route of this blueprint; a test keeps them in step.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, request
from flask_login import current_user

from forum.auth import bearer_token
from forum.errors import DomainError, Unauthorized, ValidationError
from forum.extensions import csrf
from forum.inputs import MAX_ID, MAX_INT
from forum.models import User
from forum.pagination import clamp_page
from forum.services.accounts import user_for_token

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")


@api_bp.before_request
def _check_auth_and_csrf():
    # Decide who is asking afresh. (In production g is new for every request; the test
    # client reuses an outer app context, and with it a user cached by an earlier request.)
    g.pop("_login_user", None)
    g.pop("authenticated_by_token", None)
    token = bearer_token()
    if token is not None:
        user = user_for_token(token)
        if user is None:
            raise Unauthorized("访问令牌无效或已撤销")
        # The token, not a session or remember-me cookie sent alongside it, says who is
        # asking; Flask-Login keeps the request's user in g._login_user.
        g._login_user = user
        g.authenticated_by_token = True
        return None
    if request.method not in ("GET", "HEAD", "OPTIONS") and current_user.is_authenticated:
        csrf.protect()  # cookie sessions must prove they come from our own pages
    return None


@api_bp.before_request
def _check_contract():
    check_request()


class BadJSON(DomainError):
    status = 400
    code = "bad_json"


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 error that says why it is not one."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # absurdly deep nesting is not a ValueError, so not "silent"
        data = None
    if data is None:
        raise BadJSON("请求体必须是合法的 JSON 对象（Content-Type: application/json）")
    if not isinstance(data, dict):
        raise BadJSON("请求体必须是 JSON 对象")
    return data


def optional_json_body() -> dict[str, Any]:
    """Like json_body(), but an empty body is an empty object (for toggles)."""
    if not request.get_data(cache=True).strip():
        return {}
    return json_body()


def current_viewer() -> User | None:
    """The signed-in user, or None for anonymous requests."""
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def require_user() -> User:
    if not current_user.is_authenticated:
        raise Unauthorized("请先登录或提供访问令牌")
    return current_user._get_current_object()


# Kinds of JSON fields and the message shown when a value has the wrong type.
# ID is an integer naming a row: beyond the id columns' range it names nothing.
STRING, BOOLEAN, INTEGER, TAGS, ID = "string", "boolean", "integer", "tags", "id"
_TYPE_MESSAGES = {
    STRING: "必须是字符串",
    BOOLEAN: "必须是 true 或 false",
    INTEGER: "必须是整数",
    ID: "必须是整数",
    TAGS: "必须是字符串数组或以逗号分隔的字符串",
}


def _has_kind(value: Any, kind: str) -> bool:
    if kind == STRING:
        return isinstance(value, str)
    if kind == BOOLEAN:
        return isinstance(value, bool)
    if kind in (INTEGER, ID):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == TAGS:
        return isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value))
    raise ValueError(kind)


def _out_of_range(value: Any, kind: str) -> str | None:
    if kind == ID and not 1 <= value <= MAX_ID:
        return f"编号须在 1–{MAX_ID} 之间"
    if kind == INTEGER and not -MAX_INT <= value <= MAX_INT:
        return "数值超出范围"
    return None


def _check(name: str, value: Any, kind: str, values: dict, errors: dict) -> None:
    if not _has_kind(value, kind):
        errors[name] = _TYPE_MESSAGES[kind]
    elif kind in (INTEGER, ID) and _out_of_range(value, kind):
        errors[name] = _out_of_range(value, kind)
    else:
        values[name] = value


def read_fields(data: dict[str, Any], required: dict[str, str] | None = None,
                optional: dict[str, str] | None = None) -> dict[str, Any]:
    """Type-check the named fields of a JSON object (name → kind) before a service sees them.

    Returns the present fields; an optional field that is absent or null is left out. Missing
    or mistyped fields are reported together as one 422 with a message per field. Lengths and
    other business rules stay in the services.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, kind in (required or {}).items():
        value = data.get(name)
        if value is None:
            errors[name] = "必填"
        else:
            _check(name, value, kind, values, errors)
    for name, kind in (optional or {}).items():
        value = data.get(name)
        if value is not None:
            _check(name, value, kind, values, errors)
    if errors:
        raise ValidationError("请求字段缺失或类型错误", errors)
    return values


def page_args(default_per_page_key: str) -> tuple[int, int]:
    """``?page=&per_page=`` parsed leniently (nonsense is page 1, per_page is capped)."""
    return clamp_page(request.args.get("page"), request.args.get("per_page"),
                      current_app.config[default_per_page_key])


from forum.api import accounts, attachments, messages, notifications, openapi, topics, tribes  # noqa: E402,F401,I001  (route modules)
from forum.api import me  # noqa: E402,F401,I001  (the own account: profile, avatar, password)
from forum.api import threads  # noqa: E402,F401,I001  (reports, featured, watching, bookmarks)
from forum.api.contract import check_request  # noqa: E402  (reads the document those build)
