"""Production shape on one machine: two gunicorn web processes and a Celery worker sharing
Redis (broker and Socket.IO message queue) and the suite's database.

Slow-ish (processes start once for the module, ~3 s); every wait is bounded.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import pytest
import requests

from forum.services import topics
from tests.realtime.conftest import (
    REDIS_URL,
    WAIT,
    Processes,
    process_env,
    redis_or_skip,
    wait_for_log,
    wait_until_up,
)


@pytest.fixture(scope="module")
def cluster(app):
    client = redis_or_skip()
    run = f"hz-rt-test-{uuid.uuid4().hex[:8]}"
    client.delete("celery")  # stale tasks of an aborted earlier run
    env = process_env(app, REDIS_URL=REDIS_URL, HUZHU_SOCKETIO_CHANNEL=run,
                      HUZHU_REDIS_PREFIX=f"{run}:")
    procs = Processes(Path(tempfile.mkdtemp(prefix="huzhu-rt-")))
    try:
        web_a = procs.gunicorn("web-a", env)
        web_b = procs.gunicorn("web-b", env)
        worker_log = procs.worker(env)
        wait_until_up(web_a, procs)
        wait_until_up(web_b, procs)
        wait_for_log(worker_log, "ready.", procs)
        yield {"a": web_a, "b": web_b, "procs": procs, "env": env, "run": run}
    finally:
        procs.stop()
        for key in client.scan_iter(f"{run}:*"):
            client.delete(key)


@pytest.fixture
def scene(make_user, make_tribe, api_token):
    asker = make_user("asker", display_name="提问者")
    helper = make_user("helper", display_name="热心人")
    reader = make_user("reader", display_name="读者")
    topic = topics.create_topic(asker, make_tribe(), "宽带晚上总掉线", "请大家帮忙看看")
    token = {name: api_token(user)["Authorization"][7:]
             for name, user in [("asker", asker), ("helper", helper), ("reader", reader)]}
    return {"asker": asker, "helper": helper, "reader": reader, "topic": topic, "token": token}


def test_a_reply_posted_through_one_process_reaches_a_client_on_the_other(cluster, recorders,
                                                                          scene):
    topic_id = scene["topic"].id
    watcher = recorders().connect(cluster["a"], scene["token"]["reader"])
    assert watcher.call("join_topic", {"topic_id": topic_id})["ok"] is True
    author = recorders().connect(cluster["a"], scene["token"]["asker"])
    resp = requests.post(f"{cluster['b']}/api/v1/topics/{topic_id}/replies",
                         json={"body": "在进程 B 发的回复"},
                         headers={"Authorization": f"Bearer {scene['token']['helper']}"},
                         timeout=WAIT)
    assert resp.status_code == 201, resp.text
    reply_id = resp.json()["id"]
    try:
        event = watcher.wait_for("reply_created", lambda d: d["reply"]["id"] == reply_id)
        assert "在进程 B 发的回复" in event["reply"]["html"]
        # The notification was made by the worker and pushed through Redis as well.
        note = author.wait_for("notification")
        assert note["text"] == "热心人 回复了你的帖子「宽带晚上总掉线」"
        author.wait_for("unread_count", lambda d: d["count"] == 1)
    except AssertionError:
        print(cluster["procs"].logs())
        raise


def test_an_emit_from_a_task_in_the_worker_reaches_a_connected_client(cluster, recorders,
                                                                      scene):
    from celery import Celery

    asker = recorders().connect(cluster["b"], scene["token"]["asker"])
    asker.wait_for("unread_count")
    producer = Celery(broker=REDIS_URL)
    try:
        producer.send_task("forum.deliver_notification",
                           args=[[scene["asker"].id], "follow", {"actor_id": scene["reader"].id}])
        note = asker.wait_for("notification")
    except AssertionError:
        print(cluster["procs"].logs())
        raise
    finally:
        producer.close()
    assert note["kind"] == "follow" and note["text"] == "读者 关注了你"


def test_presence_is_counted_across_processes(cluster, recorders, scene):
    topic_id = scene["topic"].id
    on_a = recorders().connect(cluster["a"], scene["token"]["reader"])
    on_b = recorders().connect(cluster["b"], scene["token"]["helper"])
    assert on_a.call("join_topic", {"topic_id": topic_id})["count"] == 1
    assert on_b.call("join_topic", {"topic_id": topic_id})["count"] == 2
    on_a.wait_latest("presence", lambda d: d == {"topic_id": topic_id, "count": 2})
    assert on_b.call("leave_topic", {"topic_id": topic_id})["count"] == 1
    on_a.wait_latest("presence", lambda d: d["count"] == 1)


def test_beat_starts_with_the_schedule_packages_registered(cluster):
    procs = Processes(Path(tempfile.mkdtemp(prefix="huzhu-rt-beat-")))
    schedule = procs.tmpdir / "celerybeat-schedule"
    try:
        log = procs.beat(cluster["env"], schedule)
        # Logged once the schedule is set up (and written to the schedule file).
        wait_for_log(log, "beat: Ticking with max interval", procs)
    finally:
        procs.stop()  # a clean stop writes the schedule file
    import shelve

    with shelve.open(str(schedule), flag="r") as stored:
        entries = stored["entries"]
    assert "forum.purge_old_notifications" in entries
    assert entries["forum.purge_old_notifications"].task == "forum.purge_old_notifications"
