"""楼层: numbers stored on posts, distinct under concurrency, stable permalinks, 引用."""

import re

import sqlalchemy as sa

from forum.extensions import db
from forum.models import Post, Topic, User
from forum.services import floors, topics
from tests import factories as f
from tests.conftest import csrf_token, login, run_concurrently


def test_floors_number_the_opening_post_one_and_replies_from_two():
    asker, helper = f.user(), f.user()
    topic = f.topic(asker, f.tribe())
    replies = [f.reply(helper, topic, f"第 {i} 条") for i in range(5)]
    assert topic.first_post.floor == 1
    assert [r.floor for r in replies] == [2, 3, 4, 5, 6]
    assert db.session.get(Topic, topic.id).last_floor == 6
    assert [floors.floor_label(n) for n in (1, 2, 3, 4, 5, 12)] == [
        "楼主", "沙发", "板凳", "地板", "5楼", "12楼"]


def test_a_deleted_floor_leaves_a_gap_and_numbers_never_move():
    asker, helper = f.user(), f.user()
    topic = f.topic(asker, f.tribe())
    first, second = f.reply(helper, topic), f.reply(helper, topic)
    topics.delete_post(helper, first)
    third = f.reply(helper, topic)
    assert (second.floor, third.floor) == (3, 4)


def test_concurrent_replies_get_distinct_floors(app):
    author = f.user()
    repliers = [f.user().id for _ in range(8)]
    topic = f.topic(author, f.tribe())
    topic_id = topic.id

    def reply(i):
        topics.create_reply(db.session.get(User, repliers[i]), db.session.get(Topic, topic_id),
                            f"并发回复 {i}")

    assert run_concurrently(app, 8, reply) == []
    db.session.expire_all()
    got = sorted(db.session.scalars(sa.select(Post.floor).where(Post.topic_id == topic_id)))
    assert got == list(range(1, 10))
    assert db.session.get(Topic, topic_id).last_floor == 9


def test_floor_permalink_finds_the_page_and_anchor(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REPLIES_PER_PAGE", 2)
    asker, helper = f.user(), f.user()
    topic = f.topic(asker, f.tribe())
    posts = [f.reply(helper, topic, f"回复 {i}") for i in range(4)]
    resp = client.get(f"/topic/{topic.id}/5")  # the 4th reply: page 2
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/topic/{topic.id}?page=2#post-{posts[3].id}")
    resp = client.get(f"/topic/{topic.id}/1")
    assert resp.headers["Location"].endswith(f"#post-{topic.first_post_id}")
    assert client.get(f"/topic/{topic.id}/99").status_code == 404
    topics.delete_post(helper, posts[0])
    assert client.get(f"/topic/{topic.id}/2").status_code == 404


def test_topic_page_shows_floor_labels_and_links(client):
    asker, helper = f.user(), f.user()
    topic = f.topic(asker, f.tribe())
    f.reply(helper, topic)
    f.reply(helper, topic)
    html = client.get(f"/topic/{topic.id}").get_data(as_text=True)
    for floor, label in ((1, "楼主"), (2, "沙发"), (3, "板凳")):
        assert re.search(rf'href="/topic/{topic.id}/{floor}"[^>]*>{label}<', html)


def test_quote_prefills_the_reply_box_with_a_blockquote_linking_back(client):
    asker, helper = f.user(), f.user()
    topic = f.topic(asker, f.tribe())
    reply = f.reply(helper, topic, "> 之前的引用\n先重启光猫\n电话 13812345678")
    login(client, asker.username)
    html = client.get(f"/topic/{topic.id}?quote={reply.id}").get_data(as_text=True)
    box = re.search(r'<textarea[^>]*id="body"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert f"&gt; [沙发 @{helper.username}](/topic/{topic.id}/2)：" in box
    assert "&gt; 先重启光猫" in box
    assert "之前的引用" not in box  # no quote pyramids
    assert "13812345678" not in box  # personal data stays masked for others
    # Publishing it renders a blockquote with the link back to the floor.
    token = csrf_token(client, f"/topic/{topic.id}")
    body = floors.quote_markdown(asker, reply) + "同意"
    resp = client.post(f"/topic/{topic.id}/reply", data={"body": body, "csrf_token": token})
    assert resp.status_code == 302
    new = db.session.scalar(sa.select(Post).order_by(Post.id.desc()))
    assert "<blockquote>" in new.body_html and f'href="/topic/{topic.id}/2"' in new.body_html


def test_quote_of_a_missing_post_says_so(client):
    asker = f.user()
    topic = f.topic(asker, f.tribe())
    other = f.topic(asker, f.tribe())
    login(client, asker.username)
    html = client.get(f"/topic/{topic.id}?quote={other.first_post_id}").get_data(as_text=True)
    assert "要引用的楼层不存在" in html


def test_api_replies_carry_their_floor(client, api_token):
    asker, helper = f.user(), f.user()
    topic = f.topic(asker, f.tribe())
    resp = client.post(f"/api/v1/topics/{topic.id}/replies", json={"body": "沙发！"},
                       headers=api_token(helper))
    assert resp.status_code == 201 and resp.get_json()["floor"] == 2
    data = client.get(f"/api/v1/topics/{topic.id}").get_json()
    assert data["replies"]["items"][0]["floor"] == 2 and data["is_featured"] is False
