"""The kinds of things the index holds (sources) and the document each becomes.

A source is named in the index queue as ``"post:123"``: the forum's posts register here
(search/services/documents.py), other packages' kinds come through
search/services/external.py. Neither imports the other's module for these shared types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from search.models import AUDIENCE_ALL


@dataclass
class SearchDoc:
    kind: str
    object_id: int
    created_at: datetime
    title: str = ""
    body: str = ""
    topic_id: int | None = None
    tribe_id: int | None = None
    author_id: int | None = None
    owner_id: int | None = None  # set: only this user may find it (cold handling)
    audience: str = AUDIENCE_ALL
    solved: bool = False

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.object_id}"


@dataclass
class Loaded:
    """The outcome of loading some sources: documents to (re)write, keys to delete."""

    docs: list[SearchDoc] = field(default_factory=list)
    deleted_keys: list[str] = field(default_factory=list)


@dataclass
class Source:
    """A kind of searchable thing. Each callable takes the SQLAlchemy session to read with."""

    load: Callable[[list[int], Session], Loaded]
    # All ids of this source in batches (for a full rebuild), and how many there are.
    all_ids: Callable[[Session, int], Iterator[list[int]]]
    count: Callable[[Session], int]


SOURCES: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    SOURCES[name] = source


def ref(source: str, object_id: int) -> str:
    return f"{source}:{int(object_id)}"
