"""Account settings (issue 17): password reset links and self-declared tags.

A reset link carries a random token; only its SHA-256 is stored, with its expiry and the
moment it was used, so a link works once and not after it expires. ``issued_by_id`` names
the administrator who issued it (when there is no e-mail), and is on the audit log.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models import User, UTCDateTime, utcnow


class PasswordReset(db.Model):
    __tablename__ = "password_resets"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    channel: Mapped[str] = mapped_column(sa.String(16))  # "email" or "admin"
    issued_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class UserSelfTag(db.Model):
    """One self-declared tag (学生, 老年用户 …, a fixed list in forum/services/profiles.py) of a
    user; indexed by tag so group screening can find everyone who declared one."""

    __tablename__ = "user_self_tags"
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    tag: Mapped[str] = mapped_column(sa.String(16), primary_key=True, index=True)
