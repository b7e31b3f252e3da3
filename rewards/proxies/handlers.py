"""The proxy programme hears the forum (and moderation) through forum.events.

Signals arrive after the action committed. Each handler does its small piece of work and
commits it; notifications go out through ``notify`` (a task after that commit).
"""

from __future__ import annotations

from forum import events
from forum.services.notifications import notify
from rewards.proxies.services import circles, commission, lifecycle


def on_post_created(_sender=None, *, post_id: int, topic_id: int, author_id: int,
                    is_first: bool, **_):
    """A circle member's new topic goes to their proxy at once (PRODUCT §2.4)."""
    if not is_first:
        return
    proxy_id = circles.proxy_of(author_id)
    if proxy_id is None or proxy_id == author_id or not lifecycle.is_active_proxy(proxy_id):
        return
    notify(proxy_id, "circle_topic", {"actor_id": author_id, "topic_id": topic_id,
                                      "post_id": post_id})


def on_answer_accepted(_sender=None, *, topic_id: int, tribe_id: int, post_id: int,
                       post_author_id: int, previous_post_id: int | None = None, **_):
    if previous_post_id is not None and previous_post_id != post_id:
        commission.reverse_accepted_answer(previous_post_id)
    commission.award_accepted_answer(post_id, post_author_id, tribe_id, topic_id)


def on_post_removed(_sender=None, *, post_id: int, is_first: bool = False, **_):
    # A removed accepted reply loses its mark (forum.services.topics.delete_post).
    if not is_first:
        commission.reverse_accepted_answer(post_id, reason="最佳答案已被删除")


def on_ticket_rated(_sender=None, *, ticket_id: int, tribe_id: int | None = None,
                    responder_ids=(), score: int = 0, **_):
    commission.award_ticket(ticket_id, tribe_id, responder_ids, score)


SUBSCRIPTIONS = events.Subscriptions(
    (events.post_created, on_post_created),
    (events.answer_accepted, on_answer_accepted),
    (events.post_removed, on_post_removed),
    (events.ticket_rated, on_ticket_rated),
)
connect = SUBSCRIPTIONS.connect
disconnect = SUBSCRIPTIONS.disconnect
