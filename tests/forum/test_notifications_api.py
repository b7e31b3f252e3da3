"""API: GET /api/v1/notifications and POST /api/v1/notifications/read, checked against the
OpenAPI document."""

from __future__ import annotations

import pytest

from forum.services import accounts, topics
from forum.services import notifications as service
from tests.forum.test_api_openapi import documented


@pytest.fixture
def scene(make_user, make_tribe, api_token):
    asker = make_user("asker", display_name="提问者")
    helper = make_user("helper", display_name="热心人")
    tribe = make_tribe()
    topic = topics.create_topic(asker, tribe, "流量包怎么退订", "请问怎么退")
    return {"asker": asker, "helper": helper, "topic": topic, "tribe": tribe,
            "auth": api_token(asker)}


def test_list_needs_a_user(client):
    resp = client.get("/api/v1/notifications")
    assert documented(resp, "get", "/notifications")["error"]["code"] == "unauthorized"


def test_list_is_newest_first_with_unread_count(client, scene, make_user):
    reply = topics.create_reply(scene["helper"], scene["topic"], "在 App 里退订")
    topics.create_reply(make_user("second"), scene["topic"], "营业厅也行")
    accounts.set_following(scene["helper"], scene["asker"], True)
    body = documented(client.get("/api/v1/notifications", headers=scene["auth"]),
                      "get", "/notifications")
    assert body["unread_count"] == 3 and body["total"] == 2 and body["page"] == 1
    follow, replies = body["items"]
    assert follow["kind"] == "follow" and follow["text"] == "热心人 关注了你"
    assert follow["url"] == "/u/helper" and follow["payload"]["actor_username"] == "helper"
    assert replies["kind"] == "reply" and replies["count"] == 2 and replies["read"] is False
    assert replies["label"] == "回复我的帖子"
    assert replies["payload"]["topic_id"] == scene["topic"].id
    assert replies["url"].startswith("/p/") and int(replies["url"][3:]) > reply.id


def test_list_pages(client, scene):
    for i in range(3):
        topic = topics.create_topic(scene["asker"], scene["tribe"], f"第{i}个问题标题", "正文")
        topics.create_reply(scene["helper"], topic, "回复")
    body = documented(client.get("/api/v1/notifications?page=2&per_page=2",
                                 headers=scene["auth"]), "get", "/notifications")
    assert body["total"] == 3 and len(body["items"]) == 1 and body["per_page"] == 2
    assert body["items"][0]["payload"]["topic_title"] == "第0个问题标题"
    body = documented(client.get("/api/v1/notifications?page=x&per_page=0",
                                 headers=scene["auth"]), "get", "/notifications")
    assert body["page"] == 1 and body["per_page"] == 1


def test_mark_some_then_all_read(client, scene, make_user):
    other = topics.create_topic(scene["asker"], scene["tribe"], "第二个问题标题", "正文")
    topics.create_reply(scene["helper"], scene["topic"], "a")
    topics.create_reply(scene["helper"], other, "b")
    items = client.get("/api/v1/notifications", headers=scene["auth"]).get_json()["items"]
    resp = client.post("/api/v1/notifications/read", json={"ids": [items[0]["id"]]},
                       headers=scene["auth"])
    assert documented(resp, "post", "/notifications/read") == {"marked": 1, "unread_count": 1}
    resp = client.post("/api/v1/notifications/read", json={"all": True}, headers=scene["auth"])
    assert documented(resp, "post", "/notifications/read") == {"marked": 1, "unread_count": 0}
    listed = client.get("/api/v1/notifications", headers=scene["auth"]).get_json()
    assert all(item["read"] for item in listed["items"])


def test_others_ids_are_ignored(client, scene, api_token):
    accounts.set_following(scene["asker"], scene["helper"], True)
    theirs = client.get("/api/v1/notifications",
                        headers=api_token(scene["helper"])).get_json()["items"][0]["id"]
    resp = client.post("/api/v1/notifications/read", json={"ids": [theirs, 2**40]},
                       headers=scene["auth"])
    assert documented(resp, "post", "/notifications/read")["marked"] == 0
    assert service.unread_count(scene["helper"].id) == 1


@pytest.mark.parametrize("payload, field", [
    ({}, "ids"),
    ({"ids": []}, "ids"),
    ({"ids": "1,2"}, "ids"),
    ({"ids": [1, "2"]}, "ids"),
    ({"ids": [0]}, "ids"),
    ({"ids": [True]}, "ids"),
    ({"all": "yes"}, "all"),
    ({"all": True, "ids": [1]}, "ids"),
    ({"ids": list(range(1, 502))}, "ids"),
])
def test_bad_bodies_are_422_with_the_field(client, scene, payload, field):
    resp = client.post("/api/v1/notifications/read", json=payload, headers=scene["auth"])
    body = documented(resp, "post", "/notifications/read")
    assert resp.status_code == 422 and field in body["error"]["fields"]


def test_non_json_body_is_400(client, scene):
    resp = client.post("/api/v1/notifications/read", data="ids=1", headers=scene["auth"])
    assert documented(resp, "post", "/notifications/read")["error"]["code"] == "bad_json"


def test_all_false_marks_nothing_without_ids(client, scene):
    resp = client.post("/api/v1/notifications/read", json={"all": False}, headers=scene["auth"])
    assert resp.status_code == 422
