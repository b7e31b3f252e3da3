"""Leaderboards (风云榜, PRODUCT §2.6): points earned this week / this month / all time
(Asia/Shanghai weeks start on Monday), globally or in one tribe.

A total per (period, start, tribe, user) is kept in reward_period_totals (tribe 0 = global),
so a board is one range scan of the index (period, start, tribe_id, points) — fast at a
million entries. The ledger does not update those totals while awarding: it queues
(user, tribe, day, points) deltas, and ``rollup_totals`` folds them in every minute (the
periodic task ``rewards.rollup_leaderboards``), so boards lag awards by up to a minute.
Earned means every earning entry net of its reversals; store spending does not lower a
user's rank.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from forum.errors import ValidationError
from forum.extensions import db
from forum.models import Role, Tribe, User, user_roles
from rewards.models import ALL, ALL_TIME_START, MONTH, PERIODS, WEEK, PeriodTotal, TotalDelta
from rewards.models import LedgerEntry as L
from rewards.services import bulk
from rewards.services.ledger import REVERSAL, dialect_insert, month_start, shanghai_day, week_start

PERIOD_LABELS = {WEEK: "本周", MONTH: "本月", ALL: "总榜"}
DEFAULT_LIMIT = 50
MAX_LIMIT = 100
ROLLUP_EVERY_SECONDS = 60.0
ROLLUP_CHUNK = 50_000  # deltas folded per transaction (bounded memory after a long stop)


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


# --- keeping the totals ----------------------------------------------------------------------


def rollup_totals() -> int:
    """Fold the queued deltas into the period totals; returns how many deltas were folded.

    Each chunk is taken with ``DELETE … RETURNING`` and applied in the same transaction, so a
    delta is counted exactly once even when two roll-ups run at once (a row is returned only
    by the one that deleted it) and none is lost if a roll-up fails (its delete rolls back).
    """
    if bulk.is_postgresql():
        return _rollup_postgresql()
    folded = 0
    while True:
        d = TotalDelta
        chunk = sa.select(d.id).order_by(d.id).limit(ROLLUP_CHUNK).scalar_subquery()
        moved = db.session.execute(sa.delete(d).where(d.id.in_(chunk))
                                   .returning(d.user_id, d.tribe_id, d.day, d.amount)).all()
        if not moved:
            db.session.commit()
            return folded
        existing = set(db.session.scalars(sa.select(User.id).where(
            bulk.in_ids(User.id, {row.user_id for row in moved}))))
        totals: dict[tuple, int] = defaultdict(int)
        for user_id, tribe_id, day, amount in moved:
            if user_id not in existing:
                continue  # the account was deleted after it earned these points
            for tribe in {0, tribe_id}:
                totals[(WEEK, week_start(day), tribe, user_id)] += amount
                totals[(MONTH, month_start(day), tribe, user_id)] += amount
                totals[(ALL, ALL_TIME_START, tribe, user_id)] += amount
        _add_totals(totals)
        db.session.commit()
        folded += len(moved)
        if len(moved) < ROLLUP_CHUNK:
            return folded


# One statement per chunk, all in the server: take the deltas, drop deleted users, expand
# each to its week / month / all-time rows, globally and in its tribe, sum, and upsert in key
# order (two roll-ups lock rows in the same order, so they never deadlock).
_PG_ROLLUP = sa.text("""
WITH moved AS (
    DELETE FROM reward_total_deltas
    WHERE id IN (SELECT id FROM reward_total_deltas ORDER BY id LIMIT :chunk)
    RETURNING user_id, tribe_id, day, amount
), keyed AS (
    SELECT p.period,
           CASE p.period WHEN :week THEN date_trunc('week', m.day::timestamp)::date
                         WHEN :month THEN date_trunc('month', m.day::timestamp)::date
                         ELSE CAST(:all_start AS date) END AS start,
           t.tribe_id, m.user_id, m.amount
    FROM moved m
    JOIN users u ON u.id = m.user_id
    CROSS JOIN (VALUES (:week), (:month), (:all)) AS p(period)
    CROSS JOIN LATERAL (SELECT 0 UNION SELECT m.tribe_id) AS t(tribe_id)
), upserted AS (
    INSERT INTO reward_period_totals (period, start, tribe_id, user_id, points)
    SELECT period, start, tribe_id, user_id, sum(amount) FROM keyed
    GROUP BY period, start, tribe_id, user_id HAVING sum(amount) <> 0
    ORDER BY period, start, tribe_id, user_id
    ON CONFLICT (period, start, tribe_id, user_id)
    DO UPDATE SET points = reward_period_totals.points + excluded.points
    RETURNING 1
)
SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM upserted)
""")


def _rollup_postgresql() -> int:
    folded = 0
    while True:
        moved, _ = db.session.execute(_PG_ROLLUP, {
            "chunk": ROLLUP_CHUNK, "week": WEEK, "month": MONTH, "all": ALL,
            "all_start": ALL_TIME_START}).one()
        db.session.commit()
        folded += moved
        if moved < ROLLUP_CHUNK:
            return folded


def _add_totals(totals: dict[tuple, int]) -> None:
    """SQLite's half of the roll-up (PostgreSQL does it all in _PG_ROLLUP)."""
    rows = [{"period": p, "start": s, "tribe_id": t, "user_id": u, "points": pts}
            for (p, s, t, u), pts in totals.items() if pts]
    if not rows:
        return
    table = PeriodTotal.__table__
    stmt = dialect_insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["period", "start", "tribe_id", "user_id"],
        set_={"points": table.c.points + stmt.excluded.points})
    db.session.execute(stmt, rows)
