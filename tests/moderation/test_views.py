"""The moderation pages: render, permissions, forms keep input on errors, and the topic page
annotations ("已转工单 #…", "转为工单", the queue link)."""

from __future__ import annotations

import re

import pytest

from moderation.services import ratings, tickets
from tests.conftest import csrf_token, login


def _client(app, username):
    c = app.test_client()
    login(c, username)
    return c


@pytest.fixture
def mod(app, scene):
    return _client(app, "kefu")


@pytest.fixture
def queued(scene, flag):
    flag(scene.post)
    return scene


def _no_inline(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html


def test_queue_page_lists_the_item_with_its_handling(mod, queued):
    html = mod.get("/moderation/queue").get_data(as_text=True)
    assert "又乱扣我话费了" in html and "线下沟通、酌情处理" in html
    assert "data-live-queue" in html and "js/moderation.js" in html
    _no_inline(html)
    assert "又乱扣我话费了" not in mod.get("/moderation/queue?status=dismissed").get_data(
        as_text=True)


def test_customers_get_403_and_visitors_the_login_page(app, queued):
    customer = _client(app, "angry")
    for path in ("/moderation/queue", f"/moderation/queue/{queued.post.id}",
                 "/moderation/tickets", "/moderation/canned", "/moderation/audit",
                 "/moderation/dashboard", "/moderation/dashboard/data.json",
                 "/moderation/dashboard/export.csv", "/moderation/reviews", "/moderation/sla"):
        assert customer.get(path).status_code == 403, path
    assert app.test_client().get("/moderation/queue").status_code == 302


def test_item_page_actions_through_forms(mod, queued):
    page = mod.get(f"/moderation/queue/{queued.post.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "公开回复" in html and "私信答复" in html and "转为工单" in html
    _no_inline(html)
    token = csrf_token(mod, f"/moderation/queue/{queued.post.id}")
    bad = mod.post(f"/moderation/queue/{queued.post.id}/action",
                   data={"csrf_token": token, "action": "reply", "body": "您好 {手机}"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "未知的占位符 {手机}" in text and "您好 {手机}" in text  # input kept
    resp = mod.post(f"/moderation/queue/{queued.post.id}/action",
                    data={"csrf_token": token, "action": "ticket", "category": "扣费",
                          "tier": "high"}, follow_redirects=True)
    assert resp.status_code == 200 and "已转为工单：工单号 GD" in resp.get_data(as_text=True)


def test_topic_page_shows_the_ticket_badge_publicly_and_the_buttons_to_the_right_people(
        app, queued):
    anon = app.test_client().get(f"/topic/{queued.topic.id}").get_data(as_text=True)
    assert "转为工单" not in anon and "已转工单" not in anon
    author = _client(app, "angry")
    html = author.get(f"/topic/{queued.topic.id}").get_data(as_text=True)
    assert f"/posts/{queued.post.id}/ticket" in html
    moderator = _client(app, "kefu")
    assert f"/moderation/queue/{queued.post.id}" in moderator.get(
        f"/topic/{queued.topic.id}").get_data(as_text=True)
    t = tickets.create_ticket(queued.moderator, queued.customer, title="x",
                              source_post=queued.post)
    anon = app.test_client().get(f"/topic/{queued.topic.id}").get_data(as_text=True)
    assert f"已转工单 #{t.number}" in anon
    assert f"/tickets/{t.number}" not in anon  # a badge, not a link, for the public
    assert f"/tickets/{t.number}" in author.get(f"/topic/{queued.topic.id}").get_data(
        as_text=True)


def test_a_customer_opens_a_ticket_from_their_own_post_and_follows_it(app, scene):
    author = _client(app, "angry")
    form = author.get(f"/posts/{scene.post.id}/ticket")
    assert form.status_code == 200
    token = csrf_token(author, f"/posts/{scene.post.id}/ticket")
    resp = author.post(f"/posts/{scene.post.id}/ticket",
                       data={"csrf_token": token, "category": "扣费", "description": "请尽快"})
    assert resp.status_code == 302
    number = resp.headers["Location"].rsplit("/", 1)[-1]
    page = author.get(f"/tickets/{number}").get_data(as_text=True)
    assert "工单已创建" in page and "请尽快" in page
    assert number in author.get("/tickets").get_data(as_text=True)
    other = _client(app, "bystander")
    assert other.get(f"/tickets/{number}").status_code == 404
    assert other.get(f"/posts/{scene.post.id}/ticket").status_code == 404
    again = author.get(f"/posts/{scene.post.id}/ticket")
    assert again.status_code == 302 and number in again.headers["Location"]


def test_ticket_page_flow_status_409_reply_and_rating(app, scene, mod):
    t = tickets.create_ticket(scene.moderator, scene.customer, title="扣费", source_post=scene.post)
    token = csrf_token(mod, f"/tickets/{t.number}")
    bad = mod.post(f"/tickets/{t.number}/status", data={"csrf_token": token,
                                                         "status": "resolved"})
    assert bad.status_code == 409 and "允许的状态" in bad.get_data(as_text=True)
    for status in ("assigned", "in_progress"):
        assert mod.post(f"/tickets/{t.number}/status",
                        data={"csrf_token": token, "status": status}).status_code == 302
    mod.post(f"/tickets/{t.number}/reply", data={"csrf_token": token, "body": "内部备注X",
                                                  "internal": "y"})
    mod.post(f"/tickets/{t.number}/reply", data={"csrf_token": token, "body": "已退费"})
    mod.post(f"/tickets/{t.number}/status", data={"csrf_token": token, "status": "resolved"})
    customer = _client(app, "angry")
    page = customer.get(f"/tickets/{t.number}").get_data(as_text=True)
    assert "已退费" in page and "内部备注X" not in page and "为这次服务打分" in page
    _no_inline(page)
    ctoken = csrf_token(customer, f"/tickets/{t.number}")
    bad = customer.post(f"/tickets/{t.number}/rate", data={"csrf_token": ctoken, "score": "9",
                                                            "comment": "保留我"})
    assert bad.status_code == 422 and "保留我" in bad.get_data(as_text=True)
    ok = customer.post(f"/tickets/{t.number}/rate", data={"csrf_token": ctoken, "score": "4",
                                                           "comment": "不错"})
    assert ok.status_code == 302
    assert "★★★★☆" in customer.get(f"/tickets/{t.number}").get_data(as_text=True)
    staff_list = mod.get("/moderation/tickets?status=all").get_data(as_text=True)
    assert t.number in staff_list


def test_canned_reply_crud_with_confirmation_and_errors(mod, scene):
    token = csrf_token(mod, "/moderation/canned/new")
    bad = mod.post("/moderation/canned/new", data={"csrf_token": token, "title": "坏",
                                                    "body": "{nope}", "is_active": "y"})
    assert bad.status_code == 422 and "未知的占位符 {nope}" in bad.get_data(as_text=True)
    ok = mod.post("/moderation/canned/new", data={"csrf_token": token, "title": "致歉",
                                                   "body": "{name}您好", "is_active": "y"})
    assert ok.status_code == 302
    listing = mod.get("/moderation/canned").get_data(as_text=True)
    assert "致歉" in listing and "data-confirm" in listing
    reply_id = re.search(r"/moderation/canned/(\d+)/edit", listing).group(1)
    assert mod.get(f"/moderation/canned/{reply_id}/edit").status_code == 200
    mod.post(f"/moderation/canned/{reply_id}/delete", data={"csrf_token": token})
    assert "致歉" not in mod.get("/moderation/canned").get_data(as_text=True)
    audit = mod.get("/moderation/audit?target_type=canned_reply").get_data(as_text=True)
    assert "新建服务口径" in audit and "删除服务口径" in audit


def test_audit_log_filters(mod, queued):
    from moderation.services import actions

    actions.perform(queued.moderator, queued.post.id, "dismiss", {"reason": "误报原因"})
    actions.perform(queued.moderator, queued.post.id, "reopen", {})
    html = mod.get("/moderation/audit?action=dismiss").get_data(as_text=True)
    assert "误报原因" in html and "重新打开" not in html.split("</form>")[-1]
    assert "误报原因" not in mod.get("/moderation/audit?actor=nobody").get_data(as_text=True)
    assert mod.get("/moderation/audit?date_from=bad&page=x").status_code == 200


def test_sla_page_for_admins_only_and_keeps_bad_input(app, scene):
    admin = _client(app, "boss")
    assert _client(app, "kefu").get("/moderation/sla").status_code == 403
    token = csrf_token(admin, "/moderation/sla")
    bad = admin.post("/moderation/sla", data={"csrf_token": token, "code": "low",
                                              "first_response_minutes": "600",
                                              "resolve_minutes": "60"})
    assert bad.status_code == 422 and "解决时限不能短于首次响应时限" in bad.get_data(as_text=True)
    ok = admin.post("/moderation/sla", data={"csrf_token": token, "code": "low",
                                             "first_response_minutes": "60",
                                             "resolve_minutes": "600"})
    assert ok.status_code == 302


def test_dashboard_page_json_and_csv(mod, scene):
    t = tickets.create_ticket(scene.moderator, scene.customer, title="x")
    tickets.change_status(scene.moderator, t, "assigned")
    tickets.add_reply(scene.moderator, t, "您好")
    tickets.change_status(scene.moderator, t, "in_progress")
    tickets.change_status(scene.moderator, t, "resolved")
    ratings.rate(scene.customer, t, 5)
    html = mod.get("/moderation/dashboard").get_data(as_text=True)
    assert "vendor/chart.js/chart.umd.min.js" in html and "data-dashboard-src" in html
    _no_inline(html)
    data = mod.get("/moderation/dashboard/data.json").get_json()
    assert data["satisfaction"] == {"count": 1, "average": 5.0,
                                    "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}}
    assert data["tickets"]["sla"]["compliant"] == 1
    csv = mod.get("/moderation/dashboard/export.csv")
    assert csv.mimetype == "text/csv" and "satisfaction,average,5.0" in csv.get_data(as_text=True)


def test_expert_review_draw_and_score(app, scene, mod):
    from forum.services.topics import create_reply

    create_reply(scene.admin, scene.topic, "您好，已为您登记，请留意私信。")
    token = csrf_token(mod, "/moderation/reviews")
    mod.post("/moderation/reviews/draw", data={"csrf_token": token})
    html = mod.get("/moderation/reviews").get_data(as_text=True)
    assert "已为您登记" in html
    review_id = re.search(r"/moderation/reviews/(\d+)/score", html).group(1)
    mod.post(f"/moderation/reviews/{review_id}/score",
             data={"csrf_token": token, "score": "4", "comment": "语气得体"})
    data = mod.get("/moderation/dashboard/data.json").get_json()
    assert data["reviews"][0]["average"] == 4.0 and data["reviews"][0]["kind"] == "staff"
