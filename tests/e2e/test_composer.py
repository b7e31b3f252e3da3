"""The composer in headless Chromium on a phone-sized screen: autosaved draft restored after a
reload and gone after publishing, toolbar bold, server-rendered preview, @mention
autocomplete — all under the strict CSP. The app server and the log-in helpers are
tests/e2e/test_browser_flow.py's."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_browser_flow import log_out, phone_page, register, server  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e


def test_reply_composer_drafts_toolbar_preview_and_mentions(server, browser):  # noqa: F811
    from playwright.sync_api import expect

    base = server
    context, page, csp_violations = phone_page(browser)

    # Someone to mention, then the writer, who opens a topic to reply to.
    register(page, base, "bobby_cmp", "鲍比")
    log_out(page)
    register(page, base, "carol_cmp", "卡罗尔")
    page.goto(base + "/t/liuliang/new")
    page.fill("#title", "草稿功能测试的帖子")
    page.fill("#body", "正文")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("h1")).to_contain_text("草稿功能测试的帖子")
    topic_url = page.url
    assert re.search(r"/topic/\d+$", topic_url)

    # Type: the draft is saved while typing; a reload brings the text back.
    box = page.locator("#reply textarea#body")
    box.click()
    box.press_sequentially("流量包要记得退订")
    status = page.locator("#reply [data-composer-status]")
    expect(status).to_contain_text("草稿已保存")
    page.reload()
    expect(box).to_have_value("流量包要记得退订")
    expect(status).to_contain_text("保存的草稿")

    # Toolbar: bold wraps the selection.
    box.evaluate("t => { t.focus(); t.setSelectionRange(3, 5); }")
    page.locator("#reply").get_by_role("button", name="粗体（Ctrl+B）").click()
    expect(box).to_have_value("流量包**要记**得退订")

    # Preview: rendered by the server.
    page.locator("#reply").get_by_role("tab", name="预览").click()
    expect(page.locator("#reply .composer-preview strong")).to_have_text("要记")
    page.locator("#reply").get_by_role("tab", name="编辑").click()

    # @mention autocomplete: type @bo, choose from the list with the keyboard.
    box.evaluate("t => { t.focus(); t.setSelectionRange(t.value.length, t.value.length); }")
    box.press_sequentially(" @bo")
    option = page.locator("#reply [role=listbox] [role=option]").first
    expect(option).to_contain_text("bobby_cmp")
    box.press("Enter")
    expect(box).to_have_value("流量包**要记**得退订 @bobby_cmp ")
    expect(page.locator("#reply [role=listbox]")).to_be_hidden()

    # Publish: the reply appears; after a reload the box is empty (the draft is gone).
    page.get_by_role("button", name="发表回复").click()
    reply = page.locator("article.post:not(.post-first)").first
    expect(reply.locator("strong")).to_have_text("要记")
    expect(reply.locator("a.mention")).to_have_text("@bobby_cmp")
    page.goto(topic_url)
    expect(box).to_have_value("")
    page.goto(base + "/drafts")
    expect(page.locator("main")).to_contain_text("还没有草稿")
    assert csp_violations == []
    context.close()
