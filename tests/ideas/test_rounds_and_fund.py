"""Arena rounds close at their deadline and propose winners; the fund never goes negative."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from forum.errors import Conflict, PermissionDenied, ValidationError
from forum.extensions import db
from ideas.models import IdeaFund, IdeaFundEntry, RoundIdea
from ideas.services import fund, rounds, triage
from ideas.services.access import get_idea_or_404

NOW = datetime(2026, 11, 18, 4, 0, tzinfo=UTC)


def _arena_idea(people, make_idea, title):
    idea = make_idea(title=title)
    triage.transition(people["owner"], idea, "under_review")
    triage.transition(people["owner"], idea, "in_arena")
    return idea


@pytest.fixture
def arena(people, make_idea, make_user):
    """Three in_arena ideas in a round with a budget of ¥500 closing in two days."""
    fund.deposit(people["admin"], 1_000_00)
    with time_machine.travel(NOW, tick=False):
        a = _arena_idea(people, make_idea, "排队叫号小程序")
        b = _arena_idea(people, make_idea, "账单一键看懂")
        c = _arena_idea(people, make_idea, "老年人简易套餐")
        rnd = rounds.open_round(people["owner"], "第一轮擂台赛", NOW + timedelta(days=2),
                                500_00, {a.id: 300_00, b.id: 150_00, c.id: 250_00},
                                winners_max=2)
        voters = [make_user(f"rv{i}", roles=("employee",)) for i in range(3)]
        for v in voters:
            rounds.set_round_vote(v, rnd, a.id, True)
        for v in voters[:2]:
            rounds.set_round_vote(v, rnd, c.id, True)
        rounds.set_round_vote(voters[0], rnd, b.id, True)
    return {"round": rnd, "a": a, "b": b, "c": c}


def test_a_round_budget_may_not_exceed_the_fund_balance(people, make_idea):
    fund.deposit(people["admin"], 100_00)
    idea = _arena_idea(people, make_idea, "超预算擂台")
    with pytest.raises(ValidationError) as err:
        rounds.open_round(people["owner"], "超预算的一轮", datetime.now(UTC) + timedelta(days=4), 200_00,
                          {idea.id: 50_00})
    assert "余额" in err.value.fields["budget"]


def test_only_in_arena_ideas_may_compete(people, make_idea):
    fund.deposit(people["admin"], 100_00)
    idea = make_idea()
    with pytest.raises(ValidationError) as err:
        rounds.open_round(people["owner"], "错误的一轮", datetime.now(UTC) + timedelta(days=1),
                          50_00, {idea.id: 10_00})
    assert "ideas" in err.value.fields


def test_one_round_vote_per_employee_per_idea(people, arena):
    voter = people["voter"]
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        rounds.set_round_vote(voter, arena["round"], arena["b"].id, True)
        db.session.commit()  # the test is the edge
        with pytest.raises(Conflict):
            rounds.set_round_vote(voter, arena["round"], arena["b"].id, True)
        assert rounds.set_round_vote(voter, arena["round"], arena["b"].id) == (False, 1)


def test_the_round_stays_open_before_its_deadline_and_closes_at_it(people, arena):
    rnd = arena["round"]
    with time_machine.travel(rnd.deadline - timedelta(seconds=1), tick=False):
        assert rounds.close_due_rounds() == 0
    assert rnd.state == "open"
    with time_machine.travel(rnd.deadline, tick=False):
        with pytest.raises(Conflict, match="截止"):
            rounds.set_round_vote(people["voter"], rnd, arena["b"].id, True)
        assert rounds.close_due_rounds() == 1
        assert rounds.close_due_rounds() == 0  # idempotent
    db.session.refresh(rnd)
    assert rnd.state == "closed"
    proposed = {e.idea_id for e in db.session.scalars(
        sa.select(RoundIdea).where(RoundIdea.is_proposed.is_(True)))}
    # a (3 votes, ¥300) fits; c (2 votes, ¥250) would exceed ¥500 left; b (1 vote, ¥150) fits
    assert proposed == {arena["a"].id, arena["b"].id}


def test_the_cli_closes_due_rounds(app, arena):
    with time_machine.travel(arena["round"].deadline + timedelta(minutes=1), tick=False):
        result = app.test_cli_runner().invoke(args=["ideas", "close-rounds"])
    assert "closed 1 round" in result.output


def test_the_owner_funds_winners_within_the_round_budget(people, arena):
    rnd = arena["round"]
    with time_machine.travel(rnd.deadline, tick=False):
        rounds.close_due_rounds()
    rnd = rounds.get_round_or_404(rnd.id, people["owner"])
    with pytest.raises(PermissionDenied):
        rounds.fund_winner(people["voter"], rnd, arena["a"].id, 300_00)
    idea = rounds.fund_winner(people["owner"], rnd, arena["a"].id, 300_00)
    assert idea.state == "funded" and idea.fund_amount == 300_00
    with pytest.raises(Conflict, match="预算"):
        rounds.fund_winner(people["owner"], rnd, arena["c"].id, 250_00)
    assert fund.balance() == 700_00
    rounds.settle_round(people["owner"], rnd)
    with pytest.raises(Conflict):
        rounds.fund_winner(people["owner"], rnd, arena["b"].id, 100_00)


def test_the_ledger_sums_to_the_balance_and_a_grant_happens_once(people, make_idea):
    fund.deposit(people["admin"], 500_00, "年度预算")
    idea = _arena_idea(people, make_idea, "资助一次")
    triage.transition(people["owner"], idea, "funded", amount=200_00)
    db.session.commit()  # the test is the edge
    with pytest.raises(Conflict):
        fund.grant(people["owner"], idea, 100_00)
    total = db.session.scalar(sa.select(sa.func.sum(IdeaFundEntry.amount)))
    assert total == fund.balance() == 300_00


def test_only_admins_deposit_and_amounts_must_be_positive(people):
    with pytest.raises(PermissionDenied):
        fund.deposit(people["owner"], 100)
    with pytest.raises(ValidationError):
        fund.deposit(people["admin"], 0)
    assert fund.parse_yuan("1,234.5") == 123450
    with pytest.raises(ValidationError):
        fund.parse_yuan("12.345")


def test_concurrent_grants_never_overdraw_the_fund(app, people, make_idea):
    from tests.conftest import run_concurrently

    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race")
    fund.deposit(people["admin"], 500_00)
    ids = [_arena_idea(people, make_idea, f"并发资助{i}").id for i in range(8)]
    owner_id = people["owner"].id
    db.session.commit()
    results = []

    def work(i):
        from forum.models import User

        owner = db.session.get(User, owner_id)
        idea = get_idea_or_404(ids[i], owner, lock=True)
        try:
            triage.transition(owner, idea, "funded", amount=200_00)
            db.session.commit()  # each thread is an edge
            results.append("ok")
        except Conflict:
            results.append("refused")

    assert run_concurrently(app, 8, work) == []
    db.session.expire_all()
    assert results.count("ok") == 2 and results.count("refused") == 6
    assert db.session.get(IdeaFund, 1).balance == 100_00
    assert db.session.scalar(sa.select(sa.func.sum(IdeaFundEntry.amount))) == 100_00
