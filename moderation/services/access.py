"""Who may do what in moderation. Tribe moderators work in their tribes, global moderators
and admins everywhere (forum.permissions.moderates); everything else is staff-only."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, has_request_context

from forum.errors import PermissionDenied
from forum.extensions import db
from forum.models import User, tribe_moderators
from forum.permissions import is_admin, is_authenticated, is_global_moderator


def moderated_tribe_ids(user: User | None) -> set[int] | None:
    """None for global moderators and admins (every tribe), else the ids of the tribes the
    user moderates (possibly empty)."""
    if not is_authenticated(user):
        return set()
    if is_global_moderator(user):
        return None
    # Asked by the menu and for every post of a page: once per request is enough.
    cache = g.setdefault("_moderation_tribes", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = set(db.session.scalars(
            sa.select(tribe_moderators.c.tribe_id).where(tribe_moderators.c.user_id == user.id)))
    return cache[user.id]


def is_staff(user: User | None) -> bool:
    """A moderator of something: global moderators, admins and tribe moderators."""
    tribes = moderated_tribe_ids(user)
    return tribes is None or bool(tribes)


def moderates_tribe(user: User | None, tribe_id: int | None) -> bool:
    tribes = moderated_tribe_ids(user)
    if tribes is None:
        return True
    return tribe_id is not None and tribe_id in tribes


def require_staff(user: User | None) -> None:
    if not is_staff(user):
        raise PermissionDenied("只有版主和管理员可以执行此操作")


def require_global_moderator(user: User | None) -> None:
    if not is_global_moderator(user):
        raise PermissionDenied("只有站点版主和管理员可以执行此操作")


def require_admin(user: User | None) -> None:
    if not is_admin(user):
        raise PermissionDenied("只有管理员可以执行此操作")
