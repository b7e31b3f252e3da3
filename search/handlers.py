"""Search listens to forum events and queues index updates after the commit.

Events are sent after their transaction commits; the tasks queued here go out when the
handler's own unit of work commits (``forum.events.dispatch_pending`` does that), in-process
in the embedded default, to a Celery worker with Redis.
"""

from __future__ import annotations

from forum import events
from forum.tasks import enqueue_after_commit
from search import tasks


def _post_changed(_sender=None, *, post_id: int, **_payload) -> None:
    enqueue_after_commit(tasks.index_post, post_id)


def _post_removed(_sender=None, *, topic_id: int, **_payload) -> None:
    # The whole topic: removing the opening post removes its replies too, and removing the
    # accepted answer makes the topic unsolved again (rare enough to redo every post).
    enqueue_after_commit(tasks.reindex_topic, topic_id)


def _visibility_changed(_sender=None, *, post_id: int, topic_id: int, is_first: bool,
                        **_payload) -> None:
    # Hiding or cold-handling an opening post takes its whole topic out of results.
    if is_first:
        enqueue_after_commit(tasks.reindex_topic, topic_id)
    else:
        enqueue_after_commit(tasks.index_post, post_id)


def _idea_changed(_sender=None, *, idea_id: int, **_payload) -> None:
    enqueue_after_commit(tasks.sync_refs, [f"idea:{idea_id}"])


def _searchable_changed(_sender=None, *, kind: str, object_id: int, **_payload) -> None:
    enqueue_after_commit(tasks.sync_refs, [f"{kind}:{object_id}"])


def _topic_changed(_sender=None, *, topic_id: int, **_payload) -> None:
    # An accepted answer changes the solved flag (filter and boost) of every post.
    enqueue_after_commit(tasks.reindex_topic, topic_id)


SUBSCRIPTIONS = events.Subscriptions(
    (events.post_created, _post_changed),
    (events.post_edited, _post_changed),
    (events.post_removed, _post_removed),
    (events.answer_accepted, _topic_changed),
    (events.post_visibility_changed, _visibility_changed),
    (events.idea_submitted, _idea_changed),
    (events.idea_state_changed, _idea_changed),
    (events.searchable_changed, _searchable_changed),
)
connect = SUBSCRIPTIONS.connect
disconnect = SUBSCRIPTIONS.disconnect
