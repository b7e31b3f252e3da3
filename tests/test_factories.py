"""tests/factories.py builds real data through the services (counters and events included)."""

from __future__ import annotations

from forum import events
from tests import factories as f


def test_factories_build_through_the_services(captured_events):
    got = captured_events(events.post_created, events.ticket_created, events.idea_submitted)
    asker, helper = f.user(), f.user()
    staff = f.user(roles=("employee", "moderator"))
    topic = f.topic(asker, f.tribe(moderators=[staff.username]))
    reply = f.reply(helper, topic)
    assert reply.topic_id == topic.id and topic.reply_count == 1
    assert [e["post_id"] for e in got["post_created"]] == [topic.first_post_id, reply.id]
    ticket = f.ticket(staff, asker, source_post=topic.first_post)
    assert ticket.customer_id == asker.id
    assert [e["ticket_id"] for e in got["ticket_created"]] == [ticket.id]
    idea = f.idea(staff)
    assert [e["idea_id"] for e in got["idea_submitted"]] == [idea.id]
