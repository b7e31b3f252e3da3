"""Indexing: the configured backend, and bringing its documents in line with the database.

``sync(refs)`` brings documents up to date; the tasks in ``search/tasks.py`` call it after
forum events, ``rebuild()`` backs ``flask search reindex``. A search that meets a hit the
viewer may no longer see asks for a resync through ``resync_later``: the task module plugs
its queue in with ``set_resync`` (so this module, which the tasks import, imports no task).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

from search.services import documents
from search.services.base import Backend
from search.services.postgres_backend import PostgresBackend
from search.services.whoosh_backend import WhooshBackend


def backend() -> Backend:
    return current_app.extensions["search_backend"]


def create_backend(app) -> Backend:
    """The backend ``SEARCH_BACKEND`` names; ``auto`` is PostgreSQL on PostgreSQL."""
    choice = app.config.get("SEARCH_BACKEND", "auto")
    if choice == "auto":
        url = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
        choice = "postgres" if url.startswith("postgresql") else "whoosh"
    if choice == "postgres":
        return PostgresBackend()
    if choice == "whoosh":
        return WhooshBackend(app.config["SEARCH_INDEX_DIR"], procs=app.config["SEARCH_INDEX_PROCS"])
    raise ValueError(f"SEARCH_BACKEND must be auto, whoosh or postgres, not {choice!r}")


_resync: Callable[[list[str]], None] | None = None


def set_resync(send: Callable[[list[str]], None]) -> None:
    """How stale refs are resynced later (search/tasks.py: its ``sync_refs`` task)."""
    global _resync
    _resync = send


def resync_later(refs: list[str]) -> None:
    """A hit the viewer may not see means the index lags the database: fix it (now, when
    no task queue was plugged in)."""
    if _resync is None:
        sync(refs)
    else:
        _resync(refs)


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
