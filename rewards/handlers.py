"""Rewards listens to the forum and ideas events (forum/events.py) and awards points.

Events arrive after their transaction committed; each handler calls an idempotent service
that writes and commits its own unit of work (the ledger's unique key makes a redelivered
event a no-op). The work is a handful of small statements, so it runs inline rather than
through a Celery task.
"""

from __future__ import annotations

from forum import events
from rewards.services import points


def on_post_created(_sender=None, *, post_id, tribe_id=None, author_id, is_first, **_):
    points.post_created(post_id=post_id, tribe_id=tribe_id, author_id=author_id,
                        is_first=is_first)


def on_post_liked(_sender=None, *, post_id, tribe_id=None, author_id, user_id, liked, **_):
    points.post_liked(post_id=post_id, tribe_id=tribe_id, author_id=author_id, user_id=user_id,
                      liked=liked)


def on_answer_accepted(_sender=None, *, topic_id, tribe_id=None, post_id, post_author_id,
                       topic_author_id, previous_post_id=None, **_):
    points.answer_accepted(topic_id=topic_id, tribe_id=tribe_id, post_id=post_id,
                           post_author_id=post_author_id, topic_author_id=topic_author_id,
                           previous_post_id=previous_post_id)


def on_post_removed(_sender=None, *, post_id, topic_id, is_first, by_moderator=False, **_):
    points.post_removed(post_id=post_id, topic_id=topic_id, is_first=is_first,
                        by_moderator=bool(by_moderator))


def on_idea_submitted(_sender=None, *, idea_id, author_id, **_):
    points.idea_submitted(idea_id=idea_id, author_id=author_id)


def on_idea_voted(_sender=None, *, idea_id, author_id, voter_id, voted, **_):
    points.idea_voted(idea_id=idea_id, author_id=author_id, voter_id=voter_id, voted=voted)


def on_idea_state_changed(_sender=None, *, idea_id, author_id, state, **_):
    points.idea_state_changed(idea_id=idea_id, author_id=author_id, state=state)


def on_user_registered(_sender=None, *, user_id, **_):
    points.user_registered(user_id=user_id)


SUBSCRIPTIONS = events.Subscriptions(
    (events.post_created, on_post_created),
    (events.post_liked, on_post_liked),
    (events.answer_accepted, on_answer_accepted),
    (events.post_removed, on_post_removed),
    (events.idea_submitted, on_idea_submitted),
    (events.idea_voted, on_idea_voted),
    (events.idea_state_changed, on_idea_state_changed),
    (events.user_registered, on_user_registered),
)
connect = SUBSCRIPTIONS.connect
disconnect = SUBSCRIPTIONS.disconnect
