"""Moderators' decisions as training labels for the scorer (learning from moderators).

Every decision on a queued post adds a ``ModerationLabel`` in the same unit of work as the
action and its audit entry: dismissing (or "不是负面") says the post is not negative; a
ticket, cold handling, hiding or a canned/private reply says it is; choosing a demand class
says which demand it is. Reopen and restore say nothing new and add no label.
"""

from __future__ import annotations

from forum.extensions import db
from forum.models import User, utcnow
from moderation.models import KIND_REPORT, QueueItem
from moderation.scoring.models import ModerationLabel

NOT_NEGATIVE_ACTIONS = frozenset({"dismiss", "not_negative"})
NEGATIVE_ACTIONS = frozenset({"ticket", "cold", "hide", "reply", "message"})


def record(actor: User, item: QueueItem, action: str) -> ModerationLabel | None:
    """Add the label ``action`` implies (not committed: the action commits it)."""
    if action in NOT_NEGATIVE_ACTIONS and item.kind == KIND_REPORT:
        return None  # an unfounded 举报 says nothing about the post's sentiment
    if action in NOT_NEGATIVE_ACTIONS:
        negative, demand = False, None
    elif action in NEGATIVE_ACTIONS:
        negative, demand = True, item.demand
    elif action == "set_demand":
        negative, demand = None, item.demand
    else:
        return None
    label = ModerationLabel(post_id=item.post_id, negative=negative, demand=demand,
                            source_action=action, moderator_id=actor.id, created_at=utcnow())
    db.session.add(label)
    return label
