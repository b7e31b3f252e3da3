"""Rough edges of issue 17 in rewards: a 流量包 asks which phone number to credit (checked,
kept when wrong, nothing debited), the store shows what a customer cannot afford, the
check-in answer carries everything the page shows, and proxy candidates are customers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.errors import ValidationError
from forum.extensions import db
from rewards.models import RewardItem, RewardOrder
from rewards.proxies.services import lifecycle
from rewards.services import store
from tests import factories as f
from tests.conftest import csrf_token, login
from tests.rewards.conftest import points_of


def phone_item(price=100) -> RewardItem:
    return store.save_item(name="1GB 国内流量包", description="", price=price, stock=5,
                           per_user_limit=0, active=True, needs_phone=True)


@pytest.mark.parametrize("typed, kept", [("138 0013 8000", "13800138000"),
                                         ("+86 139-1234-5678", "13912345678")])
def test_a_phone_item_takes_a_mainland_mobile_number(make_user, typed, kept):
    user = make_user()
    f.points(user, 150)
    order = store.redeem(user, phone_item().id, typed)
    assert order.phone == kept and order.masked_phone == kept[:3] + "****" + kept[-4:]


@pytest.mark.parametrize("typed", [None, "", "12345678901", "1380013800", "23800138000",
                                   "138001380001", "abc"])
def test_a_phone_item_refuses_a_missing_or_wrong_number_and_debits_nothing(make_user, typed):
    user = make_user()
    f.points(user, 150)
    thing = phone_item()
    with pytest.raises(ValidationError) as refused:
        store.redeem(user, thing.id, typed)
    assert "phone" in refused.value.fields
    assert points_of(user.id) == 150
    assert db.session.get(RewardItem, thing.id).stock == 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RewardOrder)) == 0


def test_the_store_page_asks_for_the_number_and_keeps_a_wrong_one(client, make_user):
    user = make_user("buyer")
    f.points(user, 150)
    thing = phone_item()
    login(client, "buyer")
    html = client.get("/store").get_data(as_text=True)
    assert f'id="phone-{thing.id}"' in html and "充值到哪个手机号" in html
    token = csrf_token(client, "/store")
    bad = client.post(f"/store/{thing.id}/redeem", data={"csrf_token": token, "phone": "1234"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "请填写正确的手机号" in text and 'value="1234"' in text
    assert points_of(user.id) == 150
    ok = client.post(f"/store/{thing.id}/redeem",
                     data={"csrf_token": token, "phone": "13800138000"})
    assert ok.status_code == 302
    assert "138****8000" in client.get("/store/orders").get_data(as_text=True)


def test_the_api_takes_the_phone_and_declares_it(client, make_user, api_token):
    user = make_user("apibuyer")
    f.points(user, 150)
    thing = phone_item()
    headers = api_token(user)
    catalogue = client.get("/api/v1/rewards/catalogue").get_json()["items"]
    assert catalogue[0]["needs_phone"] is True
    bad = client.post(f"/api/v1/rewards/{thing.id}/redeem", json={"phone": "110"},
                      headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["fields"]["phone"]
    ok = client.post(f"/api/v1/rewards/{thing.id}/redeem", json={"phone": "13800138000"},
                     headers=headers)
    assert ok.status_code == 201 and ok.get_json()["phone"] == "13800138000"
    document = client.get("/api/v1/openapi.json").get_json()
    assert "phone" in document["components"]["schemas"]["RedeemRequest"]["properties"]


def test_unaffordable_items_are_shown_disabled_with_the_reason_and_still_refused(
        client, make_user):
    user = make_user("poor")
    f.points(user, 100)
    cheap = store.save_item(name="定制帆布袋", description="", price=80, stock=5,
                            per_user_limit=0, active=True)
    dear = store.save_item(name="视频会员月卡", description="", price=500, stock=5,
                           per_user_limit=0, active=True)
    login(client, "poor")
    html = client.get("/store").get_data(as_text=True)
    assert f"/store/{cheap.id}/redeem" in html
    assert f"/store/{dear.id}/redeem" not in html
    assert "积分不足" in html and "还差 400 积分" in html
    token = csrf_token(client, "/store")
    client.post(f"/store/{dear.id}/redeem", data={"csrf_token": token})
    assert points_of(user.id) == 100  # the server refuses all the same


def test_the_check_in_answer_carries_lifetime_and_the_new_history_row(client, make_user):
    user = make_user("daily")
    f.points(user, 148)
    login(client, "daily")
    token = csrf_token(client, "/me/points")
    data = client.post("/me/checkin", data={"csrf_token": token},
                       headers={"Accept": "application/json"}).get_json()
    assert data["new"] is True
    assert data["balance"] == 150 and data["lifetime"] == 150
    assert data["entry"]["label"] == "每日签到" and data["entry"]["amount"] == 2
    again = client.post("/me/checkin", data={"csrf_token": token},
                        headers={"Accept": "application/json"}).get_json()
    assert again["new"] is False and again["entry"] is None and again["lifetime"] == 150


def test_proxy_candidates_are_customers_unless_staff_are_included(client, make_user):
    admin = make_user("boss", roles=("admin",))
    employee = make_user("kefu", roles=("moderator", "employee"), display_name="客服安安")
    fan = make_user("fan", display_name="热心网友")
    community_mod = make_user("banzhu", roles=("customer", "moderator"), display_name="林版主")
    admin.influence, employee.influence, fan.influence, community_mod.influence = 79, 90, 30, 20
    db.session.commit()
    names = [r.user.username for r in lifecycle.list_candidates(1, 20).items]
    assert names == ["fan", "banzhu"]
    everyone = [r.user.username for r in lifecycle.list_candidates(1, 20, include_staff=True).items]
    assert everyone[:2] == ["kefu", "boss"] and {"fan", "banzhu"} <= set(everyone)
    login(client, "boss")
    page = client.get("/admin/proxies/").get_data(as_text=True)
    assert "热心网友" in page and "客服安安" not in page
    assert "客服安安" in client.get("/admin/proxies/?staff=1").get_data(as_text=True)
