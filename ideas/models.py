"""Tables of the golden ideas (金点子): ideas, votes, comments, state history, owners,
arena rounds (擂台赛) and the idea fund (金点子基金).

Counters on ``Idea`` (vote_count, comment_count) are caches kept by the services. The fund is
one row whose ``balance`` caches the sum of the append-only ledger ``idea_fund_entries``; a
CHECK constraint keeps it from ever going below zero, and grants move it with one conditional
UPDATE in the same transaction as their ledger entry (ideas/services/fund.py).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models import User, UTCDateTime, utcnow

CATEGORIES = ("服务流程", "产品套餐", "渠道体验", "系统支撑", "其他")

SUBMITTED, UNDER_REVIEW, IN_ARENA = "submitted", "under_review", "in_arena"
FUNDED, IMPLEMENTED, REJECTED, MERGED = "funded", "implemented", "rejected", "merged"
STATES = (SUBMITTED, UNDER_REVIEW, IN_ARENA, FUNDED, IMPLEMENTED, REJECTED, MERGED)
STATE_LABELS = {
    SUBMITTED: "已提交",
    UNDER_REVIEW: "评估中",
    IN_ARENA: "擂台赛",
    FUNDED: "已获资助",
    IMPLEMENTED: "已落地",
    REJECTED: "未采纳",
    MERGED: "已合并",
}

ROUND_OPEN, ROUND_CLOSED, ROUND_SETTLED = "open", "closed", "settled"
ROUND_STATE_LABELS = {ROUND_OPEN: "投票中", ROUND_CLOSED: "已截止", ROUND_SETTLED: "已结算"}

DEPOSIT, GRANT = "deposit", "grant"


class Idea(db.Model):
    """One golden idea. ``is_draft`` ideas are seen by their author only; a merged idea keeps
    its text, links to the survivor through ``merged_into_id`` and takes no more votes."""

    __tablename__ = "ideas"
    __table_args__ = (
        sa.Index("ix_ideas_state_category", "state", "category"),
        sa.Index("ix_ideas_author_id", "author_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(80))
    problem: Mapped[str] = mapped_column(sa.Text, default="")
    proposal: Mapped[str] = mapped_column(sa.Text, default="")
    proposal_html: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[str] = mapped_column(sa.String(16))
    state: Mapped[str] = mapped_column(sa.String(16), default=SUBMITTED)
    is_draft: Mapped[bool] = mapped_column(default=False)
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ideas.id", ondelete="SET NULL"))
    vote_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    fund_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # fen granted
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship(lazy="joined")
    merged_into: Mapped[Idea | None] = relationship(remote_side=[id], lazy="select")

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)


class IdeaVote(db.Model):
    """One vote (点赞) per employee per idea, enforced by the database."""

    __tablename__ = "idea_votes"
    __table_args__ = (
        sa.UniqueConstraint("idea_id", "voter_id", name="uq_idea_votes_idea_voter"),
        sa.Index("ix_idea_votes_voter_id", "voter_id"),
        sa.Index("ix_idea_votes_created_at", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(sa.ForeignKey("ideas.id", ondelete="CASCADE"))
    voter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdeaComment(db.Model):
    """A follow-up comment (追评); ``parent_id`` points at a top-level comment only."""

    __tablename__ = "idea_comments"
    __table_args__ = (sa.Index("ix_idea_comments_idea_id", "idea_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(sa.ForeignKey("ideas.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("idea_comments.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")


class IdeaStateChange(db.Model):
    """The history of an idea: who moved it from which state to which, when and why."""

    __tablename__ = "idea_state_changes"
    __table_args__ = (sa.Index("ix_idea_state_changes_idea_id", "idea_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(sa.ForeignKey("ideas.id", ondelete="CASCADE"))
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    from_state: Mapped[str] = mapped_column(sa.String(16))
    to_state: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def from_label(self) -> str:
        return STATE_LABELS.get(self.from_state, self.from_state)

    @property
    def to_label(self) -> str:
        return STATE_LABELS.get(self.to_state, self.to_state)


class IdeaOwner(db.Model):
    """An idea owner (专人负责) of one category, assigned by admins. Admins own every
    category without a row (a per-category table instead of a new core role)."""

    __tablename__ = "idea_owners"
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class ArenaRound(db.Model):
    """An arena round (擂台赛/落地招标): employees vote on in_arena ideas until the deadline;
    then the round closes, winners are proposed, and an owner funds them from the fund."""

    __tablename__ = "arena_rounds"
    __table_args__ = (
        sa.Index("ix_arena_rounds_state_deadline", "state", "deadline"),
        sa.CheckConstraint("budget > 0", name="budget_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(80))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    budget: Mapped[int] = mapped_column(sa.BigInteger)  # fen
    winners_max: Mapped[int] = mapped_column(default=3)
    granted: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # fen granted so far
    state: Mapped[str] = mapped_column(sa.String(16), default=ROUND_OPEN)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def state_label(self) -> str:
        return ROUND_STATE_LABELS.get(self.state, self.state)


class RoundIdea(db.Model):
    """An idea competing in a round, with the estimated cost (fen) of bringing it to life
    and its round vote count (a cache of round_votes)."""

    __tablename__ = "round_ideas"
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("arena_rounds.id", ondelete="CASCADE"), primary_key=True)
    idea_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    estimate: Mapped[int] = mapped_column(sa.BigInteger)  # fen
    vote_count: Mapped[int] = mapped_column(default=0)
    is_proposed: Mapped[bool] = mapped_column(default=False)  # proposed winner at closing
    granted: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    idea: Mapped[Idea] = relationship(lazy="joined")


class RoundVote(db.Model):
    """One vote per employee per idea per round, enforced by the database."""

    __tablename__ = "round_votes"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "idea_id", "voter_id",
                            name="uq_round_votes_round_idea_voter"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("arena_rounds.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(sa.ForeignKey("ideas.id", ondelete="CASCADE"))
    voter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdeaFund(db.Model):
    """The single fund row (id 1): ``balance`` caches the ledger's sum and never goes
    negative (CHECK constraint plus conditional UPDATE on grant)."""

    __tablename__ = "idea_fund"
    __table_args__ = (sa.CheckConstraint("balance >= 0", name="balance_not_negative"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    balance: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class IdeaFundEntry(db.Model):
    """Append-only ledger of the fund: deposits (positive) and grants (negative) in fen.
    ``key`` makes an entry idempotent (one grant per idea: ``grant:idea:<id>``)."""

    __tablename__ = "idea_fund_entries"
    __table_args__ = (
        sa.UniqueConstraint("key", name="uq_idea_fund_entries_key"),
        sa.CheckConstraint("amount <> 0", name="amount_not_zero"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    key: Mapped[str | None] = mapped_column(sa.String(80))
    idea_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ideas.id", ondelete="SET NULL"))
    round_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("arena_rounds.id", ondelete="SET NULL"))
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    by: Mapped[User | None] = relationship(lazy="joined")
    idea: Mapped[Idea | None] = relationship(lazy="joined")
