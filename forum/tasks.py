"""The core's Celery tasks: thin, idempotent wrappers around services (the machinery is in
``forum.jobs``)."""

from __future__ import annotations

from typing import Any

# BEAT_SCHEDULE, enqueue_after_commit and send_now are re-exported for the modules not yet
# moved to ``forum.jobs`` (search and the scorer, whose owners are at work on them); new code
# imports the machinery from ``forum.jobs``.
from forum.jobs import (  # noqa: F401
    BEAT_SCHEDULE,
    enqueue_after_commit,
    register_periodic,
    send_now,
    task,
)
from forum.realtime import rendering
from forum.services import notifications


@task(name="forum.deliver_notification")
def deliver_notification(user_ids: list[int], kind: str, payload: dict[str, Any]) -> int:
    """Create (or fold into an unread group) the notification for each user, then push it live.
    Idempotent: a receipt per (user, event) makes a second delivery a no-op."""
    return notifications.deliver(user_ids, kind, payload)


@task(name="forum.broadcast_reply")
def broadcast_reply(post_id: int) -> bool:
    """Push a new reply to everyone with its topic open (``reply_created``)."""
    return rendering.broadcast_reply(post_id)


@task(name="forum.purge_old_notifications")
def purge_old_notifications(days: int = 180) -> int:
    """Delete read notifications older than ``days`` (and their receipts)."""
    return notifications.purge_read(days)


register_periodic("forum.purge_old_notifications", "forum.purge_old_notifications",
                  schedule=24 * 3600.0)
