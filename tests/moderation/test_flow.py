"""The issue's main story with the real scorer: an angry post is scored in the background,
enters the queue and is pushed live to a connected moderator, is converted to a ticket; the
customer follows the ticket's timeline, it is resolved and the customer rates it."""

from __future__ import annotations

import sqlalchemy as sa

from forum.extensions import db, socketio
from forum.services.topics import create_topic
from moderation.scoring.models import PostScore
from tests.conftest import login
from tests.forum.test_api_openapi import documented

ANGRY = "垃圾移动！又乱扣我话费20块，客服态度极差，投诉了三次没人管，再不处理我就去工信部投诉、315曝光！"


def test_angry_post_is_scored_queued_pushed_converted_resolved_and_rated(
        app, real_scorer, make_user, make_tribe, api_token):
    moderator = make_user("kefu", roles=("moderator",))
    customer = make_user("angry")
    tribe = make_tribe("huafei", "话费与账单")

    mod_client = app.test_client()
    login(mod_client, "kefu")
    live = socketio.test_client(app, flask_test_client=mod_client)
    live.get_received()

    topic = create_topic(customer, tribe, "乱扣费投诉无门", ANGRY)
    post_id = topic.first_post_id
    score = db.session.scalar(sa.select(PostScore).where(PostScore.post_id == post_id))
    assert score is not None and score.negative, "the scorer should flag an angry complaint"

    pushed = [e["args"][0] for e in live.get_received() if e["name"] == "queue_item"]
    assert [p["post_id"] for p in pushed] == [post_id]
    live.disconnect()

    mod, cust = api_token(moderator), api_token(customer)
    queue = app.test_client().get("/api/v1/moderation/queue", headers=mod).get_json()
    assert [i["post_id"] for i in queue["items"]] == [post_id]

    c = app.test_client()
    created = c.post(f"/api/v1/moderation/queue/{post_id}/ticket", json={"category": "扣费"},
                     headers=mod)
    number = documented(created, "post", "/moderation/queue/{post_id}/ticket")["number"]
    for status in ("assigned", "in_progress"):
        c.post(f"/api/v1/tickets/{number}/status", json={"status": status}, headers=mod)
    c.post(f"/api/v1/tickets/{number}/replies", json={"body": "已核实误扣，退费 20 元"}, headers=mod)
    c.post(f"/api/v1/tickets/{number}/status", json={"status": "resolved"}, headers=mod)

    mine = c.get("/api/v1/me/tickets", headers=cust).get_json()
    assert [t["number"] for t in mine["items"]] == [number]
    seen = c.get(f"/api/v1/tickets/{number}", headers=cust).get_json()
    assert seen["status"] == "resolved"
    assert "已核实误扣，退费 20 元" in [e["body"] for e in seen["timeline"]]

    rated = c.post(f"/api/v1/tickets/{number}/rate", json={"score": 5, "comment": "满意"},
                   headers=cust)
    assert documented(rated, "post", "/tickets/{number}/rate")["rating"]["score"] == 5
    topic_page = app.test_client().get(f"/topic/{topic.id}").get_data(as_text=True)
    assert f"已转工单 #{number}" in topic_page
