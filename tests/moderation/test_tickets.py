"""Tickets: numbering, the status flow (409 with the allowed moves), replies and internal
notes, the customer's timeline, reopening, ratings, and the events rewards listens to."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from forum import events
from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from moderation.models import Ticket
from moderation.services import ratings, tickets


@pytest.fixture
def ticket(scene):
    return tickets.create_ticket(scene.moderator, scene.customer, title="扣费争议",
                                 description="多扣 20 元", category="扣费",
                                 source_post=scene.post)


@pytest.fixture
def recorded():
    seen = []

    def make(name):
        def handler(_sender=None, **payload):
            seen.append((name, payload))
        return handler

    handlers = {name: make(name) for name in ("ticket_created", "ticket_resolved",
                                               "ticket_rated")}
    for name, handler in handlers.items():
        getattr(events, name).connect(handler)
    yield seen
    for name, handler in handlers.items():
        getattr(events, name).disconnect(handler)


def _resolve(scene, ticket):
    tickets.change_status(scene.moderator, ticket, "assigned")
    tickets.add_reply(scene.moderator, ticket, "已为您核实，正在退费")
    tickets.change_status(scene.moderator, ticket, "in_progress")
    tickets.change_status(scene.moderator, ticket, "resolved")


def test_numbers_are_shanghai_date_and_a_daily_sequence(scene):
    import time_machine

    # 2026-11-22 17:00 UTC is already 23 Nov in Shanghai.
    with time_machine.travel(datetime(2026, 11, 22, 17, 0, tzinfo=UTC), tick=False):
        first = tickets.next_number()
        second = tickets.next_number()
        db.session.commit()
    assert (first, second) == ("GD20261123-0001", "GD20261123-0002")
    with time_machine.travel(datetime(2026, 11, 23, 16, 30, tzinfo=UTC), tick=False):
        assert tickets.next_number() == "GD20261124-0001"


def test_a_new_ticket_has_deadlines_of_its_tier_and_a_created_event(ticket, recorded):
    assert re.fullmatch(r"GD\d{8}-\d{4}", ticket.number)
    assert ticket.status == "new" and ticket.tier == "normal"
    assert ticket.first_response_due - ticket.created_at == timedelta(hours=24)
    assert ticket.resolve_due - ticket.created_at == timedelta(hours=72)
    assert [e.kind for e in tickets.timeline(ticket, ticket.customer)] == ["created"]


def test_ticket_created_event_names_the_post_and_customer(scene, recorded):
    t = tickets.create_ticket(scene.moderator, scene.customer, title="x", source_post=scene.post)
    assert recorded == [("ticket_created", {
        "ticket_id": t.id, "number": t.number, "customer_id": scene.customer.id,
        "source_post_id": scene.post.id, "tribe_id": scene.tribe.id,
        "created_by_id": scene.moderator.id})]


def test_the_full_flow_emits_resolved_with_responders_and_rated_with_score(scene, ticket,
                                                                          recorded):
    _resolve(scene, ticket)
    ratings.rate(scene.customer, ticket, 4, "挺快的")
    names = [n for n, _ in recorded]
    assert names == ["ticket_resolved", "ticket_rated"]
    assert recorded[0][1]["responder_ids"] == [scene.moderator.id]
    assert recorded[0][1]["resolved_by_id"] == scene.moderator.id
    assert recorded[1][1]["score"] == 4 and recorded[1][1]["responder_ids"] == [scene.moderator.id]


def test_a_disallowed_transition_is_409_naming_the_allowed_ones(scene, ticket):
    with pytest.raises(Conflict) as err:
        tickets.change_status(scene.moderator, ticket, "resolved")
    assert err.value.fields["allowed"] == "assigned,closed"
    assert "已指派（assigned）" in err.value.message
    assert db.session.get(Ticket, ticket.id).status == "new"


def test_an_unknown_status_is_a_validation_error(scene, ticket):
    with pytest.raises(ValidationError):
        tickets.change_status(scene.moderator, ticket, "done")


def test_assigning_without_a_name_assigns_to_oneself_and_to_a_named_moderator(scene, ticket):
    tickets.change_status(scene.moderator, ticket, "assigned")
    assert ticket.assignee_id == scene.moderator.id
    tickets.change_status(scene.moderator, ticket, "in_progress")
    tickets.change_status(scene.moderator, ticket, "assigned", assignee="tribe_mod")
    assert ticket.assignee_id == scene.tribe_mod.id
    tickets.change_status(scene.moderator, ticket, "in_progress")
    with pytest.raises(ValidationError) as err:
        tickets.change_status(scene.moderator, ticket, "assigned", assignee="bystander")
    assert err.value.fields["assignee"] == "该用户不能处理此工单"
    with pytest.raises(ValidationError):
        tickets.change_status(scene.moderator, ticket, "assigned", assignee="nobody_here")


def test_first_staff_reply_sets_first_response_and_customer_reply_resumes_waiting(scene, ticket):
    tickets.change_status(scene.moderator, ticket, "assigned")
    tickets.add_reply(scene.moderator, ticket, "内部：查计费", internal=True)
    assert ticket.first_responded_at is None
    tickets.add_reply(scene.moderator, ticket, "请提供扣费短信截图")
    assert ticket.first_responded_at is not None
    tickets.change_status(scene.moderator, ticket, "waiting_customer")
    tickets.add_reply(scene.customer, ticket, "截图已上传")
    assert ticket.status == "in_progress"


def test_the_customer_sees_public_events_only_and_staff_see_internal_notes(scene, ticket):
    tickets.change_status(scene.moderator, ticket, "assigned")
    tickets.add_reply(scene.moderator, ticket, "内部：疑似增值业务", internal=True)
    tickets.add_reply(scene.moderator, ticket, "您好，正在处理")
    customer_view = [e.body for e in tickets.timeline(ticket, scene.customer)]
    staff_view = [e.body for e in tickets.timeline(ticket, scene.moderator)]
    assert "内部：疑似增值业务" not in customer_view and "您好，正在处理" in customer_view
    assert "内部：疑似增值业务" in staff_view


def test_customers_cannot_write_internal_notes(scene, ticket):
    with pytest.raises(PermissionDenied):
        tickets.add_reply(scene.customer, ticket, "偷看", internal=True)


def test_others_get_404_and_the_tribe_moderator_may_see_it(scene, ticket):
    with pytest.raises(NotFound):
        tickets.get_ticket_or_404(ticket.number, scene.other)
    assert tickets.get_ticket_or_404(ticket.number, scene.tribe_mod) is ticket
    assert tickets.get_ticket_or_404(ticket.number.lower(), scene.customer) is ticket


def test_reopen_within_seven_days_of_resolution_only(scene, ticket):
    import time_machine

    _resolve(scene, ticket)
    resolved_at = ticket.resolved_at
    with time_machine.travel(resolved_at + timedelta(days=6, hours=23), tick=False):
        assert "in_progress" in tickets.allowed_transitions(scene.customer, ticket)
    with time_machine.travel(resolved_at + timedelta(days=7, minutes=1), tick=False):
        with pytest.raises(Conflict) as err:
            tickets.change_status(scene.customer, ticket, "in_progress")
        assert err.value.fields["allowed"] == "closed"
    tickets.change_status(scene.customer, ticket, "in_progress")
    assert ticket.status == "in_progress" and ticket.resolved_at is None
    assert tickets.timeline(ticket, scene.customer)[-1].kind == "reopened"


def test_a_closed_ticket_can_be_reopened_within_the_window(scene, ticket):
    _resolve(scene, ticket)
    tickets.change_status(scene.customer, ticket, "closed")
    assert tickets.allowed_transitions(scene.customer, ticket) == ["in_progress"]
    with pytest.raises(Conflict):
        tickets.add_reply(scene.customer, ticket, "还有问题")


def test_rating_only_by_the_owner_once_after_resolution_and_between_1_and_5(scene, ticket):
    with pytest.raises(Conflict):
        ratings.rate(scene.customer, ticket, 5)  # not resolved yet
    _resolve(scene, ticket)
    with pytest.raises(NotFound):
        ratings.rate(scene.other, ticket, 5)
    with pytest.raises(PermissionDenied):
        ratings.rate(scene.moderator, ticket, 5)
    for bad in (0, 6, -1, "5", 4.5, True, None):
        with pytest.raises(ValidationError) as err:
            ratings.rate(scene.customer, ticket, bad)
        assert err.value.fields["score"] == "评分须为 1–5 的整数"
    rating = ratings.rate(scene.customer, ticket, 5, "满意")
    assert (rating.score, rating.comment) == (5, "满意")
    with pytest.raises(Conflict):
        ratings.rate(scene.customer, ticket, 1)


def test_a_customer_can_open_a_ticket_from_their_own_post_only(scene):
    own = tickets.create_ticket(scene.customer, scene.customer, title="我的问题",
                                source_post=scene.post, tier="urgent")
    assert own.tier == "normal"  # customers do not choose urgency
    from forum.services.topics import create_reply

    theirs = create_reply(scene.other, scene.topic, "楼主别急")
    with pytest.raises(PermissionDenied):
        tickets.create_ticket(scene.customer, scene.customer, title="x", source_post=theirs)


def test_customers_are_notified_of_changes(scene, ticket):
    from forum.models import Notification

    tickets.change_status(scene.moderator, ticket, "assigned")
    notes = db.session.scalars(sa.select(Notification).where(
        Notification.user_id == scene.customer.id)).all()
    assert notes and all(n.kind == "ticket_update" for n in notes)


def test_ticket_numbers_are_unique_under_concurrency(app, scene):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    from forum.models import User
    from tests.conftest import run_concurrently

    ids = (scene.moderator.id, scene.customer.id)
    numbers = []

    def work(i):
        mod, customer = db.session.get(User, ids[0]), db.session.get(User, ids[1])
        t = tickets.create_ticket(mod, customer, title=f"并发 {i}")
        numbers.append(t.number)

    errors = run_concurrently(app, 8, work)
    assert errors == []
    assert len(set(numbers)) == 8
    assert sorted(int(n[-4:]) for n in numbers) == list(range(1, 9))


def test_two_simultaneous_ratings_leave_exactly_one(app, scene, ticket):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    from forum.models import User
    from moderation.models import TicketRating
    from tests.conftest import run_concurrently

    _resolve(scene, ticket)
    ids = (scene.customer.id, ticket.id)
    outcomes = []

    def work(i):
        customer, t = db.session.get(User, ids[0]), db.session.get(Ticket, ids[1])
        try:
            ratings.rate(customer, t, 1 + i % 5)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    assert run_concurrently(app, 6, work) == []
    assert sorted(outcomes) == ["conflict"] * 5 + ["ok"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TicketRating)) == 1
