"""Private messages in headless Chromium: a message appears live in the open conversation and
the header's 私信 count rises on other pages, without reload (static/js/messages.js)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_browser_flow import register, server  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e


def test_a_message_arrives_live_in_the_browser(server, browser):  # noqa: F811  (server)
    from playwright.sync_api import expect

    base = server
    contexts = [browser.new_context(viewport={"width": 1024, "height": 800}, locale="zh-CN")
                for _ in range(2)]
    alice, bobby = (context.new_page() for context in contexts)
    for page in (alice, bobby):
        page.set_default_timeout(15_000)
    register(alice, base, "alice_pm", "爱丽丝")
    register(bobby, base, "bobby_pm", "鲍比")

    # Bobby has his (still empty) conversation with Alice open.
    bobby.goto(base + "/messages/alice_pm")
    expect(bobby.locator("#conversation-empty")).to_be_visible()
    bobby.wait_for_function("() => window.HuzhuRealtime && window.HuzhuRealtime.socket.connected")

    # Alice starts it from Bobby's profile.
    alice.goto(base + "/u/bobby_pm")
    alice.locator(".profile-actions").get_by_role("link", name="私信").click()
    alice.wait_for_url(re.compile(r"/messages/bobby_pm$"))
    alice.fill("#message-body", "你好，**鲍比**！宽带的事解决了吗？")
    alice.get_by_role("button", name="发送").click()
    expect(alice.locator(".message.mine .message-body strong")).to_have_text("鲍比")

    # It appears on Bobby's page without reload, and is marked read there.
    incoming = bobby.locator(".message.theirs .message-body")
    expect(incoming).to_contain_text("宽带的事解决了吗？")
    expect(bobby.locator("#conversation-empty")).to_have_count(0)
    expect(bobby.locator("[data-unread-messages]")).to_be_hidden()

    # On another page, the next message raises the header count live.
    bobby.goto(base + "/tribes")
    bobby.wait_for_function("() => window.HuzhuRealtime && window.HuzhuRealtime.socket.connected")
    alice.fill("#message-body", "在吗？")
    alice.get_by_role("button", name="发送").click()
    badge = bobby.locator("[data-unread-messages]")
    expect(badge).to_have_text("1")
    expect(badge).to_be_visible()
    bobby.locator(".header-messages").click()
    expect(bobby.locator(".conversation-row.has-unread")).to_contain_text("在吗？")
    for context in contexts:
        context.close()
