"""Uploaded images (issue 8 §1): stored under the instance folder with random names."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models import UTCDateTime, utcnow


class Attachment(db.Model):
    """One re-encoded image and its thumbnail. Unclaimed until a post or a private message
    that shows it is published; from then on it is visible exactly when that post (or that
    conversation) is. Soft-deleting the post hides the image; the file is never removed."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    # 32 random hex characters + extension; also the file name on disk.
    name: Mapped[str] = mapped_column(sa.String(48), unique=True)
    uploader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                             index=True)
    content_type: Mapped[str] = mapped_column(sa.String(32))
    byte_size: Mapped[int] = mapped_column()
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    thumb_name: Mapped[str] = mapped_column(sa.String(48))
    post_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="SET NULL"), index=True)
    message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("messages.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
