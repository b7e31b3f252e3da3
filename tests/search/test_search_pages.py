"""Search through HTTP: the /search page, the header box, GET /api/v1/search (checked against
the OpenAPI document), the synonym admin pages and ``flask search``."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.models import COLD, Topic
from forum.services import topics
from search import tasks
from search.services import synonyms
from tests.conftest import csrf_token, login
from tests.forum.test_api_openapi import documented


@pytest.fixture
def site(engine, make_user, make_tribe):
    alice = make_user("alice")
    bob = make_user("bob")
    mod = make_user("sitemod", roles=("moderator",))
    liuliang = make_tribe("liuliang", "流量管家")
    kuandai = make_tribe("kuandai", "宽带与家庭网络")
    topic = topics.create_topic(alice, liuliang, "流量用超了怎么办", "月底流量不够，<b>急</b>")
    reply = topics.create_reply(bob, topic, "可以订一个流量加油包")
    topics.accept_answer(alice, topic, reply)
    other = topics.create_topic(bob, kuandai, "宽带经常断网", "光猫一直闪红灯")
    return {"alice": alice, "bob": bob, "mod": mod, "topic": topic, "reply": reply,
            "other": other}


def results_of(html: str) -> list[str]:
    return re.findall(r'<li class="search-result search-(\w+)">', html)


# --- the page -------------------------------------------------------------------------------


def test_header_has_a_search_box_on_every_page(client, site):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<form[^>]+action="/search"[^>]*role="search"', html)
    assert 'name="q"' in html


def test_empty_query_shows_a_hint(client, site):
    resp = client.get("/search")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "输入关键词搜索话题和回复" in html and results_of(html) == []


def test_results_are_highlighted_with_links_and_metadata(client, site):
    resp = client.get("/search?q=流量")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert sorted(results_of(html)) == ["reply", "topic"]
    assert "<mark>流量</mark>用超了怎么办" in html
    assert f'href="/topic/{site["topic"].id}"' in html
    assert "&lt;b&gt;急&lt;/b&gt;" in html  # the post's text, escaped (it was Markdown text)
    assert "已解决" in html and "流量管家" in html


def test_filters_narrow_the_page_and_the_pager_keeps_them(client, site, make_user):
    html = client.get("/search?q=流量&type=reply").get_data(as_text=True)
    assert results_of(html) == ["reply"]
    html = client.get("/search?q=宽带&tribe=liuliang").get_data(as_text=True)
    assert results_of(html) == []
    user = make_user("many")
    for i in range(22):
        topics.create_topic(user, site["other"].tribe, f"宽带第{i}次断网", "光猫")
    html = client.get("/search?q=宽带&tribe=kuandai&solved=0").get_data(as_text=True)
    assert len(results_of(html)) == 20
    pager = re.findall(r'href="(/search\?[^"]*page=2[^"]*)"', html)
    assert pager and all("tribe=kuandai" in p and "solved=0" in p for p in pager)
    page2 = client.get(pager[0].replace("&amp;", "&")).get_data(as_text=True)
    assert len(results_of(page2)) == 3


def test_bad_filters_are_a_422_page_with_a_message(client, site):
    resp = client.get("/search?q=流量&type=poll&from=2024-99-01")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "类型只能是" in html and "日期格式应为" in html


def test_no_results_suggest_tribes_and_recent_solved_topics(client, site):
    html = client.get("/search?q=卫星电话").get_data(as_text=True)
    assert "没有找到与「卫星电话」相关的内容" in html
    assert "去部落看看" in html and "宽带与家庭网络" in html
    assert "最近解决的问题" in html and "流量用超了怎么办" in html


def test_long_queries_are_cut_with_a_notice(client, site):
    html = client.get("/search?q=" + "流量" * 80).get_data(as_text=True)
    assert "只用了前 100 个字" in html


@pytest.mark.parametrize("q", ['AND', '"', '(', '*', ')', 'OR NOT', '流量 AND (套餐 OR "',
                               '\\', '%', '%00', '流量\x00', '<script>', "'", "a" * 5000])
def test_query_syntax_and_junk_never_cause_an_error(client, site, q):
    resp = client.get("/search", query_string={"q": q})
    assert resp.status_code == 200
    api = client.get("/api/v1/search", query_string={"q": q})
    assert api.status_code == 200
    documented(api, "get", "/search")


def test_cold_handled_post_shows_only_to_its_author(client, site):
    db.session.execute(sa.update(Topic).where(Topic.id == site["other"].id)
                       .values(visibility=COLD))
    db.session.commit()
    tasks.reindex_topic.delay(site["other"].id)
    assert results_of(client.get("/search?q=光猫").get_data(as_text=True)) == []
    login(client, "alice")
    assert results_of(client.get("/search?q=光猫").get_data(as_text=True)) == []
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, "bob")
    assert results_of(client.get("/search?q=光猫").get_data(as_text=True)) == ["topic"]


# --- the API --------------------------------------------------------------------------------


def test_api_search_returns_documented_items(client, site):
    resp = client.get("/api/v1/search?q=流量")
    body = documented(resp, "get", "/search")
    assert resp.status_code == 200
    assert body["page"] == 1 and body["total"] == 2
    by_type = {item["type"]: item for item in body["items"]}
    assert by_type["topic"]["id"] == site["topic"].id
    assert by_type["reply"]["id"] == site["reply"].id
    assert by_type["reply"]["topic_id"] == site["topic"].id
    assert "<mark>流量</mark>" in by_type["reply"]["snippet_html"]
    assert by_type["topic"]["title"] == "流量用超了怎么办"
    assert all(item["score"] > 0 and item["solved"] for item in body["items"])


def test_api_filters_and_pages(client, site, api_token):
    body = documented(client.get("/api/v1/search?q=流量&type=topic&solved=1&tribe=liuliang"),
                      "get", "/search")
    assert [(i["type"], i["id"]) for i in body["items"]] == [("topic", site["topic"].id)]
    body = documented(client.get("/api/v1/search?q=流量&per_page=1&page=2"), "get", "/search")
    assert len(body["items"]) == 1 and body["page"] == 2 and body["per_page"] == 1
    body = documented(client.get("/api/v1/search?q=流量&per_page=1000"), "get", "/search")
    assert body["per_page"] == 50
    body = documented(client.get("/api/v1/search?q="), "get", "/search")
    assert body["items"] == [] and body["total"] == 0
    headers = api_token(site["bob"])
    body = documented(client.get("/api/v1/search?q=光猫", headers=headers), "get", "/search")
    assert [i["id"] for i in body["items"]] == [site["other"].id]


@pytest.mark.parametrize("query, field", [
    ("type=poll", "type"), ("tribe=nowhere", "tribe"), ("solved=maybe", "solved"),
    ("date_from=2024-02-30", "date_from"), ("date_from=2024-05-02&date_to=2024-05-01", "date_to"),
])
def test_api_bad_filters_are_422_with_fields(client, site, query, field):
    resp = client.get(f"/api/v1/search?q=流量&{query}")
    body = documented(resp, "get", "/search")
    assert resp.status_code == 422
    assert field in body["error"]["fields"]


def test_api_masks_personal_data_for_others(client, site, make_user, api_token):
    topics.create_topic(site["alice"], site["topic"].tribe, "号码13812345678流量异常",
                        "请联系 13812345678")
    anonymous = documented(client.get("/api/v1/search?q=流量异常"), "get", "/search")
    assert "13812345678" not in str(anonymous) and "138****5678" in str(anonymous)
    own = documented(client.get("/api/v1/search?q=流量异常", headers=api_token(site["alice"])),
                     "get", "/search")
    assert "13812345678" in own["items"][0]["title"]


# --- synonyms admin -------------------------------------------------------------------------


def test_synonym_pages_are_for_moderators_and_admins(client, site):
    assert client.get("/admin/search/synonyms").status_code == 302  # to the login page
    login(client, "alice")
    assert client.get("/admin/search/synonyms").status_code == 403
    resp = client.post("/admin/search/synonyms",
                       data={"terms": "扣费, 扣钱", "csrf_token": csrf_token(client)})
    assert resp.status_code == 403
    assert synonyms.list_synonyms() == []


def test_moderator_adds_edits_and_deletes_a_synonym_group(client, site):
    login(client, "sitemod")
    assert client.get("/admin/search/synonyms").status_code == 200
    token = csrf_token(client, "/admin/search/synonyms")
    resp = client.post("/admin/search/synonyms", data={"terms": "流量包, 加油包",
                                                       "csrf_token": token})
    assert resp.status_code == 302
    [group] = synonyms.list_synonyms()
    html = client.get("/admin/search/synonyms").get_data(as_text=True)
    assert "流量包" in html and "加油包" in html
    # at once in the search: the reply says 加油包
    api = client.get("/api/v1/search?q=流量包").get_json()
    assert [i["id"] for i in api["items"]][:api["strict_total"]] == [site["reply"].id]

    resp = client.post(f"/admin/search/synonyms/{group.id}/edit",
                       data={"terms": "一", "csrf_token": token})
    assert resp.status_code == 422 and "2–20 个不同的词" in resp.get_data(as_text=True)
    resp = client.post(f"/admin/search/synonyms/{group.id}/edit",
                       data={"terms": "流量包, 加油包, 叠加包", "csrf_token": token})
    assert resp.status_code == 302
    assert synonyms.list_synonyms()[0].term_list == ["流量包", "加油包", "叠加包"]
    resp = client.post(f"/admin/search/synonyms/{group.id}/delete", data={"csrf_token": token})
    assert resp.status_code == 302 and synonyms.list_synonyms() == []
    assert client.get("/admin/search/synonyms/999/edit").status_code == 404


def test_bad_synonym_input_is_422_with_a_message(client, site):
    login(client, "sitemod")
    token = csrf_token(client, "/admin/search/synonyms")
    resp = client.post("/admin/search/synonyms", data={"terms": "扣费", "csrf_token": token})
    assert resp.status_code == 422
    assert "2–20 个不同的词" in resp.get_data(as_text=True)


# --- command line ---------------------------------------------------------------------------


def test_flask_search_reindex_rebuilds_with_a_progress_bar(app, engine, site):
    engine.clear()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "indexing" in result.output and "done: 3 documents indexed" in result.output
    status = runner.invoke(args=["search", "status"])
    assert f"backend: {engine.name}" in status.output and "documents: 3" in status.output
