"""Markdown rendering: sanitizing, mentions, PII masking."""

import pytest

from forum.rendering import find_mentions, find_pii, mask_pii, render_markdown
from tests.html_safety import unsafe_parts

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[点我](javascript:alert(1))",
    "[点我](JaVaScRiPt:alert(1))",
    "[点我](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg onload=alert(1)><circle r=1></circle></svg>",
    "<style>body{display:none}</style>",
    '<a href="javascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<iframe src=//evil.example></iframe>",
]


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_xss_vectors_are_rendered_inert(vector):
    html = render_markdown(f"前文 {vector} 后文").html
    assert unsafe_parts(html) == [], html
    assert "前文" in html and "后文" in html


def test_raw_html_is_shown_as_text_not_markup():
    html = render_markdown("<b>粗</b>").html
    assert "&lt;b&gt;" in html and "<b>" not in html


def test_links_get_nofollow_ugc_and_keep_https():
    html = render_markdown("[官网](https://www.10086.cn)").html
    assert 'href="https://www.10086.cn"' in html
    assert 'rel="nofollow ugc"' in html


def test_markdown_formats_basic_structure():
    html = render_markdown("**加粗**\n\n- 一\n- 二\n\n`code`").html
    assert "<strong>加粗</strong>" in html and "<li>一</li>" in html and "<code>code</code>" in html


def test_mentions_link_only_known_users_and_skip_code_and_emails():
    rendered = render_markdown("问 @王小明 和 @ghost，代码 `@王小明` 邮件 a@b.cn", {"王小明"})
    assert rendered.html.count('class="mention"') == 1
    assert 'href="/u/王小明"' in rendered.html
    assert rendered.mentions == ["王小明", "ghost"]


def test_find_mentions_dedupes_and_needs_three_chars():
    assert find_mentions("@ab @abc @abc @用户名") == ["abc", "用户名"]


@pytest.mark.parametrize("text,masked", [
    ("电话13812345678", "电话138****5678"),
    ("身份证 11010119900307123X", "身份证 110101********123X"),
    ("邮箱 zhang.san@example.com", "邮箱 z***@example.com"),
])
def test_pii_is_masked(text, masked):
    assert mask_pii(text) == masked


def test_pii_edges_not_masked():
    # 12 digits is no phone number; 2xx is no mainland mobile prefix; plain mentions are no e-mail.
    assert find_pii("订单号 138123456789 座机 21234567890 @zhangsan") == []


def test_public_copy_masks_but_original_keeps():
    rendered = render_markdown("联系我 13912345678")
    assert rendered.pii == ["phone"]
    assert "13912345678" in rendered.html
    assert "139****5678" in rendered.public_html and "13912345678" not in rendered.public_html


def test_masking_does_not_turn_stars_into_emphasis():
    rendered = render_markdown("13812345678 和 13987654321")
    assert "<em>" not in rendered.public_html
    assert "138****5678" in rendered.public_html and "139****4321" in rendered.public_html
