"""Tribe pages: list with counts, join/leave, tribe page ordering, pagination, empty state,
home page."""

from __future__ import annotations

import re

from forum.extensions import db
from forum.models import Topic
from forum.services import topics, tribes
from tests.conftest import login, post_form


def test_tribes_page_lists_tribes_with_counts(client, make_user, make_tribe):
    alice = make_user("alice")
    liuliang = make_tribe("liuliang", "流量管家")
    make_tribe("mail", "移动邮箱")
    tribes.set_membership(alice, liuliang, True)
    topics.create_topic(alice, liuliang, "怎么查询流量", "正文")
    html = client.get("/tribes").get_data(as_text=True)
    assert "流量管家" in html and "移动邮箱" in html
    assert "<b>1</b> 成员 · <b>1</b> 话题" in html
    assert "/join" not in html  # anonymous visitors get no join buttons


def test_join_and_leave_change_member_count(client, make_user, make_tribe):
    make_user("alice")
    tribe = make_tribe("liuliang", "流量管家")
    login(client, "alice")
    html = client.get("/t/liuliang").get_data(as_text=True)
    assert "加入部落" in html

    resp = post_form(client, "/t/liuliang/join")
    assert resp.status_code == 302 and resp.headers["Location"] == "/t/liuliang"
    html = client.get("/t/liuliang").get_data(as_text=True)
    assert '<span class="count-members"><b>1</b> 成员</span>' in html
    assert "退出部落" in html and "已加入部落「流量管家」" in html

    post_form(client, "/t/liuliang/join")  # joining twice changes nothing
    db.session.refresh(tribe)
    assert tribe.member_count == 1

    resp = post_form(client, "/t/liuliang/leave", {"next": "/tribes"})
    assert resp.headers["Location"] == "/tribes"
    db.session.refresh(tribe)
    assert tribe.member_count == 0
    assert 'action="/t/liuliang/join"' in client.get("/tribes").get_data(as_text=True)


def test_join_needs_login_and_a_real_tribe(client, make_user, make_tribe):
    make_tribe("liuliang")
    resp = post_form(client, "/t/liuliang/join")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    make_user("alice")
    login(client, "alice")
    assert post_form(client, "/t/nope/join").status_code == 404


def test_join_ignores_next_pointing_elsewhere(client, make_user, make_tribe):
    make_user("alice")
    make_tribe("liuliang")
    login(client, "alice")
    resp = post_form(client, "/t/liuliang/join", {"next": "https://evil.example.com/"})
    assert resp.headers["Location"] == "/t/liuliang"


def test_unknown_tribe_is_404_page(client):
    resp = client.get("/t/no-such-tribe")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 404
    assert "部落不存在" in html and "返回首页" in html


def test_tribe_page_shows_pinned_first_then_latest_activity(client, make_user, make_tribe):
    alice = make_user("alice", display_name="爱丽丝")
    bob = make_user("bob")
    tribe = make_tribe("liuliang", "流量管家")
    old = topics.create_topic(alice, tribe, "最早的帖子标题", "正文", "流量")
    middle = topics.create_topic(alice, tribe, "中间的帖子标题", "正文")
    newest = topics.create_topic(alice, tribe, "最新的帖子标题", "正文")
    reply = topics.create_reply(bob, middle, "回复让它活跃起来")
    topics.accept_answer(alice, middle, reply)
    db.session.get(Topic, old.id).is_pinned = True
    db.session.commit()

    html = client.get("/t/liuliang").get_data(as_text=True)
    order = [html.index(t) for t in ("最早的帖子标题", "中间的帖子标题", "最新的帖子标题")]
    assert order[0] < order[1] < order[2]  # pinned, then most recent activity (the reply)
    assert "置顶" in html and "已解决" in html and "#流量" in html and "爱丽丝" in html
    assert newest.id  # listed last: no activity since it was posted


def test_tribe_page_paginates(client, make_user, make_tribe, app):
    alice = make_user("alice")
    tribe = make_tribe("liuliang")
    per_page = app.config["TOPICS_PER_PAGE"]
    for i in range(per_page + 3):
        topics.create_topic(alice, tribe, f"第{i:02d}个问题标题", "正文")
    first = client.get("/t/liuliang").get_data(as_text=True)
    assert f"第{per_page + 2:02d}个问题标题" in first and "第00个问题标题" not in first
    assert 'href="/t/liuliang?page=2"' in first
    second = client.get("/t/liuliang?page=2").get_data(as_text=True)
    assert "第00个问题标题" in second and 'aria-current="page">2<' in second
    assert len(re.findall(r'class="topic-row', second)) == 3
    beyond = client.get("/t/liuliang?page=99")
    assert beyond.status_code == 200 and "这一页没有话题了" in beyond.get_data(as_text=True)
    assert client.get("/t/liuliang?page=abc").status_code == 200


def test_empty_tribe_invites_the_first_post(client, make_tribe):
    make_tribe("liuliang", "流量管家")
    html = client.get("/t/liuliang").get_data(as_text=True)
    assert "这个部落还没有话题" in html
    assert "登录后发帖" in html


def test_home_shows_tribes_latest_hot_and_solved_ratio(client, make_user, make_tribe):
    alice = make_user("alice")
    bob = make_user("bob")
    tribe = make_tribe("liuliang", "流量管家")
    solved = topics.create_topic(alice, tribe, "已经解决的问题", "正文")
    topics.create_topic(alice, tribe, "还没解决的问题", "正文")
    reply = topics.create_reply(bob, solved, "这样做就行")
    topics.accept_answer(alice, solved, reply)
    topics.set_like(bob, solved.first_post, True)

    html = client.get("/").get_data(as_text=True)
    assert "流量管家" in html
    assert "还没解决的问题" in html and "已经解决的问题" in html
    assert "<dt>解决率</dt><dd>50%</dd>" in html
    hot = html.split("热门话题")[1]
    assert "已经解决的问题" in hot


def test_home_when_empty(client):
    html = client.get("/").get_data(as_text=True)
    assert "还没有人发帖" in html and "<dd>0%</dd>" in html


def test_tag_page_lists_tagged_topics(client, make_user, make_tribe):
    alice = make_user("alice")
    tribe = make_tribe("liuliang", "流量管家")
    topics.create_topic(alice, tribe, "带标签的帖子", "正文", "流量 查询")
    topics.create_topic(alice, tribe, "没有标签的帖子", "正文")
    html = client.get("/tag/流量").get_data(as_text=True)
    assert "带标签的帖子" in html and "没有标签的帖子" not in html
    assert "没有带这个标签的话题" in client.get("/tag/不存在").get_data(as_text=True)
