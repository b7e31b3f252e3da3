"""What earns points (PRODUCT §2.1): the forum and ideas events turned into ledger awards,
the daily check-in (签到) with streaks, the rule table's admin edits, and a user's summary.

Every function here is idempotent: the events may be delivered any number of times.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from forum.errors import NotFound, ValidationError
from forum.extensions import db
from forum.models import Post, User, utcnow
from rewards.models import PointRule, RewardAccount
from rewards.services import badges
from rewards.services.ledger import (
    Award,
    award,
    award_many,
    ensure_accounts,
    entries_for,
    lock_users,
    reverse_entries,
    reverse_source,
    shanghai_day,
)
from rewards.services.titles import Progress, progress, sync_titles

# Rule codes (rows of reward_rules, seeded by migration 0005).
CHECKIN = "checkin"
TOPIC_CREATED = "topic_created"
REPLY_CREATED = "reply_created"
POST_LIKED = "post_liked"
ANSWER_ACCEPTED = "answer_accepted"
QUESTION_ANSWERED = "question_answered"
IDEA_SUBMITTED = "idea_submitted"
IDEA_VOTED = "idea_voted"
IDEA_SHORTLISTED = "idea_shortlisted"
IDEA_FUNDED = "idea_funded"
IDEA_IMPLEMENTED = "idea_implemented"
# ideas' state names → the rule they earn (PRODUCT §2.1: shortlisted / funded / implemented)
IDEA_STATE_RULES = {"in_arena": IDEA_SHORTLISTED, "funded": IDEA_FUNDED,
                    "implemented": IDEA_IMPLEMENTED}

RULE_POINTS_MAX = 100_000


# --- forum events ----------------------------------------------------------------------------


def post_created(*, post_id: int, tribe_id: int | None, author_id: int, is_first: bool) -> None:
    rule = TOPIC_CREATED if is_first else REPLY_CREATED
    award(Award(author_id, rule, "post", post_id, tribe_id=tribe_id))


def post_liked(*, post_id: int, tribe_id: int | None, author_id: int, user_id: int,
               liked: bool) -> None:
    """+1 to the author per liker; an unlike reverses it. A like given again after an unlike
    earns nothing more (the award for that liker and post was already used: no farming by
    toggling)."""
    if liked:
        award(Award(author_id, POST_LIKED, "like", post_id, actor_id=user_id, tribe_id=tribe_id))
        badges.check_like_badges(author_id)
        db.session.flush()
    else:
        reverse_source("like", post_id, actor_id=user_id)


def answer_accepted(*, topic_id: int, tribe_id: int | None, post_id: int, post_author_id: int,
                    topic_author_id: int, previous_post_id: int | None) -> None:
    """+15 to the reply's author, +2 to the asker (once per topic). When the mark moves, the
    previous reply's points are reversed. Accepting one's own reply earns nothing."""
    previous = db.session.get(Post, previous_post_id) if previous_post_id else None
    # Concurrent accepts moving the mark back and forth touch the same users in opposite
    # order: lock them all first.
    involved = sorted({post_author_id, topic_author_id} | ({previous.author_id} if previous else set()))
    lock_users(involved)
    # The points go to users rows in two steps (reversal, award); the core bumps the same rows
    # in id order, so take them in that order first.
    db.session.execute(sa.select(User.id).where(User.id.in_(involved)).order_by(User.id)
                       .with_for_update())
    if previous_post_id:
        reverse_source("post", previous_post_id, rules=[ANSWER_ACCEPTED])
    if post_author_id != topic_author_id:
        award_many([Award(post_author_id, ANSWER_ACCEPTED, "post", post_id, tribe_id=tribe_id),
                    Award(topic_author_id, QUESTION_ANSWERED, "topic", topic_id,
                          tribe_id=tribe_id)])
        badges.check_answer_badges(post_author_id)
    db.session.flush()


def post_removed(*, post_id: int, topic_id: int, is_first: bool, by_moderator: bool) -> None:
    """A moderator's removal reverses exactly what the post earned: its creation, the likes
    it received, its accepted answer (and, for a topic's opening post, the asker's points
    for the accepted answer). An author deleting their own post keeps nothing special: the
    PRODUCT reverses on moderation only."""
    if not by_moderator:
        return
    entries = entries_for("post", post_id) + entries_for("like", post_id)
    if is_first:
        entries += entries_for("topic", topic_id)
    reverse_entries(entries)


def idea_submitted(*, idea_id: int, author_id: int) -> None:
    award(Award(author_id, IDEA_SUBMITTED, "idea", idea_id))


def idea_voted(*, idea_id: int, author_id: int, voter_id: int, voted: bool) -> None:
    if voted:
        award(Award(author_id, IDEA_VOTED, "idea_vote", idea_id, actor_id=voter_id))
    else:
        reverse_source("idea_vote", idea_id, actor_id=voter_id)


def idea_state_changed(*, idea_id: int, author_id: int, state: str) -> None:
    rule = IDEA_STATE_RULES.get(state)
    if rule is None:
        return
    award(Award(author_id, rule, "idea", idea_id))
    if state == "implemented":
        badges.award_badge(author_id, badges.FIRST_IDEA_IMPLEMENTED)
    db.session.flush()


def user_registered(*, user_id: int) -> None:
    """A new user gets an account and the entry title (新手上路) right away."""

    ensure_accounts([user_id])
    sync_titles([user_id], notify=False)
    db.session.flush()


# --- check-in --------------------------------------------------------------------------------


@dataclass
class CheckinResult:
    new: bool  # False: already checked in today
    awarded: int
    streak: int
    balance: int


def checkin(user: User) -> CheckinResult:
    """签到: once per Asia/Shanghai day (the ledger's unique key makes it so). Consecutive
    days build the streak; a 7-day streak earns a badge."""
    today = shanghai_day()
    done = award(Award(user.id, CHECKIN, "day", today.toordinal()))
    account = db.session.get(RewardAccount, user.id, with_for_update=True)
    if done is not None:
        if account.last_checkin is not None and account.last_checkin.toordinal() == today.toordinal() - 1:
            account.streak += 1
        elif account.last_checkin != today:
            account.streak = 1
        account.last_checkin = today
        account.best_streak = max(account.best_streak, account.streak)
        db.session.flush()
        badges.check_streak_badges(user.id)
    db.session.flush()
    streak = account.streak if account.last_checkin in (today, today.fromordinal(
        today.toordinal() - 1)) else 0
    balance = db.session.scalar(sa.select(User.points).where(User.id == user.id))
    return CheckinResult(new=done is not None, awarded=done.amount if done else 0,
                         streak=streak, balance=balance)


def checked_in_today(user_id: int) -> bool:
    account = db.session.get(RewardAccount, user_id)
    return account is not None and account.last_checkin == shanghai_day()


# --- summary ---------------------------------------------------------------------------------


@dataclass
class Summary:
    balance: int
    lifetime: int
    streak: int
    checked_in_today: bool
    progress: Progress


def summary(user_id: int) -> Summary:
    balance = db.session.scalar(sa.select(User.points).where(User.id == user_id)) or 0
    account = db.session.get(RewardAccount, user_id)
    lifetime = account.lifetime if account else 0
    today = shanghai_day()
    streak = 0
    if account and account.last_checkin and today.toordinal() - account.last_checkin.toordinal() <= 1:
        streak = account.streak
    return Summary(balance=balance, lifetime=lifetime, streak=streak,
                   checked_in_today=bool(account and account.last_checkin == today),
                   progress=progress(lifetime))


# --- rule admin ------------------------------------------------------------------------------


def list_rules() -> list[PointRule]:
    return list(db.session.scalars(sa.select(PointRule).order_by(PointRule.position)))


def get_rule_or_404(code: str) -> PointRule:
    rule = db.session.get(PointRule, code)
    if rule is None:
        raise NotFound("积分规则不存在")
    return rule


def _whole(value: object, field: str, label: str, errors: dict, *, allow_none: bool = False):
    if value is None and allow_none:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        errors[field] = f"{label}必须是整数"
    elif value < 0:
        errors[field] = f"{label}不能是负数"
    elif value > RULE_POINTS_MAX:
        errors[field] = f"{label}最多 {RULE_POINTS_MAX}"
    return value


def save_rule(rule: PointRule, points: object, daily_cap: object, active: bool) -> PointRule:
    """Points are whole numbers ≥ 0 (0 switches a rule off as well); the cap is empty (none)
    or a whole number ≥ 1."""
    errors: dict[str, str] = {}
    _whole(points, "points", "积分", errors)
    _whole(daily_cap, "daily_cap", "每日上限", errors, allow_none=True)
    if "daily_cap" not in errors and daily_cap is not None and daily_cap < 1:
        errors["daily_cap"] = "每日上限至少为 1（留空表示不设上限）"
    if errors:
        raise ValidationError("积分规则有误", errors)
    rule.points, rule.daily_cap, rule.active = points, daily_cap, bool(active)
    rule.updated_at = utcnow()
    db.session.flush()
    return rule
