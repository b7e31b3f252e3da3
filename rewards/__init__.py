"""Rewards (PRODUCT §2): points ledger, titles, badges, store, leaderboards, and — in
``rewards.proxies`` — the service proxy programme, commission and monthly settlement.

``init_app(app)`` is called by create_app when "rewards" is named in HUZHU_PACKAGES.
Other code awards badges with ``rewards.services.badges.award_badge(user_id, code)``.
"""

from __future__ import annotations

from flask import Flask

from forum import permissions
from forum.api.openapi_kit import register_openapi
from forum.demo import register_demo_seeder
from forum.templating import register_menu_link, register_profile_section
from rewards import (  # noqa: F401  (models: tables; api, admin_views: routes; tasks: beat)
    admin_views,
    api,
    demo,
    handlers,
    models,
    notifications,
    openapi,
    proxies,
    tasks,
    views,
)


def init_app(app: Flask) -> None:
    notifications.register()
    register_openapi(app, openapi.SPEC)
    handlers.connect()
    app.register_blueprint(views.bp)
    app.jinja_env.globals["rewards_profile"] = views.profile_context
    register_profile_section(app, "rewards/_profile.html")
    register_menu_link(app, "nav", "rewards.leaderboard", "风云榜")
    register_menu_link(app, "nav", "rewards.store_page", "积分商城", prefix="rewards.store")
    register_menu_link(app, "user", "rewards.my_points", "我的积分 · 签到")
    register_menu_link(app, "user", "rewards.my_orders", "我的兑换")
    register_menu_link(app, "staff", "rewards.admin_index", "管理 · 积分与商城",
                       visible=permissions.is_admin, prefix="rewards.admin")
    # The demo's posts and likes earn their points in one dated backfill (rewards/demo.py),
    # each on its own day, rather than live on the day of seeding.
    register_demo_seeder(app, "rewards", demo.seed_demo, pause=handlers.disconnect,
                         resume=handlers.connect)

    proxies.init_app(app)
