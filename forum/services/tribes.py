"""Tribes (话题部落): listing, membership, admin create/edit, tribe moderators."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from forum import events
from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import Tribe, TribeMember, User
from forum.pagination import Page
from forum.permissions import forget_tribe_moderators, is_admin
from forum.services import listing

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")


# Moderators are shown by name; their roles (eager on User by default) are not needed.
_MODERATORS = selectinload(Tribe.moderators).lazyload(User.roles)


def list_tribes() -> list[Tribe]:
    return list(db.session.scalars(sa.select(Tribe).order_by(Tribe.position, Tribe.id)
                                   .options(_MODERATORS)))


def get_tribe_or_404(slug: str) -> Tribe:
    if not slug or "\x00" in slug:
        raise NotFound("部落不存在")
    tribe = db.session.scalar(sa.select(Tribe).where(Tribe.slug == slug).options(_MODERATORS))
    if tribe is None:
        raise NotFound("部落不存在")
    return tribe


def tribe_topics(tribe: Tribe, page: int, per_page: int, sort: str = "latest") -> Page:
    """Pinned first, then newest activity (or another ``sort``: forum/services/listing.py)."""
    return listing.tribe_topics(tribe, page, per_page, sort)


def is_member(user: User | None, tribe: Tribe) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.get(TribeMember, (tribe.id, user.id)) is not None


def member_tribe_ids(user: User | None) -> set[int]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(db.session.scalars(sa.select(TribeMember.tribe_id).where(TribeMember.user_id == user.id)))


def set_membership(user: User, tribe: Tribe, join: bool) -> bool:
    """Join or leave; idempotent. Returns whether the user is now a member."""
    existing = db.session.get(TribeMember, (tribe.id, user.id))
    if join and existing is None:
        db.session.add(TribeMember(tribe_id=tribe.id, user_id=user.id))
        try:
            db.session.flush()
        except sa.exc.IntegrityError:
            db.session.rollback()
            return True
        delta = 1
    elif not join and existing is not None:
        db.session.delete(existing)
        delta = -1
    else:
        return join
    db.session.execute(sa.update(Tribe).where(Tribe.id == tribe.id)
                       .values(member_count=Tribe.member_count + delta))
    events.commit()
    db.session.refresh(tribe)
    return join


def _validate(slug: str, name: str, description: str, icon: str, tribe: Tribe | None) -> dict:
    errors = {}
    if not SLUG_RE.match(slug or ""):
        errors["slug"] = "标识须为 2–40 个小写字母、数字或连字符"
    else:
        other = db.session.scalar(sa.select(Tribe).where(Tribe.slug == slug))
        if other is not None and other is not tribe:
            errors["slug"] = "该标识已被使用"
    if not (name or "").strip() or len(name.strip()) > 40:
        errors["name"] = "名称须为 1–40 个字"
    if len(description or "") > 500:
        errors["description"] = "简介最多 500 字"
    if len(icon or "") > 16:
        errors["icon"] = "图标最多 16 个字符"
    return errors


def save_tribe(actor: User, *, slug: str, name: str, description: str = "", icon: str = "💬",
               position: int = 0, moderator_usernames: list[str] | None = None,
               hold_new_user_posts: bool | None = None, tribe: Tribe | None = None) -> Tribe:
    """Create (tribe=None) or edit a tribe; admins only."""
    if not is_admin(actor):
        raise PermissionDenied("只有管理员可以管理部落")
    slug = (slug or "").strip().lower()
    errors = _validate(slug, name, description, icon, tribe)
    moderators = []
    for username in moderator_usernames or []:
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            errors["moderators"] = f"用户 {username} 不存在"
        else:
            moderators.append(user)
    if errors:
        raise ValidationError("部落信息有误", errors)
    if tribe is None:
        tribe = Tribe(slug=slug)
        db.session.add(tribe)
    tribe.slug = slug
    tribe.name = name.strip()
    tribe.description = (description or "").strip()
    tribe.icon = (icon or "💬").strip() or "💬"
    tribe.position = position
    if hold_new_user_posts is not None:
        tribe.hold_new_user_posts = hold_new_user_posts
    if moderator_usernames is not None:
        tribe.moderators = moderators
    events.commit()
    if moderator_usernames is not None:
        forget_tribe_moderators()  # the 待审核 menu link follows at once in this process
    return tribe


def community_stats() -> dict[str, int | float]:
    """Totals for the home page, summed from tribe counters (no scan of topics)."""
    row = db.session.execute(sa.select(
        sa.func.coalesce(sa.func.sum(Tribe.topic_count), 0),
        sa.func.coalesce(sa.func.sum(Tribe.reply_count), 0),
        sa.func.coalesce(sa.func.sum(Tribe.solved_count), 0),
    )).one()
    topics, replies, solved = (int(v) for v in row)
    users = db.session.scalar(sa.select(sa.func.count(User.id)))
    return {"topics": topics, "replies": replies, "solved": solved, "users": users,
            "solved_ratio": (solved / topics) if topics else 0.0}
