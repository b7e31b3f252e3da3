"""The audit log (操作日志): every moderator action with its before/after state.

``record`` adds the entry to the caller's unit of work, so the action and its entry commit
(or roll back) together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum.extensions import db
from forum.models import User, utcnow
from forum.pagination import Page, paginate
from moderation.models import AuditEntry

ACTION_LABELS = {
    "dismiss": "忽略",
    "not_negative": "不是负面（纠正模型）",
    "model_dismiss": "模型复评为非负面，移出待处理",
    "official_dismiss": "官方帖子，移出待处理",
    "model_activate": "启用模型版本",
    "model_rollback": "回滚模型版本",
    "reply": "公开回复",
    "message": "私信答复",
    "ticket": "转为工单",
    "cold": "冷处理",
    "hide": "隐藏",
    "restore": "恢复显示",
    "set_demand": "修改诉求分类",
    "reopen_item": "重新打开",
    "ticket_status": "工单状态变更",
    "ticket_assign": "工单指派",
    "ticket_tier": "工单等级变更",
    "ticket_note": "工单内部备注",
    "ticket_reply": "工单答复",
    "ticket_escalate": "工单超时升级",
    "canned_create": "新建服务口径",
    "canned_update": "修改服务口径",
    "canned_delete": "删除服务口径",
    "sla_update": "修改 SLA 时限",
    "review_sample": "抽取专家评分样本",
    "review_score": "专家评分",
    "password_reset_link": "生成重置密码链接",
}
TARGET_LABELS = {"post": "帖子", "ticket": "工单", "canned_reply": "服务口径",
                 "sla_tier": "SLA 等级", "review": "专家评分", "model_version": "模型版本",
                 "user": "用户"}


def record(actor_id: int | None, action: str, target_type: str, target_id: Any, *,
           before: dict | None = None, after: dict | None = None,
           reason: str | None = None) -> AuditEntry:
    """Add an audit entry to the current unit of work (the caller commits)."""
    entry = AuditEntry(actor_id=actor_id, action=action, target_type=target_type,
                       target_id=str(target_id), before=before, after=after,
                       reason=(reason or None) and reason[:500], created_at=utcnow())
    db.session.add(entry)
    return entry


def entries_for(target_type: str, target_id: Any) -> list[AuditEntry]:
    return list(db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.target_type == target_type,
                                    AuditEntry.target_id == str(target_id))
        .options(joinedload(AuditEntry.actor).lazyload(User.roles))
        .order_by(AuditEntry.id)))


@dataclass
class AuditFilters:
    action: str | None = None
    actor: str | None = None  # username
    target_type: str | None = None
    target_id: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None


def list_entries(filters: AuditFilters, page: int, per_page: int) -> Page:
    """Newest first, filtered (unknown usernames give an empty page, not an error)."""
    stmt = (sa.select(AuditEntry).options(joinedload(AuditEntry.actor).lazyload(User.roles))
            .order_by(AuditEntry.id.desc()))
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action)
    if filters.target_type:
        stmt = stmt.where(AuditEntry.target_type == filters.target_type)
    if filters.target_id:
        stmt = stmt.where(AuditEntry.target_id == filters.target_id)
    if filters.actor:
        stmt = stmt.join(User, User.id == AuditEntry.actor_id).where(
            User.username == filters.actor)
    if filters.date_from:
        stmt = stmt.where(AuditEntry.created_at >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(AuditEntry.created_at < filters.date_to + timedelta(days=1))
    return paginate(stmt, page, per_page)
