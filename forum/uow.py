"""The unit of work and its one after-commit primitive.

``on_commit(fn)`` queues ``fn()`` to run once the current transaction commits, and forgets it
when the transaction rolls back. Everything that must not happen before its rows exist goes
through it: events (``forum.events.emit``) and background tasks
(``forum.jobs.enqueue_after_commit``).

The edge (a view, an API call, a task, a CLI command) owns the transaction and commits it
(``init_app`` wraps every view, ``HuzhuTask`` every task, ``@atomic`` the CLI commands; inside
it a service's commit only flushes; a nested block is a savepoint, as is ``savepoint()``);
``Session.commit`` then runs the queued callbacks in order, each in a unit of work of its own
(committed after it, rolled back if it raises), so work a callback queues goes out too, and
an eager in-process task never waits on a write lock this session still holds (SQLite).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
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
        self.rollbacks_while_held = 0

    def commit(self, *, expire: bool = True) -> None:
        if self.held:
            # A service's commit joins the edge's unit of work: it flushes, and expires what
            # it loaded as a commit would, so the caller reads the rows back as stored.
            self.flush()
            if self.expire_on_commit:
                self.expire_all()
            return
        expire_on_commit = self.expire_on_commit
        self.expire_on_commit = expire_on_commit and expire
        try:
            super().commit()
        finally:
            self.expire_on_commit = expire_on_commit
        if not self.running_callbacks:
            self._run_committed()

    def rollback(self) -> None:
        if self.held:
            self.rollbacks_while_held += 1
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
def unit_of_work(*, strict: bool = True) -> Iterator[UnitOfWorkSession]:
    """The edge's transaction: everything inside commits together when the block ends, or
    nothing does if it raises. A service's ``commit()`` inside only flushes, so services
    compose (a moderator's action and its audit entry).

    A block inside another one joins it through a savepoint: if it raises, its own work (and
    the callbacks it queued) is undone and the outer block may go on. ``strict`` (the
    default) refuses to commit when a service rolled the session back inside the block (the
    work before the rollback is gone, so the rest would be half an action); an edge
    (``strict=False``: a request, a task, a CLI command) commits whatever is left, as the
    code before it did."""
    session = current_session()
    rollbacks = session.rollbacks_while_held
    if session.held:
        yield from _joined(session, rollbacks, strict)
        return
    session.held = True
    try:
        yield session
    except BaseException:
        session.held = False
        session.rollback()
        raise
    session.held = False
    if strict and session.rollbacks_while_held != rollbacks:
        session.rollback()
        raise UnitOfWorkBroken("a rollback inside the unit of work discarded part of it")
    # Each service's commit inside already expired what it changed; the edge's own commit
    # leaves the objects as loaded, as the last service commit left them before.
    session.commit(expire=False)


def _joined(session: UnitOfWorkSession, rollbacks: int,
            strict: bool) -> Iterator[UnitOfWorkSession]:
    queued = len(session.pending_callbacks)
    savepoint = session.begin_nested()
    try:
        yield session
    except BaseException:
        if session.rollbacks_while_held == rollbacks and savepoint.is_active:
            savepoint.rollback()
            del session.pending_callbacks[queued:]
        raise
    if session.rollbacks_while_held != rollbacks:
        if strict:
            raise UnitOfWorkBroken("a rollback inside the unit of work discarded part of it")
        return
    if savepoint.is_active:
        savepoint.commit()


@contextmanager
def savepoint() -> Iterator[UnitOfWorkSession]:
    """A service's all-or-nothing step that does not commit: if the block raises, its writes
    (and the callbacks it queued) are undone and the rest of the unit of work stays; the
    edge commits the lot. E.g. a redemption's debit is undone when the stock ran out."""
    session = current_session()
    queued = len(session.pending_callbacks)
    nested = session.begin_nested()
    try:
        yield session
    except BaseException:
        if nested.is_active:
            nested.rollback()
            del session.pending_callbacks[queued:]
        raise
    if nested.is_active:
        nested.commit()


def atomic(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``fn`` as an edge (a view, a task body, a CLI command) in its own unit of work:
    committed when it returns, rolled back when it raises (``abort(404)`` included)."""

    @functools.wraps(fn)
    def in_unit_of_work(*args: Any, **kwargs: Any) -> Any:
        with unit_of_work(strict=False):
            return fn(*args, **kwargs)

    return in_unit_of_work


def init_app(app: Flask) -> None:
    """Every view of ``app`` (web pages and the API alike) runs in a unit of work, as
    Django's ``ATOMIC_REQUESTS`` does: the edge commits once the view returns (the events
    queued go out then, before the response is sent); an exception rolls everything back.
    Call it once all blueprints are registered."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static" and not getattr(view, "_huzhu_atomic", False):
            wrapped = atomic(view)
            wrapped._huzhu_atomic = True  # type: ignore[attr-defined]
            app.view_functions[endpoint] = wrapped


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
