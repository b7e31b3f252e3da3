"""Moderation hears the scorer (``post_scored``): negative posts enter the queue and are
pushed live to moderators. A failure here is logged and never undoes the score (each
receiver of a ``forum.events`` signal runs in a unit of work of its own)."""

from __future__ import annotations

from forum import events
from moderation.services import queue


def _on_post_scored(_sender=None, *, post_id: int, negative: bool,
                    previous_negative: bool | None = None, **_payload) -> None:
    if not negative:
        if previous_negative:
            # A post rescored (new model, or an edit) as not negative leaves the open queue
            # as dismissed by the model, in the audit log and reopenable; handled items stay.
            queue.dismiss_by_model(post_id)
        return
    # An edit that makes a handled post negative again puts it back in front of people.
    item, created = queue.enqueue(post_id, reopen=previous_negative is False)
    if created and item is not None:
        queue.push_live(item)


SUBSCRIPTIONS = events.Subscriptions(
    (events.post_scored, _on_post_scored),
)
connect = SUBSCRIPTIONS.connect
disconnect = SUBSCRIPTIONS.disconnect
