"""Similar questions (PRODUCT §5): topics like a title being written, and a topic's related
topics. The same relaxed search as the search page (every word, then most words, then the
title's character bigrams), topics only, re-checked for the viewer, solved ones first with
the first line of their accepted answer."""

from __future__ import annotations

from dataclasses import dataclass

from forum.extensions import db
from forum.models import Post, Topic, User
from forum.permissions import is_authenticated, post_html_for
from search.analysis import parse_query
from search.models import TOPIC
from search.services import _hydrate_posts, find_hits
from search.services.base import Filters
from search.services.documents import html_to_text, may_find
from search.services.synonyms import synonym_map

LIMIT = 5
CANDIDATES = 15  # best matches looked at before solved ones are moved up
EXCERPT_CHARS = 80


@dataclass
class SimilarTopic:
    topic_id: int
    title: str
    solved: bool
    accepted_excerpt: str | None
    score: float


def similar_topics(viewer: User | None, title: str | None, exclude_topic_id: int | None = None,
                   limit: int = LIMIT) -> list[SimilarTopic]:
    query = parse_query(title, synonym_map())
    if not query.text:
        return []
    found, _, _ = find_hits(viewer, query, Filters(kinds=(TOPIC,)), 0, CANDIDATES + 1)
    hits = found.hits
    items, _ = _hydrate_posts(viewer, hits, [])
    results = [items[(h.kind, h.object_id)] for h in hits if (h.kind, h.object_id) in items]
    results = [r for r in results if r.topic_id != exclude_topic_id][:CANDIDATES]
    results.sort(key=lambda r: not r.solved)  # stable: best match first within each
    out = []
    for r in results[:limit]:
        out.append(SimilarTopic(r.topic_id, r.title, r.solved,
                                _accepted_excerpt(viewer, r.topic_id) if r.solved else None,
                                r.score))
    return out


def _accepted_excerpt(viewer: User | None, topic_id: int) -> str | None:
    topic = db.session.get(Topic, topic_id)
    accepted = db.session.get(Post, topic.accepted_post_id) if topic else None
    viewer_id = viewer.id if is_authenticated(viewer) else None
    if accepted is None or not may_find(viewer_id, accepted):
        return None
    text = html_to_text(post_html_for(viewer, accepted)).strip()
    first = text.splitlines()[0].strip() if text else ""
    return first[:EXCERPT_CHARS] + ("…" if len(first) > EXCERPT_CHARS else "") or None
