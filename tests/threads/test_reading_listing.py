"""Unread markers, 全部标为已读, tribe sorting (page and API), 精华 by tribe moderators only,
watching (notified on every reply), bookmarks (收藏), the home page's pages."""

import re

import pytest
import sqlalchemy as sa

from forum.errors import PermissionDenied
from forum.extensions import db
from forum.models import Notification, Topic
from forum.models.threads import TopicUser
from forum.services import bookmarks, listing, reading, topics
from tests import factories as f
from tests.conftest import csrf_token, login


def _row(user, topic):
    db.session.expire_all()
    return db.session.get(TopicUser, (user.id, topic.id))


def test_reading_marks_move_and_lists_show_unread(client):
    asker, reader, helper = f.user(), f.user(), f.user()
    tribe = f.tribe()
    topic = f.topic(asker, tribe)
    f.reply(helper, topic)
    login(client, reader.username)
    client.get(f"/topic/{topic.id}")
    assert _row(reader, topic).last_read_floor == 2
    html = client.get(f"/t/{tribe.slug}").get_data(as_text=True)
    assert "is-unread" not in html
    new = f.reply(helper, topic, "新的回复")
    f.reply(helper, topic, "又一条")
    html = client.get(f"/t/{tribe.slug}").get_data(as_text=True)
    assert "2 条新回复" in html and f'href="/topic/{topic.id}/unread"' in html
    # The marker leads to the first unread floor.
    resp = client.get(f"/topic/{topic.id}/unread")
    assert resp.headers["Location"].endswith(f"/topic/{topic.id}/3")
    assert client.get(f"/topic/{topic.id}/3").headers["Location"].endswith(f"#post-{new.id}")
    client.get(f"/topic/{topic.id}")
    assert "is-unread" not in client.get(f"/t/{tribe.slug}").get_data(as_text=True)
    # Read everything: the unread link goes to the topic itself.
    assert client.get(f"/topic/{topic.id}/unread").headers["Location"].endswith(
        f"/topic/{topic.id}")


def test_a_mark_never_goes_back_and_pages_count(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REPLIES_PER_PAGE", 2)
    asker, reader, helper = f.user(), f.user(), f.user()
    topic = f.topic(asker, f.tribe())
    for i in range(5):
        f.reply(helper, topic, f"回复 {i}")
    login(client, reader.username)
    client.get(f"/topic/{topic.id}?page=2")
    assert _row(reader, topic).last_read_floor == 5
    client.get(f"/topic/{topic.id}")
    assert _row(reader, topic).last_read_floor == 5  # never goes back
    client.get(f"/topic/{topic.id}?page=3")
    assert _row(reader, topic).last_read_floor == 6


def test_mark_tribe_read_page_and_api(client, api_token):
    asker, reader, helper = f.user(), f.user(), f.user()
    tribe, other = f.tribe(), f.tribe()
    a, b, c = f.topic(asker, tribe), f.topic(asker, tribe), f.topic(asker, other)
    for t in (a, b, c):
        reading.mark_read(reader, t, 1)
        f.reply(helper, t)
    assert set(reading.unread_counts(reader, [a, b, c])) == {a.id, b.id, c.id}
    login(client, reader.username)
    token = csrf_token(client, f"/t/{tribe.slug}")
    resp = client.post(f"/t/{tribe.slug}/read", data={"csrf_token": token},
                       follow_redirects=True)
    assert "全部标为已读（2 个话题）" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert set(reading.unread_counts(reader, [a, b, c])) == {c.id}  # other tribe untouched
    resp = client.post(f"/api/v1/tribes/{other.slug}/read", headers=api_token(reader))
    assert resp.get_json() == {"marked": 1}
    assert client.post("/api/v1/tribes/nope/read", headers=api_token(reader)).status_code == 404


@pytest.fixture
def sorted_tribe():
    mod = f.user("sort_mod")
    tribe = f.tribe(moderators=["sort_mod"])
    asker, helper = f.user(), f.user()
    old = f.topic(asker, tribe, "最早发布的帖子")
    busy = f.topic(asker, tribe, "回复最多的帖子")
    new = f.topic(asker, tribe, "最新发布的帖子")
    for _ in range(3):
        f.reply(helper, busy)
    solved_reply = f.reply(helper, old, "答案")
    topics.accept_answer(asker, old, solved_reply)
    listing.set_featured(mod, new, True)
    return mod, tribe, asker, old, busy, new


def _titles(html):
    return re.findall(r'class="topic-title"[^>]*>.*?(最\S+的帖子|回复最多的帖子)</a>', html, re.S)


@pytest.mark.parametrize("sort,expected", [
    ("latest", ["最早发布的帖子", "回复最多的帖子", "最新发布的帖子"]),
    ("new", ["最新发布的帖子", "回复最多的帖子", "最早发布的帖子"]),
    ("hot", ["回复最多的帖子", "最早发布的帖子", "最新发布的帖子"]),
    ("featured", ["最新发布的帖子"]),
    ("unsolved", ["回复最多的帖子", "最新发布的帖子"]),
])
def test_tribe_sorting_in_page_and_api(client, sorted_tribe, sort, expected):
    _mod, tribe, *_ = sorted_tribe
    html = client.get(f"/t/{tribe.slug}?sort={sort}").get_data(as_text=True)
    assert _titles(html) == expected
    data = client.get(f"/api/v1/tribes/{tribe.slug}/topics?sort={sort}").get_json()
    assert [t["title"] for t in data["items"]] == expected


def test_bad_sort_is_the_default_on_the_page_and_400_in_the_api(client, sorted_tribe):
    _mod, tribe, *_ = sorted_tribe
    resp = client.get(f"/t/{tribe.slug}?sort=bogus")
    assert resp.status_code == 200
    assert _titles(resp.get_data(as_text=True))[0] == "最早发布的帖子"
    resp = client.get(f"/api/v1/tribes/{tribe.slug}/topics?sort=bogus")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "bad_sort"
    assert "最新回复" in resp.get_json()["error"]["message"]


def test_featured_badge_and_only_tribe_moderators_may_feature(client, api_token, sorted_tribe):
    mod, tribe, asker, old, _busy, new = sorted_tribe
    html = client.get(f"/t/{tribe.slug}").get_data(as_text=True)
    assert html.count('class="badge badge-featured"') == 1
    other_mod = f.user("other_mod")
    f.tribe(moderators=["other_mod"])
    with pytest.raises(PermissionDenied):
        listing.set_featured(asker, old, True)
    with pytest.raises(PermissionDenied):
        listing.set_featured(other_mod, old, True)
    url = f"/api/v1/topics/{old.id}/featured"
    resp = client.post(url, json={"featured": True}, headers=api_token(asker))
    assert resp.status_code == 403 and "版主" in resp.get_json()["error"]["message"]
    resp = client.post(url, json={"featured": True}, headers=api_token(mod))
    assert resp.get_json() == {"featured": True}
    # The page form: a customer is refused, the tribe's moderator is not.
    login(client, asker.username)
    assert "设为精华" not in client.get(f"/topic/{new.id}").get_data(as_text=True)
    token = csrf_token(client, f"/topic/{old.id}")
    assert client.post(f"/topic/{old.id}/featured",
                       data={"featured": "0", "csrf_token": token}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Topic, old.id).is_featured is True


def test_watchers_are_notified_of_every_reply(client, api_token):
    asker, watcher, helper = f.user(), f.user(), f.user()
    topic = f.topic(asker, f.tribe())
    resp = client.post(f"/api/v1/topics/{topic.id}/watch", json={"watching": True},
                       headers=api_token(watcher))
    assert resp.get_json() == {"watching": True}
    f.reply(helper, topic, "第一条")
    f.reply(helper, topic, "第二条")
    f.reply(watcher, topic, "自己的回复不通知自己")
    notes = list(db.session.scalars(sa.select(Notification).where(
        Notification.user_id == watcher.id, Notification.kind == "watching")))
    assert len(notes) == 1 and notes[0].count == 2  # grouped per topic
    bookmarks.set_watching(watcher, topic, False)
    f.reply(helper, topic, "第三条")
    db.session.expire_all()
    assert db.session.get(Notification, notes[0].id).count == 2


def test_bookmarks_page_and_api(client, api_token):
    asker, member = f.user(), f.user()
    tribe = f.tribe()
    first, second = f.topic(asker, tribe, "收藏的第一个帖子"), f.topic(asker, tribe, "收藏的第二个帖子")
    login(client, member.username)
    assert "还没有收藏" in client.get("/bookmarks").get_data(as_text=True)
    token = csrf_token(client, f"/topic/{first.id}")
    for t in (first, second):
        resp = client.post(f"/topic/{t.id}/bookmark", data={"bookmarked": "1", "csrf_token": token})
        assert resp.status_code == 302
    html = client.get("/bookmarks").get_data(as_text=True)
    assert html.index("收藏的第二个帖子") < html.index("收藏的第一个帖子")
    assert "已收藏" in client.get(f"/topic/{first.id}").get_data(as_text=True)
    data = client.get("/api/v1/me/bookmarks", headers=api_token(member)).get_json()
    assert [t["id"] for t in data["items"]] == [second.id, first.id]
    resp = client.post(f"/api/v1/topics/{second.id}/bookmark", json={"bookmarked": False},
                       headers=api_token(member))
    assert resp.get_json() == {"bookmarked": False}
    topics.delete_post(asker, first.first_post)
    assert client.get("/api/v1/me/bookmarks", headers=api_token(member)).get_json()["items"] == []
    resp = client.post(f"/api/v1/topics/{second.id}/bookmark", json={}, headers=api_token(member))
    assert resp.status_code == 422


def test_home_latest_has_pages(client):
    asker = f.user()
    tribe = f.tribe()
    for i in range(17):
        f.topic(asker, tribe, f"首页分页帖子{i:02d}")
    html = client.get("/").get_data(as_text=True)
    assert "首页分页帖子16" in html and "首页分页帖子01" not in html and "更多 ›" in html
    html = client.get("/?page=2").get_data(as_text=True)
    assert "首页分页帖子01" in html and "首页分页帖子00" in html
    assert "这一页没有话题了" in client.get("/?page=9").get_data(as_text=True)
