"""Socket.IO in the embedded mode (one process, no Redis): who may connect and join what,
what arrives where, and that bad events get an ``error`` event instead of a crash."""

from __future__ import annotations

import re

import pytest
import requests

from forum import realtime
from forum.extensions import db
from forum.models import HIDDEN, Topic
from forum.services import notifications as service
from forum.services import topics
from tests.realtime.conftest import WAIT


@pytest.fixture
def scene(make_user, make_tribe, api_token):
    asker = make_user("asker", display_name="提问者")
    helper = make_user("helper", display_name="热心人")
    reader = make_user("reader", display_name="读者")
    moderator = make_user("mod", roles=("moderator",), display_name="版主")
    tribe = make_tribe()
    topic = topics.create_topic(asker, tribe, "宽带晚上总掉线", "请大家帮忙看看")
    return {"asker": asker, "helper": helper, "reader": reader, "moderator": moderator,
            "topic": topic, "tokens": {name: api_token(user)["Authorization"][7:]
                                       for name, user in [("asker", asker), ("helper", helper),
                                                          ("reader", reader),
                                                          ("mod", moderator)]}}


def post_reply(base: str, token: str, topic_id: int, body: str) -> dict:
    resp = requests.post(f"{base}/api/v1/topics/{topic_id}/replies", json={"body": body},
                         headers={"Authorization": f"Bearer {token}"}, timeout=WAIT)
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_a_reply_posted_over_http_reaches_clients_on_the_topic(live_server, recorders, scene):
    topic_id = scene["topic"].id
    watcher = recorders().connect(live_server, scene["tokens"]["reader"])
    assert watcher.call("join_topic", {"topic_id": topic_id}) == {
        "ok": True, "topic_id": topic_id, "count": 1}
    elsewhere = recorders().connect(live_server, scene["tokens"]["mod"])  # not on the topic
    reply = post_reply(live_server, scene["tokens"]["helper"], topic_id,
                       "先重启光猫，联系 13812345678")
    event = watcher.wait_for("reply_created", lambda d: d["reply"]["id"] == reply["id"])
    assert event["topic_id"] == topic_id and event["reply_count"] == 1
    assert event["reply"]["author"] == {"username": "helper", "display_name": "热心人"}
    html = event["reply"]["html"]
    assert f'id="post-{reply["id"]}"' in html and "先重启光猫" in html
    assert "13812345678" not in html and "138****5678" in html  # masked for the room
    assert "<script" not in html
    assert elsewhere.received("reply_created") == []


def test_the_topic_author_gets_the_notification_and_count_live(live_server, recorders, scene):
    author = recorders().connect(live_server, scene["tokens"]["asker"])
    assert author.wait_for("unread_count") == {"count": 0}  # sent on connect
    post_reply(live_server, scene["tokens"]["helper"], scene["topic"].id, "试试换个信道")
    note = author.wait_for("notification")
    assert note["kind"] == "reply" and note["text"] == "热心人 回复了你的帖子「宽带晚上总掉线」"
    assert re.fullmatch(r"/notifications/\d+/open", note["url"])
    author.wait_for("unread_count", lambda d: d["count"] == 1)
    # Reading elsewhere (another tab, the API) updates the bell too.
    service.mark_all_read(db.session.get(type(scene["asker"]), scene["asker"].id))
    author.wait_for("unread_count", lambda d: d["count"] == 0 and len(author.received(
        "unread_count")) >= 3)


def test_connections_authenticate_by_token_query_or_session_cookie(live_server, recorders,
                                                                    scene):
    by_query = recorders().connect(live_server, scene["tokens"]["reader"], query_token=True)
    assert by_query.wait_for("unread_count") == {"count": 0}
    session = requests.Session()
    page = session.get(f"{live_server}/login", timeout=WAIT).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    session.post(f"{live_server}/login", data={"username": "reader", "password": "password123",
                                                "csrf_token": token}, timeout=WAIT)
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    by_cookie = recorders().connect(live_server, headers={"Cookie": cookie})
    assert by_cookie.call("join_topic", {"topic_id": scene["topic"].id})["ok"] is True


def test_anonymous_and_bad_tokens_are_refused(live_server, recorders, scene):
    from concurrent.futures import ThreadPoolExecutor

    import socketio

    def attempt(token):
        try:
            recorders().connect(live_server, token)
        except socketio.exceptions.ConnectionError as err:
            return str(err)
        return "connected"

    # In parallel: a refused client spends ~3 s closing its websocket.
    with ThreadPoolExecutor(3) as pool:
        outcomes = list(pool.map(attempt, [None, "not-a-token", "x" * 500]))
    assert all("failed to connect" in outcome for outcome in outcomes), outcomes


def test_a_customer_cannot_join_the_moderators_room(live_server, recorders, scene):
    customer = recorders().connect(live_server, scene["tokens"]["reader"])
    answer = customer.call("join_moderators")
    assert answer == {"ok": False, "error": "只有版主和管理员可以加入该频道"}
    assert customer.wait_for("error")["event"] == "join_moderators"
    moderator = recorders().connect(live_server, scene["tokens"]["mod"])
    assert moderator.call("join_moderators") == {"ok": True}
    realtime.emit_to_moderators("queue_changed", {"size": 3})
    assert moderator.wait_for("queue_changed") == {"size": 3}
    customer.call("leave_topic", {"topic_id": scene["topic"].id})  # a round trip
    assert customer.received("queue_changed") == []


def test_user_rooms_are_private(live_server, recorders, scene):
    asker = recorders().connect(live_server, scene["tokens"]["asker"])
    reader = recorders().connect(live_server, scene["tokens"]["reader"])
    realtime.emit_to_user(scene["asker"].id, "ping_me", {"n": 1})
    assert asker.wait_for("ping_me") == {"n": 1}
    reader.call("leave_topic", {"topic_id": scene["topic"].id})
    assert reader.received("ping_me") == []


MALFORMED = [
    ("join_topic", None, "参数格式错误"),
    ("join_topic", "12", "参数格式错误"),
    ("join_topic", [1], "参数格式错误"),
    ("join_topic", {}, "topic_id 必须是正整数"),
    ("join_topic", {"topic_id": -3}, "topic_id 必须是正整数"),
    ("join_topic", {"topic_id": True}, "topic_id 必须是正整数"),
    ("join_topic", {"topic_id": 2**40}, "topic_id 必须是正整数"),
    ("join_topic", {"topic_id": 10**6}, "帖子不存在或无权查看"),
    ("leave_topic", {"topic_id": "abc"}, "topic_id 必须是正整数"),
    ("leave_topic", ["x", {"topic_id": 1}], "参数格式错误"),
]


def test_malformed_events_get_an_error_event_and_the_connection_lives_on(
        live_server, recorders, scene):
    client = recorders().connect(live_server, scene["tokens"]["reader"])
    for n, (event, data, message) in enumerate(MALFORMED, start=1):
        answer = client.call(event, data)
        assert answer["ok"] is False and message in answer["error"], (event, data, answer)
        error = client.wait_for("error", lambda d, n=n: len(client.received("error")) >= n)
        assert client.received("error")[-1] == {"event": event, "message": answer["error"]}
        assert error
    client.client.emit("no_such_event", {"x": 1})  # ignored, not fatal
    client.client.emit("join_topic", ({"topic_id": 1}, "extra", "args"))  # extra args ignored
    assert client.call("join_topic", {"topic_id": scene["topic"].id})["ok"] is True


def test_hidden_topics_cannot_be_joined_by_readers(live_server, recorders, scene):
    topic = db.session.get(Topic, scene["topic"].id)
    topic.visibility = HIDDEN
    db.session.commit()
    reader = recorders().connect(live_server, scene["tokens"]["reader"])
    assert reader.call("join_topic", {"topic_id": topic.id})["ok"] is False
    author = recorders().connect(live_server, scene["tokens"]["asker"])  # the author still may
    assert author.call("join_topic", {"topic_id": topic.id})["ok"] is True


def test_presence_counts_viewers_of_a_topic(live_server, recorders, scene):
    topic_id = scene["topic"].id
    first = recorders().connect(live_server, scene["tokens"]["reader"])
    assert first.call("join_topic", {"topic_id": topic_id})["count"] == 1
    second = recorders().connect(live_server, scene["tokens"]["helper"])
    assert second.call("join_topic", {"topic_id": topic_id})["count"] == 2
    first.wait_latest("presence", lambda d: d == {"topic_id": topic_id, "count": 2})
    assert second.call("leave_topic", {"topic_id": topic_id})["count"] == 1
    first.wait_latest("presence", lambda d: d["count"] == 1)
    assert second.call("join_topic", {"topic_id": topic_id})["count"] == 2
    first.wait_latest("presence", lambda d: d["count"] == 2)
    second.close()  # a closed tab leaves too
    first.wait_latest("presence", lambda d: d["count"] == 1)


def test_presence_updates_are_batched(live_server, recorders, scene, make_user, api_token):
    """Ten readers arriving at once cost the room a few updates, not one per arrival."""
    topic_id = scene["topic"].id
    watcher = recorders().connect(live_server, scene["tokens"]["reader"])
    watcher.call("join_topic", {"topic_id": topic_id})
    token = api_token(scene["helper"])["Authorization"][7:]
    readers = [recorders().connect(live_server, token) for _ in range(10)]
    before = len(watcher.received("presence"))
    for reader in readers:  # all at once, without waiting for each answer
        reader.client.emit("join_topic", {"topic_id": topic_id})
    watcher.wait_latest("presence", lambda d: d["count"] == 11)
    assert len(watcher.received("presence")) - before <= 3
