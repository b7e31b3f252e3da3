"""A new reply as every reader sees it, pushed to the topic's room (runs in a task)."""

from __future__ import annotations

from typing import Any

from flask import render_template

from forum.extensions import db
from forum.links import post_permalink
from forum.models import VISIBLE, Post
from forum.realtime.emit import app_or_none, emit_to_topic
from forum.realtime.presence import presence
from forum.services.topics import reply_position


class _NoLikes:
    liked_post_ids: frozenset = frozenset()


def render_reply(post) -> str:
    """A reply's <article> as a reader without special rights sees it (PII masked)."""
    app = app_or_none()
    per_page = app.config["REPLIES_PER_PAGE"]
    page = (reply_position(post) - 1) // per_page + 1
    page_url = f"/topic/{post.topic_id}" + (f"?page={page}" if page > 1 else "")
    # A context and request of its own (a fresh ``g``, so no signed-in user), even when run
    # inline during the author's request: the room gets what any reader sees (PII masked,
    # no author-only buttons).
    with app.app_context(), app.test_request_context("/"):
        return render_template("forum/notifications_reply_article.html", post=post,
                               topic=post.topic, view=_NoLikes(), page_url=page_url)


def reply_event(post) -> dict[str, Any]:
    """The ``reply_created`` payload."""
    return {
        "topic_id": post.topic_id,
        "reply_count": post.topic.reply_count,
        "reply": {
            "id": post.id,
            "author": {"username": post.author.username,
                       "display_name": post.author.display_name},
            "html": render_reply(post),
            "created_at": post.created_at.isoformat(),
            "url": post_permalink(post.id),
        },
    }


def broadcast_reply(post_id: int) -> bool:
    """Send ``reply_created`` to the topic's room if the reply is public. Returns whether
    something was sent."""
    post = db.session.get(Post, post_id)
    if post is not None and presence.count(post.topic_id) == 0:
        return False  # nobody has the topic open (in any process): nothing to render
    if (post is None or post.is_first or post.is_deleted or post.visibility != VISIBLE
            or post.topic.is_deleted or post.topic.visibility != VISIBLE):
        return False
    emit_to_topic(post.topic_id, "reply_created", reply_event(post))
    return True
