"""The points ledger (PRODUCT §2.1): the one way points change.

``award_many(awards)`` is the only writer. For a batch of awards it

1. drops duplicates within the batch,
2. makes sure each user has a RewardAccount row and locks those rows (PostgreSQL:
   ``SELECT … FOR UPDATE`` in user order, so concurrent awards to one user queue up and the
   daily caps stay exact; SQLite serialises writers anyway),
3. works out each award's amount from its rule and what the user already earned by that rule
   on that Asia/Shanghai day (caps are in points: with a cap of 50 the 50th point counts and
   the 51st does not; an award that would cross the cap is cut to what is left, and an award
   over the cap is recorded with amount 0 so a later redelivery still finds it taken),
4. inserts all entries in one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` — the unique key
   (rule, source kind, source id, actor, user) is what makes awarding idempotent: a second
   delivery of the same event inserts nothing and changes nothing, even concurrently,
5. applies only what was really inserted: the balance cache (``User.points``), lifetime
   points and the title (``User.title``), and queues the leaderboard deltas (one row per user,
   tribe and day, folded into the totals every minute by ``leaderboards.rollup_totals``).

Reversals are compensating entries (rule "reversal", source = the entry reversed), so they
are idempotent the same way. Lifetime points count earnings only and never decrease;
a reversal can take the balance below zero (the points were already spent).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from forum.extensions import db
from forum.models import User, utcnow
from forum.templating import SHANGHAI
from rewards.models import (
    NOT_EARNING,
    REVERSAL,
    LedgerEntry,
    PointRule,
    RewardAccount,
    TotalDelta,
)
from rewards.services import bulk
from rewards.services.titles import crossed_threshold, sync_titles

UNIQUE_KEY = ("source_kind", "source_id", "rule_code", "actor_id", "user_id")
# Column → PostgreSQL type, for the set-based statements of rewards.services.bulk.
ENTRY_COLUMNS = {"user_id": "integer", "amount": "integer", "rule_code": "varchar",
                 "source_kind": "varchar", "source_id": "integer", "actor_id": "integer",
                 "tribe_id": "integer", "day": "date", "created_at": "timestamptz"}
RETURNED = ("id", "user_id", "amount", "rule_code", "source_kind", "source_id", "actor_id",
            "tribe_id", "day")
ACCOUNT_COLUMNS = {"user_id": "integer", "lifetime": "integer", "streak": "integer",
                   "best_streak": "integer"}
DELTA_COLUMNS = {"user_id": "integer", "tribe_id": "integer", "day": "date", "amount": "integer"}


@dataclass(frozen=True)
class Award:
    """One award request. ``amount`` None means the rule's amount, capped per day; a set
    amount (reversals, spending) is used as is. ``rank_day`` is the day whose leaderboard
    totals the entry changes (a reversal changes the day the original was earned)."""

    user_id: int
    rule: str
    source_kind: str
    source_id: int
    actor_id: int = 0
    tribe_id: int | None = None
    amount: int | None = None
    rank_day: date | None = None
    at: datetime | None = None

    @property
    def key(self) -> tuple:
        return (self.rule, self.source_kind, self.source_id, self.actor_id, self.user_id)


@dataclass(frozen=True)
class Awarded:
    """An entry that was really written by this call."""

    entry_id: int
    user_id: int
    rule: str
    amount: int


def shanghai_day(at: datetime | None = None) -> date:
    return (at or utcnow()).astimezone(SHANGHAI).date()


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def dialect_insert(table: sa.Table):
    """INSERT with ON CONFLICT support on both databases."""
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def load_rules() -> dict[str, PointRule]:
    return {rule.code: rule for rule in db.session.scalars(sa.select(PointRule))}


# --- the writer ------------------------------------------------------------------------------


def award_many(awards: Iterable[Award], *, notify: bool = True,
               balance_applied: bool = False) -> list[Awarded]:
    """Write a batch of awards idempotently; returns the entries really written.
    ``balance_applied``: the caller already changed User.points (the store's conditional
    debit), so only the entry is written."""
    unique: dict[tuple, Award] = {}
    for award in awards:
        unique.setdefault(award.key, award)
    if not unique:
        return []
    batch = list(unique.values())
    user_ids = sorted({a.user_id for a in batch})
    new_accounts = ensure_accounts(user_ids)
    _lock_accounts(user_ids)
    rows = _entry_rows(batch, load_rules())
    inserted = _insert_entries(rows)
    if inserted:
        _apply(inserted, unique, notify=notify, balance_applied=balance_applied)
    if new_accounts:  # a first entry gives the entry title (新手上路) too

        sync_titles(sorted(new_accounts), notify=False)
    db.session.flush()
    return [Awarded(r.id, r.user_id, r.rule_code, r.amount) for r in inserted]


def award(award_: Award, **kwargs) -> Awarded | None:
    """One award (see award_many); None when it was already given or the rule is off."""
    done = award_many([award_], **kwargs)
    return done[0] if done else None


def ensure_accounts(user_ids: Sequence[int]) -> set[int]:
    """Create missing RewardAccount rows; returns the ids of the accounts created."""
    if not user_ids:
        return set()
    if bulk.is_postgresql():
        # Most awards go to users who already have an account: a plain read finds the few
        # missing ones, and only those go through the (slower) conflict-checked INSERT.
        missing = set(user_ids) - set(db.session.scalars(
            sa.select(RewardAccount.user_id).where(bulk.in_ids(RewardAccount.user_id, user_ids))))
        if not missing:
            return set()
        rows = [{"user_id": uid, "lifetime": 0, "streak": 0, "best_streak": 0}
                for uid in sorted(missing)]
        created = bulk.pg_insert_rows(RewardAccount.__table__, ACCOUNT_COLUMNS, rows,
                                      conflict="ON CONFLICT (user_id) DO NOTHING",
                                      returning=("user_id",))
        return {row.user_id for row in created}
    rows = [{"user_id": uid, "lifetime": 0, "streak": 0, "best_streak": 0} for uid in user_ids]
    stmt = (dialect_insert(RewardAccount.__table__)
            .on_conflict_do_nothing(index_elements=["user_id"])
            .returning(RewardAccount.user_id))
    return {row.user_id for row in db.session.execute(stmt, rows)}


def lock_user(user_id: int) -> None:
    """Take the user's rewards lock (their account row) for the rest of the transaction:
    every writer of a user's points takes it first, so writers never deadlock."""
    lock_users([user_id])


def lock_users(user_ids: Iterable[int]) -> None:
    """lock_user for several users at once, in id order: a unit of work that writes several
    users' points in more than one step takes them all first, or two such units writing the
    same users in opposite order deadlock."""
    ids = sorted(set(user_ids))
    ensure_accounts(ids)
    _lock_accounts(ids)


def _lock_accounts(user_ids: Sequence[int]) -> None:
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite: the INSERT above already holds the database's write lock
    db.session.execute(
        sa.select(RewardAccount.user_id).where(bulk.in_ids(RewardAccount.user_id, user_ids))
        .order_by(RewardAccount.user_id).with_for_update())


def _cap_usage(batch: list[Award], rules: dict[str, PointRule],
               now: datetime) -> dict[tuple, int]:
    """Points already earned today per (user, rule, day) for the capped rules in the batch."""
    capped = {a.rule for a in batch if a.amount is None and a.rule in rules
              and rules[a.rule].daily_cap is not None}
    if not capped:
        return {}
    days = {shanghai_day(a.at or now) for a in batch if a.rule in capped}
    users = {a.user_id for a in batch if a.rule in capped}
    e = LedgerEntry
    query = (sa.select(e.user_id, e.rule_code, e.day, sa.func.sum(e.amount))
             .where(bulk.in_ids(e.user_id, users), e.rule_code.in_(capped), e.day.in_(days),
                    e.amount > 0)
             .group_by(e.user_id, e.rule_code, e.day))
    return {(uid, rule, day): int(total) for uid, rule, day, total in db.session.execute(query)}


def _entry_rows(batch: list[Award], rules: dict[str, PointRule]) -> list[dict]:
    now = utcnow()
    used = _cap_usage(batch, rules, now)
    rows = []
    for a in batch:
        at = a.at or now
        day = shanghai_day(at)
        amount = a.amount
        if amount is None:
            rule = rules.get(a.rule)
            if rule is None or not rule.active or rule.points <= 0:
                continue
            amount = rule.points
            if rule.daily_cap is not None:
                key = (a.user_id, a.rule, day)
                amount = max(0, min(amount, rule.daily_cap - used.get(key, 0)))
                used[key] = used.get(key, 0) + amount
        rows.append({"user_id": a.user_id, "amount": amount, "rule_code": a.rule,
                     "source_kind": a.source_kind, "source_id": a.source_id,
                     "actor_id": a.actor_id, "tribe_id": a.tribe_id, "day": day,
                     "created_at": at})
    return rows


def _insert_entries(rows: list[dict]) -> list:
    if not rows:
        return []
    table = LedgerEntry.__table__
    if bulk.is_postgresql():
        return bulk.pg_insert_rows(
            table, ENTRY_COLUMNS, rows, returning=RETURNED,
            conflict=f"ON CONFLICT ({', '.join(UNIQUE_KEY)}) DO NOTHING")
    stmt = (dialect_insert(table).on_conflict_do_nothing(index_elements=list(UNIQUE_KEY))
            .returning(table.c.id, table.c.user_id, table.c.amount, table.c.rule_code,
                       table.c.source_kind, table.c.source_id, table.c.actor_id,
                       table.c.tribe_id, table.c.day))
    return list(db.session.execute(stmt, rows))


def _apply(inserted: list, requests: dict[tuple, Award], *, notify: bool,
           balance_applied: bool = False) -> None:
    balance: dict[int, int] = defaultdict(int)
    lifetime: dict[int, int] = defaultdict(int)
    deltas: dict[tuple, int] = defaultdict(int)  # (user, tribe, day) → points for the boards
    for row in inserted:
        if not row.amount:
            continue
        balance[row.user_id] += row.amount
        if row.rule_code in NOT_EARNING:
            continue
        if row.amount > 0 and row.rule_code != REVERSAL:
            lifetime[row.user_id] += row.amount
        request = requests.get((row.rule_code, row.source_kind, row.source_id, row.actor_id,
                                row.user_id))
        day = (request.rank_day if request is not None and request.rank_day else row.day)
        deltas[(row.user_id, row.tribe_id or 0, day)] += row.amount
    if balance and not balance_applied:
        bulk.add_by_key(User.__table__, "id", "points",
                        sorted((uid, delta) for uid, delta in balance.items() if delta))
    if lifetime:
        _add_lifetime(lifetime, notify=notify)
    _queue_deltas(deltas)
    # The ORM may hold stale copies of users whose points just changed.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, User) and obj.id in balance:
            db.session.expire(obj)
        elif isinstance(obj, RewardAccount) and obj.user_id in balance:
            db.session.expire(obj)


def _add_lifetime(lifetime: dict[int, int], *, notify: bool) -> None:
    """Add to lifetime points; titles change only for users who crossed a threshold (on
    PostgreSQL the UPDATE returns the new values; on SQLite every user is checked)."""

    new_values = bulk.add_by_key(RewardAccount.__table__, "user_id", "lifetime",
                                 sorted(lifetime.items()), returning=True)
    if new_values is None:
        sync_titles(sorted(lifetime), notify=notify)
        return
    sync_titles(crossed_threshold([(uid, new - lifetime[uid], new) for uid, new in new_values]),
                notify=notify)


def _queue_deltas(deltas: dict[tuple, int]) -> None:
    rows = [{"user_id": u, "tribe_id": t, "day": d, "amount": pts}
            for (u, t, d), pts in deltas.items() if pts]
    if not rows:
        return
    if bulk.is_postgresql():
        bulk.pg_insert_rows(TotalDelta.__table__, DELTA_COLUMNS, rows, conflict="")
        return
    db.session.execute(TotalDelta.__table__.insert(), rows)


# --- reversals -------------------------------------------------------------------------------


def reverse_entries(entries: Iterable[LedgerEntry]) -> list[Awarded]:
    """Compensate these entries exactly (once each, however often asked)."""
    awards = [Award(user_id=e.user_id, rule=REVERSAL, source_kind="entry", source_id=e.id,
                    tribe_id=e.tribe_id, amount=-e.amount, rank_day=e.day)
              for e in entries if e.amount and e.rule_code != REVERSAL]
    if not awards:
        return []
    return award_many(awards)


def entries_for(source_kind: str, source_id: int, *, rules: Iterable[str] | None = None,
                actor_id: int | None = None) -> list[LedgerEntry]:
    """The entries a source earned (not reversals)."""
    query = sa.select(LedgerEntry).where(LedgerEntry.source_kind == source_kind,
                                         LedgerEntry.source_id == source_id,
                                         LedgerEntry.rule_code != REVERSAL)
    if rules is not None:
        query = query.where(LedgerEntry.rule_code.in_(list(rules)))
    if actor_id is not None:
        query = query.where(LedgerEntry.actor_id == actor_id)
    return list(db.session.scalars(query.order_by(LedgerEntry.id)))


def reverse_source(source_kind: str, source_id: int, *, rules: Iterable[str] | None = None,
                   actor_id: int | None = None) -> list[Awarded]:
    """Reverse what one source (a post, a like, an idea vote…) earned."""
    return reverse_entries(entries_for(source_kind, source_id, rules=rules, actor_id=actor_id))


# --- reading ---------------------------------------------------------------------------------


def ledger_sum(user_id: int) -> int:
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
                                 .where(LedgerEntry.user_id == user_id)))


def history_query(user_id: int) -> sa.Select:
    return (sa.select(LedgerEntry).where(LedgerEntry.user_id == user_id)
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc()))
