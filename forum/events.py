"""The event catalogue: every cross-package signal of Huzhu, sent only after commit.

Services call ``emit(signal, **payload)`` while they work; the edge commits the unit of work
and the event is sent then (``forum.uow.on_commit``), or never if it rolls back, so a handler
never sees a row that does not exist and a rolled-back post earns nothing. Handlers receive
``sender=None`` and keyword arguments only (ids, not ORM objects, so they can be handed to a
Celery task; in tests the payload goes through JSON to prove it).

Each receiver runs on its own: its work is committed after it, and if it raises, it is logged
and its work rolled back, while the other receivers still hear the event.

Subscribe with ``post_created.connect(handler)`` in a package's ``handlers.py``.
"""

from __future__ import annotations

import logging
from typing import Any

from blinker import NamedSignal, Namespace

from forum import uow

log = logging.getLogger(__name__)


class Event(NamedSignal):
    """A catalogue signal whose receivers are isolated from one another (blinker itself stops
    at the first error). ``send`` belongs after a commit; services use ``emit``."""

    def send(self, sender: Any = None, /, *args: Any, **payload: Any) -> list:
        results = []
        session = uow.current_session()
        for receiver in list(self.receivers_for(sender)):
            try:
                results.append((receiver, receiver(sender, **payload)))
                session.commit()
            except Exception:
                log.exception("event handler %s for %s failed",
                              getattr(receiver, "__qualname__", receiver), self.name)
                session.rollback()
        return results


class _Catalogue(Namespace):
    def signal(self, name: str, doc: str | None = None) -> Event:  # type: ignore[override]
        if name not in self:
            self[name] = Event(name, doc)
        return self[name]  # type: ignore[return-value]


signals = _Catalogue()

# user_id, username
user_registered = signals.signal("user_registered")
# post_id, topic_id, tribe_id, author_id, is_first, mentions (list of user ids)
post_created = signals.signal("post_created")
# post_id, topic_id, tribe_id, author_id, editor_id, is_first, mentions
post_edited = signals.signal("post_edited")
# post_id, topic_id, tribe_id, author_id, removed_by_id, is_first, by_moderator
post_removed = signals.signal("post_removed")
# post_id, topic_id, tribe_id, author_id (of the post), user_id (who liked), liked (bool)
post_liked = signals.signal("post_liked")
# topic_id, tribe_id, post_id, post_author_id, topic_author_id, accepted_by_id,
# previous_post_id (None or the reply that lost the mark)
answer_accepted = signals.signal("answer_accepted")
# reset_id, user_id, channel ("email" or "admin"), issued_by_id (the admin, or None):
# a password reset link was issued (forum/services/passwords.py); moderation audits it
password_reset_issued = signals.signal("password_reset_issued")
# follower_id, followed_id, following (bool)
user_followed = signals.signal("user_followed")
# message_id, conversation_id, sender_id, recipient_id, new_conversation (bool)
message_sent = signals.signal("message_sent")
# post_id, topic_id, tribe_id, author_id, is_first, visibility (new), previous (old), by_id
# Moderation hides, restores or cold-handles (冷处理) a post; search and lists follow it.
post_visibility_changed = signals.signal("post_visibility_changed")
# report_id, post_id, topic_id, tribe_id, author_id (of the post), reporter_id, reason,
# open_reports (how many open reports the post has now) — a member's 举报
post_reported = signals.signal("post_reported")
# topic_id, tribe_id, author_id, featured (bool), by_id — a tribe moderator's 精华 on or off
topic_featured = signals.signal("topic_featured")

# Moderation (tickets, 工单)
# ticket_id, number, customer_id, source_post_id (or None), tribe_id (or None), created_by_id
ticket_created = signals.signal("ticket_created")
# ticket_id, number, customer_id, tribe_id (or None), responder_ids (users who sent a
# customer-visible reply), resolved_by_id
ticket_resolved = signals.signal("ticket_resolved")
# ticket_id, number, customer_id, tribe_id (or None), responder_ids, score (1-5)
ticket_rated = signals.signal("ticket_rated")

# Golden ideas (金点子, employees only)
# idea_id, author_id, category
idea_submitted = signals.signal("idea_submitted")
# idea_id, author_id (of the idea), voter_id, voted (bool)
idea_voted = signals.signal("idea_voted")
# idea_id, author_id, previous, state, by_id, reason (or None)
idea_state_changed = signals.signal("idea_state_changed")

# Moderation's scorer (moderation.scoring)
# post_id, score, negative, previous_negative (None when the post had no score before);
# sent right after the score is committed
post_scored = signals.signal("post_scored")

# kind, object_id — a package's searchable object (forum/searchable.py) changed its text
searchable_changed = signals.signal("searchable_changed")


class Subscriptions:
    """A package's receivers, the one way to register them: ``(signal, handler)`` pairs in its
    ``handlers.py``, connected by its ``init_app`` and disconnected together (a bulk load
    pauses them). Blinker keeps one connection per receiver, so connecting twice is harmless."""

    def __init__(self, *pairs: tuple[Event, Any]) -> None:
        self.pairs = pairs

    def connect(self) -> None:
        for signal, handler in self.pairs:
            signal.connect(handler)

    def disconnect(self) -> None:
        for signal, handler in self.pairs:
            signal.disconnect(handler)


def emit(signal: Event, **payload: Any) -> None:
    """Send ``signal`` with ``payload`` once the current transaction commits."""
    sent = uow.as_sent(payload)
    uow.on_commit(lambda: signal.send(None, **sent))


def commit() -> None:
    """Commit the unit of work (the events queued during it are sent before this returns)."""
    uow.commit()
