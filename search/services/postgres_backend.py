"""The production backend: PostgreSQL full-text search over jieba tokens.

PostgreSQL's parsers do not cut Chinese into words, so jieba does (the same search-mode
tokens with word positions as the whoosh backend) and the tokens are stored as a ``tsvector``
literal — lexemes taken as they are, which is what the 'simple' configuration would do with
pre-segmented text, but keeping jieba's positions so phrases match. A GIN index serves
``tsv @@ query``. Titles carry weight A and bodies weight B, so ``ts_rank`` counts a title
hit 2.5× (its default weights); solved topics get SOLVED_BOOST on top.

Writers serialise per document with a transaction-scoped advisory lock and read the
database only after taking it, so two processes indexing the same post at once end with
its newest state.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR, insert

from forum.extensions import db
from forum.models import utcnow
from search.analysis import gram_tokens, index_tokens
from search.models import SearchDocument
from search.parsing import Alternative, ParsedQuery
from search.services import documents, term_stats
from search.services.base import SOLVED_BOOST, Filters, Hit, HitPage, Scope
from search.services.documents import fresh_session
from search.services.sources import SearchDoc

MAX_POSITION = 16383  # PostgreSQL's limit; later positions collapse onto it
MAX_POSITIONS_PER_LEXEME = 255
ADVISORY_NAMESPACE = 7_140_204  # first key of pg_advisory_xact_lock(int, int): "search"
BATCH = 500


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(title: str, body: str) -> str:
    """'流量':1A '套餐':3A,9B … — title words weight A, body words B, word positions."""
    positions: dict[str, dict[int, str]] = {}
    last = 0
    for text, weight, offset in ((title, "A", 1), (body, "B", None)):
        if offset is None:
            offset = last + 2  # a gap, so no phrase runs from the title into the body
        for token, position in index_tokens(text or ""):
            pos = min(position + offset, MAX_POSITION)
            last = max(last, pos)
            slots = positions.setdefault(token, {})
            if len(slots) < MAX_POSITIONS_PER_LEXEME:
                slots.setdefault(pos, weight)
        for gram in gram_tokens(text or ""):  # never in a phrase: any position will do
            positions.setdefault(gram, {}).setdefault(max(last, offset), weight)
    return " ".join(
        _quote(token) + ":" + ",".join(f"{p}{w}" for p, w in sorted(slots.items()))
        for token, slots in positions.items())


def _alternative(alt: Alternative) -> str:
    if len(alt.tokens) == 1:
        return _quote(alt.tokens[0])
    joiner = " <-> " if alt.adjacent else " & "
    return "(" + joiner.join(_quote(t) for t in alt.tokens) + ")"


def group_literals(query: ParsedQuery) -> list[str]:
    return ["(" + " | ".join(_alternative(a) for a in g.alternatives) + ")"
            for g in query.groups]


def tsquery_literal(query: ParsedQuery, match_all: bool = True) -> str:
    """What a document must contain: every group (or any, when not ``match_all``)."""
    return (" & " if match_all else " | ").join(group_literals(query))


def own_words_literal(query: ParsedQuery) -> str | None:
    """The searcher's own words and lone characters, any of them: ranked a second time
    with these, so they count more than the words synonyms add (ts_rank has no per-word
    weights) and 改 lifts the posts about 改套餐."""
    own = [a for g in query.groups for a in g.alternatives if a.weight >= 1.0 and a.adjacent]
    own += query.optional
    return " | ".join(_alternative(a) for a in own) or None


def _row(doc: SearchDoc, now) -> dict:
    return {
        "kind": doc.kind, "object_id": doc.object_id, "topic_id": doc.topic_id,
        "tribe_id": doc.tribe_id, "author_id": doc.author_id, "owner_id": doc.owner_id,
        "audience": doc.audience, "solved": doc.solved, "created_at": doc.created_at,
        "title": doc.title, "body": doc.body,
        "tsv": sa.cast(tsvector_literal(doc.title, doc.body), TSVECTOR), "indexed_at": now,
    }


def _key_condition(keys: list[str]):
    pairs = []
    for key in keys:
        kind, _, object_id = key.partition(":")
        pairs.append(sa.and_(SearchDocument.kind == kind,
                             SearchDocument.object_id == int(object_id)))
    return sa.or_(*pairs)


class PostgresBackend:
    name = "postgres"

    # --- writing -----------------------------------------------------------------------------

    def sync(self, refs: list[str]) -> None:
        for start in range(0, len(refs), BATCH):
            batch = refs[start:start + BATCH]
            with fresh_session() as session:
                self._lock(session, batch)
                loaded = documents.load(batch, session)
                self._write(session, loaded.docs, loaded.deleted_keys)
                session.commit()

    def write(self, docs: list[SearchDoc], deleted_keys: list[str]) -> None:
        with fresh_session() as session:
            self._write(session, docs, deleted_keys)
            session.commit()

    @staticmethod
    def _lock(session, refs: list[str]) -> None:
        # In a fixed order, so two batches never wait for each other in a circle.
        for ref in sorted(set(refs)):
            session.execute(sa.select(sa.func.pg_advisory_xact_lock(
                ADVISORY_NAMESPACE, sa.func.hashtext(ref))))

    @staticmethod
    def _write(session, docs: list[SearchDoc], deleted_keys: list[str]) -> None:
        if deleted_keys:
            session.execute(sa.delete(SearchDocument).where(_key_condition(deleted_keys)))
        if docs:
            now = utcnow()
            stmt = insert(SearchDocument).values([_row(d, now) for d in docs])
            excluded = stmt.excluded
            stmt = stmt.on_conflict_do_update(
                constraint="uq_search_documents_kind_object",
                set_={c: excluded[c] for c in (
                    "topic_id", "tribe_id", "author_id", "owner_id", "audience", "solved",
                    "created_at", "title", "body", "tsv", "indexed_at")})
            session.execute(stmt)

    def rebuild(self, progress=None) -> int:
        """Upsert everything in batches (searching goes on), then delete what was not seen."""
        started = utcnow()
        count = 0
        with fresh_session() as reader:
            for name, source in documents.sources().items():
                for ids in source.all_ids(reader, BATCH):
                    refs = [documents.ref(name, i) for i in ids]
                    with fresh_session() as session:
                        self._lock(session, refs)
                        loaded = source.load(ids, session)
                        self._write(session, loaded.docs, loaded.deleted_keys)
                        session.commit()
                    count += len(loaded.docs)
                    if progress:
                        progress(len(ids))
        with fresh_session() as session:
            session.execute(sa.delete(SearchDocument).where(SearchDocument.indexed_at < started))
            session.commit()
            # fresh statistics: the relaxed search reads how common each word is from them
            session.execute(sa.text("ANALYZE search_documents"))
            session.commit()
        term_stats.forget()
        return count

    def clear(self) -> None:
        with fresh_session() as session:
            session.execute(sa.delete(SearchDocument))
            session.commit()

    def count(self) -> int:
        return db.session.scalar(sa.select(sa.func.count(SearchDocument.id))) or 0

    # --- searching ---------------------------------------------------------------------------

    def search(self, query: ParsedQuery, filters: Filters, scope: Scope, offset: int,
               limit: int, min_match: int | None = None, coordinate: bool = True) -> HitPage:
        if query.is_empty:
            return HitPage([], 0)
        tsq = _tsquery(tsquery_literal(query, min_match is None))
        d = SearchDocument
        rank = sa.func.ts_rank(d.tsv, tsq)
        own = own_words_literal(query)
        if own is not None:
            rank = rank + sa.func.ts_rank(d.tsv, sa.cast(sa.literal(own), TSQUERY))
        score = (rank * sa.case((d.solved.is_(True), SOLVED_BOOST), else_=1.0)).label("score")
        conditions = [d.audience.in_(scope.audiences)]
        if scope.viewer_id is None:
            conditions.append(d.owner_id.is_(None))
        else:
            conditions.append(sa.or_(d.owner_id.is_(None), d.owner_id == scope.viewer_id))
        if filters.kinds:
            conditions.append(d.kind.in_(filters.kinds))
        if filters.tribe_id is not None:
            conditions.append(d.tribe_id == filters.tribe_id)
        if filters.solved is not None:
            conditions.append(d.solved.is_(filters.solved))
        if filters.created_from is not None:
            conditions.append(d.created_at >= filters.created_from)
        if filters.created_before is not None:
            conditions.append(d.created_at < filters.created_before)
        if min_match is None:
            conditions.append(d.tsv.op("@@")(tsq))
        if min_match is not None:
            return self._relaxed(query, conditions, rank, min_match, offset, limit, coordinate)
        order = [sa.desc("score"), d.object_id.desc()]
        stmt = (sa.select(d.kind, d.object_id, score, sa.literal(None).label("matched"),
                          sa.func.count().over().label("total"))
                .where(*conditions)
                .order_by(*order)
                .offset(offset).limit(limit))
        rows = db.session.execute(stmt).all()
        if rows:
            total = rows[0].total
        elif offset:  # past the last page: count the matches on their own
            total = db.session.scalar(sa.select(sa.func.count()).where(*conditions)) or 0
        else:
            total = 0
        return HitPage([Hit(r.kind, r.object_id, float(r.score), r.matched) for r in rows],
                       total)

    # --- the relaxed search ------------------------------------------------------------------

    def _relaxed(self, query: ParsedQuery, conditions: list, rank, min_match: int, offset: int,
                 limit: int, coordinate: bool) -> HitPage:
        """At least ``min_match`` groups, inside a bounded candidate set drawn from the rarest
        groups (see search/services/term_stats.py); ranked by how many groups match, then by
        the matched groups' inverse document frequencies plus ``ts_rank``."""
        d = SearchDocument
        groups = group_literals(query)
        stats = term_stats.term_statistics()
        frequencies = [term_stats.group_frequency(g, stats) for g in query.groups]
        size = term_stats.pool_size(offset + limit)
        chosen = term_stats.candidate_groups(frequencies, min_match, size)
        # MATERIALIZED: planned without the LIMIT, which would tempt the planner into a
        # sequential scan that stops early — and reads the whole table when a word's
        # documents are mostly filtered out (a reply word searched among topics). A CTE is
        # read lazily, so the index scan still stops at the pool's size. Each chosen
        # alternative by its rarest word, as on whoosh: a superset the ranking checks, and
        # the set the frequency estimates describe (a phrase of two common characters,
        # 找 <-> 人, can match no row while 找 alone holds the duplicate).
        rare = _tsquery(" | ".join(_rarest_words(query.groups[i], stats) for i in chosen))
        matches = (sa.select(d.id).where(d.tsv.op("@@")(rare), *conditions)
                   .cte("matches").prefix_with("MATERIALIZED"))
        candidates = sa.select(matches.c.id)
        rest = [groups[i] for i in term_stats.needed_groups(frequencies, min_match)
                if i not in chosen]
        if rest:
            # The frequencies are estimates (a word the statistics do not list may be in no
            # row at all): when the rare groups supply no candidate, the other groups do.
            # Only then — filled up whenever the rare ones fell short of the pool, the
            # first rows of a common word (in no useful order) crowded out the duplicate
            # of a composer's title and lowered recall (benchmarks/README.md).
            more = (sa.select(d.id).where(d.tsv.op("@@")(_tsquery(" | ".join(rest))),
                                          ~sa.exists(sa.select(matches.c.id)), *conditions)
                    .cte("more").prefix_with("MATERIALIZED"))
            candidates = sa.union_all(candidates, sa.select(more.c.id)).subquery("found")
            candidates = sa.select(candidates.c.id)
        pool = candidates.limit(size).subquery("pool")
        matched = sum((sa.case((d.tsv.op("@@")(_tsquery(g)), 1), else_=0) for g in groups),
                      sa.literal(0))
        weight = sum((_best_alternative(g, stats) for g in query.groups), sa.literal(0.0))
        score = ((weight + rank) * sa.case((d.solved.is_(True), SOLVED_BOOST), else_=1.0))
        inner = (sa.select(d.kind, d.object_id, score.label("score"), matched.label("matched"))
                 .join(pool, pool.c.id == d.id).subquery())
        order = [sa.desc(inner.c.score), inner.c.object_id.desc()]
        if coordinate:
            order.insert(0, sa.desc(inner.c.matched))
        stmt = (sa.select(inner, sa.func.count().over().label("total"))
                .where(inner.c.matched >= min_match).order_by(*order)
                .offset(offset).limit(limit))
        rows = db.session.execute(stmt).all()
        total = rows[0].total if rows else 0
        return HitPage([Hit(r.kind, r.object_id, float(r.score), r.matched) for r in rows],
                       total)


def _rarest_words(group, stats) -> str:
    return "(" + " | ".join(_quote(min(alt.tokens, key=stats.frequency))
                            for alt in group.alternatives) + ")"


def _best_alternative(group, stats):
    """A matched group's weight: its best matching alternative's — the inverse document
    frequencies of its words, times its own weight (a synonym's or a part's is lower), so
    a phrase outweighs one of its words and a rare word a common one (BM25's idea)."""
    valued = sorted(((alt.weight * sum(term_stats.idf(stats.frequency(t), stats)
                                       for t in alt.tokens), alt)
                     for alt in group.alternatives), key=lambda item: -item[0])
    return sa.case(*((SearchDocument.tsv.op("@@")(_tsquery(_alternative(alt))), value)
                     for value, alt in valued), else_=0.0)


def _tsquery(literal: str):
    return sa.cast(sa.literal(literal), TSQUERY)
