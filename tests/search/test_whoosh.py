"""The whoosh backend's own promises, on either database: one writer at a time without a
LockError reaching anyone, nothing lost when two processes index at once, searchers that see
every commit (additions, deletions, merges, a full rebuild)."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime

import pytest
from whoosh.index import LockError

from forum.extensions import db
from forum.services import topics
from search import analysis, parsing, services
from search.models import AUDIENCE_ALL
from search.parsing import parse_query
from search.services.base import COORDINATION_POOL, Filters, Scope
from search.services.documents import ref
from search.services.sources import SearchDoc
from search.services.whoosh_backend import WhooshBackend


@pytest.fixture
def author(make_user, make_tribe):
    return make_user("alice"), make_tribe("liuliang", "流量管家")


def _index_one_by_one(app, index_dir: str, refs: list[str], barrier) -> None:
    """A second process (a web worker or a Celery worker) indexing posts one at a time."""
    with app.app_context():
        db.engine.dispose(close=False)  # the parent's connections are not ours to use
        backend = WhooshBackend(index_dir)
        barrier.wait(timeout=30)
        for item in refs:
            backend.sync([item])


def test_two_processes_indexing_at_once_lose_nothing(app, whoosh, author):
    user, tribe = author
    ids = [topics.create_topic(user, tribe, f"流量问题第{i}号", f"第{i}个帖子的流量").first_post_id
           for i in range(20)]
    whoosh.clear()
    assert whoosh.count() == 0

    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    refs = [ref("post", i) for i in ids]
    workers = [context.Process(target=_index_one_by_one,
                               args=(app, str(whoosh.dir), refs[n::2], barrier))
               for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]

    assert whoosh.journal.read() == ([], 0)  # the last writer drained what others queued
    assert whoosh.count() == 20
    found = services.search(None, "流量", per_page=50)
    assert sorted(item.post_id for item in found.page.items) == sorted(ids)


def test_a_held_write_lock_never_fails_a_user_and_the_change_is_written_later(whoosh, author):
    user, tribe = author
    topic = topics.create_topic(user, tribe, "流量怎么查", "发短信查")
    holder = whoosh.index().writer()  # another process is writing right now
    try:
        with pytest.raises(LockError):
            whoosh.index().writer()
        reply = topics.create_reply(user, topic, "营业厅也能查")  # no error for the user
        assert reply.id
        assert ref("post", reply.id) in whoosh.journal.read()[0]
        assert services.search(None, "营业厅").page.items == []
    finally:
        holder.cancel()
    assert whoosh.drain()  # what the lock holder (or the next writer) does after itself
    assert [i.post_id for i in services.search(None, "营业厅").page.items] == [reply.id]
    assert whoosh.journal.read() == ([], 0)


def test_searchers_see_deletions_merges_and_rebuilds(whoosh, author):
    user, tribe = author
    topic = topics.create_topic(user, tribe, "流量怎么查", "发短信查")
    replies = [topics.create_reply(user, topic, f"第{i}条流量回复") for i in range(12)]
    assert services.search(None, "流量", per_page=50).total == 13
    for reply in replies[:5]:  # each commit may merge small segments
        topics.delete_post(user, reply)
    assert services.search(None, "流量", per_page=50).total == 8
    whoosh.clear()
    assert services.search(None, "流量").total == 0
    services.rebuild()
    assert services.search(None, "流量", per_page=50).total == 8


def test_index_survives_a_new_process_opening_it(whoosh, author):
    user, tribe = author
    topic = topics.create_topic(user, tribe, "宽带报修电话", "打10000")
    reopened = WhooshBackend(whoosh.dir)  # another process: opens the existing index
    assert reopened.count() == 1
    page = reopened.search(parsing.parse_query("宽带"), services.parse_filters(),
                           services.scope_for(None), 0, 10)
    assert [(h.kind, h.object_id) for h in page.hits] == [("topic", topic.first_post_id)]


def test_word_positions_make_phrases_work():
    tokens = list(analysis.index_tokens("我要投诉客服人员，客服说不能投诉"))
    positions = {}
    for token, position in tokens:
        positions.setdefault(token, []).append(position)
    # adjacent words get adjacent positions; search-mode parts share their word's position
    assert positions["客服"][0] == positions["投诉"][0] + 1
    cut = list(analysis.index_tokens("国际漫游"))
    assert {t for t, _ in cut} == {"国际", "漫游", "国际漫游"}
    assert {p for _, p in cut} == {0}


def test_a_long_queue_is_written_in_batches_until_empty(whoosh, author):
    user, tribe = author
    topic = topics.create_topic(user, tribe, "流量怎么查", "发短信查")
    whoosh.clear()
    refs = [ref("post", 10_000 + i) for i in range(whoosh.journal.BATCH * 2 + 7)]
    whoosh.sync([*refs, ref("post", topic.first_post_id), "post:oops", "nonsense"])
    assert whoosh.journal.read() == ([], 0)
    assert whoosh.count() == 1


def test_a_relaxed_search_with_a_filter_and_a_full_pool_does_not_fail(whoosh):
    """More matches than the coordination pool, under a tribe filter (whoosh's quality
    skipping once divided by the filter's zero boost in this situation at 100k posts):
    the hits come by how many words match."""

    now = datetime.now(UTC)
    words = ["流量", "宽带", "话费", "套餐"]
    docs = [SearchDoc("topic", i, now, title=f"{words[i % 4]}问题{i}",
                      body=f"{words[(i + 1) % 4]} {words[(i * 7) % 4]}" * (1 + i % 5),
                      tribe_id=1 + i % 2) for i in range(1, 3 * COORDINATION_POOL)]
    whoosh.write(docs, [])
    query = parse_query("流量 宽带 话费 火星")
    page = whoosh.search(query, Filters(tribe_id=1), Scope(None, (AUDIENCE_ALL,)), 0, 20, min_match=2)
    assert len(page.hits) == 20
    assert all(h.matched >= 2 for h in page.hits)
    assert [h.matched for h in page.hits] == sorted((h.matched for h in page.hits), reverse=True)
