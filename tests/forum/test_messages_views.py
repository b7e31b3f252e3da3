"""Private message pages through the test client with real CSRF tokens."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.models import Message
from forum.services import blocks
from forum.services import messages as pm
from tests.conftest import csrf_token, login
from tests.forum.test_views_queries import counted_queries
from tests.html_safety import unsafe_parts


def send_form(client, username: str, body: str):
    token = csrf_token(client, "/messages")
    return client.post(f"/messages/{username}", data={"body": body, "csrf_token": token})


def textarea(html: str) -> str:
    match = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, "no message textarea"
    return match.group(1)


@pytest.fixture
def pair(make_user):
    return make_user("alice", display_name="爱丽丝"), make_user("bobby", display_name="鲍比")


@pytest.fixture
def limit(app):
    old = app.config["NEW_CONVERSATIONS_PER_HOUR"]
    yield lambda n: app.config.__setitem__("NEW_CONVERSATIONS_PER_HOUR", n)
    app.config["NEW_CONVERSATIONS_PER_HOUR"] = old


def test_pages_need_login(client, pair):
    for path in ("/messages", "/messages/alice", "/u/alice/block"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], path


def test_empty_list_says_how_to_start(client, pair):
    login(client, "alice")
    html = client.get("/messages").get_data(as_text=True)
    assert "还没有私信" in html


def test_list_shows_the_other_user_preview_and_unread_count(client, pair):
    alice, bobby = pair
    pm.send_message(alice, bobby, "请问宽带**报修**电话是多少？")
    pm.send_message(alice, bobby, "急")
    login(client, "bobby")
    html = client.get("/messages").get_data(as_text=True)
    assert "爱丽丝" in html and "@alice" in html
    assert "急" in html
    assert 'title="2 条未读"' in html
    # The header's 私信 link carries the total.
    assert re.search(r'data-unread-messages>2</span>', html)


def test_sending_from_the_page_shows_the_message_and_redirects(client, pair):
    login(client, "alice")
    resp = send_form(client, "bobby", "你好，**鲍比**")
    assert resp.status_code == 302
    message = db.session.scalar(sa.select(Message))
    assert resp.headers["Location"].endswith(f"/messages/bobby#msg-{message.id}")
    html = client.get("/messages/bobby").get_data(as_text=True)
    assert f'id="msg-{message.id}"' in html and "<strong>鲍比</strong>" in html
    assert "返回私信列表" in html


def test_opening_a_conversation_marks_it_read_in_the_header(client, pair):
    alice, bobby = pair
    pm.send_message(alice, bobby, "在吗")
    login(client, "bobby")
    assert 'data-unread-messages>1</span>' in client.get("/").get_data(as_text=True)
    html = client.get("/messages/alice").get_data(as_text=True)
    assert "在吗" in html
    assert re.search(r"data-unread-messages hidden>0</span>", html)
    assert pm.unread_count(bobby) == 0


@pytest.mark.parametrize("body, status, message", [
    ("   ", 422, "私信内容不能为空"),
    ("长" * 5001, 422, "私信最多 5000 字（当前 5001 字）"),
])
def test_bad_bodies_are_refused_with_the_typed_text_kept(client, pair, body, status, message):
    login(client, "alice")
    resp = send_form(client, "bobby", body)
    html = resp.get_data(as_text=True)
    assert resp.status_code == status
    assert message in html
    assert textarea(html) == body
    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 0


def test_a_blocked_sender_sees_why_and_keeps_the_text(client, pair):
    alice, bobby = pair
    pm.send_message(alice, bobby, "你好")
    blocks.set_blocked(bobby, alice, True)
    login(client, "alice")
    page = client.get("/messages/bobby").get_data(as_text=True)
    assert "对方已将你屏蔽，无法发送私信" in page
    assert 'name="body"' not in page  # no form to type into in vain
    resp = send_form(client, "bobby", "为什么不回我")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 403
    assert "对方已将你屏蔽，无法发送私信" in html
    assert textarea(html) == "为什么不回我"


def test_block_asks_for_confirmation_then_unblock_restores(client, pair):
    alice, bobby = pair
    pm.send_message(alice, bobby, "你好")
    login(client, "bobby")
    confirm = client.get("/u/alice/block")
    assert confirm.status_code == 200
    assert "确认屏蔽" in confirm.get_data(as_text=True)
    assert not blocks.is_blocked(bobby, alice)  # GET changes nothing
    token = csrf_token(client, "/messages")
    resp = client.post("/u/alice/block", data={"csrf_token": token})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/messages/alice")
    assert blocks.is_blocked(bobby, alice)
    page = client.get("/messages/alice").get_data(as_text=True)
    assert "解除屏蔽" in page and "你已屏蔽" in page
    resp = client.post("/u/alice/unblock", data={"csrf_token": token})
    assert resp.status_code == 302
    assert not blocks.is_blocked(bobby, alice)
    pm.send_message(alice, bobby, "又来了")


def test_block_without_csrf_token_is_refused(client, pair):
    login(client, "bobby")
    resp = client.post("/u/alice/block")
    assert resp.status_code == 400
    assert not blocks.is_blocked(pair[1], pair[0])


def test_staff_cannot_be_blocked_from_the_page(client, pair, make_user):
    make_user("kefu", roles=("moderator",))
    login(client, "alice")
    assert "无法屏蔽" in client.get("/u/kefu/block").get_data(as_text=True)
    assert "屏蔽此用户" not in client.get("/messages/kefu").get_data(as_text=True)
    resp = client.post("/u/kefu/block", data={"csrf_token": csrf_token(client, "/messages")})
    assert resp.status_code == 409


def test_a_moderator_writes_to_a_user_who_blocked_them(client, pair, make_user):
    alice, _ = pair
    moderator = make_user("kefu", roles=("moderator",))
    from forum.models import Block

    db.session.add(Block(blocker_id=alice.id, blocked_id=moderator.id))
    db.session.commit()
    login(client, "kefu")
    assert send_form(client, "alice", "您好，我是客服").status_code == 302
    assert pm.unread_count(alice) == 1


def test_rate_limit_refuses_with_429_and_keeps_the_text(client, make_user, limit):
    limit(2)
    make_user("sender")
    for i in range(3):
        make_user(f"target{i}")
    login(client, "sender")
    assert send_form(client, "target0", "你好").status_code == 302
    assert send_form(client, "target1", "你好").status_code == 302
    resp = send_form(client, "target2", "推广一下")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 429
    assert "每小时最多发起 2 个新的私信会话" in html
    assert textarea(html) == "推广一下"
    assert send_form(client, "target0", "老朋友不受限").status_code == 302


def test_a_third_user_cannot_reach_the_conversation(client, pair, make_user):
    alice, bobby = pair
    make_user("carol")
    conversation_id = pm.send_message(alice, bobby, "只给鲍比看的话").conversation_id
    login(client, "carol")
    assert client.get(f"/messages/c/{conversation_id}").status_code == 404
    assert client.get("/messages/c/999999").status_code == 404
    assert "只给鲍比看的话" not in client.get("/messages/alice").get_data(as_text=True)
    assert "只给鲍比看的话" not in client.get("/messages").get_data(as_text=True)


def test_conversation_link_by_id_leads_members_to_the_page(client, pair):
    alice, bobby = pair
    conversation_id = pm.send_message(alice, bobby, "你好").conversation_id
    login(client, "bobby")
    resp = client.get(f"/messages/c/{conversation_id}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/messages/alice")


def test_messaging_oneself_or_nobody(client, pair):
    login(client, "alice")
    resp = client.get("/messages/alice", follow_redirects=True)
    assert "不能给自己发私信" in resp.get_data(as_text=True)
    assert client.get("/messages/nobody_here").status_code == 404
    assert send_form(client, "nobody_here", "你好").status_code == 404
    resp = send_form(client, "alice", "自言自语")
    assert resp.status_code == 302  # back to the list, with the reason flashed
    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 0


def test_send_without_csrf_token_is_refused(client, pair):
    login(client, "alice")
    resp = client.post("/messages/bobby", data={"body": "你好"})
    assert resp.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 0


def test_message_html_is_inert(client, pair):
    alice, bobby = pair
    pm.send_message(alice, bobby, '<img src=x onerror=alert(1)> [点我](javascript:alert(1)) '
                                  '<script>alert(2)</script>')
    login(client, "bobby")
    html = client.get("/messages/alice").get_data(as_text=True)
    bodies = re.findall(r'<div class="message-body">(.*?)</div>', html, re.S)
    assert len(bodies) == 1 and "点我" in bodies[0]
    assert unsafe_parts(bodies[0]) == []


def test_conversation_pages_go_back_in_time(client, pair):
    alice, bobby = pair
    for i in range(pm.MESSAGES_PER_PAGE + 2):
        pm.send_message(alice, bobby, f"消息编号{i:02d}")
    login(client, "bobby")
    newest = client.get("/messages/alice").get_data(as_text=True)
    assert "消息编号31" in newest and "消息编号02" in newest and "消息编号01" not in newest
    assert "更早的消息" in newest
    older = client.get("/messages/alice?page=2").get_data(as_text=True)
    assert "消息编号00" in older and "消息编号01" in older and "消息编号02" not in older
    assert "较新的消息" in older
    beyond = client.get("/messages/alice?page=9")
    assert beyond.status_code == 200 and "这一页没有消息了" in beyond.get_data(as_text=True)


def test_list_is_paginated(client, make_user):
    me = make_user("reader")
    for i in range(pm.CONVERSATIONS_PER_PAGE + 1):
        pm.send_message(make_user(f"sender{i:02d}"), me, "你好")
    login(client, "reader")
    first = client.get("/messages").get_data(as_text=True)
    assert "@sender20" in first and "@sender00" not in first
    second = client.get("/messages?page=2").get_data(as_text=True)
    assert "@sender00" in second and "@sender20" not in second


def test_mark_read_endpoint_answers_the_remaining_count(client, pair, make_user):
    alice, bobby = pair
    first = pm.send_message(alice, bobby, "一")
    pm.send_message(alice, bobby, "二")
    pm.send_message(make_user("carol"), bobby, "三")
    login(client, "bobby")
    token = csrf_token(client, "/messages")
    resp = client.post("/messages/alice/read", data={"up_to": str(first.id)},
                       headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert resp.status_code == 200 and resp.get_json() == {"unread_count": 2}
    resp = client.post("/messages/alice/read", data={"up_to": "junk"},
                       headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert resp.get_json() == {"unread_count": 1}
    resp = client.post("/messages/nobody_here/read", headers={"X-CSRFToken": token})
    assert resp.status_code == 404


def test_profile_has_a_message_button_for_others_only(client, pair):
    assert "/messages/bobby" not in client.get("/u/bobby").get_data(as_text=True)
    login(client, "alice")
    assert 'href="/messages/bobby"' in client.get("/u/bobby").get_data(as_text=True)
    assert 'href="/messages/alice"' not in client.get("/u/alice").get_data(as_text=True)


def queries(client, path: str) -> int:
    from forum.services.topics import clear_caches

    clear_caches()  # every count starts cold, like test_views_queries
    db.session.remove()
    with counted_queries() as statements:
        resp = client.get(path)
    assert resp.status_code == 200, path
    return len(statements)


def test_list_page_query_count_does_not_grow_with_conversations(client, make_user):
    me = make_user("reader")
    for i in range(2):
        pm.send_message(make_user(f"early{i}"), me, "你好")
    login(client, "reader")
    few = queries(client, "/messages")
    for i in range(12):
        sender = make_user(f"later{i}")
        pm.send_message(sender, me, "你好")
        pm.send_message(me, sender, "回复")
    many = queries(client, "/messages")
    assert few == many
    assert many <= 8


def test_conversation_page_query_count_does_not_grow_with_messages(client, pair, make_user):
    alice, bobby = pair
    carol = make_user("carol")
    pm.send_message(alice, bobby, "一")
    for i in range(pm.MESSAGES_PER_PAGE + 5):
        pm.send_message(carol, bobby, f"消息{i}")
    login(client, "bobby")
    # Unread (the page marks the conversation and its bell item read) …
    few = queries(client, "/messages/alice")
    many = queries(client, "/messages/carol")
    # Counted cold: + the composer's saved draft, + the tribe moderators list the header
    # caches for a minute (forum/services/trust.py).
    assert few == many
    assert many <= 20
    # … and read already.
    assert queries(client, "/messages/alice") == queries(client, "/messages/carol") <= 12
