"""Models of the service proxy programme (PRODUCT §2.4–2.5).

Tables are prefixed ``proxy_`` / ``commission_``. Money is integer fen, never floats; the
influence weights are integer thousandths (400 = 0.4). The commission ledger is append-only:
a correction is a compensating entry, and the unique key (rule, source, proxy) makes
awarding idempotent in the database itself.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models import Tribe, User, UTCDateTime, utcnow

# --- lifecycle -----------------------------------------------------------------------------

CANDIDATE = "candidate"
INVITED = "invited"
ACTIVE = "active"
SUSPENDED = "suspended"
RETIRED = "retired"
STATUSES = (CANDIDATE, INVITED, ACTIVE, SUSPENDED, RETIRED)
STATUS_LABELS = {
    CANDIDATE: "候选",
    INVITED: "已邀请",
    ACTIVE: "在任",
    SUSPENDED: "暂停",
    RETIRED: "已退出",
}


class InfluenceWeight(db.Model):
    """One factor's weight of the influence score, in thousandths (admin-editable)."""

    __tablename__ = "proxy_influence_weights"
    factor: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    weight_milli: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))


proxy_tribes = sa.Table(
    "proxy_tribes",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("proxy_profiles.user_id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("tribe_id", sa.ForeignKey("tribes.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_proxy_tribes_tribe_id", "tribe_id"),
)


class ProxyProfile(db.Model):
    """A user in the proxy programme: lifecycle status, staff ratings, assigned tribes.

    Every user is implicitly a candidate; the row is created on the first rating or
    lifecycle action. Ratings are 1–5 or unset (None).
    """

    __tablename__ = "proxy_profiles"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({', '.join(repr(s) for s in STATUSES)})",
                           name="status_known"),
        sa.Index("ix_proxy_profiles_status", "status"),
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=CANDIDATE)
    rating_cooperation: Mapped[int | None] = mapped_column()  # 合作意向
    rating_communication: Mapped[int | None] = mapped_column()  # 沟通能力
    rating_pr: Mapped[int | None] = mapped_column()  # 公关能力
    rated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    tribes: Mapped[list[Tribe]] = relationship(secondary=proxy_tribes, lazy="selectin",
                                               order_by="Tribe.position")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


class ProxyStatusChange(db.Model):
    """One lifecycle step: from → to, who, when, why (append-only history)."""

    __tablename__ = "proxy_status_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    from_status: Mapped[str] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])

    @property
    def from_label(self) -> str:
        return STATUS_LABELS.get(self.from_status, self.from_status)

    @property
    def to_label(self) -> str:
        return STATUS_LABELS.get(self.to_status, self.to_status)


# --- service circles -----------------------------------------------------------------------


class ServiceCircle(db.Model):
    """A service circle (服务圈子) led by a proxy; member_count is kept under the cap by a
    conditional UPDATE so concurrent joins can never overfill it."""

    __tablename__ = "proxy_circles"
    __table_args__ = (sa.CheckConstraint("member_count >= 0", name="member_count_nonneg"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    proxy_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    member_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proxy: Mapped[User] = relationship(foreign_keys=[proxy_id])


class CircleMember(db.Model):
    """A customer in a circle. The user id is the primary key: one circle per user."""

    __tablename__ = "proxy_circle_members"
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    circle_id: Mapped[int] = mapped_column(sa.ForeignKey("proxy_circles.id", ondelete="CASCADE"),
                                           index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    circle: Mapped[ServiceCircle] = relationship()


# --- commission ----------------------------------------------------------------------------

RULE_ACCEPTED_ANSWER = "accepted_answer"
RULE_TICKET_RESOLVED = "ticket_resolved"
RULE_REVERSAL = "reversal"  # compensating entries; not an admin-set rule
DEFAULT_RULES = {
    RULE_ACCEPTED_ANSWER: ("所辖部落的回复被采纳为最佳答案", 200),
    RULE_TICKET_RESOLVED: ("参与回复的工单解决且满意度 ≥ 4", 500),
}
RULE_LABELS = {code: label for code, (label, _) in DEFAULT_RULES.items()} | {
    RULE_REVERSAL: "冲正（最佳答案被取消）"}


class CommissionRule(db.Model):
    """Admin-set amount in fen per unit of work (PRODUCT §2.5)."""

    __tablename__ = "commission_rules"
    __table_args__ = (sa.CheckConstraint("amount_fen >= 0", name="amount_nonneg"),)
    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(60))
    amount_fen: Mapped[int] = mapped_column()
    is_active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))


DRAFT = "draft"
APPROVED = "approved"
PAID = "paid"
STATEMENT_STATUSES = (DRAFT, APPROVED, PAID)
STATEMENT_LABELS = {DRAFT: "草稿", APPROVED: "已审核", PAID: "已支付"}


class CommissionStatement(db.Model):
    """A proxy's monthly settlement: draft → approved → paid; frozen once approved."""

    __tablename__ = "commission_statements"
    __table_args__ = (
        sa.UniqueConstraint("proxy_id", "month", name="uq_commission_statements_proxy_month"),
        sa.CheckConstraint("status IN ('draft', 'approved', 'paid')", name="status_known"),
        sa.Index("ix_commission_statements_month", "month"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    proxy_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(sa.String(7))  # YYYY-MM, Asia/Shanghai
    status: Mapped[str] = mapped_column(sa.String(16), default=DRAFT)
    total_fen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    entry_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    proxy: Mapped[User] = relationship(foreign_keys=[proxy_id])

    @property
    def status_label(self) -> str:
        return STATEMENT_LABELS.get(self.status, self.status)

    @property
    def is_frozen(self) -> bool:
        return self.status in (APPROVED, PAID)


class CommissionEntry(db.Model):
    """One line of the commission ledger (append-only). ``amount_fen`` is negative for a
    compensating entry. ``statement_id`` is set when a settlement groups it."""

    __tablename__ = "commission_entries"
    __table_args__ = (
        sa.UniqueConstraint("rule", "source", "proxy_id", name="uq_commission_entries_rule_source_proxy"),
        sa.Index("ix_commission_entries_proxy_created", "proxy_id", "created_at"),
        sa.Index("ix_commission_entries_statement", "statement_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    proxy_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(sa.String(32))
    source: Mapped[str] = mapped_column(sa.String(64))  # e.g. "post:12/0", "ticket:7"
    amount_fen: Mapped[int] = mapped_column()
    tribe_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tribes.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    statement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("commission_statements.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proxy: Mapped[User] = relationship(foreign_keys=[proxy_id])
    tribe: Mapped[Tribe | None] = relationship()

    @property
    def rule_label(self) -> str:
        return RULE_LABELS.get(self.rule, self.rule)
