"""Small helpers shared by the page modules: redirects, JSON negotiation, admin guard."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, jsonify, make_response, redirect, request, url_for
from flask_login import current_user

from forum import permissions
from forum.errors import DomainError
from forum.errors_http import with_retry_after
from forum.pagination import clamp_page
from forum.rendering import PII_KINDS, find_pii


def safe_next(target: str | None) -> str | None:
    """A local path to go back to, or None: never an open redirect to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def redirect_back(default: str):
    """Redirect to the form's (or query's) ``next`` when it is a local path, else ``default``."""
    target = safe_next(request.form.get("next")) or safe_next(request.args.get("next"))
    return redirect(target or default)


def wants_json() -> bool:
    """True for fetch() calls from app.js, which send ``Accept: application/json``."""
    # text/html first: a request without an Accept header (or a browser's */*) gets HTML.
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def json_error(err: DomainError):
    return jsonify({"error": {"code": err.code, "message": err.message}}), err.status


def refusal_status(body: str, form, refused: DomainError | None = None):
    """A form page's response: 200, 422 when the form shows errors, or the refusal's own
    status (e.g. 429 with Retry-After) — the form is shown again with what was typed."""
    if refused is not None:
        return with_retry_after(make_response(body, refused.status), refused)
    return body, (422 if form.has_errors else 200)


def page_arg() -> int:
    return clamp_page(request.args.get("page"))[0]


def per_page(config_key: str) -> int:
    return clamp_page(1, current_app.config[config_key])[1]


def current_actor():
    """The logged-in User object (not the LocalProxy) for passing to services."""
    return current_user._get_current_object()


def admin_required(view):
    """Anonymous visitors go to the login page; logged-in non-admins get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("forum.login", next=request.full_path.rstrip("?")))
        if not permissions.is_admin(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def pii_warning(*texts: str) -> str | None:
    """The warning shown to an author whose post contains personal data, or None."""
    kinds: list[str] = []
    for text in texts:
        for kind in find_pii(text or ""):
            if kind not in kinds:
                kinds.append(kind)
    if not kinds:
        return None
    names = "、".join(PII_KINDS[k] for k in kinds)
    return f"您的帖子包含{names}，已对其他用户隐藏显示（您和版主仍可看到原文）"
