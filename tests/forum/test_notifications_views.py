"""Pages: the bell, the notification list, marking read, mute settings, post permalinks."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.models import Notification
from forum.services import accounts, topics
from forum.services import notifications as service
from tests.conftest import csrf_token, login


@pytest.fixture
def scene(make_user, make_tribe):
    asker = make_user("asker", display_name="提问者")
    helper = make_user("helper", display_name="热心人")
    tribe = make_tribe()
    topic = topics.create_topic(asker, tribe, "流量包怎么退订", "请问怎么退")
    return {"asker": asker, "helper": helper, "tribe": tribe, "topic": topic}


def bell_count(html: str) -> str | None:
    match = re.search(r'<span class="badge badge-count" data-unread-count( hidden)?>(\d+)</span>',
                      html)
    assert match, "no bell on the page"
    return None if match.group(1) else match.group(2)


def test_bell_shows_the_unread_count_and_hides_at_zero(client, scene):
    login(client, "asker")
    assert bell_count(client.get("/").get_data(as_text=True)) is None
    topics.create_reply(scene["helper"], scene["topic"], "在 App 里退订")
    html = client.get("/").get_data(as_text=True)
    assert bell_count(html) == "1"
    assert 'aria-label="通知（1 条未读）"' in html
    assert "socket.io.min.js" in html and "js/realtime.js" in html


def test_anonymous_visitors_get_no_bell_and_no_socket(client, scene):
    html = client.get("/").get_data(as_text=True)
    assert "data-unread-count" not in html and "socket.io.min.js" not in html
    resp = client.get("/notifications")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_topic_page_carries_its_id_for_the_live_script(client, scene):
    login(client, "helper")
    html = client.get(f"/topic/{scene['topic'].id}").get_data(as_text=True)
    assert f'data-topic-id="{scene["topic"].id}"' in html


def test_notifications_page_lists_grouped_items_and_links_to_open(client, scene, make_user):
    for i in range(3):
        topics.create_reply(make_user(f"fan{i}"), scene["topic"], f"办法{i}")
    accounts.set_following(scene["helper"], scene["asker"], True)
    login(client, "asker")
    html = client.get("/notifications").get_data(as_text=True)
    assert "你的帖子「流量包怎么退订」有 3 条新回复" in html
    assert "热心人 关注了你" in html
    assert html.index("热心人 关注了你") < html.index("3 条新回复")  # newest first
    assert "4 条未读" in html
    note = db.session.query(Notification).filter_by(kind="reply").one()
    assert f'href="/notifications/{note.id}/open"' in html


def test_opening_a_notification_marks_it_read_and_goes_to_the_reply(client, scene):
    reply = topics.create_reply(scene["helper"], scene["topic"], "第一条回复")
    note = db.session.query(Notification).one()
    login(client, "asker")
    resp = client.get(f"/notifications/{note.id}/open")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/p/{reply.id}"
    assert service.unread_count(scene["asker"].id) == 0
    resp = client.get(f"/p/{reply.id}")
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"/topic/{scene['topic'].id}#post-{reply.id}"


def test_post_permalink_finds_the_right_page(client, app, scene):
    per_page = app.config["REPLIES_PER_PAGE"]
    app.config["REPLIES_PER_PAGE"] = 2
    try:
        replies = [topics.create_reply(scene["helper"], scene["topic"], f"回复{i}")
                   for i in range(3)]
        resp = client.get(f"/p/{replies[2].id}")
        assert resp.headers["Location"] == (f"/topic/{scene['topic'].id}?page=2"
                                            f"#post-{replies[2].id}")
        first = scene["topic"].first_post_id
        assert client.get(f"/p/{first}").headers["Location"].endswith(f"#post-{first}")
    finally:
        app.config["REPLIES_PER_PAGE"] = per_page


def test_permalink_of_a_missing_or_deleted_post_is_404(client, scene):
    reply = topics.create_reply(scene["helper"], scene["topic"], "将被删除")
    topics.delete_post(scene["helper"], reply)
    assert client.get(f"/p/{reply.id}").status_code == 404
    assert client.get("/p/99999999999999999999").status_code == 404


def test_someone_elses_notification_cannot_be_opened(client, scene, make_user):
    topics.create_reply(scene["helper"], scene["topic"], "回复")
    note = db.session.query(Notification).one()
    make_user("nosy")
    login(client, "nosy")
    assert client.get(f"/notifications/{note.id}/open").status_code == 404
    assert service.unread_count(scene["asker"].id) == 1


def test_mark_one_and_mark_all_read_with_forms(client, scene):
    other = topics.create_topic(scene["asker"], scene["tribe"], "第二个问题标题", "正文")
    topics.create_reply(scene["helper"], scene["topic"], "a")
    topics.create_reply(scene["helper"], other, "b")
    first, _second = db.session.query(Notification).order_by(Notification.id).all()
    login(client, "asker")
    token = csrf_token(client, "/notifications")
    resp = client.post("/notifications/read", data={"ids": str(first.id), "csrf_token": token,
                                                    "next": "/notifications?page=1"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/notifications?page=1"
    assert service.unread_count(scene["asker"].id) == 1
    resp = client.post("/notifications/read", data={"all": "1", "csrf_token": token},
                       follow_redirects=True)
    assert "已全部标记为已读" in resp.get_data(as_text=True)
    assert service.unread_count(scene["asker"].id) == 0
    assert bell_count(resp.get_data(as_text=True)) is None


def test_mark_read_answers_json_to_fetch(client, scene):
    topics.create_reply(scene["helper"], scene["topic"], "a")
    note = db.session.query(Notification).one()
    login(client, "asker")
    token = csrf_token(client, "/notifications")
    resp = client.post("/notifications/read", data={"ids": str(note.id)},
                       headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert resp.get_json() == {"marked": 1, "unread_count": 0}


@pytest.mark.parametrize("data", [{}, {"ids": "abc"}, {"ids": "-1"}, {"ids": "1" * 30}])
def test_bad_mark_read_input_is_a_message_not_an_error(client, scene, data):
    login(client, "asker")
    token = csrf_token(client, "/notifications")
    resp = client.post("/notifications/read", data={**data, "csrf_token": token},
                       follow_redirects=True)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "请选择要标记的通知" in html or "通知编号无效" in html
    json_resp = client.post("/notifications/read", data=data,
                            headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert json_resp.status_code == 422
    assert json_resp.get_json()["error"]["code"] == "validation_error"


def test_mark_read_needs_csrf(client, scene):
    login(client, "asker")
    assert client.post("/notifications/read", data={"all": "1"}).status_code == 400


def test_empty_state_and_pagination(client, scene, make_user):
    login(client, "asker")
    html = client.get("/notifications").get_data(as_text=True)
    assert "暂时没有通知" in html
    for i in range(25):  # 25 followers are 1 grouped item; replies to 25 topics are 25 items
        topic = topics.create_topic(scene["asker"], scene["tribe"], f"第{i}个问题标题", "正文")
        topics.create_reply(scene["helper"], topic, "回复")
    html = client.get("/notifications").get_data(as_text=True)
    assert html.count('class="notif-item') == 20
    assert 'rel="next"' in html
    page2 = client.get("/notifications?page=2").get_data(as_text=True)
    # 25 reply items, plus whatever other packages said meanwhile (a points title …)
    others = db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == scene["asker"].id, Notification.kind != "reply"))
    assert page2.count('class="notif-item') == 5 + others
    assert "第0个问题标题" in page2  # oldest last
    assert "这一页没有通知了" in client.get("/notifications?page=9").get_data(as_text=True)
    assert client.get("/notifications?page=abc").status_code == 200


def test_settings_page_mutes_and_unmutes_kinds(client, scene):
    login(client, "asker")
    html = client.get("/settings/notifications").get_data(as_text=True)
    for label in ("回复我的帖子", "@提到我", "回复被采纳", "新粉丝", "私信"):
        assert label in html
    from forum.services.notifications import NOTIFICATION_KINDS

    # every kind a user may mute (packages add their own) starts switched on
    assert html.count("checked") == sum(1 for k in NOTIFICATION_KINDS.values() if k.mutable)
    token = csrf_token(client, "/settings/notifications")
    everything_but_replies = [k for k, spec in NOTIFICATION_KINDS.items()
                              if spec.mutable and k != "reply"]
    resp = client.post("/settings/notifications",
                       data={"receive": everything_but_replies, "csrf_token": token},
                       follow_redirects=True)
    assert "通知设置已保存" in resp.get_data(as_text=True)
    assert service.muted_kinds(scene["asker"]) == {"reply"}
    topics.create_reply(scene["helper"], scene["topic"], "不会通知")
    assert service.unread_count(scene["asker"].id) == 0
    resp = client.post("/settings/notifications",
                       data={"receive": ["reply", "bogus"], "csrf_token": token})
    assert resp.status_code == 200 and "没有这种通知类型" in resp.get_data(as_text=True)
    assert service.muted_kinds(scene["asker"]) == {"reply"}  # unchanged
