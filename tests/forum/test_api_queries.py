"""The number of SQL queries of an API response does not grow with the items it shows."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.services import accounts, topics, tribes

PHONE = "13912345678"


@contextmanager
def counting():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def queries(client, path: str, headers=None) -> int:
    """Queries of one GET, starting from an empty session as a real request does."""
    db.session.remove()
    with counting() as statements:
        resp = client.get("/api/v1" + path, headers=headers or {})
    assert resp.status_code == 200, resp.get_json()
    return len(statements)


@pytest.fixture
def people(make_user, api_token):
    viewers = {"anon": None}
    for name, roles in [("reader", ("customer",)), ("tmod", ("customer",)),
                        ("smod", ("moderator",))]:
        viewers[name] = api_token(make_user(name, roles=roles))
    authors = [make_user(f"author{i}") for i in range(16)]
    return viewers, authors


def build_tribe(make_tribe, authors, slug: str, n_topics: int, n_replies: int):
    """A tribe whose topics and replies come from different authors, with tags and PII."""
    tribe = make_tribe(slug, f"部落{slug}", moderators=["tmod"])
    made = []
    for i in range(n_topics):
        author = authors[i % len(authors)]
        title = f"第{i}个问题 {PHONE}" if i % 2 else f"第{i}个问题"
        made.append(topics.create_topic(author, tribe, title, f"正文 {PHONE}",
                                        [f"标签{i}", "通用"]))
    first = made[0]
    replies = []
    for j in range(n_replies):
        helper = authors[(j + 1) % len(authors)]
        replies.append(topics.create_reply(helper, first, f"回复 {j} 联系 x{j}@example.com"))
    return tribe, first, replies


@pytest.mark.parametrize("viewer", ["anon", "reader", "tmod", "smod"])
def test_tribe_topic_list_queries_do_not_grow_with_topics(client, make_tribe, people, viewer):
    viewers, authors = people
    build_tribe(make_tribe, authors, "small", 2, 0)
    build_tribe(make_tribe, authors, "large", 16, 0)
    headers = viewers[viewer]
    small = queries(client, "/tribes/small/topics?per_page=50", headers)
    large = queries(client, "/tribes/large/topics?per_page=50", headers)
    assert large == small, (small, large)
    assert small <= 12


@pytest.mark.parametrize("viewer", ["anon", "reader", "tmod", "smod"])
def test_topic_page_queries_do_not_grow_with_replies(client, make_tribe, people, viewer):
    viewers, authors = people
    _, small_topic, small_replies = build_tribe(make_tribe, authors, "small", 1, 2)
    _, large_topic, large_replies = build_tribe(make_tribe, authors, "large", 1, 16)
    reader = accounts.get_user_by_username("reader")
    for topic, replies in ((small_topic, small_replies), (large_topic, large_replies)):
        topics.accept_answer(topic.author, topic, replies[-1])
        for reply in replies[::2]:
            topics.set_like(reader, reply, True)
    headers = viewers[viewer]
    small_id, large_id = small_topic.id, large_topic.id
    small = queries(client, f"/topics/{small_id}", headers)
    large = queries(client, f"/topics/{large_id}", headers)
    assert large == small, (small, large)
    assert small <= 16


@pytest.mark.parametrize("viewer", ["anon", "reader"])
def test_tribe_list_queries_do_not_grow_with_tribes(client, make_tribe, make_user, people,
                                                     viewer):
    viewers, _ = people
    for i in range(2):
        make_tribe(f"t{i}", moderators=["tmod", "smod"])
    small = queries(client, "/tribes", viewers[viewer])
    admin = accounts.get_user_by_username("tribe_admin")  # the session was reset
    for i in range(2, 8):
        mods = [make_user(f"mod{i}").username, "tmod"]
        tribe = tribes.save_tribe(admin, slug=f"t{i}", name=f"部落{i}",
                                  moderator_usernames=mods)
        tribes.set_membership(accounts.get_user_by_username("reader"), tribe, True)
    large = queries(client, "/tribes", viewers[viewer])
    assert large == small, (small, large)


@pytest.mark.parametrize("viewer", ["anon", "reader", "tmod", "smod"])
def test_profile_queries_do_not_grow_with_recent_posts(client, make_tribe, make_user, people,
                                                       viewer):
    viewers, _ = people
    few, many = make_user("few"), make_user("many")
    tribe_list = [make_tribe(f"p{i}", moderators=["tmod"] if i == 0 else None)
                  for i in range(4)]
    topics.create_topic(few, tribe_list[0], f"我的问题 {PHONE}", "正文")
    for i in range(10):
        topic = topics.create_topic(many, tribe_list[i % 4], f"问题{i} {PHONE}", "正文")
        topics.create_reply(many, topic, "自己补充")
    small = queries(client, "/users/few", viewers[viewer])
    large = queries(client, "/users/many", viewers[viewer])
    assert large == small, (small, large)
