"""A Celery worker SIGKILLed in the middle of a task: the task runs again once a worker is
back (acks_late + a short broker visibility timeout), and a task delivered three times does
its work once. Real worker processes on Redis and the suite's PostgreSQL database."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from celery import Celery

from forum.extensions import db
from forum.models import Notification, NotificationReceipt
from forum.services import notifications
from tests.realtime.conftest import Processes, process_env, redis_or_skip, wait_for_log

# A Redis database of its own: no other test's worker may take this test's tasks.
BROKER_URL = "redis://127.0.0.1:6379/9"
VISIBILITY_TIMEOUT = 5  # production: HUZHU_CELERY_VISIBILITY_TIMEOUT, 50 s


def _waiting_on_a_lock() -> int:
    return db.session.scalar(sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'")) or 0


def _until(predicate, timeout: float, what: str, procs: Processes) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        db.session.rollback()  # a fresh snapshot each time
        if predicate():
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout} s:\n{procs.logs()}")


def test_a_task_of_a_killed_worker_runs_again_and_only_once(app, make_user):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("holding the task mid-way takes a PostgreSQL row lock")
    broker = redis_or_skip(BROKER_URL)
    for key in ("celery", "realtime", "unacked", "unacked_index", "unacked_mutex"):
        broker.delete(key)
    alice, bob = make_user("alice"), make_user("bob")
    alice_id = alice.id
    payload = {"actor_id": bob.id}
    source_key = notifications.kind_spec("follow").source_key(payload)
    db.session.commit()

    env = process_env(app, REDIS_URL=BROKER_URL,
                      HUZHU_CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
                      HUZHU_REDIS_PREFIX="hz-killed-test:")
    procs = Processes(Path(tempfile.mkdtemp(prefix="huzhu-kill-")))
    sender = Celery(broker=BROKER_URL)

    def send():
        sender.send_task("forum.deliver_notification", args=[[alice_id], "follow", payload],
                         queue="realtime")

    def notes() -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.user_id == alice_id, Notification.kind == "follow"))

    blocker = db.engine.connect()
    try:
        # Hold the task mid-way: its receipt INSERT waits for this uncommitted one.
        tx = blocker.begin()
        blocker.execute(sa.insert(NotificationReceipt).values(user_id=alice_id,
                                                             source_key=source_key))
        first = procs.worker(env)
        wait_for_log(first, "ready.", procs)
        send()
        _until(lambda: _waiting_on_a_lock() >= 1, 30, "the task reaching the lock", procs)
        killed, _log = procs.procs.pop()  # (an exited process would fail the waits below)
        killed.kill()  # SIGKILL: no chance to acknowledge or requeue
        killed.wait(10)
        tx.rollback()
        assert notes() == 0

        second = procs.worker(env)
        wait_for_log(second, "ready.", procs)
        waited = _until(lambda: notes() == 1, 60, "the task running again", procs)
        print(f"killed task ran again {waited:.1f} s after the new worker was ready")
        assert waited < 60

        send()
        send()  # delivered three times in all
        _until(lambda: second.read_text().count("succeeded") >= 3, 30,
               "the two extra deliveries finishing", procs)
        assert notes() == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationReceipt)
                                 .where(NotificationReceipt.user_id == alice_id)) == 1
    finally:
        blocker.close()
        procs.stop()
        for key in ("celery", "realtime", "unacked", "unacked_index", "unacked_mutex"):
            broker.delete(key)
