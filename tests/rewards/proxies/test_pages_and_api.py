"""Pages and the API: permissions on the server, status codes, forms keeping input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rewards.proxies.services import circles, commission, settlement
from rewards.proxies.services.common import month_of
from tests.conftest import csrf_token, login
from tests.forum.test_api_openapi import documented

ADMIN_PAGES = ["/admin/proxies/circles", "/admin/proxies/weights", "/admin/proxies/rules",
               "/admin/proxies/statements"]


@pytest.fixture
def setup(admin, make_user, make_proxy, make_tribe):
    tribe = make_tribe()
    proxy = make_proxy(make_user("laowang", display_name="流量达人老王"), [tribe])
    circle = circles.create_circle(admin, proxy, "流量互助一圈")
    commission.record(proxy.id, "accepted_answer", "post:1/0", 200, tribe.id, note="最佳答案")
    commission.record(proxy.id, "ticket_resolved", "ticket:9", 500, tribe.id)
    settlement.settle_month(month_of(datetime.now(UTC)))
    statement = settlement.statements_of(proxy.id)[0]
    return {"proxy": proxy, "circle": circle, "statement": statement, "tribe": tribe}


def test_customers_get_403_and_visitors_the_login_page_on_admin_pages(client, make_user, setup):
    make_user("customer1")
    for path in ["/admin/proxies/", f"/admin/proxies/{setup['proxy'].id}", *ADMIN_PAGES,
                 f"/admin/proxies/statements/{setup['statement'].id}",
                 f"/admin/proxies/statements/{setup['statement'].id}.csv"]:
        assert client.get(path).status_code == 302, path
    login(client, "customer1")
    for path in ["/admin/proxies/", f"/admin/proxies/{setup['proxy'].id}", *ADMIN_PAGES,
                 f"/admin/proxies/statements/{setup['statement'].id}.csv"]:
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/proxies/circles")
    response = client.post(f"/admin/proxies/statements/{setup['statement'].id}/approve",
                           data={"csrf_token": token})
    assert response.status_code == 403
    assert client.get("/proxies/").status_code == 403  # not a proxy


def test_moderators_see_and_rate_candidates_but_not_money(client, make_user, setup):
    make_user("mod", roles=("moderator",))
    login(client, "mod")
    page = client.get("/admin/proxies/")
    assert page.status_code == 200 and "流量达人老王" in page.get_data(as_text=True)
    path = f"/admin/proxies/{setup['proxy'].id}"
    token = csrf_token(client, path)
    bad = client.post(path + "/rate", data={"csrf_token": token, "rating_cooperation": "9"})
    assert bad.status_code == 422 and "1–5" in bad.get_data(as_text=True)
    ok = client.post(path + "/rate", data={"csrf_token": token, "rating_cooperation": "4",
                                           "rating_communication": "5", "rating_pr": "3"})
    assert ok.status_code == 302
    assert "4 / 5 / 3" in client.get("/admin/proxies/").get_data(as_text=True)
    for page_path in ADMIN_PAGES:
        assert client.get(page_path).status_code == 403, page_path
    assert client.post(path + "/transition", data={"csrf_token": token,
                                                   "to_status": "retired"}).status_code == 403


def test_admin_pages_render_and_an_invalid_transition_is_409(client, setup):
    login(client, "boss")
    for path in ["/admin/proxies/", f"/admin/proxies/{setup['proxy'].id}", *ADMIN_PAGES,
                 f"/admin/proxies/statements/{setup['statement'].id}"]:
        response = client.get(path)
        assert response.status_code == 200, path
    path = f"/admin/proxies/{setup['proxy'].id}"
    token = csrf_token(client, path)
    response = client.post(path + "/transition", data={"csrf_token": token,
                                                       "to_status": "invited", "reason": "再邀"})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "当前允许：暂停、已退出" in text and 'value="再邀"' in text
    response = client.post(path + "/transition", data={"csrf_token": token,
                                                       "to_status": "suspended", "reason": "休假"})
    assert response.status_code == 302
    assert "休假" in client.get(path).get_data(as_text=True)


def test_rule_amounts_must_be_non_negative_whole_fen(client, setup):
    login(client, "boss")
    token = csrf_token(client, "/admin/proxies/rules")
    for bad in ("-100", "1.5", "两元"):
        response = client.post("/admin/proxies/rules", data={
            "csrf_token": token, "code": "accepted_answer",
            "accepted_answer-amount_fen": bad, "accepted_answer-is_active": "y"})
        assert response.status_code == 422, bad
        assert f'value="{bad}"' in response.get_data(as_text=True)
    response = client.post("/admin/proxies/rules", data={
        "csrf_token": token, "code": "accepted_answer", "accepted_answer-amount_fen": "250",
        "accepted_answer-is_active": "y"})
    assert response.status_code == 302
    assert commission.ensure_rules()["accepted_answer"].amount_fen == 250


def test_settling_approving_paying_and_csv_through_the_pages(client, setup):
    login(client, "boss")
    sid = setup["statement"].id
    token = csrf_token(client, "/admin/proxies/statements")
    bad = client.post("/admin/proxies/statements/settle", data={"csrf_token": token,
                                                                "month": "2026-13"})
    assert bad.status_code == 422 and 'value="2026-13"' in bad.get_data(as_text=True)
    assert client.post(f"/admin/proxies/statements/{sid}/pay",
                       data={"csrf_token": token}).status_code == 409
    assert client.post(f"/admin/proxies/statements/{sid}/approve",
                       data={"csrf_token": token}).status_code == 302
    assert client.post(f"/admin/proxies/statements/{sid}/approve",
                       data={"csrf_token": token}).status_code == 409
    assert client.post(f"/admin/proxies/statements/{sid}/refresh",
                       data={"csrf_token": token}).status_code == 409
    assert client.post(f"/admin/proxies/statements/{sid}/pay",
                       data={"csrf_token": token}).status_code == 302
    csv_response = client.get(f"/admin/proxies/statements/{sid}.csv")
    assert csv_response.status_code == 200
    assert csv_response.mimetype == "text/csv"
    body = csv_response.get_data()
    assert body.startswith("\ufeff".encode())
    assert "7.00" in body.decode("utf-8") and "已支付" in body.decode("utf-8")


def test_invitation_is_answered_only_by_the_invited_user(client, admin, make_user):
    from rewards.proxies.services import lifecycle

    invited = make_user("invited1")
    make_user("other1")
    lifecycle.transition(admin, invited, "invited")
    login(client, "other1")
    token = csrf_token(client, "/proxies/invitation")
    response = client.post("/proxies/invitation", data={"csrf_token": token, "decision": "accept"})
    assert response.status_code == 409
    assert lifecycle.status_of(invited.id) == "invited"
    client.post("/logout", data={"csrf_token": token})

    other_client = client.application.test_client()
    login(other_client, "invited1")
    assert other_client.get("/proxies/").headers["Location"].endswith("/proxies/invitation")
    page = other_client.get("/proxies/invitation")
    assert "接受邀请" in page.get_data(as_text=True)
    token = csrf_token(other_client, "/proxies/invitation")
    response = other_client.post("/proxies/invitation", data={"csrf_token": token,
                                                              "decision": "accept"})
    assert response.status_code == 302
    assert lifecycle.status_of(invited.id) == "active"
    assert other_client.get("/proxies/").status_code == 200


def test_dashboard_shows_circles_members_earnings_and_statements(client, make_user, setup):
    member = make_user("member1", display_name="圈内小张")
    circles.join(member, setup["circle"])
    login(client, "laowang")
    text = client.get("/proxies/").get_data(as_text=True)
    assert "流量互助一圈" in text and "圈内小张" in text
    assert "¥7.00" in text and setup["statement"].month in text
    own = client.get(f"/proxies/statements/{setup['statement'].id}")
    assert own.status_code == 200
    assert client.get(f"/proxies/statements/{setup['statement'].id}.csv").status_code == 200


def test_joining_a_full_circle_through_the_page_says_so(app, client, make_user, setup):
    app.config["PROXY_CIRCLE_MAX"] = 1
    try:
        circles.join(make_user("first1"), setup["circle"])
        make_user("second1")
        login(client, "second1")
        token = csrf_token(client, "/proxies/circles")
        response = client.post(f"/proxies/circles/{setup['circle'].id}/join",
                               data={"csrf_token": token})
        assert response.status_code == 409
        assert "该服务圈子已满（最多 1 人）" in response.get_data(as_text=True)
    finally:
        app.config["PROXY_CIRCLE_MAX"] = 150


def test_api_my_commission(client, api_token, make_user, setup):
    assert documented(client.get("/api/v1/me/commission"), "get", "/me/commission") is not None
    assert client.get("/api/v1/me/commission").status_code == 401
    customer = make_user("customer1")
    response = client.get("/api/v1/me/commission", headers=api_token(customer))
    assert response.status_code == 403
    documented(response, "get", "/me/commission")
    response = client.get("/api/v1/me/commission", headers=api_token(setup["proxy"]))
    body = documented(response, "get", "/me/commission")
    assert response.status_code == 200
    assert body["total_fen"] == 700 and body["pending_fen"] == 700
    assert sorted(e["amount_fen"] for e in body["entries"]) == [200, 500]
    assert body["statements"][0]["total_fen"] == 700
    assert body["statements"][0]["status"] == "draft"


def test_employees_read_candidates_without_rating_or_lifecycle_controls(client, make_user,
                                                                       setup):
    plain = make_user("plain1", display_name="普通网友")
    make_user("emp1", roles=("employee",))
    login(client, "emp1")
    text = client.get(f"/admin/proxies/{plain.id}").get_data(as_text=True)
    assert "普通网友" in text and "尚未评分" in text
    assert "保存评分" not in text and "历史记录" not in text
    token = csrf_token(client, "/admin/proxies/")
    assert client.post(f"/admin/proxies/{plain.id}/rate",
                       data={"csrf_token": token, "rating_pr": "3"}).status_code == 403


def test_admin_sees_a_fresh_candidate_and_can_invite_them(client, make_user, setup):
    plain = make_user("plain1", display_name="普通网友")
    login(client, "boss")
    path = f"/admin/proxies/{plain.id}"
    text = client.get(path).get_data(as_text=True)
    assert "邀请（→ 已邀请）" in text and "还没有状态变更" in text
    token = csrf_token(client, path)
    assert client.post(path + "/transition", data={"csrf_token": token, "to_status": "invited",
                                                   "reason": "回答很专业"}).status_code == 302
    text = client.get(path).get_data(as_text=True)
    assert "候选 → 已邀请" in text and "回答很专业" in text and "等待用户本人答复" not in text
    assert client.get("/admin/proxies/999999").status_code == 404
