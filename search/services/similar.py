"""Similar questions (PRODUCT §5): topics like a title being written, and a topic's related
topics. The same relaxed search as the search page (every word, then most words, then the
title's character bigrams), topics only, re-checked for the viewer, solved ones first with
the first line of their accepted answer."""

from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa

from forum.extensions import db
from forum.models import Post, Topic, User
from forum.permissions import is_authenticated, post_html_for
from search.models import TOPIC
from search.parsing import parse_query
from search.services.base import Filters, Hit
from search.services.documents import html_to_text, may_find
from search.services.hydration import hydrate_posts
from search.services.indexing import backend
from search.services.query import gram_query, scope_for
from search.services.synonyms import synonym_map

LIMIT = 5
CANDIDATES = 15  # hits asked for: some may be dropped for this viewer
EXCERPT_CHARS = 80
FUSION_K = 10
GRAM_SHARE_SIMILAR = 0.3


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
    filters = Filters(kinds=(TOPIC,))
    by_words = []
    if query.loose_groups:
        by_words = backend().search(query.loosened(), filters, scope_for(viewer), 0, CANDIDATES,
                                    min_match=1, coordinate=False).hits
    hits = _fused(by_words, _by_bigrams(viewer, query.text, filters))
    items, _ = hydrate_posts(viewer, hits, [])
    results = [items[(h.kind, h.object_id)] for h in hits if (h.kind, h.object_id) in items]
    # Solved ones first among the best ``limit``: moving up solved topics from further down
    # would push out the closest duplicates.
    results = [r for r in results if r.topic_id != exclude_topic_id][:limit]
    results.sort(key=lambda r: not r.solved)  # stable: best match first within each
    accepted = _accepted_posts([r.topic_id for r in results if r.solved])
    return [SimilarTopic(r.topic_id, r.title, r.solved,
                         _excerpt(viewer, accepted.get(r.topic_id)), r.score) for r in results]


def _by_bigrams(viewer: User | None, title: str, filters: Filters) -> list[Hit]:
    """Topics sharing the title's character bigrams, most shared first: blind to how
    jieba cut either text (免流量 in a title, 免流 + 量 in the post)."""
    grams = gram_query(title)
    if grams.is_empty:
        return []
    need = max(1, math.ceil(len(grams.groups) * GRAM_SHARE_SIMILAR))
    return backend().search(grams, filters, scope_for(viewer), 0, CANDIDATES,
                            min_match=need, coordinate=False).hits


def _fused(*rankings: list[Hit]) -> list[Hit]:
    """Reciprocal rank fusion: a topic high in either ranking, or fairly high in both,
    comes first."""
    scores: dict[tuple[str, int], float] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking):
            key = (hit.kind, hit.object_id)
            scores[key] = scores.get(key, 0.0) + 1.0 / (FUSION_K + rank)
    ordered = sorted(scores, key=lambda k: -scores[k])
    return [Hit(k[0], k[1], round(scores[k], 4)) for k in ordered]


def _accepted_posts(topic_ids: list[int]) -> dict[int, Post]:
    """topic id → its accepted answer, in one query (run even for none, so a page's query
    count does not depend on what was found)."""
    rows = db.session.execute(
        sa.select(Topic.id, Post).join(Post, Post.id == Topic.accepted_post_id)
        .where(Topic.id.in_(topic_ids))).all()
    return {topic_id: post for topic_id, post in rows}


def _excerpt(viewer: User | None, accepted: Post | None) -> str | None:
    viewer_id = viewer.id if is_authenticated(viewer) else None
    if accepted is None or not may_find(viewer_id, accepted):
        return None
    text = html_to_text(post_html_for(viewer, accepted)).strip()
    first = text.splitlines()[0].strip() if text else ""
    return first[:EXCERPT_CHARS] + ("…" if len(first) > EXCERPT_CHARS else "") or None
