"""Periodic work in the embedded default.

In production ``celery … beat`` sends the entries of ``forum.jobs.BEAT_SCHEDULE`` to the
workers. The embedded default has no broker and no beat process, so SLA escalation, closing
arena rounds or the nightly influence recomputation would never happen: there, one daemon
thread of the web process runs the same schedule, calling each task in-process.

It starts with the first request of a served app (not in tests, not in CLI commands) when
Celery is eager (no ``REDIS_URL``) and ``HUZHU_INPROCESS_BEAT`` is not switched off.
"""

from __future__ import annotations

import copy
import logging
import threading
from datetime import UTC, datetime, timedelta

from celery.schedules import schedule as interval_schedule
from flask import Flask

from forum.extensions import celery_app
from forum.jobs import BEAT_SCHEDULE

log = logging.getLogger(__name__)

# Never sleep longer than this between checks, so a schedule registered late is picked up.
MAX_SLEEP_SECONDS = 60.0


def _as_schedule(value, now: datetime):
    """The entry's Celery schedule, reading the clock through ``now`` (testable)."""
    if isinstance(value, int | float):
        value = timedelta(seconds=value)
    if isinstance(value, timedelta):
        return interval_schedule(run_every=value, nowfun=lambda: now)
    sched = copy.copy(value)  # a crontab or solar schedule: don't touch the shared one
    sched.nowfun = lambda: now
    return sched


class InProcessBeat:
    """Runs due entries of the beat schedule, one at a time, in a daemon thread."""

    def __init__(self, schedule: dict | None = None):
        self._schedule = BEAT_SCHEDULE if schedule is None else schedule
        self._last_run: dict[str, datetime] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="huzhu-inprocess-beat",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def tick(self, now: datetime | None = None) -> tuple[list[str], float]:
        """Run every entry that is due; return the names run and the seconds to the next."""
        now = now or datetime.now(UTC)
        ran, next_check = [], MAX_SLEEP_SECONDS
        for name, entry in list(self._schedule.items()):
            # The first sight of an entry counts as its last run: a nightly job runs a day
            # after start, not at every restart of a development server.
            last = self._last_run.setdefault(name, now)
            sched = _as_schedule(entry["schedule"], now)
            due, wait = sched.is_due(last)
            if due:
                self._last_run[name] = now
                self._run(name, entry)
                ran.append(name)
            next_check = min(next_check, max(float(wait), 1.0))
        return ran, next_check

    def _run(self, name: str, entry: dict) -> None:
        task = celery_app.tasks.get(entry["task"])
        if task is None:
            log.error("periodic entry %s names unknown task %s", name, entry["task"])
            return
        try:
            task.apply(entry.get("args", ()), entry.get("kwargs", {}), throw=True)
        except Exception:
            log.exception("periodic task %s failed", entry["task"])

    def _loop(self) -> None:
        log.info("in-process beat started with %d periodic tasks", len(self._schedule))
        while not self._stop.is_set():
            _, wait = self.tick()
            self._stop.wait(wait)


def init_app(app: Flask) -> None:
    """Start the in-process beat with the first request of an embedded, served app."""
    if not app.config.get("INPROCESS_BEAT", True) or app.config.get("TESTING"):
        return
    if not app.config["CELERY"].get("task_always_eager"):
        return  # production: celery beat does it
    started = threading.Lock()

    @app.before_request
    def _start_beat_once() -> None:
        if started.acquire(blocking=False):
            beat = InProcessBeat()
            app.extensions["huzhu_inprocess_beat"] = beat
            beat.start()
