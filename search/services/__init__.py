"""Search (PRODUCT §5): the one interface pages, the API, tasks and the CLI use.

``search(viewer, q, filters, page)`` parses the query (jieba, synonyms), asks the configured
backend — whoosh (embedded default) or PostgreSQL full text (chosen automatically on
PostgreSQL; ``HUZHU_SEARCH_BACKEND=auto|whoosh|postgres``) — and turns its hits into result
items for that viewer: the post is read again, so a stale index entry can never show what
was hidden meanwhile, and titles and snippets come from the text the viewer may see (PII
masked for others), highlighted on the original text.

Indexing: ``sync(refs)`` brings documents up to date from the database; the tasks in
``search/tasks.py`` call it after forum events, ``rebuild()`` backs ``flask search reindex``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from forum.errors import ValidationError
from forum.extensions import db
from forum.models import VISIBLE, Topic, Tribe, User
from forum.pagination import Page
from forum.permissions import is_authenticated, post_html_for, topic_title_for
from forum.templating import SHANGHAI
from search.analysis import (
    MAX_QUERY_CHARS,
    Alternative,
    Group,
    ParsedQuery,
    parse_query,
    query_grams,
)
from search.models import AUDIENCE_ALL, AUDIENCE_EMPLOYEES, IDEA, KINDS, REPLY, TOPIC
from search.services import documents
from search.services.base import Backend, Filters, Hit, HitPage, Scope
from search.services.highlight import highlight_all, snippet
from search.services.synonyms import synonym_map

PER_PAGE = 20
MAX_PAGE = 50  # the first 1,000 results; nobody reads further, and deep pages cost
MAX_PER_PAGE = 50
KIND_LABELS = {TOPIC: "话题", REPLY: "回复", IDEA: "金点子"}


def backend() -> Backend:
    return current_app.extensions["search_backend"]


def create_backend(app) -> Backend:
    """The backend ``SEARCH_BACKEND`` names; ``auto`` is PostgreSQL on PostgreSQL."""
    choice = app.config.get("SEARCH_BACKEND", "auto")
    if choice == "auto":
        url = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
        choice = "postgres" if url.startswith("postgresql") else "whoosh"
    if choice == "postgres":
        from search.services.postgres_backend import PostgresBackend

        return PostgresBackend()
    if choice == "whoosh":
        from search.services.whoosh_backend import WhooshBackend

        return WhooshBackend(app.config["SEARCH_INDEX_DIR"], procs=app.config["SEARCH_INDEX_PROCS"])
    raise ValueError(f"SEARCH_BACKEND must be auto, whoosh or postgres, not {choice!r}")


# --- input ----------------------------------------------------------------------------------


def _parse_date(value: str, field_name: str, errors: dict) -> datetime | None:
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d")
    except ValueError:
        errors[field_name] = "日期格式应为 YYYY-MM-DD"
        return None
    return day.replace(tzinfo=SHANGHAI)


def parse_filters(kind: str | None = None, tribe: str | None = None, solved: Any = None,
                  date_from: str | None = None, date_to: str | None = None) -> Filters:
    """Filters from user input (page query string or API); bad values → ValidationError.

    ``date_from``/``date_to`` are days in Asia/Shanghai, both included.
    """
    errors: dict[str, str] = {}
    kinds = None
    if kind not in (None, "", "all"):
        if kind not in KINDS:
            errors["type"] = "类型只能是 topic（话题）、reply（回复）或 idea（金点子）"
        else:
            kinds = (kind,)
    tribe_id = None
    if tribe not in (None, ""):
        if "\x00" in tribe:
            errors["tribe"] = "部落不存在"
        else:
            tribe_id = db.session.scalar(sa.select(Tribe.id).where(Tribe.slug == tribe))
            if tribe_id is None:
                errors["tribe"] = "部落不存在"
    solved_value = None
    if solved not in (None, "", "all"):
        text = str(solved).strip().lower()
        if text in ("1", "true", "yes", "on"):
            solved_value = True
        elif text in ("0", "false", "no", "off"):
            solved_value = False
        else:
            errors["solved"] = "solved 只能是 1（已解决）或 0（未解决）"
    start = _parse_date(date_from, "date_from", errors) if date_from else None
    end = _parse_date(date_to, "date_to", errors) if date_to else None
    if start and end and start > end:
        errors["date_to"] = "结束日期不能早于开始日期"
    if errors:
        raise ValidationError("搜索条件有误", errors)
    return Filters(kinds=kinds, tribe_id=tribe_id, solved=solved_value,
                   created_from=start, created_before=end + timedelta(days=1) if end else None)


def scope_for(viewer: User | None) -> Scope:
    if not is_authenticated(viewer):
        return Scope(viewer_id=None, audiences=(AUDIENCE_ALL,))
    audiences = (AUDIENCE_ALL, AUDIENCE_EMPLOYEES) if viewer.has_role("employee") else (
        AUDIENCE_ALL,)
    return Scope(viewer_id=viewer.id, audiences=audiences)


# --- output ---------------------------------------------------------------------------------


@dataclass
class SearchResult:
    kind: str
    id: int  # topic id for a topic, post id for a reply (the API's "id")
    topic_id: int | None
    post_id: int | None
    title: str
    title_html: Markup
    snippet_html: Markup
    score: float
    created_at: datetime
    solved: bool = False
    tribe: Tribe | None = None
    author: User | None = None
    url: str | None = None  # set for other packages' kinds (an idea's page)


@dataclass
class SearchResults:
    query: ParsedQuery
    filters: Filters
    page: Page  # items: list[SearchResult]; total estimated on deep whoosh pages
    relaxed: bool = False  # no result had every word: these have some of them
    notices: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0
    strict_total: int = 0  # how many results have every word (the rest are partial)
    # no result with every word: a corrected query that has some (流两 → 流量)
    did_you_mean: str | None = None

    @property
    def total(self) -> int:
        return self.page.total


# Hydrators turn a page of hits of some kinds into result items for a viewer; ideas add one.
Hydrator = Any
HYDRATORS: dict[str, Hydrator] = {}


def register_hydrator(kinds: tuple[str, ...], hydrator: Hydrator) -> None:
    for kind in kinds:
        HYDRATORS[kind] = hydrator


def _hydrate_posts(viewer: User | None, hits: list[Hit], terms: list[str]
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


register_hydrator((TOPIC, REPLY), _hydrate_posts)


# --- searching ------------------------------------------------------------------------------


def search(viewer: User | None, q: str | None, filters: Filters | None = None, page: int = 1,
           per_page: int = PER_PAGE, suggest: bool = True) -> SearchResults:
    """One page of results for ``viewer``; an empty query gives an empty page (the page
    shows a hint). Results with every word come first; when fewer than RELAX_BELOW have
    them all, results with most of the words follow (``relaxed``), and when words still
    find little, results sharing the query's character bigrams."""
    started = time.perf_counter()
    filters = filters or Filters()
    query = parse_query(q, synonym_map())
    notices = []
    if query.truncated:
        notices.append(f"搜索词太长，只用了前 {MAX_QUERY_CHARS} 个字")
    page = min(max(1, page), MAX_PAGE)
    offset = (page - 1) * per_page
    if query.is_empty and not query_grams(query.text):
        return SearchResults(query, filters, Page([], page, per_page, 0), notices=notices)
    found, strict_total, used = find_hits(viewer, query, filters, offset, per_page)
    relaxed = found.total > strict_total
    if relaxed:
        notices.append(PARTIAL_NOTICE if strict_total == 0 else
                       f"只有 {strict_total} 条结果包含全部词语，其后为部分匹配")
    items, stale = _hydrate(viewer, found.hits, used.highlight_terms())
    if stale:
        _resync_later(stale)
    total = max(found.total - len(stale), offset + len(items))
    total = min(total, MAX_PAGE * per_page)
    corrected = None
    if suggest and strict_total == 0 and offset == 0:
        from search.services.didyoumean import did_you_mean

        corrected = did_you_mean(viewer, query.text, filters)
    elapsed = (time.perf_counter() - started) * 1000
    return SearchResults(query, filters, Page(items, page, per_page, total), relaxed=relaxed,
                         notices=notices, elapsed_ms=elapsed, strict_total=strict_total,
                         did_you_mean=corrected)


PARTIAL_NOTICE = "未找到包含全部词语的结果，以下为部分匹配"
RELAX_BELOW = 5  # strict results fewer than this: add partial matches after them
GRAM_SHARE = 0.6  # a bigram fallback hit shares at least this part of the query's bigrams


def find_hits(viewer: User | None, query: ParsedQuery, filters: Filters, offset: int,
              limit: int) -> tuple[HitPage, int, ParsedQuery]:
    """(hits, how many have every word, the query whose terms the hits matched).

    Stages, each run only while the results so far are fewer than RELAX_BELOW: every word;
    at least half of the words split finer (``loosened``), ranked by how many match; the
    character bigrams. A later stage's hits follow the earlier ones'."""
    engine = backend()
    scope = scope_for(viewer)
    found = HitPage([], 0)
    if not query.is_empty:
        found = engine.search(query, filters, scope, offset, limit)
    strict_total = found.total
    if strict_total >= RELAX_BELOW:
        return found, strict_total, query
    stages = []
    loose = query.loosened()
    if len(loose.groups) > 1 or loose.groups != query.groups:
        # half the words as typed: splitting them finer must not raise the bar
        stages.append((loose, max(1, -(-len(query.groups) // 2))))
    grams = gram_query(query.text)
    if not grams.is_empty:
        stages.append((grams, max(1, math.ceil(len(grams.groups) * GRAM_SHARE))))
    if not stages:
        return found, strict_total, query
    if offset and strict_total:  # fewer than RELAX_BELOW: all of them lead every page
        found = engine.search(query, filters, scope, 0, RELAX_BELOW)
    hits = list(found.hits)
    used = query
    for stage, min_match in stages:
        seen = {(h.kind, h.object_id) for h in hits}
        more = engine.search(stage, filters, scope, 0, offset + limit + len(seen),
                             min_match=min_match)
        fresh = [h for h in more.hits if (h.kind, h.object_id) not in seen]
        total = len(hits) + more.total - (len(more.hits) - len(fresh))
        hits += fresh
        used = ParsedQuery(query.text, groups=used.groups + stage.groups)
        if total >= RELAX_BELOW:
            break
    return HitPage(hits[offset:offset + limit], max(total, len(hits))), strict_total, used


def gram_query(text: str) -> ParsedQuery:
    """The query's character bigrams as groups of one term each (matched on the bigram
    tokens indexed beside the words)."""
    grams = query_grams(text)[:MAX_GRAMS]
    return ParsedQuery(text, groups=[Group((Alternative((g,), g[1:]),)) for g in grams])


MAX_GRAMS = 16


def _hydrate(viewer: User | None, hits: list[Hit], terms: list[str]
             ) -> tuple[list[SearchResult], list[str]]:
    from search.services import external

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


def _resync_later(refs: list[str]) -> None:
    """A hit the viewer may not see means the index lags the database: fix it."""
    from forum.tasks import send_now
    from search.tasks import sync_refs

    send_now(sync_refs, refs)


def suggestions(viewer: User | None, limit: int = 6) -> dict[str, list]:
    """For a search without results: busy tribes and recently solved topics."""
    tribes = list(db.session.scalars(
        sa.select(Tribe).order_by(Tribe.topic_count.desc(), Tribe.position, Tribe.id)
        .limit(limit).options(sa.orm.lazyload(Tribe.moderators))))
    solved = list(db.session.scalars(
        sa.select(Topic)
        .where(Topic.accepted_post_id.is_not(None), Topic.deleted_at.is_(None),
               Topic.visibility == VISIBLE)
        .order_by(Topic.last_activity_at.desc(), Topic.id.desc()).limit(limit)
        .options(joinedload(Topic.tribe).lazyload(Tribe.moderators))))
    return {"tribes": tribes, "solved_topics": solved}


# --- indexing -------------------------------------------------------------------------------


def sync(refs: list[str]) -> None:
    """Bring these documents ("post:12") in line with the database, now."""
    if refs:
        backend().sync(list(dict.fromkeys(refs)))


def post_refs(post_ids: list[int]) -> list[str]:
    return [documents.ref("post", i) for i in post_ids]


def topic_refs(topic_id: int) -> list[str]:
    return documents.topic_post_refs(topic_id)


def rebuild(progress=None) -> int:
    """Rebuild the whole index from the database; returns the number of documents."""
    return backend().rebuild(progress)


def total_to_index() -> int:
    with documents.fresh_session() as session:
        return sum(source.count(session) for source in documents.sources().values())
