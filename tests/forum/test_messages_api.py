"""The private-message API: every answer checked against the OpenAPI document."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models import Block
from forum.services import messages as pm
from tests.conftest import csrf_token, login
from tests.forum.test_api_openapi import DOCUMENT, documented
from tests.forum.test_views_queries import counted_queries


def api(client, method: str, path: str, template: str, headers=None, json=None, **kwargs):
    resp = client.open("/api/v1" + path, method=method.upper(), headers=headers or {},
                       json=json, **kwargs)
    documented(resp, method, template)
    return resp


def send(client, headers, username, body):
    return api(client, "post", f"/messages/{username}", "/messages/{username}",
               headers=headers, json={"body": body})


@pytest.fixture
def h(make_user, api_token):
    users = {name: make_user(name) for name in ("alice", "bobby", "carol")}
    users["kefu"] = make_user("kefu", roles=("moderator",))
    return {name: api_token(user) for name, user in users.items()}


def test_send_list_read_round_trip(client, h):
    resp = send(client, h["alice"], "bobby", "你好，**鲍比**")
    assert resp.status_code == 201
    sent = resp.get_json()
    assert sent["sender"]["username"] == "alice"
    assert sent["body"] == "你好，**鲍比**"
    assert "<strong>鲍比</strong>" in sent["body_html"]

    listing = api(client, "get", "/messages", "/messages", headers=h["bobby"]).get_json()
    assert listing["total"] == 1 and listing["unread_count"] == 1
    (row,) = listing["items"]
    assert row["id"] == sent["conversation_id"]
    assert row["other_user"]["username"] == "alice"
    assert row["unread_count"] == 1
    assert row["last_message"] == {"id": sent["id"], "from_me": False,
                                   "preview": "你好，**鲍比**",
                                   "created_at": sent["created_at"]}

    convo = api(client, "get", "/messages/alice", "/messages/{username}",
                headers=h["bobby"]).get_json()
    assert convo["conversation_id"] == sent["conversation_id"]
    assert convo["can_send"] is True and convo["refusal"] is None
    assert [m["id"] for m in convo["messages"]["items"]] == [sent["id"]]
    # Reading marked it read.
    after = api(client, "get", "/messages", "/messages", headers=h["bobby"]).get_json()
    assert after["unread_count"] == 0 and after["items"][0]["unread_count"] == 0


def test_messages_are_newest_first_and_paginated(client, h):
    ids = [send(client, h["alice"], "bobby", f"第{i}条").get_json()["id"] for i in range(5)]
    page1 = api(client, "get", "/messages/alice?per_page=2", "/messages/{username}",
                headers=h["bobby"]).get_json()["messages"]
    assert [m["id"] for m in page1["items"]] == [ids[4], ids[3]]
    assert page1["total"] == 5 and page1["per_page"] == 2
    page3 = api(client, "get", "/messages/alice?per_page=2&page=3", "/messages/{username}",
                headers=h["bobby"]).get_json()["messages"]
    assert [m["id"] for m in page3["items"]] == [ids[0]]


def test_empty_conversation_has_no_id(client, h):
    convo = api(client, "get", "/messages/carol", "/messages/{username}",
                headers=h["alice"]).get_json()
    assert convo["conversation_id"] is None and convo["messages"]["items"] == []


def test_authentication_is_required(client, h):
    assert api(client, "get", "/messages", "/messages").status_code == 401
    assert api(client, "get", "/messages/alice", "/messages/{username}").status_code == 401
    assert send(client, {}, "alice", "你好").status_code == 401
    assert api(client, "post", "/users/alice/block", "/users/{username}/block").status_code == 401


@pytest.mark.parametrize("payload, field_message", [
    ({"body": ""}, "私信内容不能为空"),
    ({"body": "  "}, "私信内容不能为空"),
    ({"body": "长" * 5001}, "私信最多 5000 字（当前 5001 字）"),
    ({}, "必填"),
    ({"body": 42}, "必须是字符串"),
    ({"body": "a\x00b"}, "不能包含空字符（\\u0000）"),
])
def test_bad_bodies_are_422_with_a_message(client, h, payload, field_message):
    resp = api(client, "post", "/messages/bobby", "/messages/{username}", headers=h["alice"],
               json=payload)
    assert resp.status_code == 422
    assert resp.get_json()["error"]["fields"] == {"body": field_message}


def test_malformed_json_is_400(client, h):
    resp = api(client, "post", "/messages/bobby", "/messages/{username}",
               headers={**h["alice"], "Content-Type": "application/json"}, data="{nope")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "bad_json"


def test_self_unknown_and_blocked(client, h):
    assert send(client, h["alice"], "alice", "我").status_code == 409
    assert api(client, "get", "/messages/alice", "/messages/{username}",
               headers=h["alice"]).status_code == 409
    assert send(client, h["alice"], "nobody_here", "你好").status_code == 404
    assert api(client, "get", "/messages/nobody_here", "/messages/{username}",
               headers=h["alice"]).status_code == 404

    blocked = api(client, "post", "/users/alice/block", "/users/{username}/block",
                  headers=h["bobby"])
    assert blocked.status_code == 200 and blocked.get_json() == {"blocked": True}
    refused = send(client, h["alice"], "bobby", "你好")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["message"] == "对方已将你屏蔽，无法发送私信"
    convo = api(client, "get", "/messages/bobby", "/messages/{username}",
                headers=h["alice"]).get_json()
    assert convo["can_send"] is False and convo["refusal"] == "对方已将你屏蔽，无法发送私信"
    # The blocker must unblock before writing.
    own = send(client, h["bobby"], "alice", "你好")
    assert own.status_code == 409 and "请先解除屏蔽" in own.get_json()["error"]["message"]
    assert api(client, "get", "/messages/alice", "/messages/{username}",
               headers=h["bobby"]).get_json()["blocked_by_me"] is True
    # A moderator is not refused by blocks.
    assert api(client, "post", "/users/kefu/block", "/users/{username}/block",
               headers=h["alice"]).status_code == 409
    unblocked = api(client, "delete", "/users/alice/block", "/users/{username}/block",
                    headers=h["bobby"])
    assert unblocked.status_code == 200 and unblocked.get_json() == {"blocked": False}
    assert send(client, h["alice"], "bobby", "你好").status_code == 201


def test_moderator_writes_despite_a_block(client, h, make_user):
    from forum.services.accounts import get_user_by_username

    alice, kefu = get_user_by_username("alice"), get_user_by_username("kefu")
    db.session.add(Block(blocker_id=alice.id, blocked_id=kefu.id))
    db.session.commit()
    assert send(client, h["kefu"], "alice", "您好，我是客服").status_code == 201


def test_rate_limit_is_429(client, h, app, make_user, api_token):
    old = app.config["NEW_CONVERSATIONS_PER_HOUR"]
    app.config["NEW_CONVERSATIONS_PER_HOUR"] = 2
    try:
        assert send(client, h["alice"], "bobby", "你好").status_code == 201
        assert send(client, h["alice"], "carol", "你好").status_code == 201
        resp = send(client, h["alice"], "kefu", "你好")
        assert resp.status_code == 429
        error = resp.get_json()["error"]
        assert error["code"] == "rate_limited" and "每小时最多发起 2 个" in error["message"]
        # The moderator may start as many as needed.
        for name in ("alice", "bobby", "carol"):
            assert send(client, h["kefu"], name, "您好").status_code == 201
    finally:
        app.config["NEW_CONVERSATIONS_PER_HOUR"] = old


def test_cookie_session_needs_the_csrf_header(client, h):
    login(client, "alice")
    resp = api(client, "post", "/messages/bobby", "/messages/{username}", json={"body": "你好"})
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "csrf_error"
    token = csrf_token(client, "/messages")
    ok = api(client, "post", "/messages/bobby", "/messages/{username}", json={"body": "你好"},
             headers={"X-CSRFToken": token})
    assert ok.status_code == 201


def test_list_costs_a_fixed_number_of_queries(client, h, make_user):
    from forum.services.accounts import get_user_by_username

    def listing_queries() -> int:
        db.session.remove()
        with counted_queries() as statements:
            assert api(client, "get", "/messages", "/messages",
                       headers=h["bobby"]).status_code == 200
        return len(statements)

    send(client, h["alice"], "bobby", "你好")
    few = listing_queries()
    bobby = get_user_by_username("bobby")
    for i in range(10):
        pm.send_message(make_user(f"sender{i}"), bobby, "你好")
    assert listing_queries() == few


def test_document_lists_the_message_endpoints():
    paths = DOCUMENT["paths"]
    assert {"get"} <= set(paths["/messages"])
    assert {"get", "post"} <= set(paths["/messages/{username}"])
    assert {"post", "delete"} <= set(paths["/users/{username}/block"])
    body = DOCUMENT["components"]["schemas"]["MessageBody"]["properties"]["body"]
    assert body["maxLength"] == pm.BODY_MAX == 5000
    assert "429" in paths["/messages/{username}"]["post"]["responses"]
