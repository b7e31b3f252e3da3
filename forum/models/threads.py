"""Per-user thread state and reports.

``TopicUser``: one row per user and topic they have read (last floor read, watching, 收藏).
``PostReport``: a member's 举报 of a post; one *open* report per user and post (a partial
unique index, on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models import Post, User, UTCDateTime, utcnow

REPORT_OPEN, REPORT_CLOSED = "open", "closed"


class TopicUser(db.Model):
    __tablename__ = "topic_users"
    __table_args__ = (
        sa.Index("ix_topic_users_topic_watching", "topic_id", "watching"),
        sa.Index("ix_topic_users_user_bookmarked", "user_id", "bookmarked_at"),
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(
        sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True)
    last_read_floor: Mapped[int] = mapped_column(default=0)
    watching: Mapped[bool] = mapped_column(default=False)
    bookmarked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PostReport(db.Model):
    __tablename__ = "post_reports"
    __table_args__ = (
        sa.Index("ix_post_reports_post_status", "post_id", "status"),
        sa.Index("uq_post_reports_open", "post_id", "reporter_id", unique=True,
                 sqlite_where=sa.text("status = 'open'"),
                 postgresql_where=sa.text("status = 'open'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=REPORT_OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    post: Mapped[Post] = relationship()
    reporter: Mapped[User] = relationship()
