"""SLA escalation with a frozen clock: breaches are marked, the tier raised, supervisors
notified, the timeline noted — once per breach, however often the job runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from forum.errors import PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import Notification
from moderation.models import AuditEntry
from moderation.services import sla, tickets

START = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


@pytest.fixture
def ticket(scene):
    with time_machine.travel(START, tick=False):
        return tickets.create_ticket(scene.moderator, scene.customer, title="信号差",
                                     tier="high", source_post=scene.post)


def _supervisor_notes():
    return db.session.scalars(sa.select(Notification).where(
        Notification.kind == "ticket_escalated")).all()


def test_nothing_is_escalated_before_a_deadline(ticket):
    with time_machine.travel(START + timedelta(hours=3, minutes=59), tick=False):
        assert sla.escalate_breaches() == 0
    assert ticket.tier == "high" and not ticket.breached


def test_first_response_breach_raises_the_tier_and_notifies_supervisors_once(scene, ticket):
    with time_machine.travel(START + timedelta(hours=4, minutes=1), tick=False):
        assert sla.escalate_breaches() == 1
        assert sla.escalate_breaches() == 0  # idempotent
    db.session.refresh(ticket)
    assert ticket.first_response_breached and not ticket.resolve_breached
    assert ticket.tier == "urgent" and ticket.escalation_count == 1
    notified = {n.user_id for n in _supervisor_notes()}
    assert {scene.moderator.id, scene.admin.id} <= notified
    assert scene.customer.id not in notified and scene.tribe_mod.id not in notified
    staff_timeline = tickets.timeline(ticket, scene.moderator)
    assert staff_timeline[-1].kind == "escalated" and "首次响应超时" in staff_timeline[-1].body
    assert all(e.kind != "escalated" for e in tickets.timeline(ticket, scene.customer))
    assert db.session.scalar(sa.select(AuditEntry.action).where(
        AuditEntry.action == "ticket_escalate")) == "ticket_escalate"


def test_resolve_breach_escalates_separately_and_urgent_stays_urgent(scene, ticket):
    with time_machine.travel(START + timedelta(hours=5), tick=False):
        tickets.add_reply(scene.moderator, ticket, "已收到")  # late first response
        sla.escalate_breaches()
    with time_machine.travel(START + timedelta(hours=49), tick=False):
        assert sla.escalate_breaches() == 1
        assert sla.escalate_breaches() == 0
    db.session.refresh(ticket)
    assert ticket.resolve_breached and ticket.tier == "urgent" and ticket.escalation_count == 1


def test_an_urgent_ticket_stays_urgent_when_escalated_twice(scene):
    with time_machine.travel(START, tick=False):
        t = tickets.create_ticket(scene.moderator, scene.customer, title="x", tier="urgent")
    with time_machine.travel(START + timedelta(days=2), tick=False):
        assert sla.escalate_breaches() == 2
    db.session.refresh(t)
    assert t.tier == "urgent" and t.escalation_count == 2


def test_resolved_tickets_are_not_escalated(scene, ticket):
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        tickets.change_status(scene.moderator, ticket, "assigned")
        tickets.add_reply(scene.moderator, ticket, "已处理")
        tickets.change_status(scene.moderator, ticket, "resolved")
    with time_machine.travel(START + timedelta(days=30), tick=False):
        assert sla.escalate_breaches() == 0


def test_the_cli_escalates(app, ticket):
    with time_machine.travel(START + timedelta(days=3), tick=False):
        result = app.test_cli_runner().invoke(args=["moderation", "escalate"])
    assert "escalated 2 breach(es)" in result.output


def test_admins_edit_tiers_for_new_tickets_with_checks(scene):
    tier = sla.update_tier(scene.admin, "low", 60, 120)
    assert (tier.first_response_minutes, tier.resolve_minutes) == (60, 120)
    with pytest.raises(PermissionDenied):
        sla.update_tier(scene.moderator, "low", 60, 120)
    with pytest.raises(ValidationError) as err:
        sla.update_tier(scene.admin, "low", 120, 60)
    assert "resolve_minutes" in err.value.fields
    with pytest.raises(ValidationError):
        sla.update_tier(scene.admin, "low", 0, "x")
    t = tickets.create_ticket(scene.moderator, scene.customer, title="x", tier="low")
    assert t.resolve_due - t.created_at == timedelta(minutes=120)
