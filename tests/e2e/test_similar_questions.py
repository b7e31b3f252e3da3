"""Similar questions while writing, in headless Chromium at phone width (390 px) under the
strict CSP: a solved topic is offered under the new-topic title field as the title is typed,
with its accepted answer's first line. The server and log-in helpers are
tests/e2e/test_browser_flow.py's."""

from __future__ import annotations

import pytest

from tests.e2e.test_browser_flow import log_in, log_out, phone_page, register, server  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e


def test_new_topic_title_shows_similar_solved_topics(server, browser):  # noqa: F811
    from playwright.sync_api import expect

    base = server
    context, page, csp_violations = phone_page(browser)

    # An earlier question, answered and accepted.
    register(page, base, "asker_sim", "提问者")
    page.goto(base + "/t/kuandai/new")
    page.fill("#title", "装宽带要等多久才有人上门")
    page.fill("#body", "报装三天了还没人来")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("h1")).to_contain_text("装宽带要等多久")
    topic_url = page.url
    log_out(page)
    register(page, base, "helper_sim", "热心人")
    page.goto(topic_url)
    page.locator("#reply textarea#body").fill("一般三天内上门，超时可以打客服催单")
    page.get_by_role("button", name="发表回复").click()
    log_out(page)
    log_in(page, base, "asker_sim")
    page.goto(topic_url)
    page.get_by_role("button", name="采纳为最佳答案").click()
    expect(page.locator(".topic-header .badge-solved")).to_have_text("已解决")

    # A new customer types the same question in other words.
    log_out(page)
    register(page, base, "newbie_sim", "新用户")
    page.goto(base + "/t/kuandai/new")
    similar = page.locator("[data-similar-root]")
    expect(similar).to_be_hidden()
    page.locator("#title").press_sequentially("宽带安装要等几天")
    expect(similar).to_be_visible()
    first = similar.locator(".similar-item").first
    expect(first).to_contain_text("装宽带要等多久才有人上门")
    expect(first.locator(".badge-solved")).to_have_text("已解决")
    expect(first.locator(".similar-excerpt")).to_contain_text("一般三天内上门")
    assert first.locator("a").get_attribute("href").endswith(topic_url.split(base)[1])
    # It fits the phone's width.
    box = similar.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    # Clearing the title hides the list again.
    page.fill("#title", "")
    page.locator("#title").press_sequentially("a")
    expect(similar).to_be_hidden()
    assert csp_violations == []
    context.close()
