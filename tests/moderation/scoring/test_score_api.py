"""POST /api/v1/moderation/score: moderators only, bad input is a 422, documented."""

from __future__ import annotations

import pytest

from tests.forum.test_api_openapi import documented

PATH = "/api/v1/moderation/score"


def _post(client, headers, body):
    resp = client.post(PATH, json=body, headers=headers)
    documented(resp, "post", "/moderation/score")
    return resp


@pytest.mark.parametrize("roles", [("moderator",), ("admin",)])
def test_moderators_get_a_score_with_its_parts(client, make_user, api_token, roles):
    mod = make_user("mod", roles=roles)
    resp = _post(client, api_token(mod), {"text": "真是太感谢移动了，又多扣我20块"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["negative"] is True and body["score"] >= 50
    assert "多扣" in body["keywords"]
    assert body["demand"] in ("venting", "risk_avoidance", "compensation", "saving")
    assert 0 <= body["relevance"] <= 100


def test_tribe_moderator_may_score(client, make_user, make_tribe, api_token):
    tmod = make_user("tmod")
    make_tribe(moderators=["tmod"])
    resp = _post(client, api_token(tmod), {"text": "怎么查询扣费明细？"})
    assert resp.status_code == 200 and resp.get_json()["negative"] is False


def test_customers_get_403_and_anonymous_401(client, make_user, api_token):
    customer = make_user("cust")
    resp = _post(client, api_token(customer), {"text": "垃圾联通"})
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "forbidden"
    assert _post(client, {}, {"text": "垃圾联通"}).status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"text": ""}, "text"),
    ({"text": "   \n "}, "text"),
    ({"text": "很" * 5001}, "text"),
    ({}, "text"),
    ({"text": 42}, "text"),
])
def test_empty_long_missing_or_mistyped_text_is_422(client, make_user, api_token, body, field):
    mod = make_user("mod", roles=("moderator",))
    resp = _post(client, api_token(mod), body)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert field in error["fields"] and error["fields"][field]


def test_route_is_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/moderation/score"]["post"]
    assert {"200", "403", "422", "401"} <= set(operation["responses"])
    assert "moderation" in {tag["name"] for tag in doc["tags"]}
