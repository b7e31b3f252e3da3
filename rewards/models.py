"""Rewards' own tables (PRODUCT §2.1–2.3, §2.6): the points ledger and its rules, per-user
accounts (lifetime points, check-in streak), titles, badges, the store and its orders, and
the leaderboard totals.

The balance itself is cached in the core's ``User.points`` (shown everywhere) and always
equals the sum of the user's ledger entries; ``User.title`` is kept in step with the
lifetime points here. Points are integers; times are UTC.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models import User, UTCDateTime, utcnow

# Rules that are not in the admin-editable table: they carry their own amount.
REVERSAL = "reversal"  # a compensating entry; source = the entry it cancels
REDEEM = "redeem"  # points spent in the store; source = the order
REFUND = "refund"  # points given back when an order is cancelled; source = the order
SYSTEM_RULES = (REVERSAL, REDEEM, REFUND)
# Spending and refunds are not "earning": they stay off the leaderboards and lifetime.
NOT_EARNING = (REDEEM, REFUND)


class PointRule(db.Model):
    """How many points one rule awards, and its optional per-day cap (in points, per user,
    per Asia/Shanghai day). Seeded by the migration with PRODUCT §2.1's table."""

    __tablename__ = "reward_rules"
    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(60))
    points: Mapped[int] = mapped_column()
    daily_cap: Mapped[int | None] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerEntry(db.Model):
    """One change of a user's points; never updated or deleted (corrections are reversals).

    The source is (kind, id, actor): e.g. ("post", 12, 0) for creating post 12,
    ("like", 12, 7) for user 7 liking post 12, ("day", 739000, 0) for a check-in. The unique
    key (rule, source, user) makes every award idempotent in the database itself.
    ``day`` is the Asia/Shanghai day the entry counts for on caps; ``tribe_id`` the tribe of
    the post that earned it (per-tribe leaderboards).
    """

    __tablename__ = "reward_ledger"
    __table_args__ = (
        # Led by the source, so the same index finds what a post or idea earned (reversals):
        # one index fewer to maintain on every insert.
        sa.UniqueConstraint("source_kind", "source_id", "rule_code", "actor_id", "user_id",
                            name="uq_reward_ledger_award"),
        # Points history, and the per-day cap sums.
        sa.Index("ix_reward_ledger_user_created", "user_id", "created_at"),
        sa.Index("ix_reward_ledger_cap", "user_id", "rule_code", "day"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    amount: Mapped[int] = mapped_column()
    rule_code: Mapped[str] = mapped_column(sa.String(32))
    source_kind: Mapped[str] = mapped_column(sa.String(16))
    source_id: Mapped[int] = mapped_column()
    actor_id: Mapped[int] = mapped_column(sa.Integer, default=0)  # 0: none (NULLs defeat uniqueness)
    tribe_id: Mapped[int | None] = mapped_column()
    day: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RewardAccount(db.Model):
    """Per-user rewards state next to the core's User.points balance."""

    __tablename__ = "reward_accounts"
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    lifetime: Mapped[int] = mapped_column(default=0)  # points ever earned; never decreases
    streak: Mapped[int] = mapped_column(default=0)  # consecutive check-in days
    best_streak: Mapped[int] = mapped_column(default=0)
    last_checkin: Mapped[date | None] = mapped_column(sa.Date)


class Title(db.Model):
    """头衔: reached at ``threshold`` lifetime points (admin-editable)."""

    __tablename__ = "reward_titles"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(20), unique=True)
    threshold: Mapped[int] = mapped_column(unique=True)


class Badge(db.Model):
    """勋章: awarded once per user by a rule (or, for "proxy", by the proxy programme)."""

    __tablename__ = "reward_badges"
    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(30))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    icon: Mapped[str] = mapped_column(sa.String(16), default="🏅")
    position: Mapped[int] = mapped_column(default=0)


class UserBadge(db.Model):
    __tablename__ = "reward_user_badges"
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    badge_code: Mapped[str] = mapped_column(
        sa.ForeignKey("reward_badges.code", ondelete="CASCADE"), primary_key=True)
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    badge: Mapped[Badge] = relationship(lazy="joined")


class RewardItem(db.Model):
    """A thing in the store (积分兑换). ``per_user_limit`` 0 means no limit."""

    __tablename__ = "reward_items"
    __table_args__ = (
        sa.CheckConstraint("stock >= 0", name="stock_not_negative"),
        sa.CheckConstraint("price > 0", name="price_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    price: Mapped[int] = mapped_column()
    stock: Mapped[int] = mapped_column(default=0)
    per_user_limit: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # 流量包, 话费 …: the customer names the mainland mobile number to credit (order.phone).
    needs_phone: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


ORDER_PENDING, ORDER_FULFILLED, ORDER_CANCELLED = "pending", "fulfilled", "cancelled"
ORDER_STATUS_LABELS = {ORDER_PENDING: "待发放", ORDER_FULFILLED: "已发放",
                       ORDER_CANCELLED: "已取消（积分已退回）"}


class RewardOrder(db.Model):
    """One redemption: the price paid is the ledger entry (rule "redeem", source order)."""

    __tablename__ = "reward_orders"
    __table_args__ = (sa.Index("ix_reward_orders_user_item", "user_id", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("reward_items.id"))
    price: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(16), default=ORDER_PENDING, index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(11))  # for items that need_phone
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))

    item: Mapped[RewardItem] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def status_label(self) -> str:
        return ORDER_STATUS_LABELS.get(self.status, self.status)

    @property
    def masked_phone(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}" if self.phone else ""


# Leaderboard periods; tribe_id 0 is the global board.
WEEK, MONTH, ALL = "week", "month", "all"
PERIODS = (WEEK, MONTH, ALL)
ALL_TIME_START = date(2000, 1, 1)


class PeriodTotal(db.Model):
    """Points earned by a user in one period (week/month starting ``start``, or all time),
    globally (tribe 0) or in one tribe, so a leaderboard is one index range scan instead of
    a sum over a million entries. Folded in from TotalDelta by a periodic task."""

    __tablename__ = "reward_period_totals"
    __table_args__ = (
        sa.Index("ix_reward_period_totals_board", "period", "start", "tribe_id", "points"),
    )
    period: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    start: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    tribe_id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    points: Mapped[int] = mapped_column(default=0)


class TotalDelta(db.Model):
    """Points a ledger batch added to one user's (tribe, day), waiting to be folded into
    PeriodTotal by ``leaderboards.rollup_totals`` (every minute). The award path appends a
    row here instead of upserting six totals rows per entry: no hot rows locked while
    awarding, and a minute's deltas of one user collapse into one update. No foreign key
    (a check per row on the hot path); the roll-up skips users that no longer exist."""

    __tablename__ = "reward_total_deltas"
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                                    primary_key=True)
    user_id: Mapped[int] = mapped_column()
    tribe_id: Mapped[int] = mapped_column(default=0)  # 0: the entry had no tribe
    day: Mapped[date] = mapped_column(sa.Date)  # the day whose week/month the points count in
    amount: Mapped[int] = mapped_column()
