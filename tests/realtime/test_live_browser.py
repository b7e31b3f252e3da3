"""End to end in headless Chromium: two people on one topic. One replies; the other sees the
reply appear, the bell count rise and the viewer count change — without reloading."""

from __future__ import annotations

import pytest

from forum.services import topics

pytestmark = pytest.mark.e2e


def logged_in_page(browser, base: str, username: str):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", "password123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")
    return context, page


def test_a_reply_appears_live_with_the_bell_and_presence(live_server, browser, make_user,
                                                         make_tribe):
    from playwright.sync_api import expect

    alice = make_user("alice_rt", display_name="爱丽丝")
    make_user("bob_rt", display_name="鲍勃")
    topic = topics.create_topic(alice, make_tribe(), "晚上宽带总掉线怎么办", "光猫重启过了")
    url = f"{live_server}/topic/{topic.id}"

    ctx_a, page_a = logged_in_page(browser, live_server, "alice_rt")
    page_a.goto(url)
    expect(page_a.locator("[data-presence]")).to_have_text("1 人正在浏览")
    expect(page_a.locator(".header-bell [data-unread-count]")).to_be_hidden()
    page_a.evaluate("window.__notReloaded = true")

    ctx_b, page_b = logged_in_page(browser, live_server, "bob_rt")
    page_b.goto(url)
    expect(page_a.locator("[data-presence]")).to_have_text("2 人正在浏览")
    page_b.fill("#body", "把路由器从柜子里拿出来，再换个 Wi-Fi 信道试试。")
    page_b.get_by_role("button", name="发表回复").click()
    expect(page_b.locator(".flashes")).to_contain_text("回复成功")

    new_reply = page_a.locator("section.replies article.post")
    expect(new_reply).to_have_count(1)
    expect(new_reply).to_contain_text("换个 Wi-Fi 信道试试")
    expect(new_reply).to_contain_text("鲍勃")
    expect(page_a.locator(".replies > .section-title")).to_have_text("1 条回复")
    bell = page_a.locator(".header-bell [data-unread-count]")
    expect(bell).to_be_visible()
    expect(bell).to_have_text("1")
    expect(page_a.locator(".live-toast")).to_contain_text("鲍勃 回复了你的帖子「晚上宽带总掉线怎么办」")
    assert page_a.evaluate("window.__notReloaded") is True  # no reload happened

    ctx_b.close()  # Bob leaves: Alice sees the viewer count drop
    expect(page_a.locator("[data-presence]")).to_have_text("1 人正在浏览")
    ctx_a.close()
