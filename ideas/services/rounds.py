"""Arena rounds (擂台赛/落地招标).

An owner opens a round: a title, a deadline, in_arena ideas of the categories they own (each
with an estimated cost, 预估落地成本) and a budget. **The budget may not exceed the fund's
balance at opening** — a round never promises money the fund does not have then; it is still
checked again at each grant, because other grants may have spent the money meanwhile.

Employees vote in the round (one vote per employee per idea per round, toggleable, not on
their own idea) until the deadline. At the deadline the periodic task ``ideas.close_rounds``
(and ``flask ideas close-rounds``) closes due rounds and proposes winners: ideas by round
votes (ties: the cheaper, then the older idea), taken while their estimate fits in what is
left of the budget, at most ``winners_max`` of them. The owner then funds winners (a grant
from the fund; the idea becomes ``funded``) and settles the round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import User, utcnow
from forum.pagination import Page, paginate
from ideas.models import (
    FUNDED,
    IN_ARENA,
    ROUND_CLOSED,
    ROUND_OPEN,
    ROUND_SETTLED,
    ArenaRound,
    Idea,
    RoundIdea,
    RoundVote,
)
from ideas.services import fund, triage
from ideas.services.access import (
    get_idea_or_404,
    is_owner,
    owned_categories,
    require_employee,
    require_owner,
)

TITLE_MIN, TITLE_MAX = 4, 80
DEADLINE_MAX_DAYS = 90
WINNERS_MAX = 20


def get_round_or_404(round_id: int, user: User | None, *, lock: bool = False) -> ArenaRound:
    require_employee(user)
    stmt = sa.select(ArenaRound).where(ArenaRound.id == round_id)
    if lock:
        stmt = stmt.with_for_update(of=ArenaRound).execution_options(populate_existing=True)
    rnd = db.session.scalars(stmt).unique().first()
    if rnd is None:
        raise NotFound("没有这一轮擂台赛")
    return rnd


def list_rounds(user: User, page: int = 1, per_page: int = 20) -> Page:
    require_employee(user)
    return paginate(sa.select(ArenaRound).order_by(ArenaRound.id.desc()), page, per_page)


def arena_candidates(user: User) -> list[Idea]:
    """in_arena ideas the owner may put in a new round (not already in an open round)."""
    busy = (sa.select(RoundIdea.idea_id).join(ArenaRound, ArenaRound.id == RoundIdea.round_id)
            .where(ArenaRound.state == ROUND_OPEN))
    return list(db.session.scalars(sa.select(Idea).where(
        Idea.state == IN_ARENA, Idea.is_draft.is_(False),
        Idea.category.in_(owned_categories(user)), Idea.id.notin_(busy)).order_by(Idea.id)))


def _validate_round(title: str, deadline: datetime | None, budget: int | None,
                    winners_max: int | None, estimates: dict[int, int], now: datetime) -> dict:
    errors: dict[str, str] = {}
    n = len(title)
    if "\x00" in title or not TITLE_MIN <= n <= TITLE_MAX:
        errors["title"] = f"标题须为 {TITLE_MIN}–{TITLE_MAX} 个字（当前 {n} 个）"
    if deadline is None:
        errors["deadline"] = "请填写截止时间"
    elif deadline <= now:
        errors["deadline"] = "截止时间必须晚于现在"
    elif deadline > now + timedelta(days=DEADLINE_MAX_DAYS):
        errors["deadline"] = f"截止时间最多在 {DEADLINE_MAX_DAYS} 天后"
    if budget is None or budget <= 0:
        errors["budget"] = "预算必须大于 0"
    elif budget > fund.balance():
        errors["budget"] = f"预算不能超过基金当前余额 {fund.yuan(fund.balance())} 元"
    if winners_max is None or not 1 <= winners_max <= WINNERS_MAX:
        errors["winners_max"] = f"获胜名额须为 1–{WINNERS_MAX}"
    if not estimates:
        errors["ideas"] = "请至少选择一个擂台赛中的点子"
    elif any(v <= 0 for v in estimates.values()):
        errors["ideas"] = "每个点子的预估成本必须大于 0"
    return errors


def open_round(actor: User, title: str, deadline: datetime | None, budget: int | None,
               estimates: dict[int, int], winners_max: int | None = 3) -> ArenaRound:
    """Open a round over ``estimates`` (idea id → estimated cost in fen)."""
    require_owner(actor)
    title = (title or "").strip()
    now = utcnow()
    errors = _validate_round(title, deadline, budget, winners_max, estimates, now)
    if not errors:
        allowed = {i.id for i in arena_candidates(actor)}
        if set(estimates) - allowed:
            errors["ideas"] = "只能选择你负责分类中、处于擂台赛状态且不在其他进行中擂台的点子"
    if errors:
        raise ValidationError("擂台赛信息有误", errors)
    rnd = ArenaRound(title=title, deadline=deadline, budget=budget, winners_max=winners_max,
                     state=ROUND_OPEN, created_by_id=actor.id, created_at=now)
    db.session.add(rnd)
    db.session.flush()
    for idea_id, estimate in sorted(estimates.items()):
        db.session.add(RoundIdea(round_id=rnd.id, idea_id=idea_id, estimate=estimate))
    db.session.flush()
    return rnd


@dataclass
class RoundView:
    round: ArenaRound
    entries: list[RoundIdea]
    my_votes: set[int]
    can_manage: bool
    is_voting: bool


def round_view(user: User, rnd: ArenaRound, now: datetime | None = None) -> RoundView:
    now = now or utcnow()
    entries = _entries(rnd)
    mine = set(db.session.scalars(sa.select(RoundVote.idea_id).where(
        RoundVote.round_id == rnd.id, RoundVote.voter_id == user.id)))
    manage = all(is_owner(user, e.idea.category) for e in entries) and is_owner(user)
    return RoundView(rnd, entries, mine, manage, rnd.state == ROUND_OPEN and now < rnd.deadline)


def _entries(rnd: ArenaRound) -> list[RoundIdea]:
    return list(db.session.scalars(sa.select(RoundIdea).where(RoundIdea.round_id == rnd.id)
                                   .order_by(RoundIdea.vote_count.desc(), RoundIdea.idea_id)))


def set_round_vote(user: User, rnd: ArenaRound, idea_id: int, wanted: bool | None = None,
                   now: datetime | None = None) -> tuple[bool, int]:
    """Vote for an idea in an open round, or take the vote back (``wanted`` None: toggle).
    Returns (voted, round vote count of the idea)."""
    require_employee(user)
    now = now or utcnow()
    if rnd.state != ROUND_OPEN or now >= rnd.deadline:
        raise Conflict("这一轮擂台赛已截止投票")
    entry = db.session.get(RoundIdea, (rnd.id, idea_id))
    if entry is None:
        raise NotFound("这个点子不在本轮擂台赛中")
    if entry.idea.author_id == user.id:
        raise Conflict("不能给自己的金点子投票")
    mine = sa.select(RoundVote).where(RoundVote.round_id == rnd.id, RoundVote.idea_id == idea_id,
                                      RoundVote.voter_id == user.id)
    if wanted is None:
        wanted = db.session.scalars(mine).first() is None
    if wanted:
        try:
            with db.session.begin_nested():
                db.session.add(RoundVote(round_id=rnd.id, idea_id=idea_id, voter_id=user.id,
                                         created_at=now))
        except IntegrityError:
            db.session.rollback()
            raise Conflict("你已经在本轮为这个点子投过票了") from None
        delta = 1
    else:
        gone = db.session.execute(sa.delete(RoundVote).where(
            RoundVote.round_id == rnd.id, RoundVote.idea_id == idea_id,
            RoundVote.voter_id == user.id)).rowcount
        if gone != 1:
            db.session.rollback()
            raise Conflict("你还没有在本轮为这个点子投票")
        delta = -1
    db.session.execute(sa.update(RoundIdea).where(
        RoundIdea.round_id == rnd.id, RoundIdea.idea_id == idea_id)
        .values(vote_count=RoundIdea.vote_count + delta))
    db.session.flush()
    db.session.refresh(entry)
    return wanted, entry.vote_count


def propose_winners(rnd: ArenaRound) -> list[RoundIdea]:
    """Top ideas by round votes whose estimates fit in the budget (see module docstring)."""
    entries = sorted(_entries(rnd), key=lambda e: (-e.vote_count, e.estimate, e.idea_id))
    left, winners = rnd.budget, []
    for entry in entries:
        if len(winners) >= rnd.winners_max:
            break
        if entry.vote_count > 0 and entry.estimate <= left:
            winners.append(entry)
            left -= entry.estimate
    return winners


def close_round(rnd: ArenaRound, now: datetime | None = None) -> bool:
    """Close an open round and mark its proposed winners; False if it was not open (an
    idempotent conditional UPDATE, so the task and an owner can race safely)."""
    now = now or utcnow()
    closed = db.session.execute(sa.update(ArenaRound).where(
        ArenaRound.id == rnd.id, ArenaRound.state == ROUND_OPEN)
        .values(state=ROUND_CLOSED, closed_at=now)).rowcount
    if closed != 1:
        db.session.rollback()
        return False
    db.session.refresh(rnd)
    for entry in propose_winners(rnd):
        entry.is_proposed = True
    db.session.flush()
    return True


def _require_manager(actor: User, rnd: ArenaRound) -> None:
    """Managing a round needs ownership of every category among its ideas."""
    if not round_view(actor, rnd).can_manage:
        raise PermissionDenied("只有本轮点子所属分类的负责人或管理员可以管理擂台赛")


def close_early(actor: User, rnd: ArenaRound) -> ArenaRound:
    """An owner closes a round before its deadline."""
    _require_manager(actor, rnd)
    if not close_round(rnd):
        raise Conflict("这一轮擂台赛已经截止")
    return rnd


def close_due_rounds(now: datetime | None = None) -> int:
    """Close every open round whose deadline has passed; returns how many were closed."""
    now = now or utcnow()
    due = list(db.session.scalars(sa.select(ArenaRound).where(
        ArenaRound.state == ROUND_OPEN, ArenaRound.deadline <= now).order_by(ArenaRound.id)))
    return sum(1 for rnd in due if close_round(rnd, now))


def fund_winner(actor: User, rnd: ArenaRound, idea_id: int, amount: int) -> Idea:
    """Grant ``amount`` fen to an idea of a closed round: the idea becomes funded. The round's
    budget caps the total of its grants; the fund's balance caps every grant. The proposed
    winners are advice: the owner may fund another idea of the round (e.g. a cheaper bid)."""
    _require_manager(actor, rnd)
    if rnd.state != ROUND_CLOSED:
        raise Conflict("只能在擂台赛截止后、结算前资助获胜点子")
    amount = fund.check_amount(amount)
    entry = db.session.get(RoundIdea, (rnd.id, idea_id))
    if entry is None:
        raise NotFound("这个点子不在本轮擂台赛中")
    left = rnd.budget - rnd.granted
    if amount > left:
        raise Conflict(f"超出本轮预算：剩余 {fund.yuan(left)} 元")

    idea = get_idea_or_404(idea_id, actor, lock=True)
    if idea.state != IN_ARENA:
        raise Conflict("只有擂台赛状态的点子可以获得资助")
    moved = db.session.execute(sa.update(ArenaRound).where(
        ArenaRound.id == rnd.id, ArenaRound.granted + amount <= ArenaRound.budget)
        .values(granted=ArenaRound.granted + amount)).rowcount
    if moved != 1:
        db.session.rollback()
        raise Conflict("超出本轮预算")
    entry.granted = amount
    triage.transition(actor, idea, FUNDED, amount=amount, round_id=rnd.id,
                      reason=f"在擂台赛「{rnd.title}」中获胜，获得资助 {fund.yuan(amount)} 元")
    return idea


def settle_round(actor: User, rnd: ArenaRound) -> ArenaRound:
    """Finish a closed round: no more grants from it."""
    _require_manager(actor, rnd)
    done = db.session.execute(sa.update(ArenaRound).where(
        ArenaRound.id == rnd.id, ArenaRound.state == ROUND_CLOSED)
        .values(state=ROUND_SETTLED)).rowcount
    if done != 1:
        db.session.rollback()
        raise Conflict("只有已截止的擂台赛可以结算")
    db.session.flush()
    db.session.refresh(rnd)
    return rnd


ROUND_STATES = (ROUND_OPEN, ROUND_CLOSED, ROUND_SETTLED)
