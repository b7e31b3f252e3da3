"""Service circles (服务圈子, PRODUCT §2.4): an active proxy leads circles of at most
``PROXY_CIRCLE_MAX`` members (default 150, the seeds' 150 rule; env HUZHU_PROXY_CIRCLE_MAX).

Rules:
- a user belongs to **at most one circle** (the member's user id is the primary key of
  ``proxy_circle_members``), so "their proxy" is always one person;
- a proxy does not join a circle (they lead theirs); only circles whose leader is an active
  proxy accept members;
- the cap holds under concurrent joins: the seat is taken by one conditional UPDATE
  (``member_count = member_count + 1 WHERE member_count < cap``), which the database runs
  atomically (PostgreSQL row lock, SQLite writer lock), before the member row is inserted.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import User
from rewards.proxies.models import ACTIVE, CircleMember, ProxyProfile, ServiceCircle
from rewards.proxies.services.common import can_manage
from rewards.proxies.services.lifecycle import is_active_proxy

NAME_MAX = 40
DESCRIPTION_MAX = 200
DEFAULT_MAX = 150


def circle_cap() -> int:
    return int(current_app.config.get("PROXY_CIRCLE_MAX", DEFAULT_MAX))


def get_circle_or_404(circle_id: int) -> ServiceCircle:
    circle = db.session.get(ServiceCircle, circle_id) if 0 < circle_id <= 2**31 - 1 else None
    if circle is None:
        raise NotFound("服务圈子不存在")
    return circle


def circles_of(proxy_id: int) -> list[ServiceCircle]:
    return list(db.session.scalars(sa.select(ServiceCircle).where(ServiceCircle.proxy_id == proxy_id)
                                   .order_by(ServiceCircle.id)))


def open_circles() -> list[ServiceCircle]:
    """Circles led by active proxies (the ones a user may join), fullest last."""
    return list(db.session.scalars(
        sa.select(ServiceCircle)
        .join(ProxyProfile, ProxyProfile.user_id == ServiceCircle.proxy_id)
        .where(ProxyProfile.status == ACTIVE)
        .options(joinedload(ServiceCircle.proxy).lazyload(User.roles))
        .order_by(ServiceCircle.member_count, ServiceCircle.id)))


def all_circles() -> list[ServiceCircle]:
    return list(db.session.scalars(sa.select(ServiceCircle)
                                   .options(joinedload(ServiceCircle.proxy).lazyload(User.roles))
                                   .order_by(ServiceCircle.proxy_id, ServiceCircle.id)))


def members(circle_id: int, limit: int = 200) -> list[CircleMember]:
    return list(db.session.scalars(
        sa.select(CircleMember).where(CircleMember.circle_id == circle_id)
        .options(joinedload(CircleMember.user).lazyload(User.roles))
        .order_by(CircleMember.joined_at, CircleMember.user_id).limit(limit)))


def membership(user_id: int) -> CircleMember | None:
    return db.session.get(CircleMember, user_id)


def proxy_of(user_id: int) -> int | None:
    """The leader of the user's circle, or None."""
    return db.session.scalar(sa.select(ServiceCircle.proxy_id)
                             .join(CircleMember, CircleMember.circle_id == ServiceCircle.id)
                             .where(CircleMember.user_id == user_id))


def create_circle(actor: User, proxy: User, name: str, description: str = "") -> ServiceCircle:
    """An admin, or the active proxy themselves, opens a circle led by ``proxy``."""
    if not (can_manage(actor) or actor.id == proxy.id):
        raise PermissionDenied("只有管理员或服务代理本人可以创建圈子")
    name = (name or "").strip()
    description = (description or "").strip()
    errors = {}
    if not 2 <= len(name) <= NAME_MAX:
        errors["name"] = f"圈子名称为 2–{NAME_MAX} 个字"
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"简介最多 {DESCRIPTION_MAX} 个字"
    if errors:
        raise ValidationError("圈子信息有误", errors)
    if not is_active_proxy(proxy.id):
        raise Conflict("只有在任的服务代理可以带领服务圈子")
    circle = ServiceCircle(proxy_id=proxy.id, name=name, description=description)
    db.session.add(circle)
    db.session.commit()
    return circle


def join(user: User, circle: ServiceCircle) -> CircleMember:
    """Join a circle; refused when full (the 151st), when already in a circle, or when the
    leader is not an active proxy. Safe under concurrent joins (see module doc)."""
    circle_id, cap = circle.id, circle_cap()
    if user.id == circle.proxy_id:
        raise Conflict("你是这个圈子的服务代理，无需加入")
    if not is_active_proxy(circle.proxy_id):
        raise Conflict("该圈子的服务代理目前不在任，暂不接受新成员")
    existing = membership(user.id)
    if existing is not None:
        if existing.circle_id == circle_id:
            raise Conflict("你已经是这个圈子的成员")
        raise Conflict("每位用户只能加入一个服务圈子，请先退出当前圈子")
    taken = db.session.execute(
        sa.update(ServiceCircle)
        .where(ServiceCircle.id == circle_id, ServiceCircle.member_count < cap)
        .values(member_count=ServiceCircle.member_count + 1)
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        db.session.rollback()
        raise Conflict(f"该服务圈子已满（最多 {cap} 人），请选择其他圈子")
    member = CircleMember(user_id=user.id, circle_id=circle_id)
    db.session.add(member)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # joined some circle concurrently: the seat is given back
        db.session.rollback()
        raise Conflict("每位用户只能加入一个服务圈子，请先退出当前圈子") from None
    db.session.expire(circle)
    return member


def leave(actor: User, user: User) -> None:
    """A member leaves (or is removed by an admin or their circle's proxy)."""
    member = membership(user.id)
    if member is None:
        raise NotFound("你不在任何服务圈子里")
    circle = db.session.get(ServiceCircle, member.circle_id)
    if actor.id not in (user.id, circle.proxy_id) and not can_manage(actor):
        raise PermissionDenied("只有本人、圈子的服务代理或管理员可以移出成员")
    db.session.delete(member)
    db.session.execute(sa.update(ServiceCircle).where(ServiceCircle.id == circle.id)
                       .values(member_count=ServiceCircle.member_count - 1)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    db.session.expire(circle)


def members_of_proxy(proxy_id: int) -> dict[int, list[CircleMember]]:
    """Members of each circle a proxy leads (dashboard)."""
    return {c.id: members(c.id) for c in circles_of(proxy_id)}


