"""The job machinery of Huzhu (no task bodies: those live in each package's ``tasks.py``):
the base task class, the after-commit helper, the broker fallback and the beat schedule.

The one way to start background work from a service or a handler::

    from forum.jobs import enqueue_after_commit
    enqueue_after_commit(some_task, 42, kind="reply")
    enqueue_after_commit("forum.deliver_notification", [7], "reply", {...})  # by name

The task is sent when the current database transaction commits and never if it rolls back
(a task must not run before its rows exist; a rolled-back post must not notify anyone). With
``REDIS_URL`` unset (the embedded default) Celery runs eagerly: the task runs in-process,
still only after the commit. If the broker cannot be reached the task runs inline in this
process instead (logged), so nothing is lost while Redis is down.

Tasks are thin, idempotent wrappers around services (a redelivered task is harmless: Huzhu
acknowledges late), retried with exponential backoff on transient errors (database or Redis
connection trouble), and every final failure is logged.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import kombu.exceptions
import redis.exceptions
import sqlalchemy as sa
from celery import Task
from celery.signals import task_failure
from flask import Flask
from kombu import Queue

from forum import uow
from forum.extensions import celery_app, db

log = logging.getLogger(__name__)

# Errors worth another try a little later; anything else is a bug and fails at once.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
    ConnectionError,
    TimeoutError,
)

_flask_app: Flask | None = None


# Latency-sensitive tasks (live pushes, notifications) have a queue of their own, so a slow
# task elsewhere (indexing, scoring, settlements) never delays a reply appearing on screen.
# A plain ``celery … worker`` consumes both; production runs a worker per queue (docs/deploy.md).
DEFAULT_QUEUE = "celery"
REALTIME_QUEUE = "realtime"


_REALTIME_TASKS: set[str] = {"forum.broadcast_reply", "forum.deliver_notification"}


def route_realtime(*task_names: str) -> None:
    """Send these tasks (by name) to the realtime queue: for quick, user-visible work."""
    _REALTIME_TASKS.update(task_names)
    celery_app.conf.task_routes = {name: {"queue": REALTIME_QUEUE}
                                   for name in sorted(_REALTIME_TASKS)}


def init_app(app: Flask) -> None:
    """Remember the app whose context every task runs in (called by create_app)."""
    global _flask_app
    _flask_app = app
    celery_app.conf.task_default_queue = DEFAULT_QUEUE
    celery_app.conf.task_queues = (Queue(DEFAULT_QUEUE), Queue(REALTIME_QUEUE))
    route_realtime()
    app.extensions["huzhu_tasks"] = True


def flask_app() -> Flask:
    if _flask_app is None:
        raise RuntimeError("forum.jobs.init_app(app) has not run: call create_app() first")
    return _flask_app


class HuzhuTask(Task):
    """Runs in a fresh app context (its own database session), acks late, retries transient
    errors with exponential backoff and jitter, and is idempotent by contract."""

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 2
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 6
    ignore_result = True

    def __call__(self, *args, **kwargs):
        with flask_app().app_context():
            try:
                with uow.unit_of_work(strict=False):  # the task is an edge: it commits
                    return self.run(*args, **kwargs)
            finally:
                db.session.remove()


def task(*args, **kwargs):
    """``@task(name="forum.x")``: a Celery task with Huzhu's defaults (HuzhuTask)."""
    kwargs.setdefault("base", HuzhuTask)
    return celery_app.task(*args, **kwargs)


# --- after commit --------------------------------------------------------------------------

# While the broker is unreachable, skip it for a while instead of paying the connection
# timeout on every request; tasks run inline meanwhile.
BROKER_RETRY_AFTER_SECONDS = 30.0
_broker_down_until = 0.0
_broker_lock = threading.Lock()
# Kombu retries a failed publish; keep it short, the fallback is to run the task inline.
_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2,
                         "interval_max": 0.3}


def enqueue_after_commit(task_obj: Task | str, *args: Any, **kwargs: Any) -> None:
    """Send ``task_obj(*args, **kwargs)`` to Celery once the current transaction commits.

    ``task_obj`` is a task or a registered task's name (a service names the task its own
    package's ``tasks.py`` runs, without importing it). Nothing is sent if the transaction
    rolls back. Arguments must be JSON-serialisable (ids,
    not ORM objects; in tests they go through JSON to prove it). In eager mode the task runs
    in-process right after the commit, in its own app context and session.
    """
    sent_args, sent_kwargs = uow.as_sent([list(args), kwargs])
    uow.on_commit(lambda: send_now(task_obj, *sent_args, **sent_kwargs))


def task_named(task_obj: Task | str) -> Task:
    return celery_app.tasks[task_obj] if isinstance(task_obj, str) else task_obj


def send_now(task_obj: Task | str, *args: Any, **kwargs: Any) -> None:
    """Send a task now (eagerly run in-process in the embedded default). Never raises:
    an unreachable broker means the task runs inline; a failing inline task is logged."""
    global _broker_down_until
    task_obj = task_named(task_obj)
    eager = bool(celery_app.conf.task_always_eager)
    if not eager and time.monotonic() >= _broker_down_until:
        try:
            task_obj.apply_async(args, kwargs, retry=True, retry_policy=_PUBLISH_RETRY_POLICY)
            return
        except Exception:
            with _broker_lock:
                _broker_down_until = time.monotonic() + BROKER_RETRY_AFTER_SECONDS
            log.warning("broker unreachable: running %s inline (retrying the broker in %.0f s)",
                        task_obj.name, BROKER_RETRY_AFTER_SECONDS, exc_info=True)
    try:
        if eager:
            task_obj.apply_async(args, kwargs)
        else:
            task_obj.apply(args, kwargs, throw=True)
    except Exception:
        log.exception("task %s failed (args=%r kwargs=%r)", task_obj.name, args, kwargs)


def reset_broker_state() -> None:
    """Forget a remembered broker outage (tests)."""
    global _broker_down_until
    _broker_down_until = 0.0


# --- beat ----------------------------------------------------------------------------------

# name → Celery beat entry. Packages add theirs with register_periodic() when imported;
# forum/celery_worker.py hands this dict to beat.
BEAT_SCHEDULE: dict[str, dict[str, Any]] = {}


def register_periodic(name: str, task_name: str, schedule: Any, args: tuple = (),
                      kwargs: dict | None = None, **options: Any) -> None:
    """Add a periodic task to beat: ``schedule`` is seconds or a ``celery.schedules.crontab``."""
    entry: dict[str, Any] = {"task": task_name, "schedule": schedule, "args": args}
    if kwargs:
        entry["kwargs"] = kwargs
    if options:
        entry["options"] = options
    BEAT_SCHEDULE[name] = entry
    celery_app.conf.beat_schedule = BEAT_SCHEDULE


# --- failures ------------------------------------------------------------------------------


@task_failure.connect
def _log_task_failure(sender=None, task_id=None, exception=None, args=None, kwargs=None,
                      einfo=None, **_):
    log.error("task %s[%s] failed for good: %r (args=%r kwargs=%r)",
              getattr(sender, "name", sender), task_id, exception, args, kwargs,
              exc_info=getattr(einfo, "exc_info", None))
