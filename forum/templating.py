"""Jinja filters and globals shared by every package's templates."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_login import current_user
from markupsafe import Markup

from forum import permissions

SHANGHAI = ZoneInfo("Asia/Shanghai")


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


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(local_time=local_time, time_ago=time_ago)
    app.jinja_env.globals.update(post_html=post_html, topic_title=topic_title,
                                 permissions=permissions)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
