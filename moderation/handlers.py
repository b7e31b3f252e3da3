"""Moderation hears the scorer (``post_scored``): negative posts enter the queue and are
pushed live to moderators. A failure here is logged and never undoes the score."""

from __future__ import annotations

import logging

from forum.extensions import db

log = logging.getLogger(__name__)


def _on_post_scored(_sender=None, *, post_id: int, negative: bool,
                    previous_negative: bool | None = None, **_payload) -> None:
    from moderation.services import queue

    if not negative:
        if previous_negative:
            _settle(post_id)
        return
    try:
        # An edit that makes a handled post negative again puts it back in front of people.
        item, created = queue.enqueue(post_id, reopen=previous_negative is False)
        if created and item is not None:
            queue.push_live(item)
    except Exception:
        log.exception("queueing scored post %s failed", post_id)
        db.session.rollback()


def _settle(post_id: int) -> None:
    """A post rescored (new model, or an edit) as not negative leaves the open queue as
    dismissed by the model, in the audit log and reopenable; handled items stay as they are."""
    from moderation.services import queue

    try:
        queue.dismiss_by_model(post_id)
    except Exception:
        log.exception("settling rescored post %s failed", post_id)
        db.session.rollback()


def connect() -> None:
    """Subscribe once per process (blinker ignores a second connect of the same function)."""
    from moderation.scoring.signals import post_scored

    post_scored.connect(_on_post_scored)


def disconnect() -> None:
    """Stop hearing the scorer (the demo seed scores in bulk, then queues in one pass)."""
    from moderation.scoring.signals import post_scored

    post_scored.disconnect(_on_post_scored)
