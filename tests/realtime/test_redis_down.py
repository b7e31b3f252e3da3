"""Redis down in production: pages and posting keep working, nothing written is lost, the
background work runs inline instead (and the failure is logged)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from forum.extensions import db
from forum.models import Notification, Post
from forum.services import topics
from tests.realtime.conftest import WAIT, Processes, free_port, process_env, wait_until_up


@pytest.fixture(scope="module")
def server_without_redis(app):
    dead = f"redis://127.0.0.1:{free_port()}/1"  # nothing listens there
    env = process_env(app, REDIS_URL=dead, HUZHU_LOG_LEVEL="WARNING")
    procs = Processes(Path(tempfile.mkdtemp(prefix="huzhu-rt-down-")))
    try:
        base = procs.gunicorn("web-no-redis", env)
        wait_until_up(base, procs)
        yield {"base": base, "procs": procs}
    finally:
        procs.stop()


def test_posting_works_and_nothing_is_lost_while_redis_is_down(server_without_redis, recorders,
                                                               make_user, make_tribe, api_token):
    base = server_without_redis["base"]
    asker, helper = make_user("asker", display_name="提问者"), make_user("helper")
    topic = topics.create_topic(asker, make_tribe(), "Redis 挂了还能发帖吗", "试试看")
    watcher = recorders().connect(base, api_token(asker)["Authorization"][7:])
    assert watcher.call("join_topic", {"topic_id": topic.id})["ok"] is True  # presence in memory

    started = time.monotonic()
    resp = requests.post(f"{base}/api/v1/topics/{topic.id}/replies", json={"body": "能，照常发"},
                         headers=api_token(helper), timeout=WAIT)
    assert resp.status_code == 201, resp.text
    assert time.monotonic() - started < 5  # a short publish retry, then inline
    reply_id = resp.json()["id"]
    # A second post skips the dead broker at once (it is remembered for a while).
    started = time.monotonic()
    resp = requests.post(f"{base}/api/v1/topics/{topic.id}/replies", json={"body": "再来一条"},
                         headers=api_token(helper), timeout=WAIT)
    assert resp.status_code == 201 and time.monotonic() - started < 2

    db.session.expire_all()
    assert db.session.get(Post, reply_id).body == "能，照常发"
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == asker.id))
    assert note is not None and note.count == 2  # the notification task ran inline
    # Clients of this very process still get the live reply.
    watcher.wait_for("reply_created", lambda d: d["reply"]["id"] == reply_id)
    assert requests.get(f"{base}/topic/{topic.id}", timeout=WAIT).status_code == 200
    logs = server_without_redis["procs"].logs(tail=10**6)
    assert "broker unreachable" in logs and "Traceback" in logs  # logged, not hidden
