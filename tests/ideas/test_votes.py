"""Votes (点赞): one per employee per idea, toggle, never on one's own idea."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum import events
from forum.errors import Conflict
from forum.extensions import db
from ideas.models import IdeaVote
from ideas.services import votes
from ideas.services.access import get_idea_or_404


def test_toggle_votes_then_takes_the_vote_back(people, make_idea):
    idea = make_idea()
    assert votes.toggle_vote(people["voter"], idea) == (True, 1)
    assert votes.toggle_vote(people["voter"], idea) == (False, 0)


def test_voting_on_ones_own_idea_is_a_conflict_with_a_message(people, make_idea):
    idea = make_idea(author=people["employee"])
    with pytest.raises(Conflict, match="不能给自己的金点子点赞"):
        votes.set_vote(people["employee"], idea, True)
    assert idea.vote_count == 0


def test_voting_twice_explicitly_is_a_conflict_and_counts_once(people, make_idea):
    idea = make_idea()
    votes.set_vote(people["voter"], idea, True)
    db.session.commit()  # the test is the edge
    with pytest.raises(Conflict, match="已经为这个点子点过赞"):
        votes.set_vote(people["voter"], idea, True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdeaVote)) == 1


def test_a_vote_emits_idea_voted_after_commit(people, make_idea):
    idea = make_idea()
    seen = []

    def handler(sender, **payload):
        seen.append(payload)

    events.idea_voted.connect(handler)
    try:
        votes.set_vote(people["voter"], idea, True)
        assert seen == []
        db.session.commit()  # the test is the edge
    finally:
        events.idea_voted.disconnect(handler)
    assert seen == [{"idea_id": idea.id, "author_id": people["employee"].id,
                     "voter_id": people["voter"].id, "voted": True}]


def test_rejected_ideas_are_closed_for_votes(people, make_idea):
    from ideas.services import triage

    idea = make_idea()
    triage.transition(people["owner"], idea, "rejected", "已有同类方案")
    with pytest.raises(Conflict, match="关闭投票"):
        votes.set_vote(people["voter"], idea, True)


def test_ten_concurrent_votes_by_one_employee_leave_one_vote(app, people, make_idea):
    from tests.conftest import run_concurrently

    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race")
    idea_id, voter_id = make_idea().id, people["voter"].id
    db.session.commit()
    outcomes = []

    def work(_i):
        from forum.models import User

        voter = db.session.get(User, voter_id)
        idea = get_idea_or_404(idea_id, voter)
        try:
            outcomes.append(votes.set_vote(voter, idea, True))
            db.session.commit()  # each thread is an edge
        except Conflict:
            outcomes.append("conflict")

    errors = run_concurrently(app, 10, work)
    assert errors == []
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdeaVote)) == 1
    assert get_idea_or_404(idea_id, people["voter"]).vote_count == 1
    assert outcomes.count("conflict") == 9
