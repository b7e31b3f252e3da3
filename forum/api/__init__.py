"""The JSON API under /api/v1 for the mobile app channel.

Authentication: ``Authorization: Bearer <token>`` (no CSRF needed), or the browser session
cookie (then unsafe methods need the X-CSRFToken header, like forms). Errors are
``{"error": {"code", "message", "fields"?}}`` with a 4xx status.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request
from flask_login import current_user

from forum.auth import bearer_token
from forum.errors import DomainError, Unauthorized
from forum.extensions import csrf

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")


@api_bp.before_request
def _check_auth_and_csrf():
    token = bearer_token()
    if token is not None:
        if not current_user.is_authenticated:
            raise Unauthorized("访问令牌无效或已撤销")
        return None
    if request.method not in ("GET", "HEAD", "OPTIONS") and current_user.is_authenticated:
        csrf.protect()  # cookie sessions must prove they come from our own pages
    return None


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 error that says why it is not one."""
    data = request.get_json(silent=True)
    if data is None:
        raise BadJSON("请求体必须是合法的 JSON 对象（Content-Type: application/json）")
    if not isinstance(data, dict):
        raise BadJSON("请求体必须是 JSON 对象")
    return data


class BadJSON(DomainError):
    status = 400
    code = "bad_json"


def require_user():
    if not current_user.is_authenticated:
        raise Unauthorized("请先登录或提供访问令牌")
    return current_user._get_current_object()


from forum.api import endpoints  # noqa: E402,F401  (route module)
