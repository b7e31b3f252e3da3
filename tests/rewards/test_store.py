"""The redemption store: atomic debits, refusals with codes and nothing debited, orders."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.errors import Conflict, ValidationError
from forum.extensions import db
from forum.models import User
from rewards.models import LedgerEntry, RewardItem, RewardOrder
from rewards.services import store
from rewards.services.ledger import ledger_sum
from tests import factories as f
from tests.rewards.conftest import assert_consistent, points_of


def item(price=100, stock=5, limit=0, active=True) -> RewardItem:
    return store.save_item(name="1GB 流量包", description="", price=price, stock=stock,
                           per_user_limit=limit, active=active)


def test_redeeming_debits_points_and_stock_and_records_an_order(make_user):
    user = make_user()
    f.points(user, 150)
    thing = item(price=100, stock=2)
    order = store.redeem(user, thing.id)
    assert points_of(user.id) == 50
    assert db.session.get(RewardItem, thing.id).stock == 1
    assert order.status == "pending"
    entry = store.order_entry(order.id)
    assert entry.amount == -100
    assert_consistent(user.id)


@pytest.mark.parametrize("setup, code", [
    ({"price": 200, "stock": 5, "limit": 0}, "insufficient_points"),
    ({"price": 100, "stock": 0, "limit": 0}, "out_of_stock"),
])
def test_refusals_have_a_code_and_debit_nothing(make_user, setup, code):
    user = make_user()
    f.points(user, 150)
    thing = item(**setup)
    with pytest.raises(Conflict) as refused:
        store.redeem(user, thing.id)
    assert refused.value.code == code
    assert points_of(user.id) == 150
    assert db.session.get(RewardItem, thing.id).stock == setup["stock"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RewardOrder)) == 0


def test_the_per_user_limit_is_respected(make_user):
    user = make_user()
    f.points(user, 1000)
    thing = item(price=100, stock=5, limit=2)
    store.redeem(user, thing.id)
    store.redeem(user, thing.id)
    with pytest.raises(Conflict) as refused:
        store.redeem(user, thing.id)
    assert refused.value.code == "limit_reached"
    assert points_of(user.id) == 800
    assert db.session.get(RewardItem, thing.id).stock == 3


def test_cancelling_an_order_refunds_points_and_stock(make_user):
    user, admin = make_user(), make_user(roles=("admin",))
    f.points(user, 100)
    thing = item(price=100, stock=1)
    order = store.redeem(user, thing.id)
    store.cancel_order(admin, order)
    assert points_of(user.id) == 100
    assert db.session.get(RewardItem, thing.id).stock == 1
    with pytest.raises(Conflict):
        store.fulfil_order(admin, db.session.get(RewardOrder, order.id))
    assert ledger_sum(user.id) == 100


def test_fulfilling_marks_the_order_once(make_user):
    user, admin = make_user(), make_user(roles=("admin",))
    f.points(user, 100)
    order = store.redeem(user, item(price=100).id)
    store.fulfil_order(admin, order)
    assert order.status == "fulfilled" and order.handled_by_id == admin.id
    with pytest.raises(Conflict):
        store.fulfil_order(admin, order)


@pytest.mark.parametrize("field, kwargs", [
    ("price", {"price": -5}), ("price", {"price": 0}), ("price", {"price": "12"}),
    ("stock", {"stock": -1}), ("per_user_limit", {"per_user_limit": 1.5}),
])
def test_catalogue_refuses_negative_or_non_integer_numbers(field, kwargs):
    values = {"name": "话费券", "description": "", "price": 10, "stock": 1,
              "per_user_limit": 0, "active": True} | kwargs
    with pytest.raises(ValidationError) as refused:
        store.save_item(**values)
    assert field in refused.value.fields


def test_a_reversal_after_spending_leaves_a_debt_that_blocks_redeeming(make_user):
    user = make_user()
    f.points(user, 100)
    thing = item(price=100, stock=5)
    store.redeem(user, thing.id)
    entry = db.session.scalar(sa.select(LedgerEntry).where(LedgerEntry.rule_code == "bonus"))
    from rewards.services.ledger import reverse_entries

    reverse_entries([entry])
    assert db.session.get(User, user.id).points == -100 == ledger_sum(user.id)
    with pytest.raises(Conflict):
        store.redeem(user, thing.id)
