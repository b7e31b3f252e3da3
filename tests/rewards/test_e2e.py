"""One browser check: a new user checks in and sees the points without a reload."""

from __future__ import annotations

import pytest

from tests.e2e.test_browser_flow import register, server  # noqa: F401  (server: fixture)

pytestmark = pytest.mark.e2e


def test_check_in_shows_points_in_place(server, browser):  # noqa: F811
    from playwright.sync_api import expect

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    register(page, server, "checkin_e2e", "签到达人")
    page.goto(server + "/me/points")
    expect(page.locator("#rw-balance")).to_have_text("0")
    page.get_by_role("button", name="签到 +积分").click()
    expect(page.locator(".rw-checkin-message")).to_contain_text("签到成功，积分 +2")
    expect(page.locator("#rw-balance")).to_have_text("2")
    expect(page.locator("#rw-streak")).to_have_text("1")
    page.reload()
    expect(page.locator("button.rw-checkin")).to_have_text("今日已签到")
    expect(page.locator(".rw-history")).to_contain_text("每日签到")
    assert problems == []
    context.close()
