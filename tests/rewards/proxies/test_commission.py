"""Commission (PRODUCT §2.5): integer fen per unit of work, idempotent, compensated."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum import events
from forum.errors import PermissionDenied, ValidationError
from forum.extensions import db
from forum.services import topics
from rewards.proxies.models import CommissionEntry
from rewards.proxies.services import commission, lifecycle


def _entries(proxy_id=None):
    stmt = sa.select(CommissionEntry).order_by(CommissionEntry.id)
    if proxy_id is not None:
        stmt = stmt.where(CommissionEntry.proxy_id == proxy_id)
    return list(db.session.scalars(stmt))


def test_accepted_answer_in_an_assigned_tribe_earns_200_fen_as_an_integer(
        make_user, make_tribe, make_proxy, answered):
    tribe = make_tribe()
    proxy = make_proxy(make_user("laowang"), [tribe])
    topic, reply = answered(tribe, proxy)
    topics.accept_answer(topic.author, topic, reply)

    [entry] = _entries(proxy.id)
    assert entry.amount_fen == 200 and type(entry.amount_fen) is int
    assert entry.rule == "accepted_answer" and entry.tribe_id == tribe.id
    assert commission.earnings(proxy.id).total_fen == 200


def test_no_commission_outside_assigned_tribes_or_for_non_proxies(
        make_user, make_tribe, make_proxy, answered):
    mine, other = make_tribe(), make_tribe()
    proxy = make_proxy(make_user("laowang"), [mine])
    customer = make_user("helper")
    topic, reply = answered(other, proxy)
    topics.accept_answer(topic.author, topic, reply)
    topic2, reply2 = answered(mine, customer, title="第二个关于宽带的问题")
    topics.accept_answer(topic2.author, topic2, reply2)
    assert _entries() == []


def test_the_same_event_delivered_three_times_pays_once(make_user, make_tribe, make_proxy,
                                                        answered):
    tribe = make_tribe()
    proxy = make_proxy(make_user("laowang"), [tribe])
    topic, reply = answered(tribe, proxy)
    payload = dict(topic_id=topic.id, tribe_id=tribe.id, post_id=reply.id,
                   post_author_id=proxy.id, topic_author_id=topic.author_id,
                   accepted_by_id=topic.author_id, previous_post_id=None)
    for _ in range(3):
        events.answer_accepted.send(None, **payload)
    ticket = dict(ticket_id=7, number="T7", customer_id=topic.author_id, tribe_id=tribe.id,
                  responder_ids=[proxy.id], score=5)
    for _ in range(3):
        events.ticket_rated.send(None, **ticket)
    assert [(e.rule, e.amount_fen) for e in _entries()] == [("accepted_answer", 200),
                                                            ("ticket_resolved", 500)]


def test_moving_the_accepted_mark_away_writes_a_compensating_entry(
        make_user, make_tribe, make_proxy, answered):
    tribe = make_tribe()
    proxy = make_proxy(make_user("laowang"), [tribe])
    topic, reply = answered(tribe, proxy)
    other = topics.create_reply(make_user("someone"), topic, "我也遇到过，换了光猫就好了")
    topics.accept_answer(topic.author, topic, reply)
    topics.accept_answer(topic.author, topic, other)  # the mark moves away
    assert [(e.rule, e.amount_fen) for e in _entries()] == [("accepted_answer", 200),
                                                            ("reversal", -200)]
    assert commission.earnings(proxy.id).total_fen == 0
    # redelivering the move changes nothing; accepting the proxy's reply again pays again
    events.answer_accepted.send(None, topic_id=topic.id, tribe_id=tribe.id, post_id=other.id,
                                post_author_id=other.author_id, topic_author_id=topic.author_id,
                                accepted_by_id=topic.author_id, previous_post_id=reply.id)
    topics.accept_answer(topic.author, topic, reply)
    assert [e.amount_fen for e in _entries()] == [200, -200, 200]
    assert [e.source for e in _entries()] == [f"post:{reply.id}/0"] * 2 + [f"post:{reply.id}/1"]


def test_removing_an_accepted_reply_reverses_its_commission(make_user, make_tribe, make_proxy,
                                                            answered, admin):
    tribe = make_tribe()
    proxy = make_proxy(make_user("laowang"), [tribe])
    topic, reply = answered(tribe, proxy)
    topics.accept_answer(topic.author, topic, reply)
    topics.delete_post(admin, reply)
    assert sum(e.amount_fen for e in _entries()) == 0


def test_rule_amount_changes_apply_to_later_work_and_reject_bad_amounts(
        admin, make_user, make_tribe, make_proxy, answered):
    for bad in ("-1", "2.5", "abc", -5, 1.5, True, ""):
        with pytest.raises(ValidationError):
            commission.update_rule(admin, "accepted_answer", bad)
    with pytest.raises(PermissionDenied):
        commission.update_rule(make_user("mod", roles=("moderator",)), "accepted_answer", 1)
    commission.update_rule(admin, "accepted_answer", "350")
    tribe = make_tribe()
    proxy = make_proxy(make_user("laowang"), [tribe])
    topic, reply = answered(tribe, proxy)
    topics.accept_answer(topic.author, topic, reply)
    assert [e.amount_fen for e in _entries()] == [350]


def test_ticket_commission_needs_satisfaction_of_four_and_a_reply_by_the_proxy(
        make_user, make_tribe, make_proxy):
    tribe = make_tribe()
    proxy = make_proxy(make_user("laowang"), [tribe])
    bystander = make_user("bystander")
    base = dict(number="T1", customer_id=bystander.id, tribe_id=tribe.id)
    events.ticket_rated.send(None, ticket_id=1, responder_ids=[proxy.id], score=3, **base)
    events.ticket_rated.send(None, ticket_id=2, responder_ids=[bystander.id], score=5, **base)
    events.ticket_rated.send(None, ticket_id=3, responder_ids=[proxy.id, bystander.id], score=4,
                             **base)
    assert [(e.proxy_id, e.source, e.amount_fen) for e in _entries()] == [
        (proxy.id, "ticket:3", 500)]


def test_a_suspended_proxy_earns_nothing(admin, make_user, make_tribe, make_proxy, answered):
    tribe = make_tribe()
    proxy = make_proxy(make_user("laowang"), [tribe])
    lifecycle.transition(admin, proxy, "suspended", "休假")
    topic, reply = answered(tribe, proxy)
    topics.accept_answer(topic.author, topic, reply)
    assert _entries() == []


def test_record_refuses_non_integer_amounts(make_user):
    user = make_user("laowang")
    for amount in (2.0, "200", True):
        with pytest.raises(TypeError):
            commission.record(user.id, "accepted_answer", "post:1/0", amount)


def test_ten_concurrent_deliveries_of_one_acceptance_write_one_entry(
        app, make_user, make_tribe, make_proxy, answered):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises every writer)")
    from tests.conftest import run_concurrently

    tribe = make_tribe()
    proxy = make_proxy(make_user("laowang"), [tribe])
    topic, reply = answered(tribe, proxy)
    commission.ensure_rules()
    db.session.commit()
    ids = (reply.id, proxy.id, tribe.id, topic.id)
    errors = run_concurrently(app, 10, lambda i: commission.award_accepted_answer(*ids))
    assert errors == []
    assert [(e.rule, e.amount_fen) for e in _entries()] == [("accepted_answer", 200)]
