"""Who is asking: session login (Flask-Login) for pages, bearer tokens for the API."""

from __future__ import annotations

from flask import Flask, g, request

from forum.extensions import db, login_manager
from forum.inputs import MAX_ID
from forum.models import User
from forum.services.accounts import user_for_token


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def user_for_session_id(session_id: str) -> User | None:
    """The user a session (or remember-me) cookie names as ``"<id>:<session version>"``
    (``User.get_id``), or None once the password changed since it was signed in. A cookie
    from before versions existed names the id alone and holds until the first change."""
    user_id, _, version = (session_id or "").partition(":")
    try:
        uid, stamped = int(user_id), int(version) if version else 0
    except (TypeError, ValueError):
        return None
    if not 0 < uid <= MAX_ID:
        return None
    user = db.session.get(User, uid)
    if user is None or stamped != (user.session_version or 0):
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.login_view = "forum.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return user_for_session_id(user_id)

    @login_manager.request_loader
    def load_user_from_token(req) -> User | None:
        token = bearer_token()
        if token is None:
            return None
        user = user_for_token(token)
        g.authenticated_by_token = user is not None
        return user
