"""Canned replies (标准服务口径): moderator-managed templates with placeholders.

Placeholders are ``{name}`` from PLACEHOLDERS only; they are substituted by a regular
expression, never ``str.format`` (which would allow ``{username.__class__}`` tricks).
Unknown placeholders and empty texts are refused when saving and when using a template.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from forum import events
from forum.errors import NotFound, ValidationError
from forum.extensions import db
from forum.models import User, utcnow
from moderation.models import CannedReply
from moderation.scoring.demands import DEMANDS
from moderation.services import audit
from moderation.services.access import require_global_moderator

PLACEHOLDERS = {
    "username": "客户的用户名",
    "name": "客户的昵称",
    "tribe": "部落名称",
    "topic": "帖子标题",
    "ticket": "工单号（帖子已转工单时）",
    "moderator": "版主的昵称",
}
PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
TITLE_MAX, BODY_MAX = 60, 5000


def placeholders_in(text: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER_RE.finditer(text or "")]


def check_text(text: str, field: str = "body") -> str:
    """The trimmed text, or a ValidationError for empty text or unknown placeholders."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("答复内容不能为空", {field: "答复内容不能为空"})
    if "\x00" in text:
        raise ValidationError("内容包含无效字符", {field: "内容包含无效字符"})
    if len(text) > BODY_MAX:
        raise ValidationError("答复内容太长", {field: f"最多 {BODY_MAX} 字"})
    unknown = [p for p in placeholders_in(text) if p not in PLACEHOLDERS]
    if unknown:
        names = "、".join("{" + p + "}" for p in dict.fromkeys(unknown))
        allowed = "、".join("{" + p + "}" for p in PLACEHOLDERS)
        message = f"未知的占位符 {names}；可用的占位符：{allowed}"
        raise ValidationError(message, {field: message})
    return text


def render(text: str, values: dict[str, str | None], field: str = "body") -> str:
    """Fill the placeholders of ``text``; a placeholder without a value is refused."""
    text = check_text(text, field)
    missing = [p for p in placeholders_in(text) if not values.get(p)]
    if missing:
        names = "、".join("{" + p + "}" for p in dict.fromkeys(missing))
        message = f"占位符 {names} 在此处没有可用的值（例如帖子尚未转工单时不能用 {{ticket}}）"
        raise ValidationError(message, {field: message})
    return PLACEHOLDER_RE.sub(lambda m: str(values[m.group(1)]), text)


def list_replies(active_only: bool = False, demand: str | None = None) -> list[CannedReply]:
    stmt = sa.select(CannedReply).order_by(CannedReply.title)
    if active_only:
        stmt = stmt.where(CannedReply.is_active.is_(True))
    if demand:
        stmt = stmt.where(sa.or_(CannedReply.demand == demand, CannedReply.demand.is_(None)))
    return list(db.session.scalars(stmt))


def get_reply_or_404(reply_id: int) -> CannedReply:
    reply = db.session.get(CannedReply, reply_id) if 0 < reply_id <= 2**31 - 1 else None
    if reply is None:
        raise NotFound("服务口径不存在")
    return reply


def _snapshot(reply: CannedReply) -> dict:
    return {"title": reply.title, "body": reply.body, "demand": reply.demand,
            "is_active": reply.is_active}


def save_reply(actor: User, *, title: str, body: str, demand: str | None = None,
               is_active: bool = True, reply: CannedReply | None = None) -> CannedReply:
    """Create (reply=None) or edit a canned reply; global moderators and admins only."""

    require_global_moderator(actor)
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX or "\x00" in title:
        errors["title"] = f"标题须为 1–{TITLE_MAX} 个字"
    else:
        other = db.session.scalar(sa.select(CannedReply).where(CannedReply.title == title))
        if other is not None and other is not reply:
            errors["title"] = "已有同名的服务口径"
    try:
        body = check_text(body)
    except ValidationError as err:
        errors.update(err.fields)
    if demand and demand not in DEMANDS:
        errors["demand"] = "未知的诉求分类"
    if errors:
        raise ValidationError("服务口径有误", errors)
    before = _snapshot(reply) if reply is not None else None
    if reply is None:
        reply = CannedReply(created_by_id=actor.id)
        db.session.add(reply)
    reply.title, reply.body, reply.demand = title, body, demand or None
    reply.is_active = bool(is_active)
    reply.updated_at = utcnow()
    db.session.flush()
    audit.record(actor.id, "canned_update" if before else "canned_create", "canned_reply",
                 reply.id, before=before, after=_snapshot(reply))
    events.commit()
    return reply


def delete_reply(actor: User, reply: CannedReply) -> None:
    require_global_moderator(actor)
    audit.record(actor.id, "canned_delete", "canned_reply", reply.id, before=_snapshot(reply))
    db.session.delete(reply)
    events.commit()
