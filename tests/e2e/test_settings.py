"""Settings and profile pages at phone width (390 px) in headless Chromium (issue 17): the
user menu leads to 设置 (the token page is a tab there, not a menu item); the profile form,
an avatar upload and a refused non-image, a password change with a wrong current password
first; the profile shows the new avatar and bio; 忘记密码 answers from the login page."""

from __future__ import annotations

import io
import re

import pytest

from tests.e2e.test_browser_flow import PASSWORD, log_in, phone_page, running_app

pytestmark = pytest.mark.e2e

SETUP = f"""
from forum import create_app
from forum.services import accounts

app = create_app()
with app.app_context():
    accounts.register_user("phone_user", "手机用户", {PASSWORD!r}, ["customer"])
print("setup done")
"""

NEW_PASSWORD = "e2e-new-password-9"


@pytest.fixture(scope="module")
def settings_server():
    with running_app(SETUP, prefix="huzhu-e2e-settings-") as base:
        yield base


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_settings_and_profile_at_phone_width(settings_server, browser, tmp_path):
    from PIL import Image
    from playwright.sync_api import expect

    base = settings_server
    context, page, csp_violations = phone_page(browser)
    log_in(page, base, "phone_user")

    # The user menu has 设置 and no 令牌; 设置 opens the profile tab.
    page.locator("details.user-menu summary").click()
    menu = page.locator("details.user-menu .menu")
    assert "令牌" not in menu.inner_text()
    page.get_by_role("menuitem", name="设置").click()
    page.wait_for_url(re.compile(r"/settings$"))
    expect(page.locator(".settings-tabs a[aria-current=page]")).to_have_text("个人资料")
    _fits(page)

    # Profile: bio and a tag.
    page.fill("#bio", "五年宽带老用户，乐于助人")
    page.get_by_label("学生").check()
    page.fill("#email", "phone_user@example.com")
    page.get_by_role("button", name="保存资料").click()
    expect(page.locator(".flashes")).to_contain_text("资料已保存")
    expect(page.get_by_label("学生")).to_be_checked()
    _fits(page)

    # A file that is not an image: a clear message, no avatar.
    fake = tmp_path / "face.png"
    fake.write_bytes(b"this is not an image at all")
    page.set_input_files("#file", str(fake))
    page.get_by_role("button", name="上传头像").click()
    expect(page.locator(".settings-avatar .error")).to_contain_text("只能上传 PNG、JPEG、GIF 或 WebP")
    expect(page.locator(".settings-avatar img.avatar")).to_have_count(0)
    expect(page.locator("#bio")).to_have_value("五年宽带老用户，乐于助人")
    _fits(page)

    # A real, wide image: cropped to a square.
    real = tmp_path / "wide.png"
    out = io.BytesIO()
    Image.new("RGB", (600, 300), (30, 120, 200)).save(out, format="PNG")
    real.write_bytes(out.getvalue())
    page.set_input_files("#file", str(real))
    page.get_by_role("button", name="上传头像").click()
    expect(page.locator(".flashes")).to_contain_text("头像已更新")
    avatar = page.locator(".settings-avatar img.avatar")
    expect(avatar).to_be_visible()
    size = avatar.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert size == [256, 256]

    # The token page is a settings tab.
    page.locator(".settings-tabs").get_by_role("link", name="API 令牌").click()
    page.wait_for_url(re.compile(r"/settings/tokens$"))
    _fits(page)

    # Password: a wrong current password first, then the right one.
    page.locator(".settings-tabs").get_by_role("link", name="修改密码").click()
    page.wait_for_url(re.compile(r"/settings/password$"))
    page.fill("#current_password", "not-my-password")
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#new_password_confirm", NEW_PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator(".field.has-error .error")).to_contain_text("当前密码不正确")
    expect(page.locator("#new_password")).to_have_value("")  # passwords are never echoed
    _fits(page)
    page.fill("#current_password", PASSWORD)
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#new_password_confirm", NEW_PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator(".flashes")).to_contain_text("密码已修改")

    # The profile shows the avatar, the bio and 编辑资料 (still signed in).
    page.goto(base + "/u/phone_user")
    expect(page.locator(".profile-head img.avatar")).to_be_visible()
    expect(page.locator(".profile-bio")).to_have_text("五年宽带老用户，乐于助人")
    expect(page.get_by_role("link", name="编辑资料")).to_be_visible()
    _fits(page)
    assert csp_violations == []
    context.close()


def test_forgot_password_from_the_login_page_at_phone_width(settings_server, browser):
    from playwright.sync_api import expect

    context, page, csp_violations = phone_page(browser)
    page.goto(settings_server + "/login")
    page.get_by_role("link", name="忘记密码？").click()
    page.wait_for_url(re.compile(r"/password/forgot$"))
    _fits(page)
    page.get_by_role("button", name="找回密码").click()
    expect(page.locator(".field.has-error .error")).to_contain_text("请填写用户名或邮箱")
    page.fill("#identifier", "someone_unknown")
    page.get_by_role("button", name="找回密码").click()
    expect(page.locator(".reset-answer")).to_contain_text("联系客服或管理员")
    _fits(page)
    assert csp_violations == []
    context.close()
