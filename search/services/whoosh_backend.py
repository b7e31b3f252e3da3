"""The embedded backend: a whoosh index directory (whoosh-reloaded) with the jieba analyzer.

One writer at a time, without ever making anyone wait or fail:

* Every change is first appended to a small queue file next to the index (``Journal``,
  appends under ``flock``), then the process tries to take whoosh's write lock *without
  waiting*. Whoever holds the lock drains the queue — reading each document's current state
  from the database only after taking the lock — commits, and looks again after releasing
  it, so an entry queued by a process that found the lock taken is always written by the
  holder (or by whoever takes the lock next). No ``LockError`` reaches a user, no update is
  lost when several web or worker processes index at once, and a crash before the commit
  leaves the entries queued for the next writer.
* Searching keeps one searcher per thread and brings it up to date (``searcher()``; nothing
  to do when the index did not change) instead of opening one per query (80–110 ms at 100k
  posts). Totals are estimated (exact counting doubles the query time) unless the hits run
  out on this page.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from whoosh import index, scoring
from whoosh.index import LockError
from whoosh.query import And, AndMaybe, NumericRange, Or, Phrase, Term
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher
from whoosh.writing import CLEAR

from search.models import AUDIENCE_ALL
from search.parsing import Alternative, ParsedQuery
from search.services import documents
from search.services.base import (
    Filters,
    Hit,
    HitPage,
    Scope,
)
from search.services.documents import fresh_session
from search.services.journal import Journal
from search.services.sources import SearchDoc
from search.services.whoosh_relaxed import relaxed_search

# JiebaTokenizer is pickled into existing indexes' schema as
# search.services.whoosh_backend.JiebaTokenizer: it must stay importable from here.
from search.services.whoosh_schema import (  # noqa: F401
    JiebaTokenizer,
    fields_of,
    make_schema,
)

# Bump when the schema or the analysis changes: a new name starts an empty index, which
# ``flask search reindex`` fills.
INDEX_NAME = "huzhu_v4"
REBUILD_LOCK_WAIT_SECONDS = 300.0
# A word found whole in this many documents is not also searched by its parts.
COMMON_WORD_DOCUMENTS = 200
MERGE_AFTER_SEGMENTS = 8
ALLOWED_CACHE = 16  # filter sets kept per thread


class WhooshBackend:
    name = "whoosh"

    def __init__(self, index_dir: str | os.PathLike, procs: int = 1) -> None:
        self.dir = Path(index_dir)
        self.procs = max(1, int(procs))
        self.journal = Journal(self.dir / "pending.queue")
        self._ix = None
        self._open_lock = threading.Lock()
        self._local = threading.local()
        self._pid = os.getpid()

    # --- the index ---------------------------------------------------------------------------

    def index(self):
        if self._ix is None or self._pid != os.getpid():
            with self._open_lock:
                if self._ix is None or self._pid != os.getpid():
                    self._ix = self._open_or_create()
                    self._pid = os.getpid()
                    self._local = threading.local()
        return self._ix

    def _open_or_create(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / "create.lock", "w") as fh:  # two processes starting at once
            fcntl.flock(fh, fcntl.LOCK_EX)
            if index.exists_in(str(self.dir), indexname=INDEX_NAME):
                return index.open_dir(str(self.dir), indexname=INDEX_NAME)
            return index.create_in(str(self.dir), make_schema(), indexname=INDEX_NAME)

    def searcher(self):
        """This thread's searcher, brought up to the latest commit.

        Not whoosh's ``Searcher.refresh()``: in whoosh-reloaded 2.7.5 it keeps segments that
        a merge or CLEAR removed and ignores new deletions in reused segments (deleted and
        updated documents come back, some twice). Here unchanged segments keep their open
        readers (cheap: a commit usually adds one small segment), a segment with new
        deletions gets the new deletion list, and segments gone are closed.
        """
        ix = self.index()
        state = getattr(self._local, "state", None)  # (searcher, generation)
        if state is not None and state[1] == ix.latest_generation():
            return state[0]
        toc = ix._read_toc()
        old_reader = state[0].reader() if state is not None else None
        searcher = Searcher(self._reader(ix, toc, old_reader), fromindex=ix,
                            weighting=scoring.BM25F())
        self._local.state = (searcher, toc.generation)
        return searcher

    @staticmethod
    def _reader(ix, toc, old_reader):
        open_readers = {}
        if old_reader is not None:
            for reader, _ in old_reader.leaf_readers():
                if reader.segment() is not None:
                    open_readers[reader.segment().segment_id()] = reader
        readers = []
        for segment in toc.segments:
            reader = open_readers.pop(segment.segment_id(), None)
            if reader is not None and reader.segment().deleted_count() != segment.deleted_count():
                perdoc = getattr(reader, "_perdoc", None)
                if perdoc is not None and hasattr(perdoc, "_segment"):
                    # Deletions live in the segment object of the TOC: hand the reader the
                    # new one instead of reopening the (possibly large) segment.
                    reader._segment = segment
                    perdoc._segment = segment
                    reader.__dict__.pop("deleted_docs_set", None)  # a cached_property
                else:
                    reader.close()
                    reader = None
            if reader is None:
                reader = SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
            readers.append(reader)
        for reader in open_readers.values():  # merged away or cleared
            reader.close()
        if not readers:
            return EmptyReader(toc.schema)
        if len(readers) == 1:
            return readers[0]
        return MultiReader(readers, generation=toc.generation)

    # --- writing -----------------------------------------------------------------------------

    def sync(self, refs: list[str]) -> None:
        self.index()  # creates the directory (and the index) on first use
        if refs:
            self.journal.append(refs)
        self.drain()

    def drain(self, wait: float = 0.0) -> bool:
        """Write the queued changes if the write lock is free (or frees within ``wait``
        seconds); False when another writer holds it — that writer drains after itself."""
        while True:
            # Nothing queued: nothing to do. Safe without the lock: whoever queues next tries
            # the lock after queueing, so it writes its entry itself or the holder does.
            if self.journal.size() == 0:
                return True
            try:
                writer = self.index().writer(timeout=wait, delay=0.05)
            except LockError:
                return False
            try:
                refs, size = self.journal.read()
                if not refs:
                    writer.cancel()
                    if size:
                        self.journal.consume(size)
                    return True
                with fresh_session() as session:
                    loaded = documents.load(refs, session)
                self._apply(writer, loaded.docs, loaded.deleted_keys)
                self._commit(writer)
            except BaseException:
                writer.cancel()
                raise
            self.journal.consume(size)

    def write(self, docs: list[SearchDoc], deleted_keys: list[str]) -> None:
        writer = self.index().writer(timeout=REBUILD_LOCK_WAIT_SECONDS, delay=0.05)
        try:
            self._apply(writer, docs, deleted_keys)
            self._commit(writer)
        except BaseException:
            writer.cancel()
            raise

    @staticmethod
    def _commit(writer) -> None:
        # whoosh merges small segments on every commit by default, which makes a one-post
        # update cost ~30 ms at a few thousand posts; letting a few small segments pile up
        # and merging them together costs a fraction (and searching a few more is cheap).
        writer.commit(merge=len(writer.segments) >= MERGE_AFTER_SEGMENTS)

    def _apply(self, writer, docs: list[SearchDoc], deleted_keys: list[str]) -> None:
        keys = list(dict.fromkeys([*deleted_keys, *(d.key for d in docs)]))
        # Deleting needs a searcher over exactly the writer's segments. This thread's
        # searcher is one when it is at the generation the writer started from (nobody else
        # can commit while we hold the lock); whoosh's update_document() would instead open
        # a reader over every segment per document (~80 ms at 100k posts).
        searcher = self.searcher()
        own = self._local.state[1] != writer.generation - 1
        if own:
            searcher = writer.searcher()
        try:
            for key in keys:
                writer.delete_by_term("key", key, searcher=searcher)
        finally:
            if own:
                searcher.close()
        for doc in docs:
            writer.add_document(**fields_of(doc))

    def rebuild(self, progress=None) -> int:
        """Everything again, replacing the old documents in one commit (searches keep
        working on the old index meanwhile); changes queued meanwhile are drained after."""
        kwargs = {"timeout": REBUILD_LOCK_WAIT_SECONDS, "delay": 0.1, "limitmb": 128}
        if self.procs > 1:
            kwargs.update(procs=self.procs, multisegment=True)
        writer = self.index().writer(**kwargs)
        count = 0
        try:
            with fresh_session() as session:
                for source in documents.sources().values():
                    for ids in source.all_ids(session, 500):
                        loaded = source.load(ids, session)
                        for doc in loaded.docs:
                            writer.add_document(**fields_of(doc))
                        count += len(loaded.docs)
                        if progress:
                            progress(len(ids))
            writer.commit(mergetype=CLEAR)
        except BaseException:
            writer.cancel()
            raise
        self.drain()
        return count

    def clear(self) -> None:
        writer = self.index().writer(timeout=REBUILD_LOCK_WAIT_SECONDS, delay=0.05)
        writer.commit(mergetype=CLEAR)
        self.journal.clear()

    def count(self) -> int:
        return self.searcher().doc_count()

    # --- searching ---------------------------------------------------------------------------

    def search(self, query: ParsedQuery, filters: Filters, scope: Scope, offset: int,
               limit: int, min_match: int | None = None, coordinate: bool = True) -> HitPage:
        if query.is_empty:
            return HitPage([], 0)
        searcher = self.searcher()
        groups = self.group_queries(searcher, query)
        mask = self._mask(searcher, scope)
        if min_match is not None:
            return relaxed_search(searcher, groups, self._allowed(searcher, filters), mask,
                                  min_match,
                                  offset, limit, coordinate,
                                  lambda docnum: searcher.stored_fields(docnum)["key"])
        q = self.build_query(query, groups, filters)
        wanted = offset + limit
        results = searcher.search(q, limit=wanted, mask=mask, terms=False)
        scored = results.scored_length()
        if scored < wanted:
            total = scored
        else:  # more may match: whoosh's estimate (an upper bound), never less than seen
            total = max(results.estimated_length(), scored + 1)
        hits = []
        for n in range(offset, scored):
            kind, _, object_id = results[n]["key"].partition(":")
            hits.append(Hit(kind, int(object_id), float(results.score(n) or 0.0)))
        return HitPage(hits, total)

    def group_queries(self, searcher, query: ParsedQuery) -> list:
        return [Or([self._alternative("text", a) for a in self._worth_matching(searcher, g)])
                for g in query.groups]

    def build_query(self, query: ParsedQuery, groups: list, filters: Filters,
                    match_all: bool = True):
        """The whoosh query: every group (or any) on title + body, the filters, and — not
        required, only for ranking — the query's lone characters."""
        main = And(groups) if match_all else Or(groups)
        narrowing = self._filters(filters)
        q = And([main, *narrowing]) if narrowing else main
        if query.optional:  # looked up only for documents that already match
            q = AndMaybe(q, Or([self._alternative("text", a) for a in query.optional]))
        return q

    @staticmethod
    def _worth_matching(searcher, group) -> list[Alternative]:
        """Drop the word-part alternatives (国际漫游 → 国际 … 漫游) of a word the index
        already holds whole in many documents: they add few hits, and phrases and
        intersections over common words are what makes a pure-Python engine slow
        (中国联通 → 中国 + 联通: 20k documents each at 100k posts)."""
        whole = {a.tokens[0] for a in group.alternatives if len(a.tokens) == 1}
        common = {w for w in whole
                  if searcher.doc_frequency("text", w) >= COMMON_WORD_DOCUMENTS}
        if not common:
            return list(group.alternatives)
        return [a for a in group.alternatives
                if len(a.tokens) == 1 or "".join(a.tokens) not in common]

    @staticmethod
    def _alternative(field: str, alt: Alternative, boost: float = 1.0):
        """One alternative on one field; synonyms weigh alt.weight."""
        weight = alt.weight * boost
        if len(alt.tokens) == 1:
            return Term(field, alt.tokens[0], boost=weight)
        words = list(alt.tokens)
        if not alt.adjacent:
            return And([Term(field, w, boost=weight) for w in words])
        return Phrase(field, words, boost=weight)

    @staticmethod
    def _filters(filters: Filters) -> list:
        # Filters are intersected in the query (posting lists skip along) with no weight,
        # rather than whoosh's filter=, which would build a set of every allowed document.
        out = []
        if filters.kinds:
            out.append(Or([Term("kind", k, boost=0.0) for k in filters.kinds]))
        if filters.tribe_id is not None:
            out.append(Term("tribe", str(filters.tribe_id), boost=0.0))
        if filters.solved is not None:
            out.append(Term("solved", "1" if filters.solved else "0", boost=0.0))
        if filters.created_from or filters.created_before:
            start = int(filters.created_from.timestamp()) if filters.created_from else None
            end = int(filters.created_before.timestamp()) if filters.created_before else None
            # (a constant score of 0 makes whoosh drop every hit: score 1 for all instead)
            out.append(NumericRange("created", start, end, endexcl=True, boost=1.0,
                                    constantscore=True))
        return out

    def _allowed(self, searcher, filters: Filters) -> set[int] | None:
        """The documents the filters let through, as a set (relaxed searches check a few
        hundred candidates against it); kept per searcher, a few filters at a time."""
        narrowing = self._filters(filters)
        if not narrowing:
            return None
        cache = self._local.__dict__.setdefault("allowed", {})
        key = (self._local.state[1], filters)  # the searcher's generation
        if key not in cache:
            if len(cache) >= ALLOWED_CACHE:
                cache.clear()
            cache[key] = set(searcher.docs_for_query(And(narrowing)))
        return cache[key]

    @staticmethod
    def _mask(searcher, scope: Scope):
        """The few documents this viewer may not see: someone else's cold-handled posts and,
        for non-employees, employee-only documents. A set, so whoosh need not build one."""
        hidden = set(searcher.docs_for_query(Term("restricted", "1")))
        if hidden and scope.viewer_id is not None:
            hidden -= set(searcher.docs_for_query(Term("owner", str(scope.viewer_id))))
        for audience in set(_audiences(searcher)) - set(scope.audiences):
            hidden |= set(searcher.docs_for_query(Term("audience", audience)))
        return hidden or None


def _audiences(searcher) -> list[str]:
    return [a.decode() if isinstance(a, bytes) else a
            for a in searcher.lexicon("audience") if a != AUDIENCE_ALL.encode()
            and a != AUDIENCE_ALL]
