"""The one place for permission rules; pages and the API both ask here."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, has_request_context

from forum.extensions import db
from forum.models import VISIBLE, Post, Topic, Tribe, User, tribe_moderators
from forum.rendering import mask_pii


def is_authenticated(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_admin(user: User | None) -> bool:
    return is_authenticated(user) and "admin" in user.role_names


def is_global_moderator(user: User | None) -> bool:
    return is_authenticated(user) and bool(user.role_names & {"moderator", "admin"})


def moderated_tribe_ids(user: User | None) -> set[int] | None:
    """The one answer to "what does this user moderate": None for global moderators and
    admins (every tribe), else the ids of the tribes they moderate (possibly empty). Asked by
    the menus and for every post of a page: read once per request."""
    if not is_authenticated(user):
        return set()
    if is_global_moderator(user):
        return None
    cache = g.setdefault("_moderated_tribes", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = set(db.session.scalars(
            sa.select(tribe_moderators.c.tribe_id).where(tribe_moderators.c.user_id == user.id)))
    return cache[user.id]


def forget_tribe_moderators() -> None:
    """Tribe moderators changed: read them again (the rest of this request included)."""
    if has_request_context():
        g.pop("_moderated_tribes", None)


def moderates_something(user: User | None) -> bool:
    """Global moderators, admins and anyone who moderates a tribe (staff)."""
    tribes = moderated_tribe_ids(user)
    return tribes is None or bool(tribes)


def moderates_tribe(user: User | None, tribe_id: int | None) -> bool:
    """``moderates`` by the tribe's id (None: no tribe, global moderators only)."""
    tribes = moderated_tribe_ids(user)
    if tribes is None:
        return True
    return tribe_id is not None and tribe_id in tribes


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
