"""Tables of moderation (PRODUCT §3) except the scorer's (moderation/scoring/models.py):
queue items, the audit log, canned replies, SLA tiers, tickets with their timeline, ratings
and number counters, and expert reviews of replies."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models import Post, Tribe, User, UTCDateTime, utcnow

# --- queue ---------------------------------------------------------------------------------

OPEN, DISMISSED, HANDLED = "open", "dismissed", "handled"
QUEUE_STATUSES = (OPEN, DISMISSED, HANDLED)
QUEUE_STATUS_LABELS = {OPEN: "待处理", DISMISSED: "已忽略", HANDLED: "已处理"}
KIND_SCORE, KIND_REPORT = "score", "report"
QUEUE_KIND_LABELS = {KIND_SCORE: "模型标记", KIND_REPORT: "举报"}
QUEUE_KINDS = (KIND_SCORE, KIND_REPORT)


class QueueItem(db.Model):
    """A post flagged negative by the scorer, waiting for (or done with) a moderator.

    The order of the queue (information influence index) is computed when it is read, from
    the author's current influence and the post's score, so it needs no refresh here.
    """

    __tablename__ = "moderation_queue_items"
    __table_args__ = (
        sa.UniqueConstraint("post_id", name="uq_moderation_queue_items_post"),
        sa.Index("ix_moderation_queue_items_status_tribe", "status", "tribe_id"),
        sa.Index("ix_moderation_queue_items_created", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    tribe_id: Mapped[int] = mapped_column(sa.ForeignKey("tribes.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                           index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=OPEN)
    # The moderator's choice of 群体诉求; None means "as the scorer suggests".
    demand: Mapped[str | None] = mapped_column(sa.String(20))
    last_action: Mapped[str | None] = mapped_column(sa.String(20))
    handled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What brought the post here: the scorer ("score") or members' reports ("report", 举报);
    # report_count counts the open reports (a scored item can be reported too).
    kind: Mapped[str] = mapped_column(sa.String(16), default="score", server_default="score")
    report_count: Mapped[int] = mapped_column(default=0, server_default="0")

    post: Mapped[Post] = relationship()
    tribe: Mapped[Tribe] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])

    @property
    def status_label(self) -> str:
        return QUEUE_STATUS_LABELS.get(self.status, self.status)

    @property
    def kind_label(self) -> str:
        return QUEUE_KIND_LABELS.get(self.kind, self.kind)


# --- audit log -----------------------------------------------------------------------------


class AuditEntry(db.Model):
    """One moderator (or system) action: who, what, on what, before/after, why, when.

    Append-only: nothing updates or deletes these rows.
    """

    __tablename__ = "moderation_audit_log"
    __table_args__ = (
        sa.Index("ix_moderation_audit_log_target", "target_type", "target_id"),
        sa.Index("ix_moderation_audit_log_created", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    target_type: Mapped[str] = mapped_column(sa.String(20))
    target_id: Mapped[str] = mapped_column(sa.String(40))
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


# --- canned replies (标准服务口径) ---------------------------------------------------------


class CannedReply(db.Model):
    __tablename__ = "moderation_canned_replies"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(60), unique=True)
    body: Mapped[str] = mapped_column(sa.Text)
    demand: Mapped[str | None] = mapped_column(sa.String(20))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- SLA tiers and tickets (工单) ----------------------------------------------------------


class SlaTier(db.Model):
    """分级请求满足时限: deadlines in minutes; ``rank`` 1 is the most urgent."""

    __tablename__ = "moderation_sla_tiers"
    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(20))
    rank: Mapped[int] = mapped_column()
    first_response_minutes: Mapped[int] = mapped_column()
    resolve_minutes: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))


class TicketCounter(db.Model):
    """Last ticket sequence number of one Asia/Shanghai day (GD20261122-0001)."""

    __tablename__ = "moderation_ticket_counters"
    day: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Ticket(db.Model):
    __tablename__ = "moderation_tickets"
    __table_args__ = (
        sa.UniqueConstraint("number", name="uq_moderation_tickets_number"),
        sa.UniqueConstraint("source_post_id", name="uq_moderation_tickets_source_post"),
        sa.Index("ix_moderation_tickets_status", "status"),
        sa.Index("ix_moderation_tickets_created", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                             index=True)
    source_post_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="SET NULL"))
    tribe_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tribes.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[str] = mapped_column(sa.String(20), default="其他")
    demand: Mapped[str | None] = mapped_column(sa.String(20))
    tier: Mapped[str] = mapped_column(sa.String(16), default="normal")
    status: Mapped[str] = mapped_column(sa.String(20), default="new")
    assignee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_response_due: Mapped[datetime] = mapped_column(UTCDateTime)
    resolve_due: Mapped[datetime] = mapped_column(UTCDateTime)
    first_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SLA breaches: each kind escalates once (the flags make the periodic job idempotent).
    first_response_breached: Mapped[bool] = mapped_column(default=False)
    resolve_breached: Mapped[bool] = mapped_column(default=False)
    escalation_count: Mapped[int] = mapped_column(default=0)

    customer: Mapped[User] = relationship(foreign_keys=[customer_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    tribe: Mapped[Tribe | None] = relationship()
    source_post: Mapped[Post | None] = relationship()
    rating: Mapped[TicketRating | None] = relationship(back_populates="ticket", uselist=False)

    @property
    def breached(self) -> bool:
        return self.first_response_breached or self.resolve_breached


class TicketEvent(db.Model):
    """One line of a ticket's timeline. ``public`` events are shown to the customer
    (过程透明化); internal notes and escalations only to staff."""

    __tablename__ = "moderation_ticket_events"
    __table_args__ = (sa.Index("ix_moderation_ticket_events_ticket", "ticket_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("moderation_tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    public: Mapped[bool] = mapped_column(default=True)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    data: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class TicketRating(db.Model):
    """满意度: one per ticket, by its customer (the unique constraint makes it "once")."""

    __tablename__ = "moderation_ticket_ratings"
    __table_args__ = (
        sa.UniqueConstraint("ticket_id", name="uq_moderation_ticket_ratings_ticket"),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="score"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("moderation_tickets.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column()
    comment: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="rating")


# --- expert scoring (专家评分) -------------------------------------------------------------


class ExpertReview(db.Model):
    """A reply drawn into a week's random sample, and (once scored) its 1–5 rating."""

    __tablename__ = "moderation_expert_reviews"
    __table_args__ = (
        sa.UniqueConstraint("week", "post_id", name="uq_moderation_expert_reviews_week_post"),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5",
                           name="score"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(sa.String(8), index=True)  # ISO week, 2026-W47
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    author_kind: Mapped[str] = mapped_column(sa.String(10))  # staff | proxy
    scorer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    score: Mapped[int | None] = mapped_column()
    comment: Mapped[str] = mapped_column(sa.String(500), default="")
    sampled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    post: Mapped[Post] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    scorer: Mapped[User | None] = relationship(foreign_keys=[scorer_id])
