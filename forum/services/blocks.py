"""Blocks (屏蔽): a user stops another from sending them private messages.

Moderators and admins cannot be blocked (customers must always reach customer service), and
their messages pass a block (PRODUCT §3, 私信答复). Sending checks live in
forum/services/messages.py (``refusal``).
"""

from __future__ import annotations

import sqlalchemy as sa

from forum import events, permissions
from forum.errors import Conflict
from forum.extensions import db
from forum.models import Block, User
from forum.services.accounts import resolve_user


def is_blocked(blocker: User | None, blocked: User | None) -> bool:
    """Whether ``blocker`` has blocked ``blocked``."""
    if blocker is None or blocked is None or blocker.id is None or blocked.id is None:
        return False
    return db.session.get(Block, (blocker.id, blocked.id)) is not None


def block_state(me: User, other: User) -> tuple[bool, bool]:
    """(I blocked them, they blocked me) in one query."""
    rows = db.session.execute(
        sa.select(Block.blocker_id).where(
            sa.or_(sa.and_(Block.blocker_id == me.id, Block.blocked_id == other.id),
                   sa.and_(Block.blocker_id == other.id, Block.blocked_id == me.id)))
    ).scalars().all()
    return me.id in rows, other.id in rows


def set_blocked(actor: User, target: User | str, block: bool) -> bool:
    """Block or unblock ``target``; idempotent. Returns whether ``actor`` now blocks them."""
    target = resolve_user(target)
    if target.id == actor.id:
        raise Conflict("不能屏蔽自己")
    existing = db.session.get(Block, (actor.id, target.id))
    if block:
        if permissions.can_message_anyone(target):
            raise Conflict("版主和管理员负责社区服务，无法屏蔽")
        if existing is None:
            db.session.add(Block(blocker_id=actor.id, blocked_id=target.id))
            try:
                db.session.flush()
            except sa.exc.IntegrityError:  # a double click raced us; the block exists
                db.session.rollback()
                return True
    elif existing is not None:
        db.session.delete(existing)
    events.commit()
    return block


def blocked_users(actor: User) -> list[User]:
    """Whom ``actor`` has blocked, most recent first."""
    return list(db.session.scalars(
        sa.select(User).join(Block, Block.blocked_id == User.id)
        .where(Block.blocker_id == actor.id).order_by(Block.created_at.desc())
        .options(sa.orm.lazyload(User.roles))
    ))
