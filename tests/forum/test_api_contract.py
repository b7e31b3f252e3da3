"""The OpenAPI document is the request contract (forum/api/contract.py): what it refuses the
server refuses, and what it accepts the server accepts."""

from __future__ import annotations

import pytest

from forum.services import topics
from tests.forum.test_api_openapi import DOCUMENT, documented


@pytest.fixture
def scene(make_user, make_tribe, api_token):
    alice, bob = make_user("alice", roles=("customer", "employee")), make_user("bob")
    topic = topics.create_topic(alice, make_tribe("liuliang"), "流量怎么查询", "请问怎么查？")
    reply = topics.create_reply(bob, topic, "发短信查询")
    return {"alice": api_token(alice), "bob": api_token(bob), "topic": topic.id,
            "reply": reply.id}


def test_every_json_body_schema_is_a_closed_object():
    schemas = DOCUMENT["components"]["schemas"]
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                assert schemas[name].get("additionalProperties") is False, (method, path)


@pytest.mark.parametrize("payload, field, message", [
    ({"title": "流量怎么查询", "body": "正文", "colour": "red"}, "colour", "不支持的字段"),
    ({"title": None, "body": "正文"}, "title", "必须是字符串"),
    ({"title": "流量怎么查询", "body": "正文", "tags": None}, "tags", None),
])
def test_unknown_fields_and_nulls_are_refused(client, scene, payload, field, message):
    resp = client.post("/api/v1/tribes/liuliang/topics", json=payload, headers=scene["alice"])
    documented(resp, "post", "/tribes/{slug}/topics")
    assert resp.status_code == 422
    fields = resp.get_json()["error"]["fields"]
    assert field in fields
    if message:
        assert fields[field] == message


def test_a_patch_may_send_null_for_kept_fields_as_documented(client, scene):
    resp = client.patch(f"/api/v1/topics/{scene['topic']}", headers=scene["alice"],
                        json={"title": "只改一下标题", "body": None, "tags": None})
    documented(resp, "patch", "/topics/{topic_id}")
    assert resp.status_code == 200
    assert resp.get_json()["title"] == "只改一下标题"


def test_a_whole_number_float_is_an_integer(client, scene):
    resp = client.post(f"/api/v1/topics/{scene['topic']}/accept", headers=scene["alice"],
                       json={"reply_id": float(scene["reply"])})
    documented(resp, "post", "/topics/{topic_id}/accept")
    assert resp.status_code == 200
    assert resp.get_json()["accepted_reply_id"] == scene["reply"]


@pytest.mark.parametrize("value", ["", "year", "WEEK"])
def test_an_enum_query_parameter_outside_its_values_is_422(client, scene, value):
    resp = client.get("/api/v1/ideas/leaderboard", query_string={"period": value},
                      headers=scene["alice"])
    documented(resp, "get", "/ideas/leaderboard")
    assert resp.status_code == 422
    assert "period" in resp.get_json()["error"]["fields"]


def test_an_enum_query_parameter_in_its_values_is_served(client, scene):
    resp = client.get("/api/v1/ideas/leaderboard", query_string={"period": "month"},
                      headers=scene["alice"])
    assert resp.status_code == 200
