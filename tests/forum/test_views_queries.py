"""Pages issue a fixed number of SQL queries, whatever the number of items they show."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.services import accounts, topics, tribes
from forum.services.topics import clear_caches
from tests.conftest import login


@contextmanager
def counted_queries():
    statements: list[str] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before_cursor_execute)


def queries_for(client, path: str) -> list[str]:
    clear_caches()
    db.session.remove()  # start like a real request: nothing cached in the session
    with counted_queries() as statements:
        resp = client.get(path)
    assert resp.status_code == 200, path
    return statements


@pytest.fixture
def crowd(make_user, make_tribe):
    """Ten authors with titles and 加V, tribes with moderators, and a logged-in viewer."""
    admin = make_user("boss", roles=("admin",))
    users = [make_user(f"author{i}", roles=("customer", "proxy") if i % 2 else ("customer",))
             for i in range(10)]
    for i, user in enumerate(users):
        user.title = "热心网友" if i % 3 == 0 else None
        user.is_verified = i % 4 == 0
    db.session.commit()
    viewer = make_user("viewer")
    small = make_tribe("small", "小部落", moderators=["author0"])
    big = make_tribe("big", "大部落", moderators=["author1", "author2"])
    return {"admin": admin, "users": users, "small": small, "big": big, "viewer": viewer}


def reload(crowd: dict) -> dict:
    """The fixture's objects again, in the new session that queries_for() started."""
    users = [accounts.get_user_by_username(f"author{i}") for i in range(len(crowd["users"]))]
    return {**crowd, "users": users, "small": tribes.get_tribe_or_404("small"),
            "big": tribes.get_tribe_or_404("big"),
            "viewer": accounts.get_user_by_username("viewer")}


def add_topics(tribe, users, n: int, viewer=None):
    for i in range(n):
        author = users[i % len(users)]
        topic = topics.create_topic(author, tribe, f"{tribe.name}的第{i}个问题", f"正文 {i}",
                                    f"标签{i % 4} 通用")
        helper = users[(i + 1) % len(users)]
        reply = topics.create_reply(helper, topic, "回复")
        topics.set_like(helper, topic.first_post, True)
        if i % 2:
            topics.accept_answer(author, topic, reply)
        if viewer is not None and i % 3 == 0:
            topics.set_like(viewer, reply, True)


def topic_with_replies(tribe, users, n: int, viewer):
    topic = topics.create_topic(users[0], tribe, f"有{n}条回复的问题", "正文 13812345678")
    for i in range(n):
        reply = topics.create_reply(users[(i + 1) % len(users)], topic,
                                    f"第{i}条回复 @author3 联系 13912345678")
        if i % 2:
            topics.set_like(viewer, reply, True)
        if i == n - 1:
            topics.accept_answer(users[0], topic, reply)
    return topic


@pytest.mark.parametrize("as_user", [False, True], ids=["anonymous", "logged-in"])
def test_tribe_page_query_count_does_not_grow_with_topics(client, crowd, as_user):
    add_topics(crowd["small"], crowd["users"][:3], 3)
    add_topics(crowd["big"], crowd["users"], 20)
    if as_user:
        login(client, "viewer")
    small = queries_for(client, "/t/small")
    big = queries_for(client, "/t/big")
    assert len(small) == len(big), (small, big)


@pytest.mark.parametrize("as_user", [False, True], ids=["anonymous", "logged-in"])
def test_topic_page_query_count_does_not_grow_with_replies(client, crowd, as_user):
    viewer = crowd["viewer"]
    few = topic_with_replies(crowd["small"], crowd["users"][:3], 3, viewer).id
    many = topic_with_replies(crowd["big"], crowd["users"], 30, viewer).id
    if as_user:
        login(client, "viewer")
    small = queries_for(client, f"/topic/{few}")
    big = queries_for(client, f"/topic/{many}")
    assert len(small) == len(big), (small, big)


@pytest.mark.parametrize("as_user", [False, True], ids=["anonymous", "logged-in"])
def test_home_query_count_does_not_grow_with_topics(client, crowd, as_user):
    if as_user:
        login(client, "viewer")
    add_topics(crowd["small"], crowd["users"][:3], 3)
    few = queries_for(client, "/")
    crowd = reload(crowd)
    add_topics(crowd["big"], crowd["users"], 30)
    many = queries_for(client, "/")
    assert "大部落的第29个问题" in client.get("/").get_data(as_text=True)
    assert len(few) == len(many), (few, many)


def test_profile_and_tag_pages_query_count_is_fixed(client, crowd):
    user = crowd["users"][0]
    topics.create_topic(user, crowd["small"], "只有一个帖子的标题", "正文", "通用")
    login(client, "viewer")
    profile_few = queries_for(client, "/u/author0")
    tag_few = queries_for(client, "/tag/通用")
    crowd = reload(crowd)
    add_topics(crowd["big"], crowd["users"], 24)
    profile_many = queries_for(client, "/u/author0")
    tag_many = queries_for(client, "/tag/通用")
    assert len(profile_few) == len(profile_many)
    assert len(tag_few) == len(tag_many)


def test_topic_page_query_count_is_small(client, crowd):
    """A guard against slow creep: the whole topic page in a handful of queries."""
    viewer = crowd["viewer"]
    topic_id = topic_with_replies(crowd["big"], crowd["users"], 10, viewer).id
    login(client, "viewer")
    statements = queries_for(client, f"/topic/{topic_id}")
    # 15, and the reader's last-read floor (one upsert, forum/services/reading.py).
    assert len(statements) <= 16, statements
