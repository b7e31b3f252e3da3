"""``post_scored`` lives in the one event catalogue (``forum.events``); this name stays so the
scorer's import keeps working. It is sent right after ``score_post`` commits, with keyword
arguments ``post_id``, ``score``, ``negative`` and ``previous_negative`` (None when the post
had no score before); each receiver runs on its own (``forum.events.Event``)."""

from __future__ import annotations

from forum.events import post_scored

__all__ = ["post_scored"]
