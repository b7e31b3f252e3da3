"""Moderation hears the forum: a negative score (``post_scored``) or a member's 举报
(``post_reported``) puts the post in the queue, pushed live to moderators; an administrator's
reset link (``password_reset_issued``) goes on the audit log. A failure here is logged and never
undoes what the forum did (each receiver of a ``forum.events`` signal runs in a unit of work of
its own)."""

from __future__ import annotations

from forum import events
from moderation.services import audit, queue, reports


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


def _on_password_reset_issued(_sender=None, *, reset_id: int, user_id: int, channel: str,
                              issued_by_id: int | None = None, **_payload) -> None:
    """An administrator's reset link goes on the audit log (one mailed on request does not:
    nobody but the owner acted)."""
    if channel == "admin":
        audit.record(issued_by_id, "password_reset_link", "user", user_id,
                     after={"reset_id": reset_id})


def _on_post_reported(_sender=None, *, post_id: int, **_payload) -> None:
    """A member's 举报: the post is queued (or its item counts the report and reopens)."""
    item, fresh = reports.enqueue_report(post_id)
    if fresh and item is not None:
        queue.push_live(item)


SUBSCRIPTIONS = events.Subscriptions(
    (events.post_scored, _on_post_scored),
    (events.password_reset_issued, _on_password_reset_issued),
    (events.post_reported, _on_post_reported),
)
connect = SUBSCRIPTIONS.connect
disconnect = SUBSCRIPTIONS.disconnect
