"""The demo seeder: canned replies and tickets in several states, idempotent."""

from __future__ import annotations

import sqlalchemy as sa

from forum.extensions import db
from forum.services.topics import create_topic
from moderation.demo import TICKETS, seed_demo
from moderation.models import CannedReply, Ticket, TicketRating


def test_seeder_creates_canned_replies_and_tickets_once(make_user, make_tribe):
    make_user("kefu_anan", roles=("moderator", "employee"))
    tribe = make_tribe("huafei", "话费与账单")
    for username, _steps in TICKETS:
        user = make_user(username)
        create_topic(user, tribe, f"{username} 的账单疑问", "这个月话费怎么多了？")
    first = seed_demo()
    assert "6 tickets" in first
    statuses = sorted(db.session.scalars(sa.select(Ticket.status)))
    assert statuses == sorted(["new", "assigned", "in_progress", "waiting_customer", "resolved",
                               "resolved"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TicketRating)) == 1
    second = seed_demo()
    assert "0 canned replies, 0 tickets" in second
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CannedReply)) == 5


def test_seeder_without_demo_users_skips():
    assert seed_demo().startswith("skipped")
