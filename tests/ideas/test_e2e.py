"""In headless Chromium: one employee submits an idea, another votes for it (no reload)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_browser_flow import running_app

pytestmark = pytest.mark.e2e
PASSWORD = "e2e-password-123"
SETUP = r"""
from forum import create_app
from forum.services import accounts

app = create_app()
with app.app_context():
    accounts.register_user("idea_author", "点子作者", "e2e-password-123", ["employee"])
    accounts.register_user("idea_fan", "点子粉丝", "e2e-password-123", ["employee"])
    # An owner with an open arena round (提前截止 asks for confirmation).
    from datetime import timedelta

    from forum.models import utcnow
    from ideas.services import fund, ideas, owners, rounds, triage

    boss = accounts.register_user("idea_boss", "点子老板", "e2e-password-123",
                                  ["admin", "employee"])
    owners.assign_owner(boss, "idea_boss", "服务流程")
    fund.deposit(boss, 2_000_000, "预算")
    idea = ideas.submit_idea(boss, "营业厅排队叫号提醒", "营业厅高峰期排队太久，客户不知道何时轮到自己。",
                             "取号后用短信提醒还有几位，快到时再提醒一次。", "服务流程")
    for state in ("under_review", "in_arena"):
        triage.transition(boss, idea, state)
    rounds.open_round(boss, "第一轮擂台赛", utcnow() + timedelta(days=5), 1_000_000,
                      {idea.id: 500_000}, winners_max=1)
    from forum.extensions import db

    db.session.commit()  # the setup script is the edge
"""


@pytest.fixture(scope="module")
def server():
    with running_app(SETUP, prefix="huzhu-e2e-ideas-") as base:
        yield base


def _log_in(page, base, username):
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")


def test_submit_an_idea_and_vote_for_it_from_another_employee(server, browser):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    _log_in(page, server, "idea_author")
    page.get_by_role("button", name="菜单").click()  # a phone: the navigation is folded
    page.get_by_role("link", name="金点子").first.click()
    page.get_by_role("link", name="提交金点子").first.click()
    page.fill("#title", "宽带装维预约短信提醒")
    page.select_option("#category", "服务流程")
    page.fill("#problem", "客户经常忘记装维上门时间，师傅白跑一趟。")
    page.fill("#proposal", "预约后发短信确认，**上门前一天**再提醒一次。")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator("h1")).to_have_text("宽带装维预约短信提醒")
    expect(page.locator(".post-body strong")).to_have_text("上门前一天")
    idea_url = page.url
    assert re.search(r"/ideas/\d+$", idea_url)
    context.clear_cookies()

    _log_in(page, server, "idea_fan")
    page.goto(idea_url)
    button = page.locator(".vote-form button")
    button.click()
    expect(button.locator(".vote-count")).to_have_text("1")
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.url == idea_url  # updated in place by ideas.js
    page.reload()
    expect(page.locator(".vote-form button .vote-count")).to_have_text("1")
    context.close()


def test_golden_idea_actions_confirm_once(server, browser):
    """提前截止 asks once (app.js); cancelling changes nothing, accepting closes the round."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    _log_in(page, server, "idea_boss")
    page.goto(server + "/ideas/rounds")
    page.get_by_role("link", name="第一轮擂台赛").click()
    round_url = page.url
    questions: list[str] = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.get_by_role("button", name="提前截止").click()
    page.wait_for_timeout(500)
    assert questions == ["确定提前截止本轮投票吗？"]
    assert page.url == round_url
    expect(page.locator("h1 .badge")).not_to_have_text("已截止")

    page.on("dialog", lambda d: answer(d, True))
    page.get_by_role("button", name="提前截止").click()
    expect(page.get_by_role("button", name="结算本轮")).to_be_visible()
    assert questions == ["确定提前截止本轮投票吗？"] * 2  # once per click, never twice
    context.close()
