"""The unit of work and its one after-commit primitive.

``on_commit(fn)`` queues ``fn()`` to run once the current transaction commits, and forgets it
when the transaction rolls back. Everything that must not happen before its rows exist goes
through it: events (``forum.events.emit``) and background tasks
(``forum.jobs.enqueue_after_commit``).

The edge (a view, an API call, a task, a CLI command) owns the transaction and commits it
(``with unit_of_work():``; inside it a service's commit only flushes);
``Session.commit`` then runs the queued callbacks in order, each in a unit of work of its own
(committed after it, rolled back if it raises), so work a callback queues goes out too, and
an eager in-process task never waits on a write lock this session still holds (SQLite).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.session import Session as FlaskSession

log = logging.getLogger(__name__)

Callback = Callable[[], Any]


class UnitOfWorkSession(FlaskSession):
    """The app's session: after its outer transaction commits, it runs the ``on_commit``
    callbacks queued during it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending_callbacks: list[Callback] = []  # queued in the open transaction
        self.committed_callbacks: list[Callback] = []  # their transaction committed
        self.running_callbacks = False
        self.held = False  # an edge's unit_of_work() is open: commits wait for its end
        self.rolled_back_while_held = False

    def commit(self) -> None:
        if self.held:
            self.flush()  # a service's commit joins the edge's unit of work
            return
        super().commit()
        if not self.running_callbacks:
            self._run_committed()

    def rollback(self) -> None:
        if self.held:
            self.rolled_back_while_held = True
        super().rollback()

    def _run_committed(self) -> None:
        self.running_callbacks = True
        try:
            while self.committed_callbacks:
                callback = self.committed_callbacks.pop(0)
                try:
                    callback()
                    self.commit()  # callbacks queued by this one move to committed_callbacks
                except Exception:
                    log.exception("after-commit callback %s failed",
                                  getattr(callback, "__qualname__", callback))
                    self.rollback()
        finally:
            self.running_callbacks = False


@sa.event.listens_for(UnitOfWorkSession, "after_commit")
def _committed(session: UnitOfWorkSession) -> None:
    # Fires for the outer transaction only; the callbacks run once commit() has returned
    # (no SQL may be emitted from inside this hook).
    session.committed_callbacks.extend(session.pending_callbacks)
    session.pending_callbacks.clear()


@sa.event.listens_for(UnitOfWorkSession, "after_transaction_end")
def _drop_on_rollback(session: UnitOfWorkSession, transaction) -> None:
    # Whatever is still queued when the outer transaction ends (rollback, close) was not
    # committed; a savepoint rolling back leaves the outer work queued.
    if transaction.parent is None and not transaction.nested:
        session.pending_callbacks.clear()


def current_session() -> UnitOfWorkSession:
    return current_app.extensions["sqlalchemy"].session()


def on_commit(callback: Callback) -> None:
    """Run ``callback()`` after the current transaction commits; never if it rolls back."""
    session = current_session()
    if not session.in_transaction():
        session.begin()  # so a rollback() before any SQL still discards the callback
    session.pending_callbacks.append(callback)


def pending() -> list[Callback]:
    """Callbacks queued in the open transaction (for tests and debugging)."""
    return list(current_session().pending_callbacks)


class UnitOfWorkBroken(RuntimeError):
    """A service rolled back inside an edge's unit of work: the work before it is gone, so
    committing the rest would record half an action."""


@contextmanager
def unit_of_work() -> Iterator[UnitOfWorkSession]:
    """The edge's transaction: everything inside commits together when the block ends, or
    nothing does if it raises. A service's ``commit()`` inside only flushes, so services
    compose (a moderator's action and its audit entry). Nested blocks join the outer one."""
    session = current_session()
    if session.held:
        yield session
        return
    session.held, session.rolled_back_while_held = True, False
    try:
        yield session
    except BaseException:
        session.held = False
        session.rollback()
        raise
    session.held = False
    if session.rolled_back_while_held:
        session.rollback()
        raise UnitOfWorkBroken("a rollback inside the unit of work discarded part of it")
    session.commit()


def commit() -> None:
    """Commit the unit of work; the ``on_commit`` callbacks run before this returns."""
    current_session().commit()


def as_sent(value: Any) -> Any:
    """What a receiver gets: in tests (``TESTING``) the value after a JSON round trip, as it
    would arrive through the broker, so an ORM object or a tuple in a payload shows up there
    rather than in production."""
    if not current_app.config.get("PAYLOADS_THROUGH_JSON", current_app.testing):
        return value
    return json.loads(json.dumps(value))
