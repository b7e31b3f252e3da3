"""The query core (PRODUCT §5): one page of results for a viewer.

``search(viewer, q, filters, page)`` parses the query (jieba, synonyms), asks the configured
backend — whoosh (embedded default) or PostgreSQL full text (chosen automatically on
PostgreSQL; ``HUZHU_SEARCH_BACKEND=auto|whoosh|postgres``) — in stages (every word, then most
words, then character bigrams) and hydrates the hits for that viewer
(search/services/hydration.py).
"""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum.errors import ValidationError
from forum.extensions import db
from forum.models import VISIBLE, Topic, Tribe, User
from forum.pagination import Page
from forum.permissions import is_authenticated
from forum.templating import SHANGHAI
from search.analysis import query_grams
from search.models import AUDIENCE_ALL, AUDIENCE_EMPLOYEES, KINDS
from search.parsing import MAX_QUERY_CHARS, Alternative, Group, ParsedQuery, parse_query
from search.services.base import Filters, HitPage, Scope
from search.services.didyoumean import did_you_mean
from search.services.hydration import hydrate
from search.services.indexing import backend, resync_later
from search.services.results import SearchResults
from search.services.synonyms import synonym_map

PER_PAGE = 20
MAX_PAGE = 50  # the first 1,000 results; nobody reads further, and deep pages cost
MAX_PER_PAGE = 50


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
    items, stale = hydrate(viewer, found.hits, used.highlight_terms())
    if stale:
        resync_later(stale)
    total = max(found.total - len(stale), offset + len(items))
    total = min(total, MAX_PAGE * per_page)
    corrected = None
    # no result with every word and few partial ones (a relaxed page of many partial
    # matches is answer enough; each correction tried costs a search)
    if suggest and strict_total == 0 and offset == 0 and found.total < RELAX_BELOW:
        corrected = did_you_mean(query.text, lambda text: _has_every_word(viewer, text, filters))
    elapsed = (time.perf_counter() - started) * 1000
    return SearchResults(query, filters, Page(items, page, per_page, total), relaxed=relaxed,
                         notices=notices, elapsed_ms=elapsed, strict_total=strict_total,
                         did_you_mean=corrected)


def _has_every_word(viewer: User | None, text: str, filters: Filters) -> bool:
    """Whether a (corrected) query finds something with every word: the strict stage only."""
    query = parse_query(text, synonym_map())
    return not query.is_empty and bool(
        backend().search(query, filters, scope_for(viewer), 0, 1).hits)


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
