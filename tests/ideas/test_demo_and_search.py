"""The demo seeder and the hook search will use."""

from __future__ import annotations

import sqlalchemy as sa

from forum.demo.roster import USERS
from forum.extensions import db
from ideas.demo import seed_ideas
from ideas.models import ArenaRound, Idea
from ideas.services import fund, searchable_idea


def test_demo_seeder_fills_every_state_once(make_user):
    for demo in USERS:
        if set(demo.roles) & {"employee", "admin"}:
            make_user(demo.username, roles=demo.roles, display_name=demo.display_name)
    summary = seed_ideas()
    states = set(db.session.scalars(sa.select(Idea.state)))
    assert {"submitted", "under_review", "in_arena", "funded", "implemented", "rejected",
            "merged"} <= states
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ArenaRound)) == 1
    assert fund.balance() == 10_000_000 - 1_200_000 - 3_000_000
    assert "16 ideas" in summary
    assert seed_ideas() == "demo ideas already there"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 16


def test_demo_seeder_skips_without_demo_users():
    assert seed_ideas().startswith("skipped")


def test_searchable_idea_gives_employee_only_documents(people, make_idea):
    idea = make_idea(title="流量超出前提醒")
    doc = searchable_idea(idea.id)
    assert doc["title"] == "流量超出前提醒" and doc["audience"] == "employees"
    assert doc["author_id"] == people["employee"].id and "短信" in doc["text"]
    assert searchable_idea(make_idea(draft=True).id) is None
    assert searchable_idea(999_999) is None
