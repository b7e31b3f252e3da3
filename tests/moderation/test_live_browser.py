"""In headless Chromium against a real server process: a moderator with the queue open sees
"N 条新内容，点击刷新" when a customer posts an angry topic (scored in the background and
pushed over Socket.IO), and the quality dashboard draws its charts with the vendored
Chart.js (no inline script)."""

from __future__ import annotations

import time

import pytest

from tests.e2e.test_browser_flow import PASSWORD, running_app

pytestmark = pytest.mark.e2e

SETUP = r"""
from forum import create_app
from forum.services import accounts, tribes

app = create_app()
with app.app_context():
    admin = accounts.register_user("e2e_admin", "管理员", "admin-password-123", ["admin"])
    tribes.save_tribe(admin, slug="huafei", name="话费与账单", description="账单问题")
    accounts.register_user("e2e_kefu", "客服小移", PASSWORD, ["moderator"])
    accounts.register_user("e2e_angry", "愤怒的小王", PASSWORD, ["customer"])
""".replace("PASSWORD", repr(PASSWORD))


@pytest.fixture(scope="module")
def server():
    with running_app(SETUP, prefix="huzhu-mod-e2e-") as base:
        yield base


def _wait_for(page, function: str, timeout: float = 15.0) -> None:
    """Poll ``function`` with page.evaluate (the strict CSP forbids the eval that
    wait_for_function needs)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(function):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {function}")
        time.sleep(0.1)


def _log_in(context, base, username):
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")
    return page


def test_live_queue_notice_and_dashboard_charts(server, browser):
    moderator = browser.new_context()
    customer = browser.new_context()
    try:
        mod_page = _log_in(moderator, server, "e2e_kefu")
        errors = []
        mod_page.on("pageerror", lambda err: errors.append(str(err)))
        mod_page.goto(server + "/moderation/queue")
        _wait_for(mod_page, "() => !!(window.HuzhuRealtime && window.HuzhuRealtime.socket.connected)")
        assert mod_page.locator("#mod-live-notice").is_hidden()

        cust_page = _log_in(customer, server, "e2e_angry")
        cust_page.goto(server + "/t/huafei/new")
        cust_page.fill("#title", "乱扣费投诉无门")
        cust_page.fill("#body", "垃圾移动！又乱扣我话费20块，客服态度极差，投诉三次没人管，"
                                "再不处理我就去工信部投诉、315曝光！")
        cust_page.get_by_role("button", name="发布").click()
        cust_page.wait_for_url(lambda url: "/topic/" in url)

        mod_page.locator("#mod-live-notice").wait_for(state="visible", timeout=15000)
        assert "1条新内容（其中1条紧急），点击刷新" in "".join(mod_page.locator("#mod-live-notice").inner_text().split())
        mod_page.locator("#mod-live-notice a").click()
        assert "乱扣费投诉无门" in mod_page.locator("#mod-queue").inner_text()

        mod_page.goto(server + "/moderation/dashboard")
        _wait_for(mod_page, "() => !!window.Chart && Array.from(document.querySelectorAll("
                            "'canvas[data-chart]')).filter(c => window.Chart.getChart(c)).length === 3")
        assert errors == []
    finally:
        moderator.close()
        customer.close()
