"""Badges (勋章, PRODUCT §2.2): each awarded once per user, by rules or by other parts of
rewards (the proxy programme awards and revokes "proxy").

    from rewards.services.badges import award_badge, revoke_badge
    award_badge(user_id, "proxy")   # True when newly awarded; idempotent
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from forum.errors import NotFound, ValidationError
from forum.extensions import db
from forum.models import User, utcnow
from forum.services.notifications import notify
from rewards.models import Badge, RewardAccount, UserBadge

log = logging.getLogger(__name__)

FIRST_ACCEPTED = "first_accepted"
TEN_ACCEPTED = "ten_accepted"
HUNDRED_LIKES = "hundred_likes"
STREAK_7 = "checkin_streak_7"
FIRST_IDEA_IMPLEMENTED = "first_idea_implemented"
PROXY = "proxy"


def award_badge(user_id: int, code: str) -> bool:
    """Give a badge once (idempotent in the database); True when newly awarded.
    The user is notified (kind "reward_badge"). A badge an admin deleted is not given
    (logged): rules and other packages keep working."""
    badge = db.session.get(Badge, code)
    if badge is None:
        log.warning("badge %s does not exist: not awarded to user %s", code, user_id)
        return False
    try:
        with db.session.begin_nested():
            db.session.add(UserBadge(user_id=user_id, badge_code=code, awarded_at=utcnow()))
    except sa.exc.IntegrityError:
        return False
    notify(user_id, "reward_badge", {"badge": badge.name, "icon": badge.icon,
                                     "user_id": user_id, "code": code})
    return True


def revoke_badge(user_id: int, code: str) -> bool:
    """Take a badge away (e.g. a proxy retired); True when the user had it."""
    deleted = db.session.execute(sa.delete(UserBadge).where(
        UserBadge.user_id == user_id, UserBadge.badge_code == code)).rowcount
    return bool(deleted)


def badges_of(user_id: int) -> list[UserBadge]:
    return list(db.session.scalars(
        sa.select(UserBadge).join(Badge).where(UserBadge.user_id == user_id)
        .order_by(Badge.position, UserBadge.awarded_at)))


def list_badges() -> list[tuple[Badge, int]]:
    """Every badge with how many users hold it."""
    counts = dict(db.session.execute(sa.select(UserBadge.badge_code, sa.func.count())
                                     .group_by(UserBadge.badge_code)).all())
    return [(b, counts.get(b.code, 0))
            for b in db.session.scalars(sa.select(Badge).order_by(Badge.position))]


def get_badge_or_404(code: str) -> Badge:
    badge = db.session.get(Badge, code)
    if badge is None:
        raise NotFound("勋章不存在")
    return badge


def save_badge(badge: Badge, name: str, description: str, icon: str) -> Badge:
    errors = {}
    name, description, icon = (name or "").strip(), (description or "").strip(), (icon or "").strip()
    if not name or len(name) > 30:
        errors["name"] = "名称为 1–30 个字"
    if len(description) > 200:
        errors["description"] = "说明最多 200 个字"
    if not icon or len(icon) > 16:
        errors["icon"] = "请填写一个图标（表情符号）"
    if errors:
        raise ValidationError("勋章有误", errors)
    badge.name, badge.description, badge.icon = name, description, icon
    db.session.flush()
    return badge


# --- rules -----------------------------------------------------------------------------------


def check_answer_badges(user_id: int) -> None:
    """First accepted answer and 10 accepted answers (the core counts accepted answers)."""
    accepted = db.session.scalar(sa.select(User.accepted_count).where(User.id == user_id)) or 0
    if accepted >= 1:
        award_badge(user_id, FIRST_ACCEPTED)
    if accepted >= 10:
        award_badge(user_id, TEN_ACCEPTED)


def check_like_badges(user_id: int) -> None:
    likes = db.session.scalar(sa.select(User.like_received_count).where(User.id == user_id)) or 0
    if likes >= 100:
        award_badge(user_id, HUNDRED_LIKES)


def check_streak_badges(user_id: int) -> None:
    streak = db.session.scalar(sa.select(RewardAccount.streak)
                               .where(RewardAccount.user_id == user_id)) or 0
    if streak >= 7:
        award_badge(user_id, STREAK_7)
