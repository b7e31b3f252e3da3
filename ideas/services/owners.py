"""Idea owners (专人负责): admins assign users to categories. Admins own everything."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import User
from forum.permissions import is_admin
from ideas.models import CATEGORIES, IdeaOwner
from ideas.services.access import can_see_ideas, require_employee


def _require_admin(actor: User) -> None:
    require_employee(actor)
    if not is_admin(actor):
        raise PermissionDenied("只有管理员可以指定金点子负责人")


def list_owners() -> list[IdeaOwner]:
    return list(db.session.scalars(sa.select(IdeaOwner).order_by(IdeaOwner.category,
                                                                  IdeaOwner.user_id)))


def assign_owner(actor: User, username: str, category: str) -> IdeaOwner:
    """Make an employee the owner of a category (409 if already)."""
    _require_admin(actor)
    username, category = (username or "").strip(), (category or "").strip()
    errors = {}
    user = db.session.scalar(sa.select(User).where(User.username == username)) if username else None
    if user is None:
        errors["username"] = "没有这个用户"
    elif not can_see_ideas(user):
        errors["username"] = "只有员工可以负责金点子"
    if category not in CATEGORIES:
        errors["category"] = "分类只能是：" + "、".join(CATEGORIES)
    if errors:
        raise ValidationError("负责人信息有误", errors)
    owner = IdeaOwner(user_id=user.id, category=category)
    try:
        with db.session.begin_nested():
            db.session.add(owner)
    except IntegrityError:
        raise Conflict(f"{user.display_name} 已经是「{category}」的负责人") from None
    db.session.flush()
    return owner


def remove_owner(actor: User, user_id: int, category: str) -> None:
    _require_admin(actor)
    gone = db.session.execute(sa.delete(IdeaOwner).where(
        IdeaOwner.user_id == user_id, IdeaOwner.category == category)).rowcount
    if gone != 1:
        db.session.rollback()
        raise NotFound("没有这条负责人记录")
    db.session.flush()
