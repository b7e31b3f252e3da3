"""Search (PRODUCT §5): Chinese full-text search over topics and replies (ideas later).

``init_app(app)`` (called by create_app for every package named in HUZHU_PACKAGES) picks the
backend, registers the pages, the API endpoint, the event handlers and ``flask search``.
Nothing here imports jieba or whoosh: they load on first use.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from forum import permissions
from forum.api.openapi_kit import register_openapi
from forum.demo import register_demo_seeder
from forum.templating import (
    register_menu_link,
    register_new_topic_section,
    register_topic_section,
)
from search import (  # noqa: F401  (models: tables; admin_views: routes)
    admin_views,
    api,
    cli,
    handlers,
    models,
    openapi,
    views,
)
from search.services import create_backend, rebuild, total_to_index


def init_app(app: Flask) -> None:
    app.config.setdefault("SEARCH_BACKEND", "auto")
    app.config.setdefault("SEARCH_INDEX_PROCS", 1)
    if not app.config.get("SEARCH_INDEX_DIR"):
        app.config["SEARCH_INDEX_DIR"] = str(Path(app.config["INSTANCE_DIR"]) / "search_index")
    app.extensions["search_backend"] = create_backend(app)
    app.register_blueprint(views.bp)
    register_openapi(app, openapi.SPEC)
    register_menu_link(app, "staff", "search.synonym_list", "管理 · 搜索同义词",
                       visible=permissions.is_global_moderator, prefix="search.synonym")
    register_topic_section(app, "search/_related.html")
    register_new_topic_section(app, "search/_similar_composer.html")
    handlers.connect()

    # The demo seed pauses indexing while it writes its posts; one rebuild then costs a
    # fraction of indexing them one by one. A second seed that added nothing skips it.
    total_when_paused: dict[str, int] = {}

    def pause_indexing() -> None:
        handlers.disconnect()
        total_when_paused["documents"] = total_to_index()

    def index_demo() -> str:
        if total_when_paused.pop("documents", None) == total_to_index():
            return "index up to date"
        return f"{rebuild()} documents indexed"

    register_demo_seeder(app, "search", index_demo, pause=pause_indexing,
                         resume=handlers.connect)
    cli.init_app(app)

