"""The search service on every backend (see conftest ``engine``): Chinese queries, synonyms,
highlights, filters, pagination, permissions, and an index that follows forum events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from forum import events
from forum.errors import PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import COLD, HIDDEN, Post, Topic
from forum.services import topics
from search import services, tasks
from search.services import synonyms


@pytest.fixture
def people(make_user):
    return {
        "alice": make_user("alice"),
        "bob": make_user("bob"),
        "carol": make_user("carol"),
        "mod": make_user("sitemod", roles=("moderator",)),
    }


@pytest.fixture
def tribes(make_tribe):
    return {"liuliang": make_tribe("liuliang", "流量管家"),
            "kuandai": make_tribe("kuandai", "宽带与家庭网络")}


def find(viewer, q, **filters):
    results = services.search(viewer, q, services.parse_filters(**filters))
    return results


def titles(results) -> list[str]:
    return [item.title for item in results.page.items]


def keys(results) -> list[tuple[str, int]]:
    return [(item.kind, item.id) for item in results.page.items]


def strict_keys(results) -> list[tuple[str, int]]:
    """The results with every word (partial matches follow them when they are few)."""
    return keys(results)[:results.strict_total]


# --- Chinese queries ------------------------------------------------------------------------


def test_two_character_queries_find_topics_and_replies(engine, people, tribes):
    t1 = topics.create_topic(people["alice"], tribes["liuliang"], "本月流量怎么查询",
                             "想知道还剩多少流量")
    topics.create_topic(people["bob"], tribes["liuliang"], "想换一个便宜的套餐",
                        "现在每月话费太贵了")
    reply = topics.create_reply(people["bob"], t1, "发短信 CXLL 到 10086 就能查流量")

    found = find(None, "流量")
    assert set(keys(found)) == {("topic", t1.id), ("reply", reply.id)}
    assert titles(find(None, "套餐")) == ["想换一个便宜的套餐"]
    assert find(None, "话费").page.items[0].title == "想换一个便宜的套餐"


def test_custom_dictionary_terms_match_whole_and_by_their_parts(engine, people, tribes):
    t1 = topics.create_topic(people["alice"], tribes["liuliang"], "视频彩铃怎么关闭",
                             "每个月扣我视频彩铃的钱")
    t2 = topics.create_topic(people["bob"], tribes["liuliang"], "出国前要做什么准备",
                             "国际漫游费太贵了，有没有流量包")
    t3 = topics.create_topic(people["carol"], tribes["liuliang"], "携号转网需要多久",
                             "听说要好几天")
    assert keys(find(None, "视频彩铃")) == [("topic", t1.id)]
    assert keys(find(None, "彩铃")) == [("topic", t1.id)]  # a part of the dictionary word
    # jieba cuts 国际漫游费 as 国际/漫游费: the dictionary word still finds it as a phrase
    assert keys(find(None, "国际漫游")) == [("topic", t2.id)]
    assert keys(find(None, "携号转网")) == [("topic", t3.id)]
    assert keys(find(None, "携号")) == [("topic", t3.id)]


def test_every_word_ranks_first_and_function_words_are_ignored(engine, people, tribes):
    both = topics.create_topic(people["alice"], tribes["kuandai"], "宽带断网怎么报修",
                               "光猫的灯一直在闪")
    one = topics.create_topic(people["bob"], tribes["kuandai"], "宽带续费问题", "续费去哪里办")
    # a compound word is relaxed by its parts: 宽带报修 → 宽带, 报修
    assert keys(find(None, "宽带报修")) == [("topic", both.id), ("topic", one.id)]
    assert find(None, "宽带报修").strict_total == 1
    results = find(None, "宽带 怎么 报修 呢？")
    assert keys(results) == [("topic", both.id), ("topic", one.id)]
    assert results.strict_total == 1 and results.relaxed
    assert "只有 1 条结果包含全部词语" in results.notices[0]


def test_relaxed_results_rank_by_how_many_words_match(engine, people, tribes):
    three = topics.create_topic(people["alice"], tribes["kuandai"], "晚上宽带网速很慢",
                                "每天晚上八点以后网速就不行")
    two = topics.create_topic(people["bob"], tribes["kuandai"], "宽带的网速怎么测试", "求方法")
    one = topics.create_topic(people["carol"], tribes["kuandai"], "宽带续费", "续费去哪里办")
    results = find(None, "晚上 宽带 网速 掉线")
    # three words, then two; one word of four is below the minimum (half the words)
    assert keys(results) == [("topic", three.id), ("topic", two.id)]
    assert ("topic", one.id) in keys(find(None, "宽带 掉线"))
    assert results.relaxed and results.strict_total == 0
    assert results.notices == [services.PARTIAL_NOTICE]
    assert services.PARTIAL_NOTICE == "未找到包含全部词语的结果，以下为部分匹配"


def test_letters_and_digits_split_from_han_characters(engine, people, tribes):
    spaced = topics.create_topic(people["alice"], tribes["liuliang"], "139 邮箱收不到邮件",
                                 "换了手机以后就收不到")
    glued = topics.create_topic(people["bob"], tribes["liuliang"], "4G套餐怎么改", "想改便宜的")
    assert keys(find(None, "139邮箱")) == [("topic", spaced.id)]
    assert keys(find(None, "4g 套餐")) == [("topic", glued.id)]
    assert not find(None, "139邮箱").relaxed


def test_bigram_fallback_finds_words_the_segmenter_cuts_differently(engine, people, tribes):
    topic = topics.create_topic(people["alice"], tribes["kuandai"], "装宽带要多久",
                                "师傅说要等三天才能上门装机")
    topics.create_topic(people["bob"], tribes["kuandai"], "话费问题", "月底扣了钱")
    results = find(None, "宽带装好")
    assert keys(results) == [("topic", topic.id)]


@pytest.mark.parametrize("q", ["！！？？。。", "的了吗呢", "流量" * 500, "😀😀流量😀", "4g流量ｔｅｓｔ套餐",
                               "ñandú 流量 Ελληνικά", "\u200b", "🙈"])
def test_bad_queries_give_a_page_not_an_error(engine, people, tribes, q):
    topics.create_topic(people["alice"], tribes["liuliang"], "流量用超了怎么办", "月底流量不够")
    results = find(None, q)
    assert results.page.page == 1 and results.total >= 0


def test_no_document_with_every_word_falls_back_to_any_word(engine, people, tribes):
    topic = topics.create_topic(people["alice"], tribes["kuandai"], "宽带断网怎么报修",
                                "光猫的灯一直在闪")
    results = find(None, "报修 电视机")
    assert results.relaxed
    assert keys(results) == [("topic", topic.id)]


def test_query_syntax_characters_are_plain_text(engine, people, tribes):
    topic = topics.create_topic(people["alice"], tribes["liuliang"], "流量 AND 套餐的问题",
                                "OR NOT * 都是普通文字")
    for q in ['流量 AND', '"流量', "(流量", "流量*", "流量)) OR (", "title:流量", "\\", "*",
              "'; DROP TABLE posts; --", "流量 -套餐", "~流量^2", "<script>流量</script>"]:
        results = find(None, q)
        assert all(k == ("topic", topic.id) for k in keys(results)), q


def test_over_long_query_is_cut_to_100_characters_with_a_notice(engine, people, tribes):
    topics.create_topic(people["alice"], tribes["liuliang"], "流量用超了怎么办", "月底流量不够")
    results = find(None, "流量" + "啊" * 200)
    assert len(results.query.text) == 100
    assert results.notices and "100" in results.notices[0]
    assert titles(results) == ["流量用超了怎么办"]


def test_empty_or_punctuation_only_query_gives_nothing_without_error(engine, people, tribes):
    topics.create_topic(people["alice"], tribes["liuliang"], "流量用超了怎么办", "月底流量不够")
    for q in ("", "   ", "？！。，", "的了吗"):
        results = find(None, q)
        assert results.query.is_empty and results.page.items == [] and results.total == 0


# --- synonyms -------------------------------------------------------------------------------


def test_synonyms_widen_a_query_and_edits_apply_at_once(engine, people, tribes):
    t1 = topics.create_topic(people["alice"], tribes["liuliang"], "话费被乱扣费了",
                             "莫名其妙少了二十块")
    t2 = topics.create_topic(people["bob"], tribes["liuliang"], "每个月都多扣钱",
                             "查了详单也看不出来")
    assert keys(find(None, "扣钱")) == [("topic", t2.id)]

    group = synonyms.save_synonym(people["mod"], "扣费，扣钱 / 乱扣费")
    assert group.term_list == ["扣费", "扣钱", "乱扣费"]
    assert set(keys(find(None, "扣钱"))) == {("topic", t1.id), ("topic", t2.id)}
    assert set(keys(find(None, "乱扣费了怎么办"))) == {("topic", t1.id), ("topic", t2.id)}

    synonyms.delete_synonym(people["mod"], group)
    assert keys(find(None, "扣钱")) == [("topic", t2.id)]


def test_multiword_synonyms_match_as_phrases(engine, people, tribes):
    synonyms.save_synonym(people["mod"], "流量超出, 流量用超, 超流量")
    t1 = topics.create_topic(people["alice"], tribes["liuliang"], "这个月流量超出了",
                             "超了好几个G")
    t2 = topics.create_topic(people["bob"], tribes["liuliang"], "流量用超了会停机吗", "急")
    topics.create_topic(people["carol"], tribes["liuliang"], "超出套餐的流量怎么算",
                        "看不懂账单")
    assert set(strict_keys(find(None, "流量用超了"))) == {("topic", t1.id), ("topic", t2.id)}


def test_a_synonym_of_several_words_needs_them_adjacent(engine, people, tribes):
    synonyms.save_synonym(people["mod"], "投诉客服, 告客服")
    near = topics.create_topic(people["alice"], tribes["liuliang"], "我要投诉客服态度",
                               "打了三次电话")
    topics.create_topic(people["bob"], tribes["liuliang"], "客服说不能投诉", "怎么办")
    assert strict_keys(find(None, "告客服")) == [("topic", near.id)]


def test_only_moderators_edit_synonyms_and_bad_groups_are_refused(engine, people):
    with pytest.raises(PermissionDenied):
        synonyms.save_synonym(people["alice"], "扣费, 扣钱")
    for bad in ("扣费", "扣费, 扣费", "扣费, 扣", "扣费, " + "长" * 21, "扣费, ！！", "a\x00, bb"):
        with pytest.raises(ValidationError):
            synonyms.save_synonym(people["mod"], bad)
    assert synonyms.list_synonyms() == []


# --- highlights -----------------------------------------------------------------------------


def test_snippets_highlight_the_original_text_not_segmented_text(engine, people, tribes):
    topic = topics.create_topic(
        people["alice"], tribes["liuliang"], "办理5G套餐后网速变慢",
        "我上周办理了 **5G套餐**，可是网速比以前还慢。" + "其他内容。" * 60 + "客服说5G套餐要换卡。")
    [item] = find(None, "5g套餐").page.items
    assert item.id == topic.id
    assert str(item.title_html) == "办理<mark>5G套餐</mark>后网速变慢"
    assert "<mark>5G套餐</mark>" in str(item.snippet_html)
    assert "5 G" not in str(item.snippet_html) and "**" not in str(item.snippet_html)
    assert len(item.snippet_html.striptags()) <= 125


def test_snippets_escape_html_in_the_text(engine, people, tribes):
    topics.create_topic(people["alice"], tribes["liuliang"], "流量页面显示异常",
                        "页面上写着 `<script>alert(1)</script>` 和流量 & 套餐")
    [item] = find(None, "流量").page.items
    html = str(item.snippet_html)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html and "<mark>流量</mark>" in html


def test_snippet_and_title_mask_personal_data_for_other_readers(engine, people, tribes):
    topic = topics.create_topic(people["alice"], tribes["liuliang"], "13812345678 流量异常",
                                "我的号码 13812345678 流量扣得很快")
    [public] = find(people["bob"], "流量").page.items
    assert "13812345678" not in public.title + str(public.snippet_html)
    assert "138****5678" in public.title and "138****5678" in str(public.snippet_html)
    for who in ("alice", "mod"):
        [own] = find(people[who], "流量").page.items
        assert "13812345678" in own.title and "13812345678" in str(own.snippet_html)
    # nobody finds a post by someone's phone number
    assert find(people["bob"], "13812345678").page.items == []
    assert find(people["alice"], "13812345678").page.items == []
    assert topic.id


# --- filters and pagination -----------------------------------------------------------------


def test_filters_by_tribe_type_solved_and_date(engine, people, tribes):
    t1 = topics.create_topic(people["alice"], tribes["liuliang"], "流量查询的办法", "怎么查流量")
    t2 = topics.create_topic(people["alice"], tribes["kuandai"], "宽带也能送流量吗", "问问")
    reply = topics.create_reply(people["bob"], t1, "发短信查流量最快")
    topics.accept_answer(people["alice"], t1, reply)
    old = topics.create_topic(people["carol"], tribes["kuandai"], "去年的流量问题", "旧帖")
    db.session.execute(sa.update(Post).where(Post.topic_id == old.id)
                       .values(created_at=datetime(2023, 3, 1, 4, 0, tzinfo=UTC)))
    db.session.commit()
    tasks.reindex_topic.delay(old.id)

    assert set(keys(find(None, "流量", tribe="kuandai"))) == {("topic", t2.id),
                                                             ("topic", old.id)}
    assert keys(find(None, "流量", kind="reply")) == [("reply", reply.id)]
    assert set(keys(find(None, "流量", solved="1"))) == {("topic", t1.id), ("reply", reply.id)}
    assert set(keys(find(None, "流量", solved="0"))) == {("topic", t2.id), ("topic", old.id)}
    assert keys(find(None, "流量", date_from="2023-03-01", date_to="2023-03-01")) == [
        ("topic", old.id)]
    today = (datetime.now(UTC) + timedelta(hours=8)).strftime("%Y-%m-%d")
    assert ("topic", old.id) not in keys(find(None, "流量", date_from=today))
    assert len(keys(find(None, "流量", date_to="2023-12-31"))) == 1


@pytest.mark.parametrize("bad, field", [
    ({"kind": "poll"}, "type"), ({"tribe": "nope"}, "tribe"), ({"solved": "maybe"}, "solved"),
    ({"date_from": "2024-13-01"}, "date_from"), ({"date_to": "昨天"}, "date_to"),
    ({"date_from": "2024-05-02", "date_to": "2024-05-01"}, "date_to"),
])
def test_bad_filters_are_refused_with_a_message(app, bad, field):
    with pytest.raises(ValidationError) as err:
        services.parse_filters(**bad)
    assert field in err.value.fields


def test_pagination_pages_do_not_overlap_and_totals_add_up(engine, people, tribes):
    created = [topics.create_topic(people["alice"], tribes["liuliang"], f"流量问题第{i}号",
                                   "流量不够用").id for i in range(27)]
    first = services.search(None, "流量", page=1, per_page=10)
    second = services.search(None, "流量", page=2, per_page=10)
    third = services.search(None, "流量", page=3, per_page=10)
    assert len(first.page.items) == 10 and len(second.page.items) == 10
    assert len(third.page.items) == 7
    assert third.total == 27 and not third.page.has_next
    assert first.total >= 27 and first.page.has_next  # an estimate may run high, never low
    seen = [i.id for r in (first, second, third) for i in r.page.items]
    assert sorted(seen) == sorted(created)
    assert services.search(None, "流量", page=4, per_page=10).page.items == []


# --- ranking --------------------------------------------------------------------------------


def test_title_matches_and_solved_topics_rank_first(engine, people, tribes):
    body_only = topics.create_topic(people["alice"], tribes["kuandai"], "家里网络的问题",
                                    "光猫闪红灯，光猫重启也没用")
    in_title = topics.create_topic(people["bob"], tribes["kuandai"], "光猫闪红灯怎么办",
                                   "家里网络断了，重启也没用")
    assert keys(find(None, "光猫"))[0] == ("topic", in_title.id)

    unsolved = topics.create_topic(people["alice"], tribes["liuliang"], "副卡怎么办理",
                                   "想给家人办副卡")
    solved = topics.create_topic(people["bob"], tribes["liuliang"], "副卡怎么办理",
                                 "想给家人办副卡")
    answer = topics.create_reply(people["carol"], solved, "营业厅就能办")
    topics.accept_answer(people["bob"], solved, answer)
    assert keys(find(None, "副卡", kind="topic")) == [("topic", solved.id),
                                                      ("topic", unsolved.id)]
    assert body_only.id


# --- permissions ----------------------------------------------------------------------------


def _set_visibility(model, row_id: int, visibility: str) -> None:
    """What moderation will do (hide, cold-handle), followed by its reindex call."""
    db.session.execute(sa.update(model).where(model.id == row_id).values(visibility=visibility))
    db.session.commit()


def test_hidden_and_cold_handled_posts_never_reach_others(engine, people, tribes):
    hidden = topics.create_topic(people["alice"], tribes["liuliang"], "流量被偷跑了", "隐藏帖")
    cold = topics.create_topic(people["bob"], tribes["liuliang"], "流量全是骗人的", "冷处理")
    open_topic = topics.create_topic(people["carol"], tribes["liuliang"], "流量查询", "公开")
    cold_reply = topics.create_reply(people["alice"], open_topic, "流量太贵了冷处理回复")
    _set_visibility(Topic, hidden.id, HIDDEN)
    tasks.reindex_topic.delay(hidden.id)
    _set_visibility(Topic, cold.id, COLD)
    tasks.reindex_topic.delay(cold.id)
    _set_visibility(Post, cold_reply.id, COLD)
    tasks.index_post.delay(cold_reply.id)

    public = {("topic", open_topic.id)}
    assert set(keys(find(None, "流量"))) == public
    assert set(keys(find(people["carol"], "流量"))) == public
    assert set(keys(find(people["mod"], "流量"))) == public
    # the author still finds their own cold-handled post, never the hidden one
    assert set(keys(find(people["bob"], "流量"))) == public | {("topic", cold.id)}
    assert set(keys(find(people["alice"], "流量"))) == public | {("reply", cold_reply.id)}


def test_index_follows_the_visibility_event(engine, people, tribes):
    topic = topics.create_topic(people["bob"], tribes["liuliang"], "流量全是骗人的", "冷处理")
    reply = topics.create_reply(people["alice"], topic, "流量太贵了")
    assert engine.count() == 2
    for row, model, is_first in ((topic, Topic, True), (reply, Post, False)):
        _set_visibility(model, row.id, COLD if is_first else HIDDEN)
        post_id = topic.first_post_id if is_first else reply.id
        events.emit(events.post_visibility_changed, post_id=post_id, topic_id=topic.id,
                    tribe_id=topic.tribe_id, author_id=row.author_id, is_first=is_first,
                    visibility=COLD if is_first else HIDDEN, previous="visible",
                    by_id=people["mod"].id)
        events.commit()
    # the index itself changed (no permission re-check needed to hide them)
    assert engine.count() == 1  # the cold topic stays, for its author only
    assert keys(find(people["bob"], "流量")) == [("topic", topic.id)]
    assert keys(find(people["carol"], "流量")) == []


def test_a_stale_index_entry_is_not_shown_and_gets_repaired(engine, people, tribes):
    topic = topics.create_topic(people["alice"], tribes["liuliang"], "流量被偷跑了", "内容")
    _set_visibility(Topic, topic.id, HIDDEN)  # no reindex: the index still has it
    assert find(people["bob"], "流量").page.items == []
    assert engine.count() == 0  # the search noticed and dropped it from the index


def test_index_follows_edits_and_deletes(engine, people, tribes):
    topic = topics.create_topic(people["alice"], tribes["liuliang"], "流量怎么查", "发短信查")
    reply = topics.create_reply(people["bob"], topic, "打10086问客服")
    assert keys(find(None, "客服")) == [("reply", reply.id)]

    topics.edit_post(people["bob"], reply, "去营业厅问工作人员")
    assert find(None, "客服").page.items == []
    assert keys(find(None, "营业厅")) == [("reply", reply.id)]

    first = db.session.get(Post, topic.first_post_id)
    topics.edit_post(people["alice"], first, "发短信查", title="宽带怎么报修")
    assert find(None, "流量", kind="topic").page.items == []
    assert keys(find(None, "报修")) == [("topic", topic.id)]

    topics.delete_post(people["bob"], reply)
    assert find(None, "营业厅").page.items == []

    other = topics.create_reply(people["carol"], topic, "宽带报修打10000")
    topics.delete_post(people["alice"], first)  # deleting the topic takes its replies along
    assert find(None, "宽带").page.items == []
    assert engine.count() == 0
    assert other.id


def test_accepting_an_answer_marks_the_whole_topic_solved(engine, people, tribes):
    topic = topics.create_topic(people["alice"], tribes["liuliang"], "流量包怎么退订", "不想要了")
    reply = topics.create_reply(people["bob"], topic, "发短信退订流量包")
    assert find(None, "流量包", solved="1").page.items == []
    topics.accept_answer(people["alice"], topic, reply)
    found = find(None, "流量包", solved="1")
    assert set(keys(found)) == {("topic", topic.id), ("reply", reply.id)}
    assert all(item.solved for item in found.page.items)
    topics.delete_post(people["bob"], reply)  # the accepted answer goes: unsolved again
    assert keys(find(None, "流量包", solved="0")) == [("topic", topic.id)]
    assert find(None, "流量包", solved="1").page.items == []


# --- no results -----------------------------------------------------------------------------


def test_suggestions_offer_tribes_and_recent_solved_topics(engine, people, tribes):
    topic = topics.create_topic(people["alice"], tribes["liuliang"], "流量包怎么退订", "不想要了")
    reply = topics.create_reply(people["bob"], topic, "发短信退订")
    topics.accept_answer(people["alice"], topic, reply)
    hidden = topics.create_topic(people["bob"], tribes["liuliang"], "隐藏的已解决话题", "x")
    hidden_reply = topics.create_reply(people["alice"], hidden, "y")
    topics.accept_answer(people["bob"], hidden, hidden_reply)
    _set_visibility(Topic, hidden.id, HIDDEN)
    suggestions = services.suggestions(None)
    assert [t.id for t in suggestions["solved_topics"]] == [topic.id]
    assert {t.slug for t in suggestions["tribes"]} == {"liuliang", "kuandai"}


def test_rebuild_restores_a_lost_index(engine, people, tribes):
    topic = topics.create_topic(people["alice"], tribes["liuliang"], "流量怎么查", "发短信查")
    reply = topics.create_reply(people["bob"], topic, "流量也可以在营业厅查")
    gone = topics.create_reply(people["carol"], topic, "流量删掉的回复")
    topics.delete_post(people["carol"], gone)
    engine.clear()
    assert find(None, "流量").page.items == []
    seen = []
    assert services.rebuild(progress=seen.append) == 2
    assert sum(seen) == 3  # every post was looked at, the deleted one not indexed
    assert set(keys(find(None, "流量"))) == {("topic", topic.id), ("reply", reply.id)}
