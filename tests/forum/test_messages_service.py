"""Private messages (私信) through the service: conversations, unread counts, blocks, limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum import events
from forum.errors import Conflict, NotFound, PermissionDenied, RateLimited, ValidationError
from forum.extensions import db
from forum.models import Block, Conversation, ConversationParticipant, Message, User, utcnow
from forum.services import accounts, blocks
from forum.services import messages as pm
from tests.conftest import run_concurrently


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def pair(make_user):
    return make_user("alice"), make_user("bobby")


def test_first_message_starts_a_conversation_unread_for_the_recipient_only(pair):
    alice, bobby = pair
    message = pm.send_message(alice, "bobby", "  你好，请问流量包怎么退订？  ")
    assert message.body == "你好，请问流量包怎么退订？"
    assert count(Conversation) == 1
    assert pm.unread_count(bobby) == 1
    assert pm.unread_count(alice) == 0
    (row,) = pm.list_conversations(bobby, 1).items
    assert row.other_user.username == "alice"
    assert row.unread == 1
    assert row.preview == "你好，请问流量包怎么退订？"
    (mine,) = pm.list_conversations(alice, 1).items
    assert mine.other_user.username == "bobby" and mine.unread == 0


def test_both_directions_share_one_conversation(pair):
    alice, bobby = pair
    first = pm.send_message(alice, bobby, "在吗")
    second = pm.send_message(bobby, alice, "在的")
    assert first.conversation_id == second.conversation_id
    assert count(Conversation) == 1
    assert count(ConversationParticipant) == 2
    conversation = db.session.get(Conversation, first.conversation_id)
    assert conversation.message_count == 2
    assert conversation.last_message_id == second.id


def test_replying_marks_the_conversation_read_for_the_replier(pair):
    alice, bobby = pair
    pm.send_message(alice, bobby, "一")
    pm.send_message(alice, bobby, "二")
    assert pm.unread_count(bobby) == 2
    pm.send_message(bobby, alice, "收到")
    assert pm.unread_count(bobby) == 0
    assert pm.unread_count(alice) == 1


def test_reading_marks_read_and_later_messages_are_unread_again(pair):
    alice, bobby = pair
    for text in ("一", "二", "三"):
        pm.send_message(alice, bobby, text)
    view = pm.conversation_view(bobby, "alice", 1)
    assert [m.body for m in view.messages_oldest_first] == ["一", "二", "三"]
    assert pm.unread_count(bobby) == 0
    pm.send_message(alice, bobby, "四")
    assert pm.unread_count(bobby) == 1
    assert pm.list_conversations(bobby, 1).items[0].unread == 1


def test_reading_without_marking_keeps_unread(pair):
    alice, bobby = pair
    pm.send_message(alice, bobby, "一")
    pm.conversation_view(bobby, alice, 1, mark_read=False)
    assert pm.unread_count(bobby) == 1


def test_mark_read_up_to_a_message_leaves_later_ones_unread(pair):
    alice, bobby = pair
    first = pm.send_message(alice, bobby, "一")
    pm.send_message(alice, bobby, "二")
    assert pm.mark_read(bobby, "alice", first.id) == 1
    assert pm.mark_read(bobby, "alice") == 0
    # The read mark never moves back.
    pm.mark_read(bobby, "alice", first.id)
    assert pm.unread_count(bobby) == 0


def test_unread_counts_add_up_across_conversations(make_user):
    me = make_user("reader")
    for i in range(3):
        sender = make_user(f"sender{i}")
        for _ in range(i + 1):
            pm.send_message(sender, me, f"来自 {i}")
    assert pm.unread_count(me) == 1 + 2 + 3
    rows = pm.list_conversations(me, 1).items
    assert {r.other_user.username: r.unread for r in rows} == {
        "sender0": 1, "sender1": 2, "sender2": 3}


def test_conversations_are_listed_newest_activity_first_and_paginated(make_user):
    me = make_user("reader")
    senders = [make_user(f"sender{i}") for i in range(5)]
    for sender in senders:
        pm.send_message(sender, me, "你好")
    pm.send_message(me, senders[1], "先回复你")  # sender1's conversation moves to the top
    first = pm.list_conversations(me, 1, per_page=2)
    assert first.total == 5 and first.pages == 3
    assert [r.other_user.username for r in first.items] == ["sender1", "sender4"]
    assert first.items[0].last_message.body == "先回复你"
    third = pm.list_conversations(me, 3, per_page=2)
    assert [r.other_user.username for r in third.items] == ["sender0"]


def test_conversation_page_one_is_the_newest(pair):
    alice, bobby = pair
    for i in range(7):
        pm.send_message(alice, bobby, f"第{i}条")
    newest = pm.conversation_view(bobby, alice, 1, per_page=3)
    assert [m.body for m in newest.messages_oldest_first] == ["第4条", "第5条", "第6条"]
    assert newest.messages.total == 7 and newest.messages.pages == 3
    oldest = pm.conversation_view(bobby, alice, 3, per_page=3)
    assert [m.body for m in oldest.messages_oldest_first] == ["第0条"]


def test_a_conversation_with_someone_never_written_to_is_empty(pair):
    alice, bobby = pair
    view = pm.conversation_view(alice, bobby, 1)
    assert view.conversation is None and view.messages.items == [] and view.can_send
    assert count(Conversation) == 0


def test_third_user_cannot_open_someone_elses_conversation_by_id(pair, make_user):
    alice, bobby = pair
    carol = make_user("carol")
    conversation_id = pm.send_message(alice, bobby, "私事").conversation_id
    assert pm.get_conversation_or_404(bobby, conversation_id).id == conversation_id
    with pytest.raises(NotFound):
        pm.get_conversation_or_404(carol, conversation_id)
    # Carol's own page with Alice is hers alone: the Alice–Bobby messages are not in it.
    assert pm.conversation_view(carol, alice, 1).messages.items == []


def test_message_to_oneself_is_refused(pair):
    alice, _ = pair
    with pytest.raises(Conflict, match="不能给自己发私信"):
        pm.send_message(alice, "alice", "自言自语")
    assert count(Message) == 0


def test_unknown_recipient_is_not_found(pair):
    alice, _ = pair
    with pytest.raises(NotFound):
        pm.send_message(alice, "nobody_here", "你好")
    with pytest.raises(NotFound):
        pm.send_message(alice, "bad\x00name", "你好")


@pytest.mark.parametrize("body, message", [
    ("", "私信内容不能为空"),
    ("   \n\t ", "私信内容不能为空"),
    ("长" * 5001, "私信最多 5000 字（当前 5001 字）"),
    ("a\x00b", "内容包含无效字符"),
])
def test_bad_bodies_are_refused_with_a_message(pair, body, message):
    alice, bobby = pair
    with pytest.raises(ValidationError) as err:
        pm.send_message(alice, bobby, body)
    assert err.value.fields == {"body": message}
    assert err.value.status == 422
    assert count(Message) == 0 and count(Conversation) == 0


def test_five_thousand_characters_are_accepted_after_trimming(pair):
    alice, bobby = pair
    message = pm.send_message(alice, bobby, "  " + "长" * 5000 + "\n")
    assert len(message.body) == 5000


def test_bodies_are_markdown_sanitized_and_personal_data_is_not_masked(pair):
    alice, bobby = pair
    message = pm.send_message(alice, bobby, "**加粗** <script>alert(1)</script> 我的号码 13812345678")
    assert "<strong>加粗</strong>" in message.body_html
    assert "<script>" not in message.body_html
    assert "13812345678" in message.body_html  # private: nothing is masked


def test_a_blocked_sender_is_refused_and_unblocking_restores(pair):
    alice, bobby = pair
    pm.send_message(alice, bobby, "你好")
    assert blocks.set_blocked(bobby, "alice", True) is True
    assert blocks.is_blocked(bobby, alice)
    with pytest.raises(PermissionDenied) as err:
        pm.send_message(alice, bobby, "还在吗")
    assert err.value.message == "对方已将你屏蔽，无法发送私信"
    assert err.value.status == 403
    view = pm.conversation_view(alice, bobby, 1)
    assert not view.can_send and view.refusal == "对方已将你屏蔽，无法发送私信"
    assert blocks.set_blocked(bobby, alice, False) is False
    pm.send_message(alice, bobby, "还在吗")
    assert count(Message) == 2


def test_who_blocked_must_unblock_before_writing(pair):
    alice, bobby = pair
    blocks.set_blocked(alice, bobby, True)
    with pytest.raises(Conflict, match="请先解除屏蔽"):
        pm.send_message(alice, bobby, "你好")
    view = pm.conversation_view(alice, bobby, 1)
    assert view.blocked_by_me and not view.can_send


def test_blocking_is_idempotent_and_not_for_oneself_or_staff(pair, make_user):
    alice, bobby = pair
    moderator = make_user("kefu", roles=("moderator",))
    admin = make_user("boss", roles=("admin",))
    blocks.set_blocked(alice, bobby, True)
    blocks.set_blocked(alice, bobby, True)
    assert count(Block) == 1
    blocks.set_blocked(alice, bobby, False)
    blocks.set_blocked(alice, bobby, False)
    assert count(Block) == 0
    with pytest.raises(Conflict, match="不能屏蔽自己"):
        blocks.set_blocked(alice, alice, True)
    for staff in (moderator, admin):
        with pytest.raises(Conflict, match="无法屏蔽"):
            blocks.set_blocked(alice, staff, True)
    assert count(Block) == 0


def test_moderators_and_admins_message_users_who_blocked_them(pair, make_user):
    alice, _ = pair
    moderator = make_user("kefu", roles=("customer", "moderator"))
    admin = make_user("boss", roles=("admin",))
    # Blocks made before someone became staff still exist; staff are not refused by them.
    db.session.add_all([Block(blocker_id=alice.id, blocked_id=moderator.id),
                        Block(blocker_id=alice.id, blocked_id=admin.id)])
    db.session.commit()
    pm.send_message(moderator, alice, "您好，关于您反映的扣费问题……")
    pm.send_message(admin, alice, "您好")
    assert pm.unread_count(alice) == 2


def test_inactive_accounts_receive_no_messages(pair):
    alice, bobby = pair
    bobby.is_active_account = False
    db.session.commit()
    with pytest.raises(Conflict, match="已停用"):
        pm.send_message(alice, bobby, "你好")


@pytest.fixture
def limit(app):
    """NEW_CONVERSATIONS_PER_HOUR set for one test."""
    old = app.config["NEW_CONVERSATIONS_PER_HOUR"]

    def _set(value: int) -> int:
        app.config["NEW_CONVERSATIONS_PER_HOUR"] = value
        return value

    yield _set
    app.config["NEW_CONVERSATIONS_PER_HOUR"] = old


def test_new_conversations_are_limited_per_hour_at_the_limit_not_before(make_user, limit):
    n = limit(3)
    spammer = make_user("spammer")
    targets = [make_user(f"target{i}") for i in range(n + 1)]
    for target in targets[:n]:
        pm.send_message(spammer, target, "你好")  # up to the limit: fine
    with pytest.raises(RateLimited) as err:
        pm.send_message(spammer, targets[n], "你好")
    assert err.value.status == 429
    assert "每小时最多发起 3 个新的私信会话" in err.value.message
    assert count(Conversation) == n
    # Existing conversations are not limited.
    for target in targets[:n]:
        pm.send_message(spammer, target, "再说一句")
    # Replies to someone else's first message do not count as starting one.
    pm.send_message(targets[n], spammer, "你找我？")
    pm.send_message(spammer, targets[n], "是的")


def test_the_limit_counts_the_last_hour_only(make_user, limit):
    limit(2)
    sender = make_user("sender")
    pm.send_message(sender, make_user("tgt1"), "你好")
    pm.send_message(sender, make_user("tgt2"), "你好")
    with pytest.raises(RateLimited):
        pm.send_message(sender, make_user("tgt3"), "你好")
    db.session.execute(sa.update(Conversation).values(created_at=utcnow() - timedelta(minutes=61)))
    db.session.commit()
    pm.send_message(sender, "tgt3", "你好")


def test_the_default_limit_is_five_and_configurable(app, make_user):
    assert app.config["NEW_CONVERSATIONS_PER_HOUR"] == 5
    sender = make_user("sender")
    for i in range(5):
        pm.send_message(sender, make_user(f"tgt{i}"), "你好")
    with pytest.raises(RateLimited):
        pm.send_message(sender, make_user("tgt5"), "你好")


def test_moderators_are_not_rate_limited(make_user, limit):
    limit(1)
    moderator = make_user("kefu", roles=("moderator",))
    for i in range(4):
        pm.send_message(moderator, make_user(f"customer{i}"), "您好，我是客服")
    assert count(Conversation) == 4


def test_message_sent_event_fires_after_commit_with_ids(pair):
    alice, bobby = pair
    received = []

    def listener(_sender, **payload):
        received.append(payload)

    events.message_sent.connect(listener)
    try:
        message = pm.send_message(alice, bobby, "你好")
        pm.send_message(alice, bobby, "再见")
    finally:
        events.message_sent.disconnect(listener)
    assert received[0] == {"message_id": message.id, "conversation_id": message.conversation_id,
                           "sender_id": alice.id, "recipient_id": bobby.id,
                           "new_conversation": True}
    assert received[1]["new_conversation"] is False


def test_the_recipient_is_notified_and_the_sender_is_not(pair):
    from forum.services import notifications

    alice, bobby = pair
    pm.send_message(alice, bobby, "你好")
    pm.send_message(alice, bobby, "在吗")
    page = notifications.list_for(bobby, 1, 20)
    assert len(page.items) == 1  # two messages from one sender fold into one item
    note = page.items[0]
    assert note.kind == "message" and note.count == 2
    assert notifications.text_of(note) == "alice 给你发来 2 条私信"
    assert notifications.url_of(note) == "/messages/alice"
    assert notifications.list_for(alice, 1, 20).items == []


def test_reading_the_conversation_reads_its_bell_item_too(pair, make_user):
    from forum.services import notifications

    alice, bobby = pair
    carol = make_user("carol")
    pm.send_message(alice, bobby, "你好")
    pm.send_message(alice, bobby, "在吗")
    pm.send_message(carol, bobby, "我是卡罗尔")
    assert notifications.unread_count(bobby.id) == 3
    pm.conversation_view(bobby, "alice", 1)
    assert notifications.unread_count(bobby.id) == 1  # Carol's is still unread
    pm.send_message(carol, bobby, "还有一件事")
    pm.mark_read(bobby, "carol")
    assert notifications.unread_count(bobby.id) == 0


def test_simultaneous_first_messages_from_both_sides_make_one_conversation(app, pair):
    alice_id, bobby_id = pair[0].id, pair[1].id
    db.session.commit()

    def send(i):
        me, other = (alice_id, bobby_id) if i % 2 == 0 else (bobby_id, alice_id)
        pm.send_message(db.session.get(User, me), db.session.get(User, other), f"第{i}条")

    assert run_concurrently(app, 6, send) == []
    db.session.expire_all()
    assert count(Conversation) == 1
    assert count(ConversationParticipant) == 2
    conversation = db.session.scalar(sa.select(Conversation))
    assert conversation.message_count == 6 == count(Message)
    newest = db.session.scalar(sa.select(sa.func.max(Message.id)))
    assert conversation.last_message_id == newest
    assert pm.unread_count(db.session.get(User, alice_id)) + \
        pm.unread_count(db.session.get(User, bobby_id)) >= 1


def test_concurrent_new_conversations_respect_the_limit_exactly(app, make_user, limit):
    limit(3)
    sender_id = make_user("sender").id
    targets = [make_user(f"target{i}").id for i in range(6)]
    db.session.commit()

    def send(i):
        pm.send_message(db.session.get(User, sender_id), db.session.get(User, targets[i]), "你好")

    errors = run_concurrently(app, 6, send)
    assert len(errors) == 3 and all(isinstance(e, RateLimited) for e in errors), errors
    assert count(Conversation) == 3


def test_blocked_users_lists_whom_i_blocked(pair, make_user):
    alice, bobby = pair
    carol = make_user("carol")
    blocks.set_blocked(alice, bobby, True)
    blocks.set_blocked(alice, carol, True)
    assert {u.username for u in blocks.blocked_users(alice)} == {"bobby", "carol"}
    assert accounts.get_user_by_username("carol") is not None
