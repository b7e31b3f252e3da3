"""Core models: users and roles, tribes, topics, posts, likes, follows, notifications.

Counters (reply_count, like_count, follower_count …) are denormalised for fast pages and are
kept by the services in forum/services, never by model hooks.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from forum.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC datetimes on both SQLite (which drops tzinfo) and PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


ROLE_NAMES = ("customer", "proxy", "employee", "moderator", "admin")
ROLE_LABELS = {
    "customer": "客户",
    "proxy": "服务代理",
    "employee": "员工",
    "moderator": "版主",
    "admin": "管理员",
}

user_roles = sa.Table(
    "user_roles",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("role_id", sa.ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
)

topic_tags = sa.Table(
    "topic_tags",
    db.metadata,
    sa.Column("topic_id", sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_topic_tags_tag_id", "tag_id"),
)


class Role(db.Model):
    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(32), unique=True)

    @property
    def label(self) -> str:
        return ROLE_LABELS.get(self.name, self.name)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(20), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(40))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    bio: Mapped[str] = mapped_column(sa.String(200), default="")
    is_verified: Mapped[bool] = mapped_column(default=False)  # 加V
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Filled by rewards: influence 0–100 (PRODUCT §2.4), points balance cache, current title.
    influence: Mapped[float] = mapped_column(sa.Float, default=0.0)
    points: Mapped[int] = mapped_column(default=0)
    title: Mapped[str | None] = mapped_column(sa.String(20))
    follower_count: Mapped[int] = mapped_column(default=0)
    following_count: Mapped[int] = mapped_column(default=0)
    topic_count: Mapped[int] = mapped_column(default=0)
    reply_count: Mapped[int] = mapped_column(default=0)
    like_received_count: Mapped[int] = mapped_column(default=0)
    accepted_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Accounts settings (forum/services/passwords.py, profiles.py): bumped when the password
    # changes, stamped into the session cookie and every API token, so both die with it.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    email: Mapped[str | None] = mapped_column(sa.String(254))  # for reset links; never shown
    avatar_name: Mapped[str | None] = mapped_column(sa.String(48))
    display_name_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    roles: Mapped[list[Role]] = relationship(secondary=user_roles, lazy="selectin")

    def set_password(self, password: str) -> None:
        # The method is configurable so the test suite can use a cheap one.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """What the session (and remember-me) cookie names: the id and the session version,
        so a password change logs every other session out (forum/auth.py)."""
        return f"{self.id}:{self.session_version or 0}"

    @property
    def avatar_url(self) -> str | None:
        return f"/avatars/{self.avatar_name}" if self.avatar_name else None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    @property
    def role_names(self) -> set[str]:
        return {role.name for role in self.roles}

    def has_role(self, *names: str) -> bool:
        return bool(self.role_names & set(names)) or "admin" in self.role_names

    @property
    def initials(self) -> str:
        name = (self.display_name or self.username).strip()
        return name[:1].upper() if name else "?"

    @property
    def avatar_hue(self) -> int:
        return int(hashlib.md5(self.username.encode()).hexdigest()[:4], 16) % 360


class ApiToken(db.Model):
    """Per-user bearer tokens; only a SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60), default="api")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The user's session_version when issued: a password change makes it stale.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    user: Mapped[User] = relationship()


class Follow(db.Model):
    __tablename__ = "follows"
    follower_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    followed_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Tribe(db.Model):
    __tablename__ = "tribes"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    icon: Mapped[str] = mapped_column(sa.String(16), default="💬")
    position: Mapped[int] = mapped_column(default=0)
    topic_count: Mapped[int] = mapped_column(default=0)
    reply_count: Mapped[int] = mapped_column(default=0)
    solved_count: Mapped[int] = mapped_column(default=0)
    member_count: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Hold a new user's first post here until a moderator approves it (forum/services/trust.py).
    hold_new_user_posts: Mapped[bool] = mapped_column(default=False,
                                                      server_default=sa.false())

    moderators: Mapped[list[User]] = relationship(secondary="tribe_moderators", lazy="selectin")


class TribeMember(db.Model):
    __tablename__ = "tribe_members"
    tribe_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tribes.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


tribe_moderators = sa.Table(
    "tribe_moderators",
    db.metadata,
    sa.Column("tribe_id", sa.ForeignKey("tribes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Tag(db.Model):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(24), unique=True)


# Visibility of user content; moderation adds hiding and cold handling (冷处理).
VISIBLE = "visible"
HIDDEN = "hidden"
COLD = "cold"
# A new user's post held for a moderator's approval (forum/services/trust.py): seen by its
# author (as 待审核) and the tribe's moderators only, counted and announced once approved.
PENDING = "pending"


class Topic(db.Model):
    __tablename__ = "topics"
    __table_args__ = (
        # The tribe page: pinned first, then newest activity.
        sa.Index("ix_topics_tribe_list", "tribe_id", "is_pinned", "last_activity_at"),
        sa.Index("ix_topics_last_activity", "last_activity_at"),
        # The tribe page's 精华 and 最新发布 sorts.
        sa.Index("ix_topics_tribe_featured", "tribe_id", "is_featured", "last_activity_at"),
        sa.Index("ix_topics_tribe_created", "tribe_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    tribe_id: Mapped[int] = mapped_column(sa.ForeignKey("tribes.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(80))
    first_post_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("posts.id", use_alter=True, name="fk_topics_first_post_id_posts")
    )
    accepted_post_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("posts.id", use_alter=True, name="fk_topics_accepted_post_id_posts")
    )
    is_pinned: Mapped[bool] = mapped_column(default=False)
    # 精华: set by the tribe's moderators (forum/services/listing.py).
    is_featured: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The highest floor handed out (forum/services/floors.py); the opening post is floor 1.
    last_floor: Mapped[int] = mapped_column(default=0, server_default="0")
    visibility: Mapped[str] = mapped_column(sa.String(16), default=VISIBLE)
    view_count: Mapped[int] = mapped_column(default=0)
    reply_count: Mapped[int] = mapped_column(default=0)
    like_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tribe: Mapped[Tribe] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    first_post: Mapped[Post | None] = relationship(foreign_keys=[first_post_id], post_update=True)
    tags: Mapped[list[Tag]] = relationship(secondary=topic_tags, lazy="selectin",
                                           order_by="Tag.name")

    @property
    def solved(self) -> bool:
        return self.accepted_post_id is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Post(db.Model):
    """A topic's opening post (is_first) or a reply; likes, edits and moderation act on posts."""

    __tablename__ = "posts"
    __table_args__ = (
        sa.Index("ix_posts_topic_order", "topic_id", "is_first", "id"),
        sa.Index("ix_posts_author_created", "author_id", "created_at"),
        sa.Index("ix_posts_created", "created_at"),
        sa.Index("uq_posts_topic_floor", "topic_id", "floor", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    is_first: Mapped[bool] = mapped_column(default=False)
    # 楼层: 1 is the opening post (楼主), replies from 2 (forum/services/floors.py); stable.
    floor: Mapped[int | None] = mapped_column()
    body: Mapped[str] = mapped_column(sa.Text)
    # Rendered once on write: the original (author, moderators) and the PII-masked public copy.
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    body_html_public: Mapped[str] = mapped_column(sa.Text, default="")
    has_pii: Mapped[bool] = mapped_column(default=False)
    visibility: Mapped[str] = mapped_column(sa.String(16), default=VISIBLE)
    like_count: Mapped[int] = mapped_column(default=0)
    edit_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    topic: Mapped[Topic] = relationship(foreign_keys=[topic_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class PostRevision(db.Model):
    """The text a post had before each edit (title too, for opening posts)."""

    __tablename__ = "post_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    title: Mapped[str | None] = mapped_column(sa.String(80))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    editor: Mapped[User] = relationship()


class Like(db.Model):
    __tablename__ = "likes"
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

from forum.models.messages import Block, Conversation, ConversationParticipant, Message  # noqa: E402,F401,I001
from forum.models.notifications import Notification, NotificationReceipt, NotificationSetting  # noqa: E402,F401,I001
from forum.models.attachments import Attachment  # noqa: E402,F401,I001
from forum.models.drafts import Draft  # noqa: E402,F401,I001
from forum.models.accounts import PasswordReset, UserSelfTag  # noqa: E402,F401,I001
from forum.models.threads import PostReport, TopicUser  # noqa: E402,F401,I001
