"""The event catalogue: every cross-package signal of Huzhu, sent only after commit.

Services call ``emit(signal, **payload)`` while they work and ``commit()`` at the end of a
unit of work; the queued events are sent once the transaction has committed and dropped if it
rolls back, so a handler never sees a row that does not exist and a rolled-back post earns
nothing. Handlers receive ``sender=None`` and keyword arguments only (ids, not ORM objects,
so they can be handed to a Celery task).

Subscribe with ``post_created.connect(handler)`` in a package's ``handlers.py``.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from blinker import Namespace

from forum.extensions import db

log = logging.getLogger(__name__)
signals = Namespace()

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
# follower_id, followed_id, following (bool)
user_followed = signals.signal("user_followed")
# message_id, conversation_id, sender_id, recipient_id, new_conversation (bool)
message_sent = signals.signal("message_sent")
# post_id, topic_id, tribe_id, author_id, is_first, visibility (new), previous (old), by_id
# Moderation hides, restores or cold-handles (冷处理) a post; search and lists follow it.
post_visibility_changed = signals.signal("post_visibility_changed")

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

# kind, object_id — a package's searchable object (forum/searchable.py) changed its text
searchable_changed = signals.signal("searchable_changed")

_PENDING = "huzhu_pending_events"
_PENDING_TASKS = "huzhu_pending_tasks"  # forum.tasks.enqueue_after_commit


def emit(signal, **payload) -> None:
    """Queue an event to be sent after the current transaction commits."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so a rollback() before any SQL still discards the queue
    session.info.setdefault(_PENDING, []).append((signal, payload))


def commit() -> None:
    """Commit the session, then send the events queued during this unit of work."""
    db.session.commit()
    dispatch_pending()


_DEPTH = "huzhu_dispatch_depth"  # forum.tasks defers eager tasks while handlers run


def dispatch_pending() -> None:
    info = db.session.info
    info[_DEPTH] = info.get(_DEPTH, 0) + 1
    try:
        _dispatch()
    finally:
        info[_DEPTH] -= 1
    if info[_DEPTH] == 0:
        from forum.tasks import run_deferred

        run_deferred()


def _dispatch() -> None:
    pending = db.session.info.pop(_PENDING, [])
    for signal, payload in pending:
        # Each subscriber on its own: one package's failure must neither undo the committed
        # action nor keep the event from the other packages (blinker stops at the first error).
        for receiver in list(signal.receivers_for(None)):
            try:
                receiver(None, **payload)
            except Exception:
                log.exception("event handler %s for %s failed",
                              getattr(receiver, "__qualname__", receiver), signal.name)
                db.session.rollback()
    # Handlers queue follow-up work (events, tasks via forum.tasks.enqueue_after_commit) in a
    # unit of work of their own: commit it so that work goes out too.
    if pending and (db.session.info.get(_PENDING) or db.session.info.get(_PENDING_TASKS)):
        commit()


@sa.event.listens_for(sa.orm.Session, "after_soft_rollback")
def _drop_pending_on_rollback(session, previous_transaction) -> None:
    # Every rollback() of the outer transaction drops the queue, even one that found no
    # database transaction open; a savepoint rollback leaves the outer work queued.
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)
