"""The moderation API end to end, each response checked against the OpenAPI document."""

from __future__ import annotations

import pytest

from tests.forum.test_api_openapi import documented


@pytest.fixture
def h(scene, api_token):
    return {"mod": api_token(scene.moderator), "customer": api_token(scene.customer),
            "other": api_token(scene.other), "tribe_mod": api_token(scene.tribe_mod)}


def test_queue_lists_flagged_posts_with_score_breakdown_and_handling(client, scene, flag, h):
    flag(scene.post, demand="compensation")
    resp = client.get("/api/v1/moderation/queue", headers=h["mod"])
    body = documented(resp, "get", "/moderation/queue")
    item = body["items"][0]
    assert item["post_id"] == scene.post.id
    assert item["score"]["keywords"] == ["扣费", "投诉"]
    assert item["demand"]["handling"] == "线下沟通、酌情处理"
    assert item["author"]["post_count"] == 1
    filtered = client.get("/api/v1/moderation/queue?demand=venting", headers=h["mod"]).get_json()
    assert filtered["items"] == []
    bad = client.get("/api/v1/moderation/queue?status=nope", headers=h["mod"])
    documented(bad, "get", "/moderation/queue")
    assert bad.status_code == 422


def test_customers_get_403_on_moderator_routes(client, scene, flag, h):
    flag(scene.post)
    for method, path, body in (
            ("get", "/api/v1/moderation/queue", None),
            ("post", f"/api/v1/moderation/queue/{scene.post.id}/actions", {"action": "dismiss"}),
            ("post", f"/api/v1/moderation/queue/{scene.post.id}/ticket", {})):
        resp = getattr(client, method)(path, json=body, headers=h["customer"])
        assert resp.status_code == 403, path
    assert client.get("/api/v1/moderation/queue").status_code == 401


def test_actions_through_the_api(client, scene, flag, h):
    flag(scene.post)
    path = f"/api/v1/moderation/queue/{scene.post.id}/actions"
    resp = client.post(path, json={"action": "reply", "body": "{name}您好，已收到"},
                       headers=h["mod"])
    body = documented(resp, "post", "/moderation/queue/{post_id}/actions")
    assert body["reply_id"] and body["item"]["status"] == "handled"
    resp = client.post(path, json={"action": "reply", "body": "{oops}"}, headers=h["mod"])
    assert resp.status_code == 422
    assert "未知的占位符 {oops}" in documented(resp, "post", "/moderation/queue/{post_id}/actions")[
        "error"]["message"]
    resp = client.post(path, json={"action": "reply", "body": ""}, headers=h["mod"])
    assert resp.status_code == 422 and "不能为空" in resp.get_json()["error"]["message"]
    resp = client.post(path, json={"action": "cold"}, headers=h["mod"])
    assert documented(resp, "post", "/moderation/queue/{post_id}/actions")["item"][
        "visibility"] == "cold"


def test_angry_post_to_rated_ticket_through_the_api(client, scene, flag, h):
    flag(scene.post)
    resp = client.post(f"/api/v1/moderation/queue/{scene.post.id}/ticket",
                       json={"category": "扣费", "tier": "high"}, headers=h["mod"])
    ticket = documented(resp, "post", "/moderation/queue/{post_id}/ticket")
    assert resp.status_code == 201
    number = ticket["number"]
    again = client.post(f"/api/v1/moderation/queue/{scene.post.id}/ticket", headers=h["mod"])
    assert again.status_code == 409
    documented(again, "post", "/moderation/queue/{post_id}/ticket")

    mine = documented(client.get("/api/v1/me/tickets", headers=h["customer"]), "get",
                      "/me/tickets")
    assert [t["number"] for t in mine["items"]] == [number]
    assert documented(client.get(f"/api/v1/tickets/{number}", headers=h["other"]), "get",
                      "/tickets/{number}")["error"]["code"] == "not_found"

    status = f"/api/v1/tickets/{number}/status"
    bad = client.post(status, json={"status": "resolved"}, headers=h["mod"])
    err = documented(bad, "post", "/tickets/{number}/status")
    assert bad.status_code == 409 and err["error"]["fields"]["allowed"] == "assigned,closed"
    for target in ("assigned", "in_progress"):
        documented(client.post(status, json={"status": target}, headers=h["mod"]), "post",
                   "/tickets/{number}/status")
    reply = client.post(f"/api/v1/tickets/{number}/replies", json={"body": "已为您退费"},
                        headers=h["mod"])
    assert reply.status_code == 201
    documented(reply, "post", "/tickets/{number}/replies")
    client.post(f"/api/v1/tickets/{number}/replies", json={"body": "内部：已退", "internal": True},
                headers=h["mod"])
    resolved = client.post(status, json={"status": "resolved"}, headers=h["mod"])
    assert documented(resolved, "post", "/tickets/{number}/status")["status"] == "resolved"

    seen = documented(client.get(f"/api/v1/tickets/{number}", headers=h["customer"]), "get",
                      "/tickets/{number}")
    kinds = [e["kind"] for e in seen["timeline"]]
    assert kinds == ["created", "assigned", "status", "reply", "status"]
    assert seen["can_rate"] is True and "内部：已退" not in str(seen)

    rate = f"/api/v1/tickets/{number}/rate"
    for bad_score in (0, 6, "5"):
        resp = client.post(rate, json={"score": bad_score}, headers=h["customer"])
        assert resp.status_code == 422
        documented(resp, "post", "/tickets/{number}/rate")
    assert client.post(rate, json={"score": 5}, headers=h["mod"]).status_code == 403
    assert client.post(rate, json={"score": 5}, headers=h["other"]).status_code == 404
    ok = client.post(rate, json={"score": 5, "comment": "很满意"}, headers=h["customer"])
    assert documented(ok, "post", "/tickets/{number}/rate")["rating"]["score"] == 5
    twice = client.post(rate, json={"score": 4}, headers=h["customer"])
    assert twice.status_code == 409


def test_customer_reply_and_internal_note_refusal(client, scene, h):
    from moderation.services import tickets

    t = tickets.create_ticket(scene.customer, scene.customer, title="我的工单",
                              source_post=scene.post)
    path = f"/api/v1/tickets/{t.number}/replies"
    assert client.post(path, json={"body": "补充"}, headers=h["customer"]).status_code == 201
    resp = client.post(path, json={"body": "x", "internal": True}, headers=h["customer"])
    assert resp.status_code == 403
    assert client.post(path, json={"body": "  "}, headers=h["customer"]).status_code == 422
    assert client.post(path, json={"body": "x"}, headers=h["other"]).status_code == 404
