"""Leaderboards (风云榜, PRODUCT §2.6): points earned this week / this month / all time
(Asia/Shanghai weeks start on Monday), globally or in one tribe.

The ledger keeps a total per (period, start, tribe, user) in reward_period_totals as it
writes entries (tribe 0 = global), so a board is one range scan of the index
(period, start, tribe_id, points) — fast at a million entries. Earned means every earning
entry net of its reversals; store spending does not lower a user's rank.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from forum.errors import ValidationError
from forum.extensions import db
from forum.models import Tribe, User
from rewards.models import ALL, ALL_TIME_START, MONTH, PERIODS, WEEK, PeriodTotal
from rewards.services.ledger import month_start, shanghai_day, week_start

PERIOD_LABELS = {WEEK: "本周", MONTH: "本月", ALL: "总榜"}
DEFAULT_LIMIT = 50
MAX_LIMIT = 100


@dataclass
class Row:
    rank: int
    user: User
    points: int


def parse_period(value: str | None) -> str:
    value = (value or WEEK).strip()
    if value not in PERIODS:
        raise ValidationError("榜单周期有误", {"period": "只能是 week、month 或 all"})
    return value


def parse_tribe(slug: str | None) -> Tribe | None:
    slug = (slug or "").strip()
    if not slug:
        return None
    tribe = db.session.scalar(sa.select(Tribe).where(Tribe.slug == slug)) if "\x00" not in slug else None
    if tribe is None:
        raise ValidationError("部落不存在", {"tribe": "没有这个部落"})
    return tribe


def period_start(period: str):
    today = shanghai_day()
    if period == WEEK:
        return week_start(today)
    if period == MONTH:
        return month_start(today)
    return ALL_TIME_START


def board_query(period: str, tribe_id: int = 0, limit: int = DEFAULT_LIMIT) -> sa.Select:
    """(user_id, points) best first; ties by user id so the order is stable."""
    t = PeriodTotal
    return (sa.select(t.user_id, t.points)
            .where(t.period == period, t.start == period_start(period), t.tribe_id == tribe_id,
                   t.points > 0)
            .order_by(t.points.desc(), t.user_id).limit(limit))


def leaderboard(period: str, tribe: Tribe | None = None, limit: int = DEFAULT_LIMIT) -> list[Row]:
    limit = max(1, min(limit, MAX_LIMIT))
    pairs = db.session.execute(board_query(period, tribe.id if tribe else 0, limit)).all()
    users = {u.id: u for u in db.session.scalars(
        sa.select(User).where(User.id.in_([uid for uid, _ in pairs])))} if pairs else {}
    rows, rank, last = [], 0, None
    for i, (uid, points) in enumerate(pairs, start=1):
        if points != last:  # equal points share a rank (1, 2, 2, 4)
            rank, last = i, points
        if uid in users:
            rows.append(Row(rank, users[uid], points))
    return rows


ACCEPTED_RULE = "answer_accepted"


def proxy_board(period: str, tribe: Tribe | None = None, limit: int = 20) -> list[Row]:
    """Service proxies (PRODUCT §2.6) by answers accepted in the period (in the tribe) that
    are still accepted: each accepted answer is one entry of the ledger, and a mark that
    moved away left a reversal of it. ``Row.points`` holds the number of answers."""
    from forum.models import Role, user_roles
    from rewards.models import LedgerEntry as L
    from rewards.services.ledger import REVERSAL

    limit = max(1, min(limit, MAX_LIMIT))
    reversal = sa.orm.aliased(L)
    still_accepted = ~sa.exists().where(reversal.rule_code == REVERSAL,
                                        reversal.source_kind == "entry",
                                        reversal.source_id == L.id)
    proxies = (sa.select(user_roles.c.user_id).join(Role, Role.id == user_roles.c.role_id)
               .where(Role.name == "proxy"))
    answers = sa.func.count(L.id)
    stmt = (sa.select(L.user_id, answers.label("answers"))
            .where(L.rule_code == ACCEPTED_RULE, L.amount > 0, L.day >= period_start(period),
                   L.user_id.in_(proxies), still_accepted)
            .group_by(L.user_id)
            .order_by(answers.desc(), L.user_id).limit(limit))
    if tribe is not None:
        stmt = stmt.where(L.tribe_id == tribe.id)
    pairs = db.session.execute(stmt).all()
    users = {u.id: u for u in db.session.scalars(
        sa.select(User).where(User.id.in_([uid for uid, _ in pairs])))} if pairs else {}
    rows, rank, last = [], 0, None
    for i, (uid, count) in enumerate(pairs, start=1):
        if count != last:
            rank, last = i, count
        rows.append(Row(rank, users[uid], int(count)))
    return rows

