"""Turn errors into clear 4xx pages (or JSON under /api), never a bare 500 for bad input."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from forum.errors import DomainError
from forum.extensions import db

MESSAGES = {
    400: "请求有误",
    401: "请先登录",
    403: "没有权限执行此操作",
    404: "页面不存在",
    405: "不支持该请求方法",
    409: "操作冲突",
    413: "提交的内容太大",
    422: "提交的内容有误",
    429: "操作太频繁，请稍后再试",
    500: "服务器开小差了，请稍后再试",
    503: "服务器正忙，请稍后重试",
}

# PostgreSQL's verdicts on a transaction that lost a race (serialization failure, deadlock):
# the work was rolled back whole and a retry succeeds, so the user is told to retry.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def wants_json() -> bool:
    # The API, and pages' own fetch() calls that ask for JSON (uploads, drafts, previews).
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, message: str, code: str | None = None,
                   fields: dict | None = None):
    if wants_json():
        body = {"error": {"code": code or str(status), "message": message}}
        if fields:
            body["error"]["fields"] = fields
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message,
                           fields=fields or {}), status


def with_retry_after(response, err: Exception):
    """Add ``Retry-After`` to a refusal that says when to come back (rate limits)."""
    retry_after = getattr(err, "retry_after", None)
    if retry_after:
        response = make_response(response)
        response.headers["Retry-After"] = str(retry_after)
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        response, status = error_response(err.status, err.message, err.code, err.fields)
        return with_retry_after(response, err), status

    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError):
        return error_response(400, "表单已过期或缺少安全令牌（CSRF），请刷新页面后重试", "csrf_error")

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        status = err.code or 500
        message = MESSAGES.get(status, err.name)
        code = (err.name or "error").lower().replace(" ", "_")
        response, status = error_response(status, message, code)
        allow = dict(err.get_headers()).get("Allow")
        if allow:  # a 405 says which methods the URL does take (RFC 9110 §15.5.6)
            response = make_response(response)
            response.headers["Allow"] = allow
        return response, status

    @app.errorhandler(DBAPIError)
    def database_error(err: DBAPIError):
        if getattr(err.orig, "sqlstate", None) not in RETRYABLE_SQLSTATES:
            return unexpected(err)
        app.logger.warning("retryable database conflict on %s %s: %s",
                           request.method, request.path, err.orig)
        db.session.rollback()
        response, status = error_response(503, MESSAGES[503], "retry")
        response = make_response(response)
        response.headers["Retry-After"] = "1"
        return response, status

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, MESSAGES[500], "internal_error")
