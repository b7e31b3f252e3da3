"""Threads in headless Chromium, on a desktop and a 390 px phone: floors (楼层) and 引用,
举报 with its bad inputs and the moderator's queue, unread markers that move, 全部标为已读,
sorting and 精华 (only for the tribe's moderator), 关注本帖 notifications and 收藏.

The real app runs in its own process (tests/e2e/test_browser_flow.py's ``running_app``); the
setup script makes the people and, for each screen, its own topics."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_browser_flow import PASSWORD, running_app

pytestmark = pytest.mark.e2e

SETUP = r"""
from forum import create_app
from forum.services import accounts, topics, tribes

PASSWORD = "__PASSWORD__"
app = create_app()
with app.app_context():
    admin = accounts.register_user("e2e_admin", "社区管理员", "admin-password-123", ["admin"])
    for name, shown in [("asker_t", "提问者"), ("helper_t", "热心人"), ("reader_t", "读者"),
                        ("mod_t", "部落版主")]:
        accounts.register_user(name, shown, PASSWORD)
    users = {u: accounts.get_user_by_username(u)
             for u in ("asker_t", "helper_t", "reader_t", "mod_t")}
    tribe = tribes.save_tribe(admin, slug="liuliang", name="流量管家", icon="📶",
                              description="流量查询、流量包", moderator_usernames=["mod_t"])
    for screen in ("desktop", "phone"):
        t = topics.create_topic(users["asker_t"], tribe, f"{screen} 楼层测试帖子",
                                "宽带晚上总掉线，怎么办？")
        topics.create_reply(users["helper_t"], t, "先重启光猫试试")
        topics.create_reply(users["helper_t"], t, "再换一根网线")
        topics.create_topic(users["asker_t"], tribe, f"{screen} 未读测试帖子", "月底流量不够用")
        topics.create_topic(users["asker_t"], tribe, f"{screen} 精华候选帖子", "省流量的十个办法")
print("setup done")
""".replace("__PASSWORD__", PASSWORD)

SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def server():
    with running_app(SETUP, prefix="huzhu-e2e-threads-") as base:
        yield base


def _page(browser, screen):
    context = browser.new_context(viewport=SCREENS[screen], locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    csp: list[str] = []
    page.on("console", lambda msg: csp.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm asks; we agree
    return context, page, csp


def _log_in(page, base, username):
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _topic_url(page, base, title):
    page.goto(base + "/t/liuliang?sort=new")
    page.get_by_role("link", name=title).first.click()
    page.wait_for_url(re.compile(r"/topic/\d+"))
    return page.url.split("#")[0]


@pytest.mark.parametrize("screen", list(SCREENS))
def test_floors_quote_and_report(server, browser, screen):
    from playwright.sync_api import expect

    base = server
    context, page, csp = _page(browser, screen)
    _log_in(page, base, "reader_t")
    topic_url = _topic_url(page, base, f"{screen} 楼层测试帖子")
    topic_id = re.search(r"/topic/(\d+)", topic_url).group(1)
    floors = page.locator("article.post .floor-link")
    expect(floors).to_have_text(["楼主", "沙发", "板凳"])
    _no_sideways_scroll(page)

    # 回复/引用 on 沙发: the box starts with the quote linking back to the floor.
    sofa = page.locator("article.post").nth(1)
    sofa.get_by_role("link", name="回复/引用").click()
    box = page.locator("#reply textarea#body")
    expect(box).to_have_value(re.compile(
        rf"^> \[沙发 @helper_t\]\(/topic/{topic_id}/2\)：\n> 先重启光猫"))
    box.evaluate("t => { t.focus(); t.setSelectionRange(t.value.length, t.value.length); }")
    box.press_sequentially("重启以后好了")
    page.get_by_role("button", name="发表回复").click()
    mine = page.locator("article.post").last
    expect(mine.locator(".floor-link")).to_have_text("地板")
    expect(mine.locator("blockquote")).to_contain_text("先重启光猫")
    mine.locator("blockquote a").first.click()
    expect(page).to_have_url(re.compile(rf"/topic/{topic_id}#post-\d+$"))

    # 举报 the 板凳 floor: no reason → a clear message, the note kept; then it goes through.
    page.goto(topic_url)
    page.locator("article.post").nth(2).get_by_role("link", name="举报").click()
    page.fill("#note", "这是广告")
    page.get_by_role("button", name="提交举报").click()
    expect(page.locator("#reason-error")).to_have_text("请选择举报原因")
    expect(page.locator("#note")).to_have_value("这是广告")
    _no_sideways_scroll(page)
    page.get_by_label("垃圾广告").check()
    page.get_by_role("button", name="提交举报").click()
    expect(page.locator(".flashes")).to_contain_text("举报已提交")
    # A second report of the same floor is refused with the reason why.
    page.locator("article.post").nth(2).get_by_role("link", name="举报").click()
    expect(page.locator(".alert-error")).to_contain_text("已经举报过")
    page.get_by_label("辱骂、人身攻击").check()
    page.get_by_role("button", name="提交举报").click()
    expect(page.locator(".alert-error")).to_contain_text("已经举报过")
    context.close()

    # The tribe's moderator finds it in the queue as a 举报 with the reporters' count.
    context, page, csp2 = _page(browser, screen)
    _log_in(page, base, "mod_t")
    page.goto(base + "/moderation/queue?kind=report")
    row = page.locator(".mod-item", has_text=f"{screen} 楼层测试帖子")
    expect(row.locator(".badge-report")).to_have_text("举报 ×1")
    _no_sideways_scroll(page)
    assert csp == [] and csp2 == []
    context.close()


@pytest.mark.parametrize("screen", list(SCREENS))
def test_unread_sorting_featured_watch_and_bookmarks(server, browser, screen):
    from playwright.sync_api import expect

    base = server
    reader_ctx, reader, csp = _page(browser, screen)
    helper_ctx, helper, csp2 = _page(browser, screen)
    _log_in(reader, base, "reader_t")
    _log_in(helper, base, "helper_t")
    title = f"{screen} 未读测试帖子"
    topic_url = _topic_url(reader, base, title)
    reader.get_by_role("button", name="关注本帖").click()
    expect(reader.get_by_role("button", name="已关注本帖")).to_be_visible()
    reader.get_by_role("button", name="收藏").click()
    expect(reader.get_by_role("button", name="已收藏")).to_be_visible()

    # Two new replies: the reader's list marks the topic, the marker opens the first new one.
    for text in ("第一条新回复", "第二条新回复"):
        helper.goto(topic_url)
        helper.fill("#reply textarea#body", text)
        helper.get_by_role("button", name="发表回复").click()
        expect(helper.locator("article.post").last).to_contain_text(text)
    reader.goto(base + "/t/liuliang")
    row = reader.locator(".topic-row", has_text=title)
    expect(row.locator(".unread-mark")).to_have_text("2 条新回复")
    _no_sideways_scroll(reader)
    row.locator(".unread-mark").click()
    expect(reader).to_have_url(re.compile(r"#post-\d+$"))
    first_new = reader.url.split("#")[1]
    expect(reader.locator(f"#{first_new}")).to_contain_text("第一条新回复")
    reader.goto(base + "/t/liuliang")
    expect(reader.locator(".topic-row", has_text=title).locator(".unread-mark")).to_have_count(0)

    # Watching: the bell tells of the replies.
    reader.goto(base + "/notifications")
    expect(reader.locator("main")).to_contain_text("你关注的帖子")

    # 全部标为已读 after one more reply.
    helper.goto(topic_url)
    helper.fill("#reply textarea#body", "第三条新回复")
    helper.get_by_role("button", name="发表回复").click()
    reader.goto(base + "/t/liuliang")
    expect(reader.locator(".topic-row", has_text=title).locator(".unread-mark")).to_have_count(1)
    reader.get_by_role("button", name="全部标为已读").click()
    expect(reader.locator(".flashes")).to_contain_text("全部标为已读")
    expect(reader.locator(".topic-row", has_text=title).locator(".unread-mark")).to_have_count(0)

    # 我的收藏 lists the bookmarked topic.
    reader.goto(base + "/bookmarks")
    expect(reader.locator(".topic-list")).to_contain_text(title)

    # Sorting tabs; 精华 is not offered to a member, the tribe's moderator sets it.
    featured = f"{screen} 精华候选帖子"
    feature_url = _topic_url(reader, base, featured)
    expect(reader.get_by_role("button", name="设为精华")).to_have_count(0)
    helper_ctx.close()
    mod_ctx, mod, csp3 = _page(browser, screen)
    _log_in(mod, base, "mod_t")
    mod.goto(feature_url)
    mod.get_by_role("button", name="设为精华").click()
    expect(mod.locator(".topic-header .badge-featured")).to_have_text("精华")
    reader.goto(base + "/t/liuliang")
    reader.locator(".sort-tabs").get_by_role("link", name="精华").click()
    expect(reader).to_have_url(re.compile(r"sort=featured"))
    expect(reader.locator(".topic-row", has_text=featured).locator(".badge-featured")).to_be_visible()
    expect(reader.locator(".topic-row", has_text=title)).to_have_count(0)
    reader.locator(".sort-tabs").get_by_role("link", name="最新发布").click()
    expect(reader.locator(".topic-row").first).to_contain_text(re.compile(r"精华候选帖子"))
    _no_sideways_scroll(reader)
    assert csp == [] and csp2 == [] and csp3 == []
    reader_ctx.close()
    mod_ctx.close()
