"""Image attachments in headless Chromium: the composer's 添加图片 button uploads a real
PNG, the reply shows it, and a text file named .png is refused with a message."""

from __future__ import annotations

import io
import re

import pytest

from tests.e2e.test_browser_flow import phone_page, register, server  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e


def _png(path) -> None:
    from PIL import Image

    image = Image.new("RGB", (120, 80), (20, 160, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format="PNG", exif=exif)
    path.write_bytes(out.getvalue())


def test_upload_button_inserts_the_image_and_the_reply_shows_it(server, browser,  # noqa: F811
                                                                 tmp_path):
    from playwright.sync_api import expect

    base = server
    photo, fake = tmp_path / "signal.png", tmp_path / "shell.png"
    _png(photo)
    fake.write_text("<?php system($_GET['c']); ?>")
    context, page, csp_violations = phone_page(browser)

    register(page, base, "photo_e2e", "拍照的人")
    page.goto(base + "/t/kuandai/new")
    page.fill("#title", "信号格子截图求助")
    page.fill("#body", "看看这个信号")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("h1")).to_contain_text("信号格子截图求助")

    box = page.locator("#reply textarea#body")
    box.fill("截图如下：")
    reply_form = page.locator("#reply")
    with page.expect_file_chooser() as chooser:
        reply_form.get_by_role("button", name=re.compile("添加图片")).first.click()
    chooser.value.set_files(str(fake))
    expect(reply_form.locator(".upload-status")).to_contain_text("只能上传 PNG、JPEG、GIF 或 WebP")
    expect(box).to_have_value("截图如下：")  # nothing lost, nothing inserted

    with page.expect_file_chooser() as chooser:
        reply_form.get_by_role("button", name=re.compile("添加图片")).first.click()
    chooser.value.set_files(str(photo))
    expect(reply_form.locator(".upload-status")).to_contain_text("图片已上传")
    value = box.input_value()
    match = re.search(r"!\[图片\]\((/uploads/[0-9a-f]{32}\.png)\)", value)
    assert match, value
    page.get_by_role("button", name="发表回复").click()

    image = page.locator(f"article.post:not(.post-first) img[src='{match.group(1)}']")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 120
    served = page.request.get(base + match.group(1))
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-type"] == "image/png"
    assert csp_violations == []
    context.close()
