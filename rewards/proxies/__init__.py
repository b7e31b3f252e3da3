"""Service proxy programme (PRODUCT §2.4–2.5): influence, candidates and evaluation,
lifecycle, service circles, commission and monthly settlement.

Configuration: ``PROXY_CIRCLE_MAX`` (env ``HUZHU_PROXY_CIRCLE_MAX``, default 150) caps a
service circle. Commands: ``flask proxies recompute-influence``, ``flask settle --month
YYYY-MM``. Periodic tasks: influence nightly, last month's drafts on the 1st and 2nd.
"""

from __future__ import annotations

import os

from flask import Flask

from forum import permissions
from forum.api.openapi_kit import register_openapi
from forum.demo import register_demo_seeder
from forum.services.notifications import post_url, register_kind
from forum.templating import register_menu_link
from rewards.proxies import admin_views, api, cli, demo, handlers, models, tasks, views  # noqa: F401
from rewards.proxies.services.common import can_view_candidates


def _register_notification_kinds() -> None:
    register_kind(
        "circle_topic", "圈子成员发帖", "你的服务圈子成员 {actor} 发布了新帖「{topic}」", post_url,
        source=lambda p: f"post:{p.get('post_id')}",
        description="你带领的服务圈子里有成员发布新问题（服务代理）")
    register_kind(
        "proxy_invited", "服务代理邀请", "{actor} 邀请你成为服务代理，请查看并答复",
        lambda p: "/proxies/invitation",
        source=lambda p: f"invite:{p.get('invitation')}", mutable=False,
        description="管理员邀请你加入服务代理计划")


def init_app(app: Flask) -> None:
    app.config.setdefault("PROXY_CIRCLE_MAX",
                          int(os.environ.get("HUZHU_PROXY_CIRCLE_MAX", "150") or 150))
    _register_notification_kinds()
    app.register_blueprint(views.bp)
    register_openapi(app, api.SPEC)
    app.register_blueprint(admin_views.admin_bp)
    handlers.connect()
    cli.init_app(app)
    register_menu_link(app, "nav", "proxies.circle_list", "服务圈子",
                       visible=permissions.is_authenticated, prefix="proxies.circle")
    register_menu_link(app, "user", "proxies.dashboard", "服务代理中心",
                       visible=views.sees_menu, prefix="proxies.dashboard")
    register_menu_link(app, "staff", "proxies_admin.candidates", "管理 · 服务代理",
                       visible=can_view_candidates, prefix="proxies_admin.candidates")
    register_menu_link(app, "staff", "proxies_admin.statements", "管理 · 酬金结算",
                       visible=permissions.is_admin, prefix="proxies_admin.statement")
    register_demo_seeder(app, "proxies", demo.seed)
