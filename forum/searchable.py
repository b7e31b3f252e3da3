"""Searchable content of other packages (ideas …), announced to search through the core.

Packages never import each other (ARCHITECTURE.md), so a package with content worth finding
registers a ``Searchable`` here from its ``init_app``, and search indexes every registered
kind next to the forum's posts. It says what one object looks like to the index, which ids
exist, where an object lives, and who may find this kind at all. When an object changes the
package emits ``forum.events.searchable_changed`` (or an event search already follows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask


@dataclass(frozen=True)
class SearchableDoc:
    object_id: int
    title: str
    text: str  # plain text or Markdown source; indexed and shown as a snippet
    author_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class Searchable:
    kind: str  # e.g. "idea"; also the result's ``type`` in the API
    load: Callable[[int], SearchableDoc | None]  # None: must not be found (draft, merged …)
    all_ids: Callable[[], Iterable[int]]  # every id, for a full rebuild
    url: Callable[[int], str]  # the object's page
    may_find: Callable[[object], bool]  # may this viewer (User or None) find this kind?
    employees_only: bool = True  # indexed for employees only (search's audience)


def register_searchable(app: Flask, searchable: Searchable) -> None:
    app.extensions.setdefault("huzhu_searchables", {})[searchable.kind] = searchable


def searchables(app: Flask) -> dict[str, Searchable]:
    return app.extensions.get("huzhu_searchables", {})
