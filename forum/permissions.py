"""The one place for permission rules; pages and the API both ask here."""

from __future__ import annotations

import time

import sqlalchemy as sa

from forum.extensions import db
from forum.models import VISIBLE, Post, Topic, Tribe, User, tribe_moderators
from forum.rendering import mask_pii


def is_authenticated(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_admin(user: User | None) -> bool:
    return is_authenticated(user) and "admin" in user.role_names


def is_global_moderator(user: User | None) -> bool:
    return is_authenticated(user) and bool(user.role_names & {"moderator", "admin"})


_TRIBE_MODERATORS_TTL = 60.0
_tribe_moderators: tuple[float, frozenset[int]] = (0.0, frozenset())


def _tribe_moderator_ids() -> frozenset[int]:
    """Everyone who moderates some tribe, cached per process for a minute: the header asks on
    every page, and a stale answer only shows or hides a menu link (pages check for real)."""
    global _tribe_moderators
    fetched_at, ids = _tribe_moderators
    if time.monotonic() - fetched_at > _TRIBE_MODERATORS_TTL:
        ids = frozenset(db.session.scalars(sa.select(tribe_moderators.c.user_id).distinct()))
        _tribe_moderators = (time.monotonic(), ids)
    return ids


def forget_tribe_moderators() -> None:
    """Drop the cached list (after tribe moderators change, and in tests)."""
    global _tribe_moderators
    _tribe_moderators = (0.0, frozenset())


def moderates_something(user: User | None) -> bool:
    """Global moderators and anyone who moderates a tribe: for menu links only."""
    return is_global_moderator(user) or (is_authenticated(user)
                                         and user.id in _tribe_moderator_ids())


def moderates(user: User | None, tribe: Tribe) -> bool:
    """Admins and site moderators moderate everything; tribe moderators their own tribe."""
    if not is_authenticated(user):
        return False
    return is_global_moderator(user) or any(m.id == user.id for m in tribe.moderators)


def can_edit_post(user: User | None, post: Post) -> bool:
    if not is_authenticated(user) or post.is_deleted:
        return False
    return post.author_id == user.id or moderates(user, post.topic.tribe)


def can_accept_answer(user: User | None, topic: Topic) -> bool:
    if not is_authenticated(user) or topic.is_deleted:
        return False
    return topic.author_id == user.id or moderates(user, topic.tribe)


def can_see_original(user: User | None, post: Post) -> bool:
    """The unmasked text (phones, ID cards, e-mails) is for the author and moderators."""
    if not is_authenticated(user):
        return False
    return post.author_id == user.id or moderates(user, post.topic.tribe)


def can_see_original_title(user: User | None, topic: Topic) -> bool:
    """A topic's title follows the rule of its opening post."""
    if not is_authenticated(user):
        return False
    return topic.author_id == user.id or moderates(user, topic.tribe)


def post_html_for(user: User | None, post: Post) -> str:
    """The post's HTML as ``user`` may see it: original or PII-masked (pages and API)."""
    if post.has_pii and not can_see_original(user, post):
        return post.body_html_public
    return post.body_html


def topic_title_for(user: User | None, topic: Topic) -> str:
    """The topic's title as ``user`` may see it: original or PII-masked (pages and API)."""
    masked = mask_pii(topic.title)
    if masked == topic.title or can_see_original_title(user, topic):
        return topic.title
    return masked


def can_view_topic(user: User | None, topic: Topic) -> bool:
    if topic.is_deleted:
        return moderates(user, topic.tribe)
    if topic.visibility == VISIBLE:
        return True
    # Hidden and cold-handled topics stay visible to their author and moderators.
    return is_authenticated(user) and (topic.author_id == user.id or moderates(user, topic.tribe))


def can_view_post(user: User | None, post: Post) -> bool:
    if post.visibility == VISIBLE:
        return True
    return is_authenticated(user) and (post.author_id == user.id or moderates(user, post.topic.tribe))


def can_message_anyone(user: User | None) -> bool:
    """Moderators and admins reach every user by private message: blocks and the
    new-conversation rate limit do not apply to them (PRODUCT §3, 私信答复)."""
    return is_global_moderator(user)


def can_read_conversation(user: User | None, conversation) -> bool:
    """A private conversation is for its two participants only (not even for moderators)."""
    return is_authenticated(user) and conversation.has_member(user.id)
