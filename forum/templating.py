"""Jinja filters and globals shared by every package's templates."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request
from flask_login import current_user
from markupsafe import Markup

from forum import money, permissions

SHANGHAI = ZoneInfo("Asia/Shanghai")
log = logging.getLogger(__name__)


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Stored in UTC, shown in Asia/Shanghai."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SHANGHAI).strftime(fmt)


def time_ago(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    seconds = (datetime.now(UTC) - value).total_seconds()
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{int(seconds // 60)} 分钟前"
    if seconds < 86400:
        return f"{int(seconds // 3600)} 小时前"
    if seconds < 86400 * 30:
        return f"{int(seconds // 86400)} 天前"
    return local_time(value, "%Y-%m-%d")


def post_html(post, user=None) -> Markup:
    """The original text for its author and moderators, the PII-masked copy for everyone else."""
    user = user if user is not None else current_user
    return Markup(permissions.post_html_for(user, post))  # sanitized on write (rendering.py)


def topic_title(topic, user=None) -> str:
    """The original title for its author and moderators, PII-masked for everyone else."""
    user = user if user is not None else current_user
    return permissions.topic_title_for(user, topic)


MENU_SECTIONS = ("nav", "user", "staff")  # main navigation; user menu; its staff part


@dataclass(frozen=True)
class MenuLink:
    endpoint: str
    label: str
    visible: Callable | None  # visible(user) -> bool; None: everyone
    prefix: str  # endpoints starting with it mark the link as the current page


def register_menu_link(app: Flask, section: str, endpoint: str, label: str, *,
                       visible: Callable | None = None, prefix: str | None = None) -> None:
    """Add a link to the header from a package's ``init_app`` (forum never imports the
    packages, so they announce their pages here). ``visible(user)`` hides it from users
    who may not open the page; the page itself still checks permission."""
    if section not in MENU_SECTIONS:
        raise ValueError(f"unknown menu section {section!r}")
    links = app.extensions.setdefault("huzhu_menu", {s: [] for s in MENU_SECTIONS})[section]
    if all(link.endpoint != endpoint for link in links):
        links.append(MenuLink(endpoint, label, visible, prefix or endpoint))


def menu_links(section: str) -> list[MenuLink]:
    links = current_app.extensions.get("huzhu_menu", {}).get(section, [])
    user = current_user if current_user.is_authenticated else None
    return [link for link in links if link.visible is None or link.visible(user)]


def is_current(link: MenuLink) -> bool:
    return (request.endpoint or "").startswith(link.prefix)


# --- per-post extras from packages ----------------------------------------------------------


def register_post_extra(app: Flask, fn: Callable) -> None:
    """Let a package annotate posts on the topic page without forum importing it.

    ``fn(posts, user)`` (user None when anonymous) returns ``{post_id: [item, …]}`` where an
    item is Markup (e.g. a badge "已转工单 #…") or a ``(label, url)`` pair shown as a link in
    the post's action bar. It is called once per page for all the posts shown.
    """
    fns = app.extensions.setdefault("huzhu_post_extras", [])
    if fn not in fns:
        fns.append(fn)


def _posts_of(view) -> list:
    posts = [getattr(view, "first_post", None), getattr(view, "accepted_post", None)]
    replies = getattr(view, "replies", None)
    posts += list(getattr(replies, "items", None) or [])
    return [p for p in posts if p is not None]


def _render_extra(item) -> Markup:
    if isinstance(item, tuple):
        label, url = item
        return Markup('<a class="btn btn-quiet post-extra" href="{}">{}</a>').format(url, label)
    return Markup(item)


def post_extras(post, view=None) -> list[Markup]:
    """The registered packages' items for ``post`` (computed for the whole page at once)."""
    fns = current_app.extensions.get("huzhu_post_extras")
    if not fns:
        return []
    cache = g.setdefault("_huzhu_post_extras", {})
    if post.id not in cache:
        posts = _posts_of(view)
        if all(p.id != post.id for p in posts):
            posts.append(post)
        user = current_user._get_current_object() if current_user.is_authenticated else None
        found: dict[int, list] = {p.id: [] for p in posts}
        for fn in fns:
            try:
                for post_id, items in (fn(posts, user) or {}).items():
                    found.setdefault(post_id, []).extend(items)
            except Exception:  # an annotation must never break the topic page
                log.exception("post extra %r failed", fn)
        cache.update(found)
    return [_render_extra(item) for item in cache.get(post.id, [])]


# --- page sections from packages -----------------------------------------------------------


def _register_section(app: Flask, page: str, template: str) -> None:
    sections = app.extensions.setdefault(f"huzhu_{page}_sections", [])
    if template not in sections:
        sections.append(template)


def register_profile_section(app: Flask, template: str) -> None:
    """Let a package add a section to the profile page (templates/forum/profile.html
    includes each registered template with the page's context: ``user``, ``is_self``)."""
    _register_section(app, "profile", template)


def register_topic_section(app: Flask, template: str) -> None:
    """Let a package add a section under a topic's replies (templates/forum/topic.html
    includes each registered template with the page's context: ``topic``, ``view``)."""
    _register_section(app, "topic", template)


def register_new_topic_section(app: Flask, template: str) -> None:
    """Let a package add a section under the new-topic form's title field
    (templates/forum/topic_form.html, context: ``tribe``, ``form``)."""
    _register_section(app, "new_topic", template)


def profile_sections() -> list[str]:
    return list(current_app.extensions.get("huzhu_profile_sections", ()))


def topic_sections() -> list[str]:
    return list(current_app.extensions.get("huzhu_topic_sections", ()))


def new_topic_sections() -> list[str]:
    return list(current_app.extensions.get("huzhu_new_topic_sections", ()))


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(local_time=local_time, time_ago=time_ago,
                                 yuan=money.yuan_sign)
    app.jinja_env.globals.update(post_html=post_html, topic_title=topic_title,
                                 permissions=permissions, menu_links=menu_links,
                                 post_extras=post_extras, profile_sections=profile_sections,
                                 topic_sections=topic_sections,
                                 new_topic_sections=new_topic_sections,
                                 is_current_link=is_current)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
