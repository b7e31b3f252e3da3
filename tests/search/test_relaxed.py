"""The relaxed search inside a bounded candidate set (every backend, see conftest
``engine``): candidates come from the rarest words, the bound holds, phrases stay phrases,
PostgreSQL weighs rare words more, and did-you-mean stays for (nearly) empty pages."""

from __future__ import annotations

import pytest

from forum.services import topics
from search import services
from search.parsing import parse_query
from search.services import term_stats


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def tribe(make_tribe):
    return make_tribe("liuliang", "流量管家")


def keys(results) -> list[tuple[str, int]]:
    return [(item.kind, item.id) for item in results.page.items]


def test_candidate_groups_are_the_rarest_that_cannot_all_be_missed():
    # 4 groups, at least 3 must match: any 2 of them hold every such document
    assert term_stats.candidate_groups([500, 3, 40, 9000], 3, 600) == [1, 2]
    # at least 1 of 3: all three, unless they exceed the bound — then the rarest that fit
    assert term_stats.candidate_groups([5, 7, 2], 1, 600) == [2, 0, 1]
    assert term_stats.candidate_groups([500, 30, 400], 1, 600) == [1, 2]
    assert term_stats.candidate_groups([5000, 3000], 1, 600) == [1]  # at least one
    assert term_stats.candidate_groups([0, 8], 1, 3) == [1]  # in no document: no candidates


def test_partial_matches_with_a_common_word_come_from_the_rare_ones(engine, alice, tribe,
                                                                   monkeypatch):
    common = [topics.create_topic(alice, tribe, f"流量问题{i}", "流量不够用") for i in range(6)]
    roaming = topics.create_topic(alice, tribe, "流量漫游怎么收费", "出国以后")
    broadband = topics.create_topic(alice, tribe, "宽带和流量", "家里宽带")
    engine.rebuild()  # (PostgreSQL: fresh statistics of how common each word is)
    monkeypatch.setattr(term_stats, "CANDIDATES", 3)  # below the common word's 8 documents
    results = services.search(None, "流量 漫游 宽带")
    # nobody has all three; two of three: the rare words' documents, the common-only ones
    # (one word of three) are not partial matches
    assert results.strict_total == 0 and results.relaxed
    assert set(keys(results)) == {("topic", roaming.id), ("topic", broadband.id)}
    assert not {("topic", t.id) for t in common} & set(keys(results))


def test_a_relaxed_search_over_a_very_common_word_stays_within_the_bound(engine, alice, tribe,
                                                                         monkeypatch):
    for i in range(8):
        topics.create_topic(alice, tribe, f"流量问题{i}", "流量不够用")
    engine.rebuild()
    monkeypatch.setattr(term_stats, "CANDIDATES", 3)
    page = engine.search(parse_query("流量 火星"), services.parse_filters(),
                         services.scope_for(None), 0, 20, min_match=1)
    assert 1 <= len(page.hits) <= 3 and page.total <= 3


def test_a_phrase_in_a_relaxed_search_needs_its_words_side_by_side(engine, alice, tribe):
    side_by_side = topics.create_topic(alice, tribe, "老用户优惠在哪里", "想问问")
    apart = topics.create_topic(alice, tribe, "老的用户优惠没有了", "想问问")
    results = services.search(None, "老用户 优惠 火星 月球")
    found = keys(results)
    assert results.relaxed and found[0] == ("topic", side_by_side.id)
    # 老 … 用户 apart is not the phrase 老用户: it matches by 用户 (the word alone), lower
    assert ("topic", apart.id) in found[1:]


def test_a_rare_word_outweighs_a_common_one(engine, alice, tribe):
    """whoosh's BM25 has an inverse document frequency; PostgreSQL's ts_rank has none, so its
    relaxed search adds one from the column's statistics (refreshed by a rebuild)."""
    for i in range(30):
        topics.create_topic(alice, tribe, f"流量问题{i}", "流量不够用，流量太少")
    rare = topics.create_topic(alice, tribe, "国际漫游怎么开通", "出国以后要用")
    engine.rebuild()
    if engine.name == "postgres":
        stats = term_stats.term_statistics()
        assert stats.frequency("流量") > stats.frequency("漫游")
    page = engine.search(parse_query("流量 漫游"), services.parse_filters(),
                         services.scope_for(None), 0, 20, min_match=1)
    assert (page.hits[0].kind, page.hits[0].object_id) == ("topic", rare.id)


def test_did_you_mean_is_for_nearly_empty_pages(engine, alice, tribe):
    for i in range(6):
        topics.create_topic(alice, tribe, f"流量问题{i}", "流量不够用")
    topics.create_topic(alice, tribe, "宽带装机", "师傅没来")
    assert services.search(None, "宽代").did_you_mean == "宽带"
    # a typo beside a word with many partial matches: those are the answer, no correction
    many = services.search(None, "宽代 流量")
    assert many.strict_total == 0 and many.total >= services.RELAX_BELOW
    assert many.did_you_mean is None


def test_a_phrase_group_draws_candidates_by_its_rarest_word(engine, alice, tribe, monkeypatch):
    """找人 (找 + 人 side by side) is in no document, but its rarest word 找 holds the post that
    matches the other words: the candidates are that word's documents (both backends), not
    the first documents of a common word (PostgreSQL filled its pool up with those)."""
    for i in range(8):
        topics.create_topic(alice, tribe, f"营业厅排队{i}", "营业厅人太多了")
    wanted = topics.create_topic(alice, tribe, "客服让我去找营业厅", "电话里说的")
    engine.rebuild()
    monkeypatch.setattr(term_stats, "CANDIDATES", 3)
    query = parse_query("客服 营业厅 找人")
    page = engine.search(query.loosened(), services.parse_filters(kind="topic"),
                         services.scope_for(None), 0, 5, min_match=1, coordinate=False)
    assert (page.hits[0].kind, page.hits[0].object_id) == ("topic", wanted.first_post_id)
