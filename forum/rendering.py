"""User text to safe HTML: Markdown (markdown-it-py) → mentions and PII masking → nh3.

Two copies are rendered on write: the original (for the author and moderators) and a public
copy where phone numbers, ID-card numbers and e-mail addresses are masked (PRODUCT §1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

USERNAME_CHARS = r"A-Za-z0-9_\u4e00-\u9fff"
USERNAME_RE = re.compile(rf"^[{USERNAME_CHARS}]{{3,20}}$")
MENTION_RE = re.compile(rf"(?<![{USERNAME_CHARS}@.])@([{USERNAME_CHARS}]{{3,20}})")

PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
ID_CARD_RE = re.compile(r"(?<![0-9Xx])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9Xx])")
EMAIL_RE = re.compile(r"(?<![\w.+-])([\w.+-])([\w.+-]*)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")

PII_KINDS = {"phone": "手机号", "id_card": "身份证号", "email": "电子邮箱"}

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
    "img",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}, "ol": {"start"}, "th": {"align"},
                      "td": {"align"}, "code": {"class"}, "img": {"src", "alt", "title"}}
# Images come from Huzhu's own uploads only: no tracking pixels, no mixed content, and the
# CSP (img-src 'self') would block others anyway.
LOCAL_IMAGE_RE = re.compile(r"^/uploads/[0-9a-f]{32}\.(?:png|jpg|gif|webp)$")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not LOCAL_IMAGE_RE.match(value):
        return None
    return value


def find_pii(text: str) -> list[str]:
    """The kinds of personal data in ``text`` (keys of PII_KINDS), in a stable order."""
    kinds = []
    if PHONE_RE.search(text):
        kinds.append("phone")
    if ID_CARD_RE.search(text):
        kinds.append("id_card")
    if EMAIL_RE.search(text):
        kinds.append("email")
    return kinds


def mask_pii(text: str) -> str:
    """138****5678, 110101********1234, z***@example.com."""
    text = ID_CARD_RE.sub(lambda m: m.group(1) + "*" * 8 + m.group(3), text)
    text = PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
    return EMAIL_RE.sub(lambda m: m.group(1) + "***@" + m.group(3), text)


def find_mentions(text: str) -> list[str]:
    """Usernames written as @name, in order of first appearance, without repeats."""
    seen: dict[str, None] = {}
    for name in MENTION_RE.findall(text):
        seen.setdefault(name, None)
    return list(seen)


def _mentions_and_masking(state) -> None:
    """A core rule: turn @known_user into profile links and mask PII in text tokens."""
    known: set[str] = state.env.get("mentionable", set())
    masking: bool = state.env.get("mask", False)
    profile_url = state.env.get("profile_url", lambda name: f"/u/{name}")
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        out: list[Token] = []
        link_depth = 0
        for tok in block.children:
            if tok.type == "link_open":
                link_depth += 1
                if masking and tok.attrGet("href"):
                    tok.attrSet("href", mask_pii(str(tok.attrGet("href"))))
            elif tok.type == "link_close":
                link_depth -= 1
            if tok.type != "text":
                out.append(tok)
                continue
            content = mask_pii(tok.content) if masking else tok.content
            if link_depth or not known or "@" not in content:
                tok.content = content
                out.append(tok)
                continue
            pos = 0
            for m in MENTION_RE.finditer(content):
                if m.group(1) not in known:
                    continue
                if m.start() > pos:
                    out.append(_text(content[pos : m.start()]))
                link = Token("link_open", "a", 1)
                link.attrs = {"href": profile_url(m.group(1)), "class": "mention"}
                out += [link, _text(m.group(0)), Token("link_close", "a", -1)]
                pos = m.end()
            if pos < len(content):
                out.append(_text(content[pos:]))
        block.children = out


def _text(content: str) -> Token:
    tok = Token("text", "", 0)
    tok.content = content
    return tok


_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable(["table", "strikethrough"])
_md.core.ruler.push("huzhu_mentions_pii", _mentions_and_masking)


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=_filter_attribute,
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        link_rel="nofollow ugc",
        strip_comments=True,
    )


@dataclass
class Rendered:
    html: str
    public_html: str
    pii: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)


def render_markdown(text: str, mentionable: set[str] | None = None, profile_url=None) -> Rendered:
    """Render ``text`` twice (original and PII-masked), both sanitized."""
    env = {"mentionable": mentionable or set()}
    if profile_url:
        env["profile_url"] = profile_url
    html = sanitize(_md.render(text, dict(env)))
    pii = find_pii(text)
    public = sanitize(_md.render(text, dict(env, mask=True))) if pii else html
    return Rendered(html=html, public_html=public, pii=pii, mentions=find_mentions(text))
