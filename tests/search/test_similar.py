"""Similar questions (the composer's "your topic is similar to") and bad input, on every
backend (see conftest ``engine``)."""

from __future__ import annotations

import pytest

from forum.models import COLD, HIDDEN, Post, Topic
from forum.services import topics
from search import services
from search.services.similar import similar_topics
from tests.conftest import login
from tests.search.test_search_service import _set_visibility


@pytest.fixture
def site(engine, make_user, make_tribe):
    alice, bob = make_user("alice"), make_user("bob")
    kuandai = make_tribe("kuandai", "宽带与家庭网络")
    unsolved = topics.create_topic(alice, kuandai, "宽带安装要等几天", "报装以后一直没人来")
    solved = topics.create_topic(bob, kuandai, "装宽带多久能装好", "想知道装机要多久")
    answer = topics.create_reply(alice, solved, "一般三天内上门装机\n超过三天可以投诉")
    topics.accept_answer(bob, solved, answer)
    topics.create_topic(bob, kuandai, "话费扣错了", "月底扣了二十块")
    return {"alice": alice, "bob": bob, "unsolved": unsolved, "solved": solved}


def test_a_new_title_finds_its_duplicates_solved_first(site):
    found = similar_topics(None, "宽带装机要等多久")
    ids = [f.topic_id for f in found]
    assert ids[:2] == [site["solved"].id, site["unsolved"].id]
    assert found[0].solved and found[0].accepted_excerpt.startswith("一般三天内上门装机")
    assert not found[1].solved and found[1].accepted_excerpt is None
    assert len(found) <= 5


def test_api_similar_returns_documented_items_and_empty_title_gives_none(client, site):
    data = client.get("/api/v1/search/similar?title=宽带装机要等多久").get_json()
    assert data["items"][0] == {**data["items"][0], "topic_id": site["solved"].id,
                                "solved": True}
    assert data["items"][0]["accepted_excerpt"].startswith("一般三天内上门装机")
    assert set(data["items"][0]) == {"topic_id", "title", "solved", "accepted_excerpt", "score"}
    for title in ("", "   ", "！？。", "的了吗", "😀" * 10, "宽" * 1000):
        resp = client.get("/api/v1/search/similar", query_string={"title": title})
        assert resp.status_code == 200
        if title.strip() in ("", "！？。", "的了吗"):
            assert resp.get_json() == {"items": []}


def test_hidden_and_cold_handled_topics_are_not_offered(site):
    _set_visibility(Topic, site["unsolved"].id, HIDDEN)
    _set_visibility(Post, site["solved"].first_post_id, COLD)
    ids = [f.topic_id for f in similar_topics(None, "宽带装机要等多久")]
    assert site["unsolved"].id not in ids and site["solved"].id not in ids
    # the author of the cold-handled topic still sees it
    assert site["solved"].id in [f.topic_id for f in similar_topics(site["bob"], "宽带装机要等多久")]


@pytest.mark.parametrize("q", ["！？。，", "的 了 吗 怎么", "流" * 1000, "宽带 broadband ブロード 😀",
                               "🙈🙉🙊", "<script>alert(1)</script>"])
def test_search_page_and_api_never_fail_on_bad_input(client, site, q):
    assert client.get("/search", query_string={"q": q}).status_code == 200
    assert client.get("/api/v1/search", query_string={"q": q}).status_code == 200


def related_ids(client, topic) -> list[int]:
    """What the topic page's 相关话题 block shows (its script asks the API)."""
    html = client.get(f"/topic/{topic.id}").get_data(as_text=True)
    assert "data-related-root" in html and f"topic_id={topic.id}" in html
    data = client.get("/api/v1/search/similar", query_string={"topic_id": topic.id})
    return [item["topic_id"] for item in data.get_json()["items"]]


def test_topic_page_shows_related_topics_the_viewer_may_see(client, site, make_user,
                                                            app):
    page = client.get(f"/topic/{site['unsolved'].id}")
    assert page.status_code == 200
    assert related_ids(client, site["unsolved"]) == [site["solved"].id]  # never itself
    _set_visibility(Topic, site["solved"].id, HIDDEN)
    assert related_ids(client, site["unsolved"]) == []
    _set_visibility(Topic, site["solved"].id, "visible")
    _set_visibility(Post, site["solved"].first_post_id, COLD)
    assert related_ids(client, site["unsolved"]) == []
    login(client, "bob")  # the author of the cold-handled topic still sees it
    assert related_ids(client, site["unsolved"]) == [site["solved"].id]


def test_related_topics_of_a_topic_the_viewer_may_not_see_is_404(client, site):
    _set_visibility(Topic, site["unsolved"].id, HIDDEN)
    assert client.get("/api/v1/search/similar",
                      query_string={"topic_id": site["unsolved"].id}).status_code == 404
    for bad in ("abc", "-1", "0", "99999999999"):
        resp = client.get("/api/v1/search/similar", query_string={"topic_id": bad})
        assert resp.status_code == 422, bad


def test_ideas_are_never_related_topics(client, site, make_user, app):
    if "ideas" not in app.config["HUZHU_PACKAGES"]:
        pytest.skip("the ideas package is not loaded (HUZHU_PACKAGES)")
    from ideas.services import ideas as idea_service

    employee = make_user("staffer", roles=("employee",))
    idea_service.submit_idea(employee, "宽带安装太慢的改进", "客户报装宽带以后装机要等好几天才有人上门",
                             "装机预约精确到小时并短信提醒客户", "渠道体验")
    login(client, "staffer")
    assert all(i in (site["solved"].id,) for i in related_ids(client, site["unsolved"]))
    assert [f.topic_id for f in similar_topics(employee, "宽带安装太慢")] != []
    assert all(f.topic_id in (site["solved"].id, site["unsolved"].id)
               for f in similar_topics(employee, "宽带安装太慢的改进"))


def test_did_you_mean_corrects_pinyin_slips_and_typos_before_suggestions(client, site):
    topics.create_topic(site["alice"], site["solved"].tribe, "流量超出怎么收费", "月底流量不够")
    assert services.search(None, "流两超出").did_you_mean == "流量超出"  # liu liang
    assert services.search(None, "宽代").did_you_mean == "宽带"  # one character off
    assert services.search(None, "宽带").did_you_mean is None  # results: nothing to correct
    assert services.search(None, "量子纠缠").did_you_mean is None  # nothing close finds any
    html = client.get("/search", query_string={"q": "流两"}).get_data(as_text=True)
    assert "你是不是要找" in html and "q=%E6%B5%81%E9%87%8F" in html  # 流量
    assert html.index("你是不是要找") < html.index("去部落看看")
    api = client.get("/api/v1/search", query_string={"q": "流两"}).get_json()
    assert api["items"] == [] and api["did_you_mean"] == "流量"
