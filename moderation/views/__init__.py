"""Moderation pages. Each module adds its routes to the one blueprint ``bp``."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from forum.views.helpers import current_actor, safe_next

bp = Blueprint("moderation", __name__)


def actor():
    return current_actor()


def login_redirect():
    return redirect(url_for("forum.login", next=request.full_path.rstrip("?")))


def back(default: str):
    """The form's ``next`` when it is a local path, else ``default``."""
    return redirect(safe_next(request.form.get("next")) or default)


def signed_in() -> bool:
    return current_user.is_authenticated


from moderation.views import admin, queue, tickets  # noqa: E402,F401  (route modules)
