"""Votes (点赞) on ideas: one per employee per idea (database unique constraint), toggleable,
never on one's own idea, never on drafts, merged or rejected ideas.

The counter ``Idea.vote_count`` moves by one with an atomic UPDATE only when a vote row was
really inserted or deleted, so concurrent clicks by one employee leave exactly one vote and a
matching count.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from forum import events
from forum.errors import Conflict
from forum.extensions import db
from forum.models import User, utcnow
from ideas.models import MERGED, Idea, IdeaVote
from ideas.services.access import require_employee


def _check_votable(user: User, idea: Idea) -> None:
    if idea.author_id == user.id:
        raise Conflict("不能给自己的金点子点赞")
    if idea.state == MERGED:
        raise Conflict(f"这个点子已合并到 #{idea.merged_into_id}，请去那里点赞")
    if idea.is_draft or idea.state == "rejected":
        raise Conflict("这个点子已关闭投票")


def _insert_vote(user: User, idea: Idea) -> bool:
    """True if a vote was added; False if the user had already voted (also concurrently)."""
    try:
        with db.session.begin_nested():
            db.session.add(IdeaVote(idea_id=idea.id, voter_id=user.id, created_at=utcnow()))
    except IntegrityError:
        return False
    db.session.execute(sa.update(Idea).where(Idea.id == idea.id)
                       .values(vote_count=Idea.vote_count + 1))
    return True


def _delete_vote(user: User, idea: Idea) -> bool:
    result = db.session.execute(sa.delete(IdeaVote).where(
        IdeaVote.idea_id == idea.id, IdeaVote.voter_id == user.id))
    if result.rowcount != 1:
        return False
    db.session.execute(sa.update(Idea).where(Idea.id == idea.id)
                       .values(vote_count=Idea.vote_count - 1))
    return True


def set_vote(user: User, idea: Idea, wanted: bool) -> tuple[bool, int]:
    """Vote (wanted=True) or take the vote back; 409 when it is already so.

    Returns (voted, vote_count)."""
    require_employee(user)
    _check_votable(user, idea)
    changed = _insert_vote(user, idea) if wanted else _delete_vote(user, idea)
    if not changed:
        db.session.rollback()
        raise Conflict("你已经为这个点子点过赞了" if wanted else "你还没有为这个点子点赞")
    events.emit(events.idea_voted, idea_id=idea.id, author_id=idea.author_id,
                voter_id=user.id, voted=wanted)
    db.session.flush()
    return wanted, _fresh_count(idea)


def toggle_vote(user: User, idea: Idea) -> tuple[bool, int]:
    """Vote if the user has not voted yet, else take the vote back."""
    require_employee(user)
    _check_votable(user, idea)
    voted = db.session.scalar(sa.select(sa.func.count()).select_from(IdeaVote).where(
        IdeaVote.idea_id == idea.id, IdeaVote.voter_id == user.id)) > 0
    return set_vote(user, idea, not voted)


def _fresh_count(idea: Idea) -> int:
    db.session.refresh(idea, ["vote_count"])
    return idea.vote_count
