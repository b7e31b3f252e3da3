"""Races on PostgreSQL: the store never oversells nor overdraws; one event awards once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.errors import Conflict
from forum.extensions import db
from forum.models import User
from rewards.models import LedgerEntry, RewardItem, RewardOrder
from rewards.services import store
from rewards.services.ledger import Award, award, ledger_sum
from tests.conftest import run_concurrently


@pytest.fixture(autouse=True)
def postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("thread races need PostgreSQL (SQLite serialises every writer)")


def test_twenty_threads_redeem_the_last_five_items(app, make_user):
    users = [make_user() for _ in range(20)]
    for i, user in enumerate(users):
        award(Award(user.id, "bonus", "test", i, amount=100))
    thing = store.save_item(name="流量包", description="", price=60, stock=5,
                            per_user_limit=0, active=True)
    db.session.commit()  # the test is the edge
    user_ids, item_id = [u.id for u in users], thing.id
    outcomes = []

    def work(i):
        try:
            store.redeem(db.session.get(User, user_ids[i]), item_id)
            db.session.commit()  # each thread is an edge
            outcomes.append("ok")
        except Conflict as err:
            outcomes.append(err.code)

    errors = run_concurrently(app, 20, work)
    assert errors == []
    db.session.expire_all()
    assert outcomes.count("ok") == 5
    assert outcomes.count("out_of_stock") == 15
    assert db.session.get(RewardItem, item_id).stock == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RewardOrder)) == 5
    for uid in user_ids:
        balance = db.session.get(User, uid).points
        assert balance >= 0 and balance == ledger_sum(uid)


def test_one_user_racing_for_a_limited_item_gets_only_the_limit(app, make_user):
    user = make_user()
    award(Award(user.id, "bonus", "test", 1, amount=1000))
    thing = store.save_item(name="话费券", description="", price=100, stock=10,
                            per_user_limit=2, active=True)
    db.session.commit()  # the test is the edge
    uid, item_id = user.id, thing.id
    outcomes = []

    def work(_):
        try:
            store.redeem(db.session.get(User, uid), item_id)
            db.session.commit()  # each thread is an edge
            outcomes.append("ok")
        except Conflict as err:
            outcomes.append(err.code)

    assert run_concurrently(app, 8, work) == []
    db.session.expire_all()
    assert outcomes.count("ok") == 2
    assert db.session.get(User, uid).points == 800 == ledger_sum(uid)


def test_ten_concurrent_awards_of_one_event_write_one_entry(app, make_user):
    user = make_user()
    uid = user.id

    def work(_):
        award(Award(uid, "topic_created", "post", 42, tribe_id=None))
        db.session.commit()  # each thread is an edge

    assert run_concurrently(app, 10, work) == []
    db.session.expire_all()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)
                              .where(LedgerEntry.user_id == uid))
    assert count == 1
    assert db.session.get(User, uid).points == 5 == ledger_sum(uid)


def test_concurrent_likes_respect_the_daily_cap(app, make_user):
    user = make_user()
    uid = user.id

    def work(i):
        for j in range(6):
            award(Award(uid, "post_liked", "like", 1, actor_id=i * 10 + j + 1))
            db.session.commit()  # each thread is an edge

    assert run_concurrently(app, 10, work) == []
    db.session.expire_all()
    assert db.session.get(User, uid).points == 50 == ledger_sum(uid)
