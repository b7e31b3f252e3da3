"""The scorer hears new and edited posts and scores them in the background, after commit.

A failure here must never block posting: the handler only queues a task, and a failing task
is logged by forum.tasks; ``moderation.rescore_missing`` picks up the post later.
"""

from __future__ import annotations

import logging

from forum import events
from forum.tasks import enqueue_after_commit
from moderation.scoring import tasks

log = logging.getLogger(__name__)


def _post_changed(_sender=None, *, post_id: int, **_payload) -> None:
    try:
        enqueue_after_commit(tasks.score_post, post_id)
    except Exception:  # never let scoring break the forum's unit of work
        log.exception("could not queue scoring of post %s", post_id)


SUBSCRIPTIONS = events.Subscriptions(
    (events.post_created, _post_changed),
    (events.post_edited, _post_changed),
)
connect = SUBSCRIPTIONS.connect
disconnect = SUBSCRIPTIONS.disconnect
