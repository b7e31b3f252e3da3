"""Leaderboard totals are folded in from the ledger's delta queue by a periodic roll-up:
each delta counts exactly once, also when two roll-ups run at once."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from forum.extensions import db
from forum.jobs import BEAT_SCHEDULE
from forum.models import User
from rewards.models import NOT_EARNING, REVERSAL, LedgerEntry, PeriodTotal, TotalDelta
from rewards.services import leaderboards
from rewards.services.ledger import Award, award, award_many, reverse_source
from tests.conftest import run_concurrently


def board(period: str = "all", tribe=None) -> list[tuple[str, int]]:
    return [(row.user.username, row.points) for row in leaderboards.leaderboard(period, tribe)]


def queued() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(TotalDelta))


def all_time_from_ledger() -> dict[int, int]:
    """What the global all-time board must show, summed from the ledger itself."""
    e = LedgerEntry
    rows = db.session.execute(sa.select(e.user_id, sa.func.sum(e.amount))
                              .where(e.rule_code.not_in(NOT_EARNING)).group_by(e.user_id))
    return {uid: int(total) for uid, total in rows if total}


def all_time_totals() -> dict[int, int]:
    t = PeriodTotal
    rows = db.session.execute(sa.select(t.user_id, t.points)
                              .where(t.period == "all", t.tribe_id == 0))
    return {uid: points for uid, points in rows if points}


def test_boards_change_when_the_queue_is_rolled_up_and_each_delta_counts_once(make_user,
                                                                               make_tribe):
    tribe = make_tribe(slug="liuliang")
    ann, bo = make_user("annie"), make_user("bobo")
    award(Award(ann.id, "answer_accepted", "post", 1, tribe_id=tribe.id))
    award(Award(bo.id, "topic_created", "post", 2, tribe_id=tribe.id))
    award(Award(bo.id, "topic_created", "post", 3))  # no tribe: global boards only
    assert board() == []  # awarded, not yet rolled up
    assert queued() == 3

    assert leaderboards.rollup_totals() == 3
    assert queued() == 0
    assert board() == [("annie", 15), ("bobo", 10)]
    assert board("week", tribe) == [("annie", 15), ("bobo", 5)]
    assert leaderboards.rollup_totals() == 0  # nothing new: nothing changes
    assert board() == [("annie", 15), ("bobo", 10)]


def test_a_reversal_after_the_roll_up_lowers_the_week_the_points_were_earned_in(make_user):
    user = make_user("caicai")
    last_week = datetime.now(UTC) - timedelta(days=8)
    award(Award(user.id, "answer_accepted", "post", 7, at=last_week))
    award(Award(user.id, "topic_created", "post", 8))
    leaderboards.rollup_totals()
    assert board("all") == [("caicai", 20)]
    assert board("week") == [("caicai", 5)]

    assert len(reverse_source("post", 7)) == 1
    leaderboards.rollup_totals()
    assert board("all") == [("caicai", 5)]
    assert board("week") == [("caicai", 5)]  # this week never had the reversed 15


def test_store_spending_queues_nothing_for_the_boards(make_user):
    user = make_user("daidai")
    award(Award(user.id, "bonus", "test", 1, amount=50))
    award(Award(user.id, "redeem", "order", 1, amount=-30))
    assert leaderboards.rollup_totals() == 1
    assert board() == [("daidai", 50)]


def test_deltas_of_a_deleted_account_are_dropped(make_user):
    gone, kept = make_user("gone"), make_user("kept")
    award(Award(gone.id, "topic_created", "post", 1))
    award(Award(kept.id, "topic_created", "post", 2))
    gone_id = gone.id
    db.session.execute(sa.delete(LedgerEntry).where(LedgerEntry.user_id == gone_id))
    db.session.execute(sa.delete(User).where(User.id == gone_id))
    db.session.commit()
    assert leaderboards.rollup_totals() == 2
    assert board() == [("kept", 5)]


def test_rolled_up_totals_equal_the_ledger_over_random_awards_and_reversals(make_user,
                                                                             monkeypatch):
    monkeypatch.setattr(leaderboards, "ROLLUP_CHUNK", 7)  # several chunks per roll-up
    users = [make_user() for _ in range(6)]
    rnd = random.Random(5)
    for step in range(120):
        user = rnd.choice(users)
        if step % 10 == 9:
            reverse_source("post", rnd.randrange(step))
        else:
            award_many([Award(user.id, rnd.choice(["topic_created", "reply_created",
                                                   "answer_accepted", "post_liked"]),
                              "post", step, actor_id=rnd.randrange(3))])
        if step % 25 == 0:
            leaderboards.rollup_totals()
    leaderboards.rollup_totals()
    assert queued() == 0
    assert all_time_totals() == all_time_from_ledger()
    assert any(e.rule_code == REVERSAL for e in db.session.scalars(sa.select(LedgerEntry)))


def test_the_roll_up_runs_every_minute_from_beat(make_user):
    from rewards.tasks import rollup_leaderboards

    entry = BEAT_SCHEDULE["rewards.rollup_leaderboards"]
    assert entry["task"] == "rewards.rollup_leaderboards" and entry["schedule"] == 60.0
    award(Award(make_user("evee").id, "topic_created", "post", 1))
    db.session.commit()  # the test is the edge: the worker reads committed rows
    run = rollup_leaderboards.apply()  # as a worker runs it (eager); .result doesn't block
    assert run.successful() and run.result == 1
    assert board() == [("evee", 5)]


def test_the_board_uses_the_shanghai_week_of_the_entry_not_of_the_roll_up(make_user):
    user = make_user("fanfan")
    sunday_night = datetime(2026, 3, 8, 15, 30, tzinfo=UTC)  # Sunday 23:30 in Shanghai
    award(Award(user.id, "answer_accepted", "post", 1, at=sunday_night))
    with time_machine.travel(datetime(2026, 3, 9, 4, 0, tzinfo=UTC), tick=False):
        leaderboards.rollup_totals()  # rolled up on Monday
        assert board("week") == []
        assert board("month") == [("fanfan", 15)]


def test_concurrent_roll_ups_count_every_delta_exactly_once(app, make_user, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises every writer)")
    monkeypatch.setattr(leaderboards, "ROLLUP_CHUNK", 50)
    users = [make_user() for _ in range(30)]
    for j in range(20):  # a batch queues one delta per user: 20 batches, 600 deltas
        award_many([Award(u.id, "bonus", "test", i * 100 + j, amount=j + 1)
                    for i, u in enumerate(users)])
    db.session.commit()  # the test is the edge
    assert queued() == 600
    folded = []

    errors = run_concurrently(app, 4, lambda _: folded.append(leaderboards.rollup_totals()))
    assert errors == []
    assert sum(folded) == 600  # no delta folded twice, none lost
    db.session.expire_all()
    assert queued() == 0
    assert all_time_totals() == all_time_from_ledger()
    assert all_time_totals()[users[0].id] == sum(range(1, 21))
