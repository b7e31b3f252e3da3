"""Who is asking: session login (Flask-Login) for pages, bearer tokens for the API."""

from __future__ import annotations

from flask import Flask, g, request

from forum.extensions import db, login_manager
from forum.models import User
from forum.services.accounts import user_for_token


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def init_app(app: Flask) -> None:
    login_manager.login_view = "forum.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        try:
            return db.session.get(User, int(user_id))
        except (TypeError, ValueError):
            return None

    @login_manager.request_loader
    def load_user_from_token(req) -> User | None:
        token = bearer_token()
        if token is None:
            return None
        user = user_for_token(token)
        g.authenticated_by_token = user is not None
        return user
