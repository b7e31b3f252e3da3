"""A moderator decides on a post held for approval (new users in tribes that ask for it,
``forum.services.trust``): approved posts are published as if just posted, rejected ones
soft-deleted with the reason told to the author."""

from __future__ import annotations

import sqlalchemy as sa

from forum import events
from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import PENDING, VISIBLE, Post, User, utcnow
from forum.permissions import moderates
from forum.rendering import find_mentions
from forum.services.notifications import notify
from forum.services.topics import publish_new_post


def _pending_post_for(moderator: User, post_id: int) -> Post:
    post = db.session.get(Post, post_id)
    if post is None or post.deleted_at is not None:
        raise NotFound("帖子不存在")
    if not moderates(moderator, post.topic.tribe):
        raise PermissionDenied("只有本部落的版主可以审核")
    if post.visibility != PENDING:
        raise Conflict("这条帖子已经审核过了")
    return post


def approve(moderator: User, post_id: int) -> Post:
    """Publish a held post: counted, announced (notifications, points …) as if just posted."""
    post = _pending_post_for(moderator, post_id)
    post.visibility = VISIBLE
    if post.is_first:
        post.topic.visibility = VISIBLE
    mentioned = find_mentions(post.body)
    mention_ids = list(db.session.scalars(
        sa.select(User.id).where(User.username.in_(mentioned)))) if mentioned else []
    publish_new_post(post, mention_ids)
    notify(post.author_id, "post_approved", {"actor_id": moderator.id,
                                             "topic_id": post.topic_id, "post_id": post.id})
    events.commit()
    return post


def reject(moderator: User, post_id: int, reason: str) -> Post:
    """Refuse a held post: soft-deleted (kept, never shown), the author told why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写不通过的原因", {"reason": "请填写原因，作者会看到"})
    if len(reason) > 200:
        raise ValidationError("原因最多 200 字", {"reason": "最多 200 字"})
    post = _pending_post_for(moderator, post_id)
    now = utcnow()
    post.deleted_at = now
    post.deleted_by_id = moderator.id
    if post.is_first:
        post.topic.deleted_at = now
    # The post is deleted now, so the notification names it by title, not by id (a
    # notification about a deleted post would be dropped on delivery).
    notify(post.author_id, "post_rejected", {"actor_id": moderator.id, "title": post.topic.title,
                                             "rejected_post_id": post.id, "reason": reason})
    events.commit()
    return post
