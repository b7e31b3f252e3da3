"""Hits to result items for one viewer: each post is read again, so a stale index entry can
never show what was hidden meanwhile, and titles and snippets come from the text the viewer
may see (PII masked for others), highlighted on the original text. Other packages' kinds
(ideas) are hydrated by search/services/external.py, or by a hydrator they register."""

from __future__ import annotations

from typing import Any

from forum.models import User
from forum.permissions import is_authenticated, post_html_for, topic_title_for
from search.models import REPLY, TOPIC
from search.services import documents, external
from search.services.base import Hit
from search.services.highlight import highlight_all, snippet
from search.services.results import SearchResult

# Hydrators turn a page of hits of some kinds into result items for a viewer; ideas add one.
Hydrator = Any
HYDRATORS: dict[str, Hydrator] = {}


def register_hydrator(kinds: tuple[str, ...], hydrator: Hydrator) -> None:
    for kind in kinds:
        HYDRATORS[kind] = hydrator


def hydrate_posts(viewer: User | None, hits: list[Hit], terms: list[str]
                   ) -> tuple[dict[tuple[str, int], SearchResult], list[str]]:
    posts = documents.posts_for_hits([h.object_id for h in hits])
    viewer_id = viewer.id if is_authenticated(viewer) else None
    out: dict[tuple[str, int], SearchResult] = {}
    stale: list[str] = []
    for hit in hits:
        post = posts.get(hit.object_id)
        if post is None or not documents.may_find(viewer_id, post):
            stale.append(documents.ref("post", hit.object_id))
            continue
        topic = post.topic
        title = topic_title_for(viewer, topic)
        text = documents.html_to_text(post_html_for(viewer, post))
        out[(hit.kind, hit.object_id)] = SearchResult(
            kind=hit.kind,
            id=topic.id if hit.kind == TOPIC else post.id,
            topic_id=topic.id,
            post_id=post.id,
            title=title,
            title_html=highlight_all(title, terms),
            snippet_html=snippet(text, terms),
            score=round(hit.score, 4),
            created_at=post.created_at,
            solved=topic.accepted_post_id is not None,
            tribe=topic.tribe,
            author=post.author,
        )
    return out, stale


register_hydrator((TOPIC, REPLY), hydrate_posts)


def hydrate(viewer: User | None, hits: list[Hit], terms: list[str]
             ) -> tuple[list[SearchResult], list[str]]:
    by_hydrator: dict[Any, list[Hit]] = {}
    for hit in hits:
        hydrator = HYDRATORS.get(hit.kind, external.hydrate)
        if hydrator is not None:
            by_hydrator.setdefault(hydrator, []).append(hit)
    found: dict[tuple[str, int], SearchResult] = {}
    stale: list[str] = []
    for hydrator, group in by_hydrator.items():
        items, gone = hydrator(viewer, group, terms)
        found.update(items)
        stale += gone
    return [found[(h.kind, h.object_id)] for h in hits if (h.kind, h.object_id) in found], stale
