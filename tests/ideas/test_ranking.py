"""风云榜: votes with time decay on a fixed clock, periods in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from forum.errors import ValidationError
from ideas.services import ranking, triage, votes

# A Wednesday, 12:00 in Shanghai.
NOW = datetime(2026, 11, 18, 4, 0, tzinfo=UTC)


def test_hot_score_follows_the_documented_formula():
    submitted = NOW - timedelta(hours=10)
    assert ranking.hot_score(6, submitted, NOW) == pytest.approx(6 / (12 ** 1.5))
    assert ranking.hot_score(0, submitted, NOW) == 0


def test_period_starts_are_monday_and_the_first_in_shanghai():
    assert ranking.period_start("week", NOW) == datetime(2026, 11, 15, 16, 0, tzinfo=UTC)
    assert ranking.period_start("month", NOW) == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert ranking.period_start("all", NOW) is None


def test_an_unknown_period_is_refused():
    with pytest.raises(ValidationError):
        ranking.parse_period("decade")


def _voters(make_user, n, prefix):
    return [make_user(f"{prefix}voter{i}", roles=("employee",)) for i in range(n)]


def test_a_fresh_idea_with_few_votes_outranks_an_old_one_with_many(people, make_idea,
                                                                  make_user):
    voters = _voters(make_user, 5, "v")
    with time_machine.travel(NOW - timedelta(hours=60), tick=False):
        old = make_idea(title="老点子获得很多票")
        for v in voters:
            votes.set_vote(v, old, True)
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        fresh = make_idea(title="新点子票少但新鲜")
        for v in voters[:2]:
            votes.set_vote(v, fresh, True)
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        middle = make_idea(title="刚发布一票")
        votes.set_vote(voters[0], middle, True)
    with time_machine.travel(NOW, tick=False):
        board = ranking.rank_ideas("all")
    # fresh: 2/(4^1.5)=0.25, middle: 1/(3^1.5)=0.19, old: 5/(62^1.5)=0.01
    assert [r.idea.id for r in board] == [fresh.id, middle.id, old.id]
    assert [r.votes for r in board] == [2, 1, 5]


def test_the_week_counts_only_votes_cast_since_monday(people, make_idea, make_user):
    voters = _voters(make_user, 3, "w")
    with time_machine.travel(NOW - timedelta(days=10), tick=False):
        idea = make_idea()
        for v in voters[:2]:
            votes.set_vote(v, idea, True)
    with time_machine.travel(NOW - timedelta(hours=5), tick=False):
        votes.set_vote(voters[2], idea, True)
    with time_machine.travel(NOW, tick=False):
        assert [r.votes for r in ranking.rank_ideas("week")] == [1]
        assert [r.votes for r in ranking.rank_ideas("month")] == [3]
        authors = ranking.rank_authors_by_votes("week")
    assert [(a.user.id, a.count) for a in authors] == [(people["employee"].id, 1)]


def test_authors_are_ranked_by_implemented_ideas(people, make_idea, make_user):
    from ideas.services import fund

    star = make_user("star", roles=("employee",))
    fund.deposit(people["admin"], 10_000)
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        for author in (star, star, people["employee"]):
            idea = make_idea(author=author)
            for step in ("under_review", "in_arena", "funded", "implemented"):
                triage.transition(people["admin"], idea, step,
                                  amount=1_000 if step == "funded" else None)
        make_idea(author=people["voter"])  # not implemented: not ranked
    with time_machine.travel(NOW, tick=False):
        ranked = ranking.rank_authors_by_implemented("week")
    assert [(a.user.username, a.count) for a in ranked] == [("star", 2), ("emp1", 1)]
