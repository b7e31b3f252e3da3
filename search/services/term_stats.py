"""How common each word is, for PostgreSQL's relaxed search: which groups to draw candidates
from (the rarest) and how much a matched group weighs (inverse document frequency —
``ts_rank`` has none, so a common word counted as much as a rare one).

No table of our own: ``ANALYZE`` (autovacuum) already keeps the most common lexemes of the
``tsv`` column with the share of rows holding each (``pg_stats.most_common_elems``, up to ten
times the statistics target). A lexeme not listed is rarer than the least common listed one.
Read once per process and again after ``REFRESH_SECONDS``.

A document matching ``min_match`` of ``n`` groups matches at least one of any ``n - min_match
+ 1`` groups: candidates drawn from that many of the rarest groups miss nothing; when those
hold more than ``pool_size()`` documents, the rarest that fit are taken (at least one), as a
partial match is expected to contain the query's most distinctive words.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

import sqlalchemy as sa

from forum.extensions import db
from search.parsing import Group

CANDIDATES = 300  # at most, per relaxed search
PER_HIT = 8  # candidates per hit asked for (the composer's 15 need fewer than a page's 20+)


def pool_size(wanted: int) -> int:
    """How many candidates a relaxed search ranks when ``wanted`` hits are asked for."""
    return min(CANDIDATES, max(100, PER_HIT * wanted))
REFRESH_SECONDS = 600.0


@dataclass
class TermStats:
    documents: float = 1.0
    shares: dict[str, float] = field(default_factory=dict)
    rare_share: float = 0.0  # below the least common listed lexeme

    def frequency(self, lexeme: str) -> float:
        """Never 0: a lexeme the statistics do not list may still be in a few rows."""
        return max(1.0, self.documents * self.shares.get(lexeme, self.rare_share))


_cached: tuple[float, TermStats] | None = None
_lock = threading.Lock()


def term_statistics() -> TermStats:
    global _cached
    now = time.monotonic()
    if _cached is not None and now - _cached[0] < REFRESH_SECONDS:
        return _cached[1]
    with _lock:
        row = db.session.execute(sa.text(
            "SELECT s.most_common_elems::text::text[] AS elems, s.most_common_elem_freqs AS "
            "freqs, c.reltuples AS n FROM pg_class c LEFT JOIN pg_stats s ON s.tablename = "
            "c.relname AND s.attname = 'tsv' AND s.schemaname = current_schema() "
            "WHERE c.relname = 'search_documents' AND c.relnamespace = "
            "current_schema()::regnamespace")).first()
        stats = TermStats()
        if row is not None:
            stats.documents = max(1.0, float(row.n or 0))
            elems, freqs = row.elems or [], row.freqs or []
            stats.shares = dict(zip(elems, freqs[:len(elems)], strict=False))
            if len(freqs) > len(elems):  # then the minimum, the maximum, the null share
                stats.rare_share = float(freqs[len(elems)]) / 2
        _cached = (now, stats)
        return stats


def forget() -> None:
    """Read the statistics again on next use (after a rebuild's ANALYZE)."""
    global _cached
    _cached = None


def group_frequency(group: Group, stats: TermStats) -> float:
    """An upper bound of the documents a group matches: per alternative, its rarest word."""
    return sum(min(stats.frequency(t) for t in alt.tokens) for alt in group.alternatives)


def idf(frequency: float, stats: TermStats) -> float:
    return math.log(1.0 + stats.documents / (frequency + 1.0))


def needed_groups(frequencies: list[float], min_match: int) -> list[int]:
    """The ``n - min_match + 1`` rarest groups: every match has one of them."""
    ranked = sorted(range(len(frequencies)), key=lambda i: frequencies[i])
    return ranked[:max(1, len(frequencies) - min_match + 1)]


def candidate_groups(frequencies: list[float], min_match: int, cap: int) -> list[int]:
    # (cap: the pool's size, see pool_size)
    """Indexes of the groups to draw candidates from, rarest first (see the docstring)."""
    chosen: list[int] = []
    size = 0.0
    for i in needed_groups(frequencies, min_match):
        if not frequencies[i]:  # in no document: supplies no candidate
            continue
        if chosen and size + frequencies[i] > cap:
            break
        chosen.append(i)
        size += frequencies[i]
    return chosen
