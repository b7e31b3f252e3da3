"""Header links of moderation (forum.templating.register_menu_link)."""

from __future__ import annotations

from flask import Flask

from forum.permissions import (
    is_admin,
    is_authenticated,
    is_global_moderator,
    moderates_something,
)
from forum.templating import register_menu_link


def register_menu(app: Flask) -> None:
    register_menu_link(app, "user", "moderation.my_tickets", "我的工单",
                       visible=is_authenticated, prefix="moderation.my_tickets")
    register_menu_link(app, "staff", "moderation.queue", "审核 · 审核队列", visible=moderates_something,
                       prefix="moderation.queue")
    register_menu_link(app, "staff", "moderation.staff_tickets", "审核 · 工单", visible=moderates_something,
                       prefix="moderation.staff_tickets")
    register_menu_link(app, "staff", "moderation.canned_list", "审核 · 服务口径",
                       visible=is_global_moderator, prefix="moderation.canned")
    register_menu_link(app, "staff", "moderation.audit_log", "审核 · 操作日志",
                       visible=is_global_moderator, prefix="moderation.audit")
    register_menu_link(app, "staff", "moderation.dashboard", "审核 · 服务质量",
                       visible=is_global_moderator, prefix="moderation.dashboard")
    register_menu_link(app, "staff", "moderation.reviews", "审核 · 专家评分",
                       visible=is_global_moderator, prefix="moderation.review")
    register_menu_link(app, "staff", "moderation.sla_tiers", "审核 · SLA 时限",
                       visible=is_admin, prefix="moderation.sla")
