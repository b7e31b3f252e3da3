"""Private messages (私信): two-person conversations, their messages, read state, blocks.

A conversation belongs to exactly one pair of users. The pair is stored ordered
(``user_low_id < user_high_id``) under a unique constraint, so "A writes to B" and "B writes to
A" always meet in the same row — also when both send their first message at the same moment.

Each participant has a ``ConversationParticipant`` row: the other user (for the list without
an OR over both columns), the last message they have read (unread = later messages from the
other side) and a copy of the conversation's last activity, so "my conversations, newest
activity first" is one ordered index scan.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models import User, UTCDateTime, utcnow


class Conversation(db.Model):
    __tablename__ = "conversations"
    __table_args__ = (
        sa.UniqueConstraint("user_low_id", "user_high_id", name="uq_conversations_pair"),
        sa.CheckConstraint("user_low_id < user_high_id", name="ordered_pair"),
        # The new-conversation rate limit counts a user's recent conversations.
        sa.Index("ix_conversations_created_by", "created_by_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_low_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    user_high_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("messages.id", use_alter=True, name="fk_conversations_last_message_id_messages",
                      ondelete="SET NULL")
    )
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_count: Mapped[int] = mapped_column(default=0)

    last_message: Mapped[Message | None] = relationship(foreign_keys=[last_message_id],
                                                        post_update=True)

    def other_id(self, user_id: int) -> int:
        return self.user_high_id if user_id == self.user_low_id else self.user_low_id

    def has_member(self, user_id: int) -> bool:
        return user_id in (self.user_low_id, self.user_high_id)


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        # A conversation's pages and its unread counts (id > last read) walk this index.
        sa.Index("ix_messages_conversation_id_id", "conversation_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"))
    sender_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(sa.Text)
    # Rendered once on write (Markdown + sanitizer). Private, so personal data is not masked.
    body_html: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sender: Mapped[User] = relationship()


class ConversationParticipant(db.Model):
    __tablename__ = "conversation_participants"
    __table_args__ = (
        # The conversation list: my rows, newest activity first.
        sa.Index("ix_conversation_participants_list", "user_id", "last_activity_at"),
    )
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    other_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    last_read_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("messages.id", ondelete="SET NULL"))
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    conversation: Mapped[Conversation] = relationship()
    other_user: Mapped[User] = relationship(foreign_keys=[other_user_id])


class Block(db.Model):
    """``blocker`` refuses private messages from ``blocked`` (moderators are not refused)."""

    __tablename__ = "blocks"
    blocker_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    blocked_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
