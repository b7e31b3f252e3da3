"""The anonymous page cache: served from memory, emptied by writes, never for members."""

import pytest

from forum.services import topics
from tests.conftest import login


@pytest.fixture
def cached(app):
    app.config["ANON_CACHE_SECONDS"] = 60.0
    yield
    app.config["ANON_CACHE_SECONDS"] = 0.0


@pytest.fixture
def topic(make_user, make_tribe):
    author = make_user("author")
    tribe = make_tribe("liuliang", "流量管家")
    return topics.create_topic(author, tribe, "缓存测试的帖子", "第一版正文")


def test_anonymous_topic_page_is_served_from_cache_and_still_counts_views(cached, client, topic):
    first = client.get(f"/topic/{topic.id}")
    second = client.get(f"/topic/{topic.id}")
    assert first.status_code == second.status_code == 200
    assert "X-Huzhu-Cache" not in first.headers
    assert second.headers["X-Huzhu-Cache"] == "hit"
    assert second.get_data() == first.get_data()
    assert topics.view_counter.pending(topic.id) == 2


def test_a_reply_empties_the_cache(cached, client, topic, make_user):
    client.get(f"/topic/{topic.id}")
    topics.create_reply(make_user("helper"), topic, "新的回复内容")
    page = client.get(f"/topic/{topic.id}")
    assert "X-Huzhu-Cache" not in page.headers
    assert "新的回复内容" in page.get_data(as_text=True)


def test_logged_in_users_always_get_fresh_pages(cached, client, topic, make_user):
    make_user("reader")
    login(client, "reader")
    client.get(f"/topic/{topic.id}")
    again = client.get(f"/topic/{topic.id}")
    assert "X-Huzhu-Cache" not in again.headers


def test_home_and_tribe_pages_are_cached_but_404s_are_not(cached, client, topic):
    for path in ("/", "/t/liuliang"):
        client.get(path)
        assert client.get(path).headers.get("X-Huzhu-Cache") == "hit"
    client.get("/topic/999999")
    assert client.get("/topic/999999").status_code == 404


def test_cache_is_off_when_ttl_is_zero(client, topic):
    client.get(f"/topic/{topic.id}")
    assert "X-Huzhu-Cache" not in client.get(f"/topic/{topic.id}").headers
