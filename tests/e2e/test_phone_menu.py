"""The header at 390 px for every role: no menu label broken across lines, nothing wider
than the screen, the main navigation behind a working 菜单 button and a user menu whose
every item (退出 included) can be reached."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_browser_flow import PASSWORD, log_in, phone_page, running_app

pytestmark = pytest.mark.e2e

ROLES = {
    "menu_customer": ("customer",),
    "menu_proxy": ("customer", "proxy"),
    "menu_moderator": ("customer", "moderator"),
    "menu_employee": ("employee",),
    "menu_staff": ("moderator", "employee"),
    "menu_admin": ("admin", "moderator", "employee"),
}

SETUP = f"""
from forum import create_app
from forum.services import accounts, tribes

app = create_app()
with app.app_context():
    admin = None
    for username, roles in {ROLES!r}.items():
        user = accounts.register_user(username, "菜单测试" + username[-3:], {PASSWORD!r},
                                      list(roles))
        admin = user if "admin" in roles else admin
    tribes.save_tribe(admin, slug="liuliang", name="流量管家", icon="📶",
                      description="流量查询、流量包", position=0)
print("setup done")
"""

# Every text line of each element: a label broken across lines has more than one.
BROKEN_LABELS = """(selector) => Array.from(document.querySelectorAll(selector)).filter((el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const lines = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0)
                        .map((r) => Math.round(r.top)));
  return lines.size > 1;
}).map((el) => el.textContent.trim())"""


@pytest.fixture(scope="module")
def menu_server():
    with running_app(SETUP, prefix="huzhu-e2e-menu-") as base:
        yield base


@pytest.mark.parametrize("username", list(ROLES))
def test_the_phone_header_works_for_every_role(menu_server, browser, username):
    from playwright.sync_api import expect

    base = menu_server
    context, page, csp_violations = phone_page(browser)
    log_in(page, base, username)
    page.goto(base + "/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    toggle = page.get_by_role("button", name="菜单")
    nav = page.locator("nav.site-nav")
    expect(toggle).to_be_visible()
    expect(nav).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    labels = [t.strip() for t in nav.locator("a").all_inner_texts()]
    assert labels[:4] == ["首页", "部落", "风云榜", "积分商城"]
    if "employee" in ROLES[username]:
        assert "金点子" in labels
    assert page.evaluate(BROKEN_LABELS, "nav.site-nav a") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    nav.get_by_role("link", name="积分商城").click()
    page.wait_for_url(re.compile(r"/store$"))
    expect(page.locator("h1")).to_have_text("积分商城")

    # The user menu: inside the screen, labels whole, the last item reachable.
    page.locator("details.user-menu summary").click()
    menu = page.locator("details.user-menu .menu")
    expect(menu).to_be_visible()
    box = menu.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate(BROKEN_LABELS, "details.user-menu .menu [role=menuitem]") == []
    logout = page.get_by_role("menuitem", name="退出")
    logout.scroll_into_view_if_needed()
    expect(logout).to_be_in_viewport()
    logout.click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name="登录")).to_be_visible()
    assert csp_violations == []
    context.close()


@pytest.mark.parametrize("width", [700, 900, 1280])
def test_the_staff_header_fits_tablets_and_desktops(menu_server, browser, width):
    """Between phone and desktop the six links take a row of their own, whole words."""
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, menu_server, "menu_admin")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator("nav.site-nav").is_visible()
    assert not page.get_by_role("button", name="菜单").is_visible()
    assert page.evaluate(BROKEN_LABELS, "nav.site-nav a") == []
    context.close()
