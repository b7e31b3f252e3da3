"""Every moderator decision becomes a training label, committed with the action and its
audit entry; "不是负面" is one click (form with CSRF, and the API)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.errors import ValidationError
from forum.extensions import db
from forum.services.topics import create_reply
from moderation.models import AuditEntry, QueueItem
from moderation.scoring.models import ModerationLabel
from moderation.services import actions, model_versions
from tests.conftest import csrf_token, login
from tests.forum.test_api_openapi import documented


def _labels(post_id: int) -> list[tuple]:
    db.session.expire_all()
    return [(lb.negative, lb.demand, lb.source_action) for lb in db.session.scalars(
        sa.select(ModerationLabel).where(ModerationLabel.post_id == post_id)
        .order_by(ModerationLabel.id))]


def test_a_dismissal_becomes_a_not_negative_training_label(scene, flag):
    flag(scene.post)
    actions.perform(scene.moderator, scene.post.id, "dismiss")
    assert _labels(scene.post.id) == [(False, None, "dismiss")]
    label = db.session.scalar(sa.select(ModerationLabel))
    assert label.moderator_id == scene.moderator.id and label.created_at is not None
    [example] = model_versions.site_examples()
    assert example.negative is False and "又乱扣我话费了" in example.text
    assert example.is_reply is False


@pytest.mark.parametrize("action,params", [
    ("ticket", {}), ("cold", {}), ("hide", {}),
    ("reply", {"body": "{name}您好，已收到"}), ("message", {"body": "您好，私信您了"})])
def test_handling_actions_are_negative_labels(scene, flag, action, params):
    flag(scene.post)
    actions.perform(scene.moderator, scene.post.id, action, params)
    assert _labels(scene.post.id) == [(True, None, action)]


def test_a_changed_demand_is_that_demand_and_the_latest_decision_wins(scene, flag):
    reply = create_reply(scene.other, scene.topic, "套餐太贵了，能不能便宜点")
    flag(scene.post)
    flag(reply)
    actions.perform(scene.moderator, scene.post.id, "set_demand", {"demand": "saving"})
    actions.perform(scene.moderator, scene.post.id, "ticket")
    actions.perform(scene.moderator, reply.id, "hide")
    actions.perform(scene.moderator, reply.id, "reopen")  # says nothing new: no label
    actions.perform(scene.moderator, reply.id, "not_negative")
    assert _labels(scene.post.id) == [(None, "saving", "set_demand"), (True, "saving", "ticket")]
    assert _labels(reply.id) == [(True, None, "hide"), (False, None, "not_negative")]
    examples = {e.text.split("\n")[0]: e for e in model_versions.site_examples()}
    assert examples["又乱扣我话费了"].negative and examples["又乱扣我话费了"].intent == "saving"
    answer = examples["套餐太贵了，能不能便宜点"]
    assert answer.negative is False and answer.intent is None and answer.is_reply


def test_a_failed_action_records_neither_label_nor_audit(scene, flag):
    flag(scene.post)
    with pytest.raises(ValidationError):
        actions.perform(scene.moderator, scene.post.id, "set_demand", {"demand": "nope"})
    db.session.rollback()
    assert _labels(scene.post.id) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_not_negative_one_click_on_the_queue_page(app, scene, flag):
    flag(scene.post)
    mod = app.test_client()
    login(mod, "kefu")
    html = mod.get("/moderation/queue").get_data(as_text=True)
    assert 'value="not_negative"' in html and "不是负面" in html
    no_token = mod.post(f"/moderation/queue/{scene.post.id}/action",
                        data={"action": "not_negative"})
    assert no_token.status_code == 400 and _labels(scene.post.id) == []
    token = csrf_token(mod, "/moderation/queue")
    resp = mod.post(f"/moderation/queue/{scene.post.id}/action",
                    data={"csrf_token": token, "action": "not_negative",
                          "next": "/moderation/queue"}, follow_redirects=True)
    assert "已标为不是负面" in resp.get_data(as_text=True)
    assert _labels(scene.post.id) == [(False, None, "not_negative")]
    item = db.session.scalar(sa.select(QueueItem))
    assert item.status == "dismissed" and item.last_action == "not_negative"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "not_negative"))
    assert entry is not None and entry.actor_id == scene.moderator.id


def test_not_negative_through_the_api(client, scene, flag, api_token):
    flag(scene.post)
    path = f"/api/v1/moderation/queue/{scene.post.id}/not-negative"
    refused = client.post(path, headers=api_token(scene.customer))
    assert refused.status_code == 403 and _labels(scene.post.id) == []
    resp = client.post(path, json={"reason": "只是咨询"}, headers=api_token(scene.moderator))
    body = documented(resp, "post", "/moderation/queue/{post_id}/not-negative")
    assert body["action"] == "not_negative" and body["item"]["status"] == "dismissed"
    assert _labels(scene.post.id) == [(False, None, "not_negative")]
    bad = client.post(path, json={"reason": 5}, headers=api_token(scene.moderator))
    assert bad.status_code == 422
    missing = client.post("/api/v1/moderation/queue/999999/not-negative",
                          headers=api_token(scene.moderator))
    assert documented(missing, "post", "/moderation/queue/{post_id}/not-negative")
    assert missing.status_code == 404
