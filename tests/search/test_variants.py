"""Variants mined from the site's text: offered on the synonym page, widening a query only
once a moderator approves them (every backend, see conftest ``engine``)."""

from __future__ import annotations

import pytest

from forum.services import topics
from search import services
from search.services import variant_mining, variants
from tests.conftest import csrf_token, login


@pytest.fixture(autouse=True)
def _no_candidates_left(app):
    yield
    with app.app_context():
        variants.candidates_path().unlink(missing_ok=True)


@pytest.fixture
def site(engine, make_user, make_tribe):
    alice = make_user("alice")
    make_user("sitemod", roles=("moderator",))
    tribe = make_tribe("huafei", "话费与账单")
    lost = topics.create_topic(alice, tribe, "手机丢了要先挂失", "挂失以后再去营业厅补卡")
    return {"alice": alice, "tribe": tribe, "lost": lost}


def test_mining_finds_words_used_alike_that_share_a_character(app):
    texts = []
    for place in ("营业厅", "网上", "客服", "热线", "掌厅"):
        texts += [f"手机丢了赶紧打电话挂失号码再去{place}办理",
                  f"手机丢了赶紧打电话报失号码再去{place}办理",
                  f"宽带续费请到{place}缴费", f"话费余额可以在{place}查询"]
    with app.app_context():
        found = variants.mine(texts)
    pairs = {(a, b) for a, b, _ in found}
    assert ("报失", "挂失") in pairs
    assert all(set(a) & set(b) for a, b in pairs)  # variants share a character
    assert all(0.0 < score <= 1.0 for _, _, score in found)


def test_an_approved_variant_widens_queries_and_an_unapproved_one_does_not(client, site):
    variants.save_candidates([("报失", "挂失", 0.81)])
    found = services.search(None, "报失")
    assert not found.page.items  # a candidate alone changes nothing

    login(client, "sitemod")
    page = client.get("/admin/search/synonyms").get_data(as_text=True)
    assert "待审核的候选词" in page and "报失" in page and "挂失" in page
    token = csrf_token(client, "/admin/search/synonyms")
    resp = client.post("/admin/search/synonyms", data={"terms": "报失, 挂失",
                                                       "csrf_token": token})
    assert resp.status_code == 302
    assert [i.topic_id for i in services.search(None, "报失").page.items] == [site["lost"].id]
    assert variants.pending_candidates() == []  # approved: no longer offered
    assert "待审核的候选词" not in client.get("/admin/search/synonyms").get_data(as_text=True)


def test_customers_cannot_approve_candidates(client, site):
    variants.save_candidates([("报失", "挂失", 0.81)])
    login(client, "alice")
    assert client.get("/admin/search/synonyms").status_code == 403
    assert not services.search(None, "报失").page.items


def test_words_jieba_splits_are_joined_into_phrases_and_compared(app):
    """没 返 (jieba's cut of 没返) occurs together far more often than by chance: it is mined as
    one term, and found alike 返还 (the word posts use) by its contexts."""
    texts = []
    for place in ("营业厅", "网上", "客服", "热线", "掌厅", "短信"):
        texts += [f"充值送的话费没返，{place}说下个月到账", f"充值送的话费返还了吗，{place}说下个月到账",
                  f"宽带续费请到{place}缴费", f"话费余额可以在{place}查询", f"{place}没人接"]
    sentences = [variant_mining.token_runs(t) for t in texts]
    assert ("没", "返") in variant_mining.find_phrases(sentences)
    with app.app_context():
        pairs = {(a, b) for a, b, _ in variants.mine(texts)}
    assert ("没返", "返还") in pairs


def test_places_and_times_are_not_offered_as_variants(app):
    texts = []
    for word in ("信号", "网速", "宽带", "客服", "营业厅"):
        for place in ("湖南", "湖北"):
            texts += [f"{place}的{word}怎么样", f"我在{place}用{word}"]
        texts += [f"上午{word}很好", f"下午{word}很好"]
    with app.app_context():
        found = variants.mine(texts, min_count=2)
    terms = {t for a, b, _ in found for t in (a, b)}
    assert not terms & {"湖南", "湖北", "上午", "下午"}
    assert variant_mining.is_name_like("湖南") and not variant_mining.is_name_like("扣费")
