"""Golden ideas (金点子, PRODUCT §4), employees only: ideas, votes, comments, arena rounds,
the idea fund.

``init_app(app)`` is called by create_app when "ideas" is named in HUZHU_PACKAGES: it
registers the pages (/ideas), the API routes (/api/v1/ideas…, documented in the OpenAPI
document), the notification kind, the periodic task, ``flask ideas`` and the demo data.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from forum.api.openapi_kit import register_openapi
from forum.demo import register_demo_seeder
from forum.extensions import db
from forum.searchable import Searchable, SearchableDoc, register_searchable
from forum.services.notifications import register_kind
from forum.templating import register_menu_link
from ideas import api, cli, models, openapi, tasks, views  # noqa: F401  (routes, tables, beat)
from ideas.demo import seed_ideas
from ideas.models import Idea
from ideas.services import searchable_idea
from ideas.services.access import can_see_ideas, is_owner
from ideas.services.triage import NOTIFY_KIND


def _idea_url(payload: dict) -> str:
    return f"/ideas/{int(payload['idea_id'])}" if payload.get("idea_id") else "/ideas/"


def _register_notifications() -> None:
    register_kind(
        NOTIFY_KIND, "金点子状态变更", "你的金点子「{title}」状态变为「{state_label}」", _idea_url,
        source=lambda p: f"idea:{p.get('idea_id')}:{p.get('state')}",
        description="负责人处理了你提交的金点子（评估、擂台赛、资助、落地、未采纳、合并）")


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    register_openapi(app, openapi.SPEC)
    app.jinja_env.globals["ideas_is_owner"] = is_owner
    _register_notifications()
    register_menu_link(app, "nav", "ideas.index", "金点子", visible=can_see_ideas,
                       prefix="ideas.")
    cli.init_app(app)
    register_demo_seeder(app, "ideas", seed_ideas)
    _register_searchable(app)


def _register_searchable(app: Flask) -> None:
    """Ideas are found by employees in search (forum/searchable.py), never by customers."""
    def load(idea_id: int) -> SearchableDoc | None:
        found = searchable_idea(idea_id)
        if found is None:
            return None
        return SearchableDoc(object_id=found["id"], title=found["title"], text=found["text"],
                             author_id=found["author_id"], created_at=found["created_at"])

    def all_ids():
        return db.session.scalars(sa.select(Idea.id).order_by(Idea.id))

    register_searchable(app, Searchable(kind="idea", load=load, all_ids=all_ids,
                                        url=lambda idea_id: f"/ideas/{idea_id}",
                                        may_find=can_see_ideas, employees_only=True))
