"""End to end in headless Chromium: two customers, one question, one accepted answer.

The real app runs in its own process against its own temporary SQLite file, migrated with
``flask db upgrade`` — it never touches the test suite's database. Set HUZHU_SCREENSHOT=1 to
also save the home page as docs/screenshot.png (the README shows it).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "e2e-password-123"

# Runs in the server's environment: an admin and the demo tribes, made through the services.
SETUP = r"""
import os
from forum import create_app
from forum.services import accounts, topics, tribes

app = create_app()
with app.app_context():
    admin = accounts.register_user("e2e_admin", "社区管理员", "admin-password-123", ["admin"])
    made = {}
    for position, (slug, name, icon, text) in enumerate([
        ("liuliang", "流量管家", "📶", "流量查询、流量包、超额提醒，老用户帮你省流量"),
        ("mail", "移动邮箱", "📧", "139 邮箱的设置、收发和安全"),
        ("5g", "5G与套餐", "📱", "5G 网络与套餐怎么选更划算"),
        ("kuandai", "宽带与家庭网络", "🏠", "宽带报装、Wi-Fi 信号、光猫设置"),
        ("billing", "话费与账单", "💰", "话费账单看不懂？来这里问"),
    ]):
        made[slug] = tribes.save_tribe(admin, slug=slug, name=name, icon=icon, description=text,
                                       position=position)
    if os.environ.get("HUZHU_SCREENSHOT") == "1":
        # A little life on the home page for the README's screenshot.
        people = [accounts.register_user(u, d, "demo-password-123") for u, d in [
            ("liuliang_daren", "流量达人"), ("zhangsan", "张三"), ("kuandai_ge", "宽带老司机"),
            ("xiaoli", "小李")]]
        accounts.set_verified(admin, people[0], True)
        people[0].title = "热心网友"
        samples = [
            ("liuliang", 1, "月底流量不够用，有什么省流量的办法？", "流量 省钱",
             "关掉应用的自动更新和视频自动播放，再订一个夜间流量包，很管用。"),
            ("kuandai", 3, "晚上八点以后宽带经常掉线", "宽带 掉线",
             "先重启光猫，再看看路由器是不是放在柜子里了，信号会差很多。"),
            ("billing", 1, "账单里有一笔 10 元的增值业务扣费", "话费 扣费",
             "发送 0000 到 10086 可以查询并退订增值业务。"),
            ("5g", 3, "升级 5G 套餐后网速没有变化", "5G 套餐",
             "要在手机设置里打开 5G 开关，还要确认所在位置有 5G 覆盖。"),
            ("mail", 1, "139 邮箱收不到验证码邮件", "邮箱",
             "看看垃圾邮件文件夹，或者把发件地址加入白名单。"),
        ]
        for slug, asker, title, tags, answer in samples:
            topic = topics.create_topic(people[asker], made[slug], title,
                                        "试了好几种办法都不行，请大家帮忙看看。", tags)
            reply = topics.create_reply(people[0], topic, answer)
            topics.set_like(people[asker], reply, True)
            topics.set_like(people[2], topic.first_post, True)
            if slug in ("liuliang", "billing", "mail"):
                topics.accept_answer(people[asker], topic, reply)
print("setup done")
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_log(proc: subprocess.Popen) -> str:
    path = getattr(proc, "log_path", None)
    return path.read_text(errors="replace")[-5000:] if path and path.exists() else ""


def _wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app server exited early:\n{_server_log(proc)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the app server did not answer on {url}")


@contextmanager
def running_app(setup: str, prefix: str = "huzhu-e2e-", timeout: float = 180.0):
    """The real app in a process of its own on a free port, with its own temporary SQLite
    file, migrated with ``flask db upgrade`` and prepared by the ``setup`` script; yields
    the base URL. Every browser test's server is one of these."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    instance = Path(tempfile.mkdtemp(prefix=prefix))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(HUZHU_INSTANCE_DIR=str(instance), SECRET_KEY="e2e-secret",
               HUZHU_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    flask = [sys.executable, "-m", "flask", "--app", "forum"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=timeout)
    subprocess.run([sys.executable, "-c", setup], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=timeout)
    port = _free_port()
    # The server's output goes to a file: a pipe nobody reads fills up after ~64 KB of
    # request log lines and then blocks the server mid-request (a long browser test hangs).
    log = open(instance / "server.log", "w")  # noqa: SIM115  (closed with the server)
    proc = subprocess.Popen([*flask, "run", "--host", "127.0.0.1", "--port", str(port),
                             "--no-reload", "--no-debugger"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    proc.log_path = instance / "server.log"
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/", proc, timeout=60)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def server():
    with running_app(SETUP) as base:
        yield base


def register(page, base: str, username: str, display_name: str) -> None:
    page.goto(base + "/register")
    page.fill("#username", username)
    page.fill("#display_name", display_name)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.get_by_role("button", name="注册").click()
    page.wait_for_url(re.compile(r"/tribes$"))


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")


def log_out(page) -> None:
    page.locator("details.user-menu summary").click()
    page.get_by_role("menuitem", name="退出").click()
    page.wait_for_url(re.compile(r"/$"))


def phone_page(browser):
    """A phone-sized page (390 × 844) with a 15 s default timeout, its context, and the list
    of Content-Security-Policy violations Chromium reports on its console (the pages must
    work under the strict CSP of forum/security.py)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    csp_violations: list[str] = []
    page.on("console", lambda msg: csp_violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    return context, page, csp_violations


def test_ask_answer_accept_in_a_real_browser(server, browser):
    from playwright.sync_api import expect

    base = server
    context, page, csp_violations = phone_page(browser)

    # User A registers, joins 流量管家 and asks a question.
    register(page, base, "alice_e2e", "爱丽丝")
    expect(page.locator(".flashes")).to_contain_text("欢迎加入互助社区")
    page.goto(base + "/t/liuliang")
    page.get_by_role("button", name="加入部落").click()
    expect(page.locator(".flashes")).to_contain_text("已加入部落「流量管家」")
    expect(page.locator(".count-members")).to_have_text("1 成员")
    page.locator(".tribe-actions").get_by_role("link", name="发帖").click()
    page.fill("#title", "流量用超了怎么办？月底还有一周")
    page.fill("#body", "套餐每月 20GB，现在已经用完了，**有没有便宜的加油包**？")
    page.fill("#tags", "流量 加油包")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("h1")).to_contain_text("流量用超了怎么办？月底还有一周")
    expect(page.locator(".post-first .post-body strong")).to_have_text("有没有便宜的加油包")
    topic_url = page.url
    assert re.search(r"/topic/\d+$", topic_url)
    log_out(page)

    # User B registers, replies, and likes the question (fetch, no reload).
    register(page, base, "bob_e2e", "鲍勃")
    page.goto(topic_url)
    page.fill("#body", "可以在 App 里订 10 元 3GB 的流量加油包，当月有效。")
    page.get_by_role("button", name="发表回复").click()
    reply = page.locator("article.post:not(.post-first)").first
    expect(reply).to_contain_text("10 元 3GB 的流量加油包")
    before = page.url
    like = page.locator(".post-first .like-form button")
    like.click()
    expect(like.locator(".like-count")).to_have_text("1")
    expect(like).to_have_attribute("aria-pressed", "true")
    assert page.url == before  # updated in place
    log_out(page)

    # User A logs in again and accepts B's reply: the topic is solved.
    log_in(page, base, "alice_e2e")
    page.goto(topic_url)
    expect(page.locator(".topic-header")).not_to_contain_text("已解决")
    page.get_by_role("button", name="采纳为最佳答案").click()
    expect(page.locator(".topic-header .badge-solved")).to_have_text("已解决")
    expect(page.locator(".accepted-box")).to_contain_text("10 元 3GB 的流量加油包")
    expect(page.locator(".accepted-box .badge-accepted")).to_have_text("最佳答案")
    page.goto(base + "/t/liuliang")
    expect(page.locator(".topic-row").first).to_contain_text("已解决")
    assert csp_violations == []

    if os.environ.get("HUZHU_SCREENSHOT") == "1":
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(base + "/")
        (ROOT / "docs").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "docs" / "screenshot.png"))
    context.close()
