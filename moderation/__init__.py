"""Moderation (PRODUCT §3): queue, moderator actions, audit log, canned replies, tickets with
SLA, quality dashboard; and — in ``moderation.scoring`` — the keyword library and the
negativity scorer.

``init_app(app)`` is called by create_app when "moderation" is named in HUZHU_PACKAGES.
"""

from __future__ import annotations

import os

from flask import Flask

from forum.api.openapi_kit import register_openapi
from forum.demo import register_demo_seeder
from forum.templating import register_post_extra
from moderation import (  # noqa: F401  (models: tables; tasks: periodic entries)
    api,
    cli,
    handlers,
    models,
    notifications,
    openapi,
    scoring,
    tasks,
    views,
)
from moderation.demo import seed_demo
from moderation.menu import register_menu
from moderation.post_extras import post_extras
from moderation.scoring import handlers as scoring_handlers


def init_app(app: Flask) -> None:
    scoring.init_app(app)
    app.config.setdefault("MODERATION_MONTHLY_RETRAIN",
                          os.environ.get("HUZHU_MODERATION_MONTHLY_RETRAIN", "") == "1")
    tasks.register_monthly_retrain(app)
    app.register_blueprint(views.bp)
    register_openapi(app, openapi.SPEC)
    handlers.connect()
    cli.init_app(app)
    notifications.register_kinds()
    register_post_extra(app, post_extras)
    register_menu(app)
    # The demo's posts are scored once, after the forum seed (moderation/demo.py).
    register_demo_seeder(app, "moderation", seed_demo, pause=scoring_handlers.disconnect,
                         resume=scoring_handlers.connect)
