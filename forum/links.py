"""The one place that spells a post's permalink (``/p/<id>``, served by
``forum.views.notifications.post_permalink``, which finds the post's page in its topic)."""

from __future__ import annotations


def post_permalink(post_id: int) -> str:
    return f"/p/{int(post_id)}"
