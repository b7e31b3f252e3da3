"""The interface both backends implement, and the values passed across it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from search.parsing import ParsedQuery
from search.services.sources import SearchDoc

# Solved topics (and their replies) rank higher: PostgreSQL multiplies the rank, whoosh
# indexes them with this document boost. A title word weighs 2.5 body words (whoosh: the
# token's weight; PostgreSQL: ts_rank's default weights A = 1.0 against B = 0.4). whoosh's
# weights raise the term frequency, which BM25 saturates, so there the effects are milder.
SOLVED_BOOST = 1.3
TITLE_BOOST = 2.5
# Relaxed searches rank by how many groups matched among this many best hits; deeper hits
# keep BM25 order (nobody pages that far into partial matches).
COORDINATION_POOL = 200


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] | None = None
    tribe_id: int | None = None
    solved: bool | None = None
    created_from: datetime | None = None  # inclusive, UTC
    created_before: datetime | None = None  # exclusive, UTC


@dataclass(frozen=True)
class Scope:
    """Who is searching: cold-handled posts are theirs only; ideas need an employee."""

    viewer_id: int | None
    audiences: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    score: float
    matched: int | None = None  # how many groups matched (relaxed searches only)


@dataclass
class HitPage:
    hits: list[Hit]
    total: int  # exact when the backend knows it cheaply, else an estimate


Progress = Callable[[int], None]


class Backend(Protocol):
    name: str

    def write(self, docs: list[SearchDoc], deleted_keys: list[str]) -> None:
        """Store ``docs`` (replacing same keys) and delete ``deleted_keys``."""

    def sync(self, refs: list[str]) -> None:
        """Bring the documents of ``refs`` ("post:1") up to date with the database."""

    def search(self, query: ParsedQuery, filters: Filters, scope: Scope, offset: int,
               limit: int, min_match: int | None = None, coordinate: bool = True) -> HitPage:
        """Hits best first. Every group must match, or with ``min_match`` at least that many
        groups: then documents matching more groups come first (coordination), BM25 order
        within each count — or, not ``coordinate``, BM25 alone (a rare word outweighs two
        common ones)."""

    def rebuild(self, progress: Progress | None = None) -> int:
        """Index everything again from the database; returns the number of documents."""

    def clear(self) -> None:
        """Remove every document."""

    def count(self) -> int:
        """How many documents the index holds."""
