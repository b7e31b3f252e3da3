"""Moderation-internal signals (not part of the forum's event catalogue).

``post_scored`` is sent after ``score_post`` has committed, with keyword arguments
``post_id``, ``score``, ``negative`` and ``previous_negative`` (None when the post had no
score before). The moderation queue listens to it.
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

post_scored = signals.signal("moderation.post_scored")
