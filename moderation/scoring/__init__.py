"""Keyword library (关键字库) and the negativity scorer: every new or edited post is scored
in the background; results feed the moderation queue.

Interface for the rest of ``moderation``: ``demands.DEMANDS``, ``models.Keyword`` /
``models.PostScore``, ``services.score_text`` / ``score_post`` / ``negative_threshold``,
``signals.post_scored``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum import permissions
    from forum.templating import register_menu_link
    from moderation.scoring import api, cli, handlers, models, tasks, views  # noqa: F401

    app.config.setdefault("MODERATION_NEGATIVE_THRESHOLD", 50)
    # Seconds between a process's checks for a newly activated model version.
    app.config.setdefault("MODERATION_MODEL_CHECK_SECONDS", 30)
    app.register_blueprint(views.bp)
    register_menu_link(app, "staff", "moderation_scoring.keyword_list", "管理 · 关键字库",
                       visible=permissions.is_global_moderator,
                       prefix="moderation_scoring.keyword")
    handlers.connect()
    cli.init_app(app)
