"""Moderator actions on queued posts: each one is applied and recorded in the audit log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import COLD, HIDDEN, VISIBLE, Message, Post
from moderation.models import AuditEntry
from moderation.services import actions, audit, canned


@pytest.fixture
def queued(scene, flag):
    flag(scene.post)
    return scene


def _audit(post_id):
    return [(e.action, e.actor_id) for e in audit.entries_for("post", post_id)]


def test_dismiss_closes_the_item_and_is_audited_with_before_and_after(queued):
    result = actions.perform(queued.moderator, queued.post.id, "dismiss", {"reason": "误报"})
    assert result.item.status == "dismissed"
    entry = audit.entries_for("post", queued.post.id)[-1]
    assert (entry.action, entry.actor_id, entry.reason) == ("dismiss", queued.moderator.id, "误报")
    assert entry.before["status"] == "open" and entry.after["status"] == "dismissed"


def test_public_reply_from_a_canned_reply_fills_placeholders_and_posts_as_the_moderator(queued):
    template = canned.save_reply(queued.moderator, title="致歉",
                                 body="{name}您好，我是{tribe}版主{moderator}，已收到。")
    result = actions.perform(queued.moderator, queued.post.id, "reply",
                             {"canned_reply_id": template.id})
    reply = result.reply
    assert reply.author_id == queued.moderator.id and reply.topic_id == queued.topic.id
    assert reply.body == "愤怒的小王您好，我是话费与账单版主客服小移，已收到。"
    assert result.item.status == "handled"
    assert _audit(queued.post.id)[-1] == ("reply", queued.moderator.id)


def test_private_message_reply_reaches_the_author(queued):
    actions.perform(queued.moderator, queued.post.id, "message",
                    {"body": "{username} 您好，我私信联系您处理扣费问题"})
    message = db.session.scalar(sa.select(Message))
    assert message.sender_id == queued.moderator.id
    assert message.body == "angry 您好，我私信联系您处理扣费问题"
    assert _audit(queued.post.id)[-1] == ("message", queued.moderator.id)


@pytest.mark.parametrize("body, expected", [
    ("", "答复内容不能为空"),
    ("   ", "答复内容不能为空"),
    ("您好 {phone}", "未知的占位符 {phone}"),
    ("您好 {username.__class__}", "未知的占位符"),
    ("工单号 {ticket}", "没有可用的值"),
])
def test_bad_reply_texts_are_refused_with_a_clear_message(queued, body, expected):
    with pytest.raises(ValidationError) as err:
        actions.perform(queued.moderator, queued.post.id, "reply", {"body": body})
    assert expected in err.value.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 1
    assert _audit(queued.post.id) == []


def test_canned_replies_with_unknown_placeholders_or_empty_text_cannot_be_saved(queued):
    with pytest.raises(ValidationError) as err:
        canned.save_reply(queued.moderator, title="坏模板", body="您好 {手机号}")
    assert "未知的占位符 {手机号}" in err.value.fields["body"]
    with pytest.raises(ValidationError) as err:
        canned.save_reply(queued.moderator, title="空模板", body="  ")
    assert err.value.fields["body"] == "答复内容不能为空"


def test_convert_to_ticket_links_the_post_and_marks_the_item_handled(queued):
    result = actions.perform(queued.moderator, queued.post.id, "ticket",
                             {"category": "扣费", "tier": "high"})
    ticket = result.ticket
    assert ticket.number.startswith("GD") and ticket.customer_id == queued.customer.id
    assert ticket.source_post_id == queued.post.id and ticket.tier == "high"
    assert ticket.demand == "compensation"
    assert result.item.status == "handled"
    assert _audit(queued.post.id)[-1] == ("ticket", queued.moderator.id)
    # the {ticket} placeholder now has a value
    reply = actions.perform(queued.moderator, queued.post.id, "reply",
                            {"body": "已为您创建工单 {ticket}"}).reply
    assert reply.body == f"已为您创建工单 {ticket.number}"


def test_converting_twice_is_a_conflict(queued):
    from forum.errors import Conflict

    actions.perform(queued.moderator, queued.post.id, "ticket", {})
    with pytest.raises(Conflict):
        actions.perform(queued.moderator, queued.post.id, "ticket", {})


def test_cold_hide_and_restore_change_visibility_and_are_audited(queued, captured_events):
    from forum import events

    seen = captured_events(events.post_visibility_changed)["post_visibility_changed"]
    actions.perform(queued.moderator, queued.post.id, "cold", {})
    assert db.session.get(Post, queued.post.id).visibility == COLD
    assert queued.topic.visibility == COLD
    actions.perform(queued.moderator, queued.post.id, "hide", {})
    assert db.session.get(Post, queued.post.id).visibility == HIDDEN
    actions.perform(queued.moderator, queued.post.id, "restore", {})
    assert db.session.get(Post, queued.post.id).visibility == VISIBLE
    assert [a for a, _ in _audit(queued.post.id)] == ["cold", "hide", "restore"]
    assert [(e["previous"], e["visibility"]) for e in seen if e["post_id"] == queued.post.id] == [
        (VISIBLE, COLD), (COLD, HIDDEN), (HIDDEN, VISIBLE)]


def test_every_action_writes_one_audit_entry(queued):
    for action, params in (("set_demand", {"demand": "venting"}), ("dismiss", {}),
                           ("reopen", {}), ("hide", {}), ("restore", {}),
                           ("message", {"body": "您好"}), ("reply", {"body": "您好"}),
                           ("cold", {}), ("ticket", {})):
        before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
        actions.perform(queued.moderator, queued.post.id, action, params)
        entries = audit.entries_for("post", queued.post.id)
        assert entries[-1].action == action
        after = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
        assert after >= before + 1


def test_customers_and_other_tribes_moderators_may_not_act(queued, make_user, make_tribe):
    with pytest.raises(PermissionDenied):
        actions.perform(queued.customer, queued.post.id, "dismiss", {})
    outsider = make_user("outsider_mod")
    make_tribe("other-t", "别的部落", moderators=["outsider_mod"])
    with pytest.raises(PermissionDenied):
        actions.perform(outsider, queued.post.id, "dismiss", {})
    actions.perform(queued.tribe_mod, queued.post.id, "dismiss", {})


def test_unknown_action_and_unqueued_post_are_refused(queued):
    with pytest.raises(ValidationError):
        actions.perform(queued.moderator, queued.post.id, "explode", {})
    with pytest.raises(NotFound):
        actions.perform(queued.moderator, 999999, "dismiss", {})


class _AuditDown(RuntimeError):
    pass


@pytest.mark.parametrize("action, params", [
    ("reply", {"body": "您好，已收到"}),
    ("message", {"body": "{username} 您好，我私信联系您"}),
    ("ticket", {}),
    ("hide", {}),
])
def test_an_action_whose_audit_entry_fails_leaves_nothing_behind(queued, monkeypatch, action,
                                                                  params):
    """The action and its audit entry commit together or not at all: the second step fails
    (the audit write, by fault injection), so the reply, message, ticket or hiding is gone."""
    from moderation.models import Ticket

    def failing_record(*_args, **_kwargs):
        raise _AuditDown("audit store unavailable")

    posts_before = db.session.scalar(sa.select(sa.func.count()).select_from(Post))
    monkeypatch.setattr(audit, "record", failing_record)
    with pytest.raises(_AuditDown):
        actions.perform(queued.moderator, queued.post.id, action, params)
    monkeypatch.undo()
    db.session.expire_all()
    with db.engine.connect() as conn:  # what is committed, seen from another connection
        count = lambda model: conn.execute(  # noqa: E731
            sa.select(sa.func.count()).select_from(model)).scalar()
        assert count(Post) == posts_before
        assert count(Message) == 0 and count(Ticket) == 0
        assert count(AuditEntry) == 0
    assert db.session.get(Post, queued.post.id).visibility == VISIBLE
    # The item is still open, and the same action goes through once the audit log works.
    result = actions.perform(queued.moderator, queued.post.id, action, params)
    assert _audit(queued.post.id)[-1] == (action, queued.moderator.id)
    assert result.item.status == "handled"
