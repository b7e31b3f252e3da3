"""Owner triage (专人负责): categorise, merge duplicates, move ideas through their states.

    submitted → under_review → in_arena → funded → implemented
    submitted / under_review / in_arena → rejected (a reason is required)

Only these moves are allowed (409 lists the allowed ones). ``funded`` needs an amount, granted
from the idea fund in the same transaction. Every change is recorded (IdeaStateChange), the
author is notified (kind ``idea_state``) and ``idea_state_changed`` is emitted. Merging is a
separate action that ends in the state ``merged``.
"""

from __future__ import annotations

import sqlalchemy as sa

from forum import events
from forum.errors import Conflict, ValidationError
from forum.extensions import db
from forum.models import User, utcnow
from forum.services.notifications import notify
from ideas.models import (
    CATEGORIES,
    FUNDED,
    IMPLEMENTED,
    IN_ARENA,
    MERGED,
    REJECTED,
    STATE_LABELS,
    STATES,
    SUBMITTED,
    UNDER_REVIEW,
    Idea,
    IdeaComment,
    IdeaStateChange,
    IdeaVote,
)
from ideas.services import fund
from ideas.services.access import owned_categories, require_owner

TRANSITIONS: dict[str, tuple[str, ...]] = {
    SUBMITTED: (UNDER_REVIEW, REJECTED),
    UNDER_REVIEW: (IN_ARENA, REJECTED),
    IN_ARENA: (FUNDED, REJECTED),
    FUNDED: (IMPLEMENTED,),
    IMPLEMENTED: (),
    REJECTED: (),
    MERGED: (),
}
MERGEABLE = (SUBMITTED, UNDER_REVIEW)  # not once it competes in a round or has money
REASON_MAX = 500
NOTIFY_KIND = "idea_state"


def allowed_transitions(idea: Idea) -> tuple[str, ...]:
    return () if idea.is_draft else TRANSITIONS.get(idea.state, ())


def _allowed_text(idea: Idea) -> str:
    allowed = allowed_transitions(idea)
    if not allowed:
        return f"「{STATE_LABELS[idea.state]}」状态的点子不能再变更"
    names = "、".join(f"{STATE_LABELS[s]}（{s}）" for s in allowed)
    return f"「{STATE_LABELS[idea.state]}」只能变更为：{names}"


def _clean_reason(reason: str | None) -> str | None:
    reason = (reason or "").strip()
    if "\x00" in reason or len(reason) > REASON_MAX:
        raise ValidationError("原因有误", {"reason": f"原因最多 {REASON_MAX} 个字"})
    return reason or None


def record_change(idea: Idea, actor: User | None, new_state: str, reason: str | None) -> None:
    """Set the state, keep the history, tell the author and the other packages."""
    previous = idea.state
    now = utcnow()
    idea.state = new_state
    idea.state_changed_at = idea.updated_at = now
    db.session.add(IdeaStateChange(idea_id=idea.id, by_id=actor.id if actor else None,
                                   from_state=previous, to_state=new_state, reason=reason,
                                   created_at=now))
    notify(idea.author_id, NOTIFY_KIND, {
        "idea_id": idea.id, "title": idea.title, "state": new_state,
        "state_label": STATE_LABELS[new_state], "reason": reason or "",
        "actor_id": actor.id if actor else None})
    events.emit(events.idea_state_changed, idea_id=idea.id, author_id=idea.author_id,
                previous=previous, state=new_state, by_id=actor.id if actor else None,
                reason=reason)


def transition(actor: User, idea: Idea, to: str, reason: str | None = None,
               amount: int | None = None, round_id: int | None = None) -> Idea:
    """Move ``idea`` to ``to`` (an owner of its category or an admin).

    ``idea`` should have been loaded with ``lock=True`` so concurrent moves serialize.
    422 for an unknown state, a missing reason (reject) or amount (funded); 409 for a move
    that is not allowed from the current state."""
    require_owner(actor, idea.category)
    to = (to or "").strip()
    if to not in STATES:
        raise ValidationError("目标状态有误", {"to": "状态只能是：" + ", ".join(STATES)})
    if to not in allowed_transitions(idea):
        raise Conflict(_allowed_text(idea), {"allowed": ", ".join(allowed_transitions(idea))})
    reason = _clean_reason(reason)
    if to == REJECTED and not reason:
        raise ValidationError("请填写不采纳的原因", {"reason": "不采纳必须填写原因"})
    if to == FUNDED:
        if amount is None:
            raise ValidationError("请填写资助金额", {"amount": "资助必须填写金额"})
        fund.grant(actor, idea, fund.check_amount(amount), round_id=round_id)
        reason = reason or f"获得金点子基金资助 {fund.yuan(amount)} 元"
    record_change(idea, actor, to, reason)
    db.session.flush()
    return idea


def categorise(actor: User, idea: Idea, category: str) -> Idea:
    """Move an idea to another category (an owner of the old one, and of the new one)."""
    require_owner(actor, idea.category)
    category = (category or "").strip()
    if category not in CATEGORIES:
        raise ValidationError("分类有误", {"category": "分类只能是：" + "、".join(CATEGORIES)})
    require_owner(actor, category)
    if idea.state == MERGED or idea.is_draft:
        raise Conflict("已合并的点子和草稿不能改分类")
    idea.category = category
    idea.updated_at = utcnow()
    db.session.flush()
    return idea


def merge(actor: User, duplicate: Idea, survivor: Idea) -> Idea:
    """Merge ``duplicate`` into ``survivor``: its votes and comments move over (a voter who
    voted on both, or the survivor's own author, counts once / not at all), the duplicate
    links to the survivor, is closed for voting and ends in the state ``merged``."""
    require_owner(actor, duplicate.category)
    require_owner(actor, survivor.category)
    if duplicate.id == survivor.id:
        raise ValidationError("不能合并到自己", {"into": "请选择另一个点子"})
    if duplicate.is_draft or survivor.is_draft:
        raise Conflict("草稿不能合并")
    if duplicate.state not in MERGEABLE:
        raise Conflict("只有「已提交」或「评估中」的点子可以被合并")
    if survivor.state in (MERGED, REJECTED):
        raise Conflict("不能合并到已合并或未采纳的点子")
    _move_votes(duplicate, survivor)
    db.session.execute(sa.update(IdeaComment).where(IdeaComment.idea_id == duplicate.id)
                       .values(idea_id=survivor.id))
    _recount(survivor)
    _recount(duplicate)
    duplicate.merged_into_id = survivor.id
    record_change(duplicate, actor, MERGED, f"与 #{survivor.id}「{survivor.title}」重复，已合并")
    db.session.flush()
    return survivor


def _move_votes(duplicate: Idea, survivor: Idea) -> None:
    already = sa.select(IdeaVote.voter_id).where(IdeaVote.idea_id == survivor.id)
    db.session.execute(sa.delete(IdeaVote).where(
        IdeaVote.idea_id == duplicate.id,
        sa.or_(IdeaVote.voter_id.in_(already), IdeaVote.voter_id == survivor.author_id)))
    db.session.execute(sa.update(IdeaVote).where(IdeaVote.idea_id == duplicate.id)
                       .values(idea_id=survivor.id))


def _recount(idea: Idea) -> None:
    idea.vote_count = db.session.scalar(
        sa.select(sa.func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == idea.id))
    idea.comment_count = db.session.scalar(
        sa.select(sa.func.count()).select_from(IdeaComment).where(IdeaComment.idea_id == idea.id))


def triage_board(actor: User) -> dict[str, list[Idea]]:
    """The owner's board: published ideas of the owned categories, grouped by open state."""

    require_owner(actor)
    cats = owned_categories(actor)
    board: dict[str, list[Idea]] = {s: [] for s in (SUBMITTED, UNDER_REVIEW, IN_ARENA, FUNDED)}
    ideas = db.session.scalars(sa.select(Idea).where(
        Idea.is_draft.is_(False), Idea.state.in_(list(board)), Idea.category.in_(cats))
        .order_by(Idea.submitted_at, Idea.id))
    for idea in ideas:
        board[idea.state].append(idea)
    return board


def merge_candidates(actor: User, idea: Idea) -> list[Idea]:
    """Ideas ``idea`` could be merged into (same owner's reach, still open)."""

    cats = owned_categories(actor)
    return list(db.session.scalars(sa.select(Idea).where(
        Idea.id != idea.id, Idea.is_draft.is_(False), Idea.category.in_(cats),
        Idea.state.notin_((MERGED, REJECTED))).order_by(Idea.id.desc()).limit(200)))
