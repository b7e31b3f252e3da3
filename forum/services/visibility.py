"""Post visibility (moderation's hide / restore / cold handling, 冷处理) — the one way to
change ``Post.visibility``.

Visible posts are public; hidden and cold-handled posts stay readable by their author and
moderators only (forum/permissions.py), and every list, feed and the API already filter on
``visibility``. Changing the opening post changes its topic too. The tribe counters count
visible topics only (like ``delete_post``), so they follow the topic here, and topic and
tribe reply counts follow a reply's visibility. Search and other
packages follow ``events.post_visibility_changed``.
"""

from __future__ import annotations

import sqlalchemy as sa

from forum import events
from forum.errors import NotFound, ValidationError
from forum.extensions import db
from forum.models import COLD, HIDDEN, VISIBLE, Post, Topic, Tribe

VISIBILITIES = (VISIBLE, HIDDEN, COLD)


def _adjust_tribe_counters(topic: Topic, sign: int) -> None:
    """Add (sign=1) or remove (sign=-1) a topic's share of its tribe's counters."""
    db.session.execute(sa.update(Tribe).where(Tribe.id == topic.tribe_id).values(
        topic_count=Tribe.topic_count + sign,
        reply_count=Tribe.reply_count + sign * topic.reply_count,
        solved_count=Tribe.solved_count + (sign if topic.solved else 0)))


def set_post_visibility(post_id: int, visibility: str, actor_id: int | None,
                        reason: str | None = None) -> Post:
    """Set a post's visibility (VISIBLE, HIDDEN or COLD); the opening post carries its topic.

    Permission is the caller's business (moderation checks ``moderates``; it also keeps
    ``reason`` in its audit log — the event carries the documented payload only). A no-op when the
    post already has that visibility (no event). Inside a caller's ``uow.unit_of_work()`` the
    commit (and so the event) waits for the caller's.
    """
    if visibility not in VISIBILITIES:
        raise ValidationError("未知的可见性", {"visibility": f"须为 {', '.join(VISIBILITIES)}"})
    post = db.session.get(Post, post_id) if 0 < int(post_id) <= 2**31 - 1 else None
    if post is None or post.is_deleted:
        raise NotFound("帖子不存在或已被删除")
    previous = post.visibility
    if previous == visibility:
        return post
    post.visibility = visibility
    topic = post.topic
    if post.is_first:
        was_visible = topic.visibility == VISIBLE
        topic.visibility = visibility
        if not topic.is_deleted and was_visible != (visibility == VISIBLE):
            _adjust_tribe_counters(topic, 1 if visibility == VISIBLE else -1)
    elif (previous == VISIBLE) != (visibility == VISIBLE):
        # Reply counters count visible replies (page totals, lists): follow the change.
        sign = 1 if visibility == VISIBLE else -1
        db.session.execute(sa.update(Topic).where(Topic.id == topic.id)
                           .values(reply_count=Topic.reply_count + sign))
        if topic.visibility == VISIBLE and not topic.is_deleted:
            db.session.execute(sa.update(Tribe).where(Tribe.id == topic.tribe_id)
                               .values(reply_count=Tribe.reply_count + sign))
    events.emit(events.post_visibility_changed, post_id=post.id, topic_id=post.topic_id,
                tribe_id=topic.tribe_id, author_id=post.author_id, is_first=post.is_first,
                visibility=visibility, previous=previous, by_id=actor_id)
    events.commit()
    return post
