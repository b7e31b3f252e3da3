"""Notifications: the in-app items behind the bell, their idempotency receipts, mute settings.

Rows are written only by forum/services/notifications.py (in a Celery task, after the action
that caused them committed). Several events of one kind about one thing (e.g. replies to one
topic) collapse into one unread row whose ``count`` grows: "3 条新回复".
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models import UTCDateTime, utcnow


class Notification(db.Model):
    """One item of a user's notification list (possibly standing for ``count`` events)."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_unread", "user_id", "read_at", "id"),
        sa.Index("ix_notifications_user_updated", "user_id", "updated_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    # What the text and link are made from: ids plus names/titles captured at delivery time.
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Unread rows of one user with the same kind and group_key collapse into one.
    group_key: Mapped[str | None] = mapped_column(sa.String(120))
    count: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The newest event folded into this row; lists are ordered by it.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationReceipt(db.Model):
    """One row per (user, event) delivered: a redelivered task or a repeated event is a no-op.

    The primary key makes the database, not a read-then-write, the judge of "already done".
    """

    __tablename__ = "notification_receipts"
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    source_key: Mapped[str] = mapped_column(sa.String(160), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationSetting(db.Model):
    """A user's choice for one notification kind; a muted kind creates nothing for them."""

    __tablename__ = "notification_settings"
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    muted: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
