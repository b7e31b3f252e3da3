"""Other packages' searchable kinds (forum/searchable.py) as search sources and results.

A registered kind (ideas) is indexed from its own ``load`` (never from event payloads), for
employees only when it says so, and every hit is checked again at query time: the viewer must
still be allowed to find the kind and ``load`` must still return the object.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from flask import current_app
from sqlalchemy.orm import Session

from forum.extensions import db
from forum.models import User
from forum.rendering import mask_pii
from forum.searchable import Searchable, searchables
from search.models import AUDIENCE_ALL, AUDIENCE_EMPLOYEES
from search.services.highlight import highlight_all, snippet
from search.services.results import SearchResult
from search.services.sources import Loaded, SearchDoc, Source, ref


def _doc(searchable: Searchable, object_id: int) -> SearchDoc | None:
    found = searchable.load(object_id)
    if found is None:
        return None
    return SearchDoc(kind=searchable.kind, object_id=object_id, created_at=found.created_at,
                     title=mask_pii(found.title), body=mask_pii(found.text),
                     author_id=found.author_id,
                     audience=AUDIENCE_EMPLOYEES if searchable.employees_only else AUDIENCE_ALL)


def _source(searchable: Searchable) -> Source:
    def load(ids: list[int], _session: Session) -> Loaded:
        loaded = Loaded()
        for object_id in ids:
            doc = _doc(searchable, object_id)
            if doc is None:
                loaded.deleted_keys.append(f"{searchable.kind}:{object_id}")
            else:
                loaded.docs.append(doc)
        return loaded

    def all_ids(_session: Session, batch: int) -> Iterator[list[int]]:
        ids = iter(searchable.all_ids())
        while chunk := list(islice(ids, batch)):
            yield chunk

    def count(_session: Session) -> int:
        return sum(1 for _ in searchable.all_ids())

    return Source(load=load, all_ids=all_ids, count=count)


def external_sources() -> dict[str, Source]:
    if not current_app:
        return {}
    return {kind: _source(s) for kind, s in searchables(current_app._get_current_object()).items()}


def hydrate(viewer: User | None, hits: list, terms: list[str]):
    """Result items for hits of registered kinds the viewer may still find."""
    out, stale = {}, []
    registered = searchables(current_app._get_current_object())
    for hit in hits:
        searchable = registered.get(hit.kind)
        found = searchable.load(hit.object_id) if searchable and searchable.may_find(viewer) \
            else None
        if found is None:
            if searchable is not None and searchable.may_find(viewer):
                stale.append(ref(hit.kind, hit.object_id))
            continue
        title, text = mask_pii(found.title), mask_pii(found.text)
        author = db.session.get(User, found.author_id) if found.author_id else None
        out[(hit.kind, hit.object_id)] = SearchResult(
            kind=hit.kind, id=hit.object_id, topic_id=None, post_id=None, title=title,
            title_html=highlight_all(title, terms), snippet_html=snippet(text, terms),
            score=round(hit.score, 4), created_at=found.created_at, author=author,
            url=searchable.url(hit.object_id))
    return out, stale
