"""Huzhu's core package: ``create_app()`` builds the Flask application.

``flask --app forum run`` and every CLI command go through here.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, Config
from forum import (
    auth,
    cli,
    errors_http,
    handlers,
    inputs,
    jobs,
    ratelimit,
    scheduler,
    security,
    tasks,  # noqa: F401  (registers the core's tasks)
    templating,
    uow,
)
from forum.api import api_bp
from forum.extensions import csrf, db, init_celery, init_socketio, login_manager, migrate
from forum.realtime import sockets
from forum.views import bp as web_bp


def create_app(overrides: dict | None = None) -> Flask:
    config = Config()
    app = Flask(
        __name__,
        instance_path=config.INSTANCE_DIR,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
    )
    app.config.from_object(config)
    if overrides:
        app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    inputs.register_converters(app)  # before any route names <id:…>
    if app.config.get("PROXY_COUNT"):
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    _configure_logging(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"),
                     render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    init_celery(app)
    init_socketio(app)
    _configure_sqlite(app)

    jobs.init_app(app)  # Celery tasks run in this app's context
    scheduler.init_app(app)  # embedded default: periodic tasks in a web-process thread
    sockets.init_app(app)  # Socket.IO handlers, rooms, presence
    handlers.init_app(app)  # notifications and live replies follow forum.events

    auth.init_app(app)
    templating.init_app(app)
    errors_http.init_app(app)
    inputs.init_app(app)
    security.init_app(app)
    ratelimit.init_app(app)
    _init_packages(app)  # before the api blueprint: packages add API routes to it
    app.register_blueprint(web_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # the API checks CSRF itself for cookie sessions (forum/api/__init__.py)
    uow.init_app(app)  # every view and API call is an edge: one unit of work per request
    cli.init_app(app)
    return app


def _init_packages(app: Flask) -> None:
    """Load the optional packages named in HUZHU_PACKAGES (search, …) and call their
    ``init_app(app)``; forum itself never imports them."""
    for name in app.config.get("HUZHU_PACKAGES", ()):
        importlib.import_module(name).init_app(app)


def _configure_logging(app: Flask) -> None:
    level = getattr(logging, str(app.config.get("LOG_LEVEL", "INFO")).upper(), logging.INFO)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.logger.setLevel(level)
    # Alembic announces its plugins at INFO on every start; its migration output is
    # configured separately by migrations/alembic.ini.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if app.config["CELERY"].get("task_always_eager"):
        # In-process tasks would log two lines per post at INFO; keep failures only.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)


def _configure_sqlite(app: Flask) -> None:
    """SQLite: enforce foreign keys and let readers and a writer work side by side (WAL)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if ":memory:" not in str(engine.url) and engine.url.database:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


__all__ = ["create_app"]
