"""Concurrent requests on the real database: no double likes, follows or lost counters."""

import sqlalchemy as sa

from forum.extensions import db
from forum.models import Follow, Like, Post, Topic, User
from forum.services import accounts, topics
from tests.conftest import run_concurrently


def test_ten_concurrent_likes_by_one_user_count_once(app, make_user, make_tribe):
    author, fan = make_user("author"), make_user("fan")
    topic = topics.create_topic(author, make_tribe(), "并发点赞测试帖", "正文")
    post_id, fan_id = topic.first_post_id, fan.id
    db.session.commit()

    def like(_):
        topics.set_like(db.session.get(User, fan_id), db.session.get(Post, post_id), True)

    errors = run_concurrently(app, 10, like)
    assert errors == []
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Like)) == 1
    assert db.session.get(Post, post_id).like_count == 1
    assert db.session.get(Topic, topic.id).like_count == 1


def test_concurrent_likes_by_many_users_lose_no_increment(app, make_user, make_tribe):
    author = make_user("author")
    fans = [make_user(f"fan{i}").id for i in range(8)]
    topic = topics.create_topic(author, make_tribe(), "多人并发点赞帖", "正文")
    post_id = topic.first_post_id

    def like(i):
        topics.set_like(db.session.get(User, fans[i]), db.session.get(Post, post_id), True)

    assert run_concurrently(app, 8, like) == []
    db.session.expire_all()
    assert db.session.get(Post, post_id).like_count == 8
    assert db.session.get(User, author.id).like_received_count == 8


def test_ten_concurrent_follows_count_once(app, make_user):
    a, b = make_user("follower"), make_user("followed")
    a_id, b_id = a.id, b.id

    def follow(_):
        accounts.set_following(db.session.get(User, a_id), db.session.get(User, b_id), True)

    assert run_concurrently(app, 10, follow) == []
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Follow)) == 1
    assert db.session.get(User, b_id).follower_count == 1
    assert db.session.get(User, a_id).following_count == 1


def test_concurrent_replies_keep_reply_count_exact(app, make_user, make_tribe):
    author = make_user("author")
    repliers = [make_user(f"replier{i}").id for i in range(8)]
    topic = topics.create_topic(author, make_tribe(), "并发回复测试帖", "正文")
    topic_id = topic.id

    def reply(i):
        topics.create_reply(db.session.get(User, repliers[i]), db.session.get(Topic, topic_id),
                            f"回复 {i}")

    assert run_concurrently(app, 8, reply) == []
    db.session.expire_all()
    assert db.session.get(Topic, topic_id).reply_count == 8
