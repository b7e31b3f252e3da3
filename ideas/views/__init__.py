"""Idea pages under /ideas. Every view starts with ``employee_page``: anonymous visitors are
sent to the login page, signed-in non-employees get 404 (ideas never leak)."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

from ideas.services.access import can_see_ideas

bp = Blueprint("ideas", __name__, url_prefix="/ideas")


def employee_page(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("forum.login", next=request.full_path.rstrip("?")))
        if not can_see_ideas(current_user):
            abort(404)
        return view(*args, **kwargs)

    return wrapped


from ideas.views import arena, pages  # noqa: E402,F401  (route modules)
