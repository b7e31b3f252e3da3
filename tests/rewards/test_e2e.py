"""One browser check: a new user checks in and sees the points without a reload."""

from __future__ import annotations

import pytest

from tests.e2e.test_browser_flow import (  # noqa: F401  (server: fixture)
    log_out,
    phone_page,
    register,
    server,
)

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
    # Everything else on the page follows without a reload: lifetime and the 签到 row.
    expect(page.locator("#rw-lifetime")).to_have_text("2")
    expect(page.locator(".rw-history tbody tr").first).to_contain_text("每日签到")
    expect(page.locator(".rw-history tbody tr").first).to_contain_text("+2")
    page.reload()
    expect(page.locator("button.rw-checkin")).to_have_text("今日已签到")
    expect(page.locator(".rw-history")).to_contain_text("每日签到")
    assert problems == []
    context.close()


def _admin_adds_item(page, base, name, price, needs_phone=False):
    page.goto(base + "/admin/rewards/items/new")
    page.fill("#name", name)
    page.fill("#price", str(price))
    page.fill("#stock", "10")
    if needs_phone:
        page.check("#needs_phone")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(base + "/admin/rewards/items")


def test_store_at_phone_width_asks_for_the_number_and_shows_what_is_too_dear(
        server, browser):  # noqa: F811
    from playwright.sync_api import expect

    context, page, problems = phone_page(browser)
    page.goto(server + "/login")
    page.fill("#username", "e2e_admin")
    page.fill("#password", "admin-password-123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(server + "/")
    _admin_adds_item(page, server, "1GB 国内流量包", 2, needs_phone=True)
    _admin_adds_item(page, server, "视频会员月卡", 500)
    log_out(page)

    register(page, server, "store_e2e", "兑换的人")
    page.goto(server + "/me/points")
    page.get_by_role("button", name="签到 +积分").click()
    expect(page.locator("#rw-balance")).to_have_text("2")
    page.goto(server + "/store")
    dear = page.locator(".rw-item", has_text="视频会员月卡")
    expect(dear.get_by_role("button", name="积分不足")).to_be_disabled()
    expect(dear).to_contain_text("还差 498 积分")
    flow = page.locator(".rw-item", has_text="1GB 国内流量包")
    flow.get_by_label("充值到哪个手机号").fill("1380013")
    page.on("dialog", lambda dialog: dialog.accept())
    flow.get_by_role("button", name="兑换").click()
    flow = page.locator(".rw-item", has_text="1GB 国内流量包")
    expect(flow.locator(".error")).to_contain_text("请填写正确的手机号")
    expect(flow.get_by_label("充值到哪个手机号")).to_have_value("1380013")
    expect(page.locator("#rw-balance, .rw-balance").first).to_have_text("2")
    flow.get_by_label("充值到哪个手机号").fill("138 0013 8000")
    flow.get_by_role("button", name="兑换").click()
    expect(page.locator(".flashes")).to_contain_text("充值到 138****8000")
    assert problems == []
    context.close()
