"""Who may do what in moderation. Tribe moderators work in their tribes, global moderators
and admins everywhere (forum.permissions: moderates, moderates_tribe, moderated_tribe_ids,
moderates_something); everything else is staff-only."""

from __future__ import annotations

from forum.errors import PermissionDenied
from forum.models import User
from forum.permissions import is_admin, is_global_moderator, moderates_something


def require_staff(user: User | None) -> None:
    if not moderates_something(user):
        raise PermissionDenied("只有版主和管理员可以执行此操作")


def require_global_moderator(user: User | None) -> None:
    if not is_global_moderator(user):
        raise PermissionDenied("只有站点版主和管理员可以执行此操作")


def require_admin(user: User | None) -> None:
    if not is_admin(user):
        raise PermissionDenied("只有管理员可以执行此操作")
