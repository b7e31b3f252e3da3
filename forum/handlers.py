"""The core's own subscriptions to forum.events: notifications and live replies.

Signals arrive after the action committed (forum/events.py); the work here is queued with
forum.jobs.enqueue_after_commit (via notify), so it runs in a Celery task.
"""

from __future__ import annotations

from flask import Flask

from forum import events
from forum.extensions import db
from forum.jobs import enqueue_after_commit
from forum.models import Topic
from forum.services import attachments, bookmarks
from forum.services.notifications import notify, notify_many
from forum.tasks import broadcast_reply


def on_post_created(sender, *, post_id: int, topic_id: int, author_id: int, is_first: bool,
                    mentions=(), topic_author_id: int | None = None, **_):
    ids = {"actor_id": author_id, "topic_id": topic_id, "post_id": post_id}
    if not is_first:
        enqueue_after_commit(broadcast_reply, post_id)  # first: the reply on open pages
        if topic_author_id is None:
            topic = db.session.get(Topic, topic_id)
            topic_author_id = topic.author_id if topic is not None else None
        if topic_author_id is not None:
            notify(topic_author_id, "reply", ids)
    # The topic's author already hears about this reply; a mention would say it twice.
    mentioned = [u for u in (mentions or ()) if is_first or u != topic_author_id]
    if mentioned:
        notify_many(mentioned, "mention", ids)
    if not is_first:  # watchers (关注本帖) hear every reply, unless told another way
        told = {topic_author_id, author_id, *mentioned}
        watchers = [u for u in bookmarks.watcher_ids(topic_id) if u not in told]
        if watchers:
            notify_many(watchers, "watching", ids)


def on_post_edited(sender, *, post_id: int, topic_id: int, author_id: int, editor_id: int,
                   mentions=(), **_):
    # Names added by an edit are told; those told before are not told twice (same source).
    if mentions and editor_id == author_id:
        notify_many(mentions, "mention",
                    {"actor_id": author_id, "topic_id": topic_id, "post_id": post_id})


def on_answer_accepted(sender, *, topic_id: int, post_id: int, post_author_id: int,
                       accepted_by_id: int, **_):
    notify(post_author_id, "answer_accepted",
           {"actor_id": accepted_by_id, "topic_id": topic_id, "post_id": post_id})


def on_user_followed(sender, *, follower_id: int, followed_id: int, following: bool, **_):
    if following:
        notify(followed_id, "follow", {"actor_id": follower_id})


def claim_post_images(sender, *, post_id: int, **_):
    # Right after the commit, in the request: the author's uploads the post shows become the
    # post's, so everyone who may read the post may see them from the next page view on.
    attachments.claim_for_post(post_id)


def claim_message_images(sender, *, message_id: int, **_):
    attachments.claim_for_message(message_id)


SUBSCRIPTIONS = events.Subscriptions(
    (events.post_created, claim_post_images),
    (events.post_edited, claim_post_images),
    (events.message_sent, claim_message_images),
    (events.post_created, on_post_created),
    (events.post_edited, on_post_edited),
    (events.answer_accepted, on_answer_accepted),
    (events.user_followed, on_user_followed),
)


def init_app(app: Flask) -> None:
    """Connect the handlers (idempotent: blinker keeps one connection per receiver)."""
    SUBSCRIPTIONS.connect()
