"""Composer drafts (草稿): what a user has typed but not yet published, one per composer.

A composer is named by a key: ``topic:<tribe_id>`` (a new topic in a tribe),
``reply:<topic_id>``, ``edit:<post_id>`` or ``message:<username>``. The unique constraint on
(user, key) keeps one draft per composer, also when two autosaves race.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models import UTCDateTime, utcnow


class Draft(db.Model):
    __tablename__ = "drafts"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "key", name="uq_drafts_user_key"),
        # "我的草稿": a user's drafts, most recently saved first.
        sa.Index("ix_drafts_user_updated", "user_id", "updated_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(80), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    tags: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
