"""The rewards API, checked against the OpenAPI document."""

from __future__ import annotations

from forum.extensions import db
from rewards.models import RewardItem
from rewards.services import leaderboards, store
from rewards.services.badges import award_badge
from rewards.services.ledger import Award, award
from tests.forum.test_api_openapi import documented


def _item(price=100, stock=3, limit=0) -> RewardItem:
    return store.save_item(name="1GB 流量包", description="当月有效", price=price, stock=stock,
                           per_user_limit=limit, active=True)


def test_my_points_shows_balance_lifetime_titles_and_entries(client, make_user, api_token):
    user = make_user()
    award(Award(user.id, "answer_accepted", "post", 1))
    award(Award(user.id, "idea_funded", "idea", 1))
    resp = client.get("/api/v1/me/points", headers=api_token(user))
    body = documented(resp, "get", "/me/points")
    assert body["balance"] == 115 and body["lifetime"] == 115
    assert body["title"]["name"] == "初出茅庐"
    assert body["next_title"] == {"name": "热心网友", "threshold": 200}
    assert [e["amount"] for e in body["entries"]] == [100, 15]


def test_my_points_needs_a_login(client):
    documented(client.get("/api/v1/me/points"), "get", "/me/points")
    assert client.get("/api/v1/me/points").status_code == 401


def test_checkin_twice_awards_once(client, make_user, api_token):
    user = make_user()
    first = documented(client.post("/api/v1/me/checkin", headers=api_token(user)),
                       "post", "/me/checkin")
    second = documented(client.post("/api/v1/me/checkin", headers=api_token(user)),
                        "post", "/me/checkin")
    assert (first["new"], first["awarded"], first["balance"], first["streak"]) == (True, 2, 2, 1)
    assert (second["new"], second["awarded"], second["balance"]) == (False, 0, 2)


def test_redeem_answers_201_then_409_with_codes_and_nothing_debited(client, make_user,
                                                                     api_token):
    user = make_user()
    award(Award(user.id, "bonus", "test", 1, amount=350))
    thing = _item(price=100, stock=3, limit=2)
    headers = api_token(user)
    ok = client.post(f"/api/v1/rewards/{thing.id}/redeem", headers=headers)
    assert ok.status_code == 201
    assert documented(ok, "post", "/rewards/{item_id}/redeem")["balance"] == 250
    client.post(f"/api/v1/rewards/{thing.id}/redeem", headers=headers)
    limited = client.post(f"/api/v1/rewards/{thing.id}/redeem", headers=headers)
    assert limited.status_code == 409
    assert documented(limited, "post", "/rewards/{item_id}/redeem")["error"]["code"] == "limit_reached"
    poor = _item(price=1000)
    refused = client.post(f"/api/v1/rewards/{poor.id}/redeem", headers=headers)
    assert refused.get_json()["error"]["code"] == "insufficient_points"
    empty = _item(price=10, stock=0)
    assert client.post(f"/api/v1/rewards/{empty.id}/redeem",
                       headers=headers).get_json()["error"]["code"] == "out_of_stock"
    assert client.get("/api/v1/me/points", headers=headers).get_json()["balance"] == 150
    missing = client.post("/api/v1/rewards/99999/redeem", headers=headers)
    assert documented(missing, "post", "/rewards/{item_id}/redeem")["error"]["code"] == "not_found"


def test_catalogue_lists_active_items_only(client):
    _item()
    store.save_item(name="下架商品", description="", price=5, stock=1, per_user_limit=0,
                    active=False)
    body = documented(client.get("/api/v1/rewards/catalogue"), "get", "/rewards/catalogue")
    assert [i["name"] for i in body["items"]] == ["1GB 流量包"]


def test_leaderboards_rank_by_points_earned_and_validate_input(client, make_user, make_tribe):
    tribe = make_tribe(slug="liuliang")
    a, b = make_user("alice"), make_user("bob")
    award(Award(a.id, "answer_accepted", "post", 1, tribe_id=tribe.id))
    award(Award(b.id, "idea_funded", "idea", 1))
    assert leaderboards.rollup_totals() == 2
    body = documented(client.get("/api/v1/leaderboards?period=week"), "get", "/leaderboards")
    assert [(r["rank"], r["username"], r["points"]) for r in body["items"]] == [
        (1, "bob", 100), (2, "alice", 15)]
    in_tribe = client.get("/api/v1/leaderboards?period=all&tribe=liuliang").get_json()
    assert [r["username"] for r in in_tribe["items"]] == ["alice"]
    for bad in ("period=year", "tribe=nope"):
        resp = client.get(f"/api/v1/leaderboards?{bad}")
        assert resp.status_code == 422
        documented(resp, "get", "/leaderboards")


def test_badges_of_a_user(client, make_user):
    user = make_user("carol")
    assert award_badge(user.id, "proxy") is True
    assert award_badge(user.id, "proxy") is False
    body = documented(client.get("/api/v1/users/carol/badges"), "get", "/users/{username}/badges")
    assert [b["code"] for b in body["items"]] == ["proxy"]
    assert client.get("/api/v1/users/nobody/badges").status_code == 404
    db.session.rollback()
