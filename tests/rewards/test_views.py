"""Rewards pages: points and check-in, leaderboards, store, profile section, admin pages."""

from __future__ import annotations

import pytest

from forum.extensions import db
from rewards.models import PointRule, RewardItem, RewardOrder, Title
from rewards.services import leaderboards, store
from rewards.services.ledger import Award, award
from tests.conftest import csrf_token, login
from tests.rewards.conftest import points_of

ADMIN_PAGES = ["/admin/rewards", "/admin/rewards/rules", "/admin/rewards/rules/checkin",
               "/admin/rewards/titles", "/admin/rewards/badges",
               "/admin/rewards/badges/proxy/edit", "/admin/rewards/items",
               "/admin/rewards/items/new", "/admin/rewards/orders"]


@pytest.fixture
def admin_client(client, make_user):
    make_user("boss", roles=("admin",))
    login(client, "boss")
    return client


def test_points_page_checks_in_and_shows_the_entry(client, make_user):
    user = make_user("dora")
    login(client, "dora")
    page = client.get("/me/points").get_data(as_text=True)
    assert "签到 +积分" in page and "还没有积分记录" in page
    resp = client.post("/me/checkin", data={"csrf_token": csrf_token(client, "/me/points")})
    assert resp.status_code == 302
    page = client.get("/me/points").get_data(as_text=True)
    assert "今日已签到" in page and "每日签到" in page and "+2" in page
    assert points_of(user.id) == 2


def test_checkin_by_fetch_answers_json(client, make_user):
    make_user("erin")
    login(client, "erin")
    token = csrf_token(client, "/me/points")
    resp = client.post("/me/checkin", data={"csrf_token": token},
                       headers={"Accept": "application/json"})
    assert resp.get_json()["balance"] == 2 and resp.get_json()["new"] is True


def test_points_page_needs_login(client):
    assert client.get("/me/points").status_code == 302


def test_profile_shows_points_title_progress_and_badges(client, make_user):
    from rewards.services.badges import award_badge

    user = make_user("frank")
    award(Award(user.id, "idea_funded", "idea", 1))
    award_badge(user.id, "first_accepted")
    page = client.get("/u/frank").get_data(as_text=True)
    assert "积分与勋章" in page and "初出茅庐" in page
    assert "距离「热心网友」还差 100 积分" in page and "初露锋芒" in page


def test_leaderboard_page_lists_users_and_refuses_bad_periods(client, make_user):
    user = make_user("gina")
    award(Award(user.id, "answer_accepted", "post", 1))
    leaderboards.rollup_totals()
    page = client.get("/leaderboards?period=month").get_data(as_text=True)
    assert "gina" in page and "15" in page
    assert client.get("/leaderboards?period=decade").status_code == 422
    assert "gina" in client.get("/leaderboards?period=week&tribe=").get_data(as_text=True)


def test_store_redeem_through_the_page(client, make_user):
    user = make_user("hank")
    award(Award(user.id, "bonus", "t", 1, amount=120))
    thing = store.save_item(name="话费券", description="", price=100, stock=1,
                            per_user_limit=0, active=True)
    login(client, "hank")
    token = csrf_token(client, "/store")
    resp = client.post(f"/store/{thing.id}/redeem", data={"csrf_token": token})
    assert resp.headers["Location"].endswith("/store/orders")
    assert "话费券" in client.get("/store/orders").get_data(as_text=True)
    again = client.post(f"/store/{thing.id}/redeem", data={"csrf_token": token},
                        follow_redirects=True)
    assert "积分不足" in again.get_data(as_text=True) or "已兑完" in again.get_data(as_text=True)
    assert points_of(user.id) == 20


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_are_403_for_non_admins(client, make_user, path):
    make_user("ivan")
    login(client, "ivan")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_open_for_admins(admin_client, path):
    assert admin_client.get(path).status_code == 200


@pytest.mark.parametrize("points, cap, message", [
    ("-3", "", "积分不能是负数"), ("2.5", "", "请输入整数"), ("abc", "", "请输入整数"),
    ("2", "-1", "每日上限不能是负数"), ("2", "0", "每日上限至少为 1"),
])
def test_rule_form_refuses_bad_numbers_and_keeps_input(admin_client, points, cap, message):
    token = csrf_token(admin_client, "/admin/rewards/rules/checkin")
    resp = admin_client.post("/admin/rewards/rules/checkin",
                             data={"csrf_token": token, "points": points, "daily_cap": cap,
                                   "active": "y"})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert message in page and f'value="{points}"' in page
    assert db.session.get(PointRule, "checkin").points == 2


def test_rule_form_saves_points_and_cap(admin_client):
    token = csrf_token(admin_client, "/admin/rewards/rules/reply_created")
    resp = admin_client.post("/admin/rewards/rules/reply_created",
                             data={"csrf_token": token, "points": "3", "daily_cap": ""})
    assert resp.status_code == 302
    rule = db.session.get(PointRule, "reply_created")
    assert (rule.points, rule.daily_cap, rule.active) == (3, None, False)


def test_title_edits_resync_user_titles(admin_client, make_user):
    user = make_user("jack")
    award(Award(user.id, "answer_accepted", "post", 1))
    token = csrf_token(admin_client, "/admin/rewards/titles")
    resp = admin_client.post("/admin/rewards/titles",
                             data={"csrf_token": token, "name": "小有名气", "threshold": "10"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(user), user.id).title == "小有名气"
    bad = admin_client.post("/admin/rewards/titles",
                            data={"csrf_token": token, "name": "负数", "threshold": "-5"})
    assert bad.status_code == 422 and "门槛必须是 0 或正整数" in bad.get_data(as_text=True)
    title = db.session.scalar(db.select(Title).where(Title.name == "小有名气"))
    confirm = admin_client.get(f"/admin/rewards/titles/{title.id}/delete")
    assert "确认删除" in confirm.get_data(as_text=True)
    admin_client.post(f"/admin/rewards/titles/{title.id}/delete", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(type(user), user.id).title == "新手上路"


def test_item_form_refuses_negative_stock_and_creates_items(admin_client):
    token = csrf_token(admin_client, "/admin/rewards/items/new")
    data = {"csrf_token": token, "name": "流量包", "description": "", "price": "100",
            "stock": "-1", "per_user_limit": "0", "active": "y"}
    bad = admin_client.post("/admin/rewards/items/new", data=data)
    assert bad.status_code == 422 and "库存不能小于 0" in bad.get_data(as_text=True)
    ok = admin_client.post("/admin/rewards/items/new", data={**data, "stock": "5"})
    assert ok.status_code == 302
    assert db.session.scalar(db.select(RewardItem.stock)) == 5


def test_admin_fulfils_an_order(admin_client, make_user):
    user = make_user("kim")
    award(Award(user.id, "bonus", "t", 1, amount=100))
    thing = store.save_item(name="帆布袋", description="", price=100, stock=1,
                            per_user_limit=0, active=True)
    order = store.redeem(user, thing.id)
    token = csrf_token(admin_client, "/admin/rewards/orders")
    admin_client.post(f"/admin/rewards/orders/{order.id}/fulfil", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(RewardOrder, order.id).status == "fulfilled"
