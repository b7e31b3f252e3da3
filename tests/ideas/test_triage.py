"""Owner triage: only allowed transitions, every change recorded and notified, merges."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from forum.errors import Conflict, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import Notification
from ideas.models import STATES, IdeaComment, IdeaStateChange, IdeaVote
from ideas.services import fund, ideas, triage, votes
from ideas.services.access import get_idea_or_404

HAPPY_PATH = ["under_review", "in_arena", "funded", "implemented"]


def _walk_to(owner, idea, state):
    """Move an idea along the allowed path until it reaches ``state``."""
    if state == "rejected":
        triage.transition(owner, idea, "rejected", "与现有流程重复")
        return
    if state == "merged":
        raise ValueError
    for step in HAPPY_PATH:
        if idea.state == state:
            return
        triage.transition(owner, idea, step, amount=100_00 if step == "funded" else None)


REACHABLE = ["submitted", "under_review", "in_arena", "funded", "implemented", "rejected"]
PAIRS = [(a, b) for a, b in itertools.product(REACHABLE, STATES)
         if b not in triage.TRANSITIONS[a]]


@pytest.mark.parametrize("start,target", PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_transition_outside_the_table_is_refused(people, make_idea, start, target):
    fund.deposit(people["admin"], 1_000_00)
    idea = make_idea()
    _walk_to(people["owner"], idea, start)
    with pytest.raises(Conflict) as err:
        triage.transition(people["owner"], idea, target, "原因", amount=100_00)
    assert idea.state == start
    allowed = triage.TRANSITIONS[start]
    assert all(s in err.value.message for s in [triage.STATE_LABELS[a] for a in allowed])


def test_the_happy_path_is_recorded_with_who_when_and_why(people, make_idea):
    fund.deposit(people["admin"], 1_000_00)
    idea = make_idea()
    _walk_to(people["owner"], idea, "implemented")
    changes = db.session.scalars(sa.select(IdeaStateChange).order_by(IdeaStateChange.id)).all()
    assert [(c.from_state, c.to_state) for c in changes] == [
        ("submitted", "under_review"), ("under_review", "in_arena"),
        ("in_arena", "funded"), ("funded", "implemented")]
    assert all(c.by_id == people["owner"].id for c in changes)
    assert "100.00" in changes[2].reason
    assert idea.fund_amount == 100_00
    assert fund.balance() == 900_00


def test_the_author_is_notified_of_each_change(people, make_idea):
    idea = make_idea(author=people["employee"])
    triage.transition(people["owner"], idea, "under_review")
    db.session.commit()  # the test is the edge
    notes = db.session.scalars(sa.select(Notification).where(
        Notification.user_id == people["employee"].id)).all()
    assert [n.kind for n in notes] == ["idea_state"]


def test_rejecting_requires_a_reason(people, make_idea):
    idea = make_idea()
    with pytest.raises(ValidationError) as err:
        triage.transition(people["owner"], idea, "rejected", "   ")
    assert "reason" in err.value.fields
    assert idea.state == "submitted"


def test_funding_requires_an_amount_within_the_fund(people, make_idea):
    idea = make_idea()
    _walk_to(people["owner"], idea, "in_arena")
    db.session.commit()  # the test is the edge
    with pytest.raises(ValidationError):
        triage.transition(people["owner"], idea, "funded")
    with pytest.raises(Conflict, match="基金余额不足"):
        triage.transition(people["owner"], idea, "funded", amount=1)
    assert get_idea_or_404(idea.id, people["owner"]).state == "in_arena"


def test_an_unknown_target_state_is_a_validation_error(people, make_idea):
    with pytest.raises(ValidationError):
        triage.transition(people["owner"], make_idea(), "launched")


def test_owners_of_other_categories_and_plain_employees_may_not_triage(people, make_idea):
    idea = make_idea(category="系统支撑")
    with pytest.raises(PermissionDenied):
        triage.transition(people["owner"], idea, "under_review")
    with pytest.raises(PermissionDenied):
        triage.transition(people["voter"], idea, "under_review")
    triage.transition(people["admin"], idea, "under_review")  # admins own everything
    assert idea.state == "under_review"


def test_merge_moves_votes_without_double_counting_and_closes_the_duplicate(
        people, make_idea, make_user):
    both = make_user("emp_both", roles=("employee",))
    only_dup = make_user("emp_dup", roles=("employee",))
    survivor = make_idea(author=people["employee"], title="流量超出前提醒")
    duplicate = make_idea(author=people["voter"], title="流量快用完时提醒")
    votes.set_vote(both, survivor, True)
    votes.set_vote(both, duplicate, True)
    votes.set_vote(only_dup, duplicate, True)
    votes.set_vote(people["employee"], duplicate, True)  # the survivor's own author
    ideas.add_comment(only_dup, duplicate, "很有必要")
    triage.merge(people["owner"], duplicate, survivor)
    assert survivor.vote_count == 2  # both (once) + only_dup; the author's vote is dropped
    voters = set(db.session.scalars(sa.select(IdeaVote.voter_id).where(
        IdeaVote.idea_id == survivor.id)))
    assert voters == {both.id, only_dup.id}
    assert survivor.comment_count == 1
    assert db.session.scalar(sa.select(IdeaComment.idea_id)) == survivor.id
    assert duplicate.state == "merged" and duplicate.merged_into_id == survivor.id
    assert duplicate.vote_count == 0
    with pytest.raises(Conflict, match="已合并"):
        votes.set_vote(people["owner"], duplicate, True)


def test_an_idea_in_the_arena_cannot_be_merged(people, make_idea):
    idea, other = make_idea(), make_idea()
    _walk_to(people["owner"], idea, "in_arena")
    with pytest.raises(Conflict):
        triage.merge(people["owner"], idea, other)


def test_categorise_moves_the_idea(people, make_idea):
    idea = make_idea(category="服务流程")
    with pytest.raises(PermissionDenied):  # the owner does not own 系统支撑
        triage.categorise(people["owner"], idea, "系统支撑")
    triage.categorise(people["admin"], idea, "系统支撑")
    assert idea.category == "系统支撑"
