"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when
HUZHU_TEST_DATABASE_URL points to one (CI runs both). The schema is built by the real
Alembic migrations once per session; every test starts from empty tables."""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g

from forum import create_app
from forum.extensions import db

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def _test_database_url(tmpdir: Path) -> str:
    url = os.environ.get("HUZHU_TEST_DATABASE_URL", "").strip()
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return f"sqlite:///{tmpdir / 'test.db'}"


@pytest.fixture(scope="session")
def app():
    tmpdir = Path(tempfile.mkdtemp(prefix="huzhu-test-"))
    url = _test_database_url(tmpdir)
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_DIR": str(tmpdir),
        "SECRET_KEY": "test-secret",
        "VIEW_COUNT_FLUSH_SECONDS": 3600.0,
        "ANON_CACHE_SECONDS": 0.0,  # tests/forum/test_page_cache.py turns it on
        "SERVER_NAME": None,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast in tests; real default is scrypt
        "RATE_LIMITS_ENABLED": False,  # tests/forum/test_rate_limits.py turns them on
    })

    def _fresh_g():
        # Tests hold an app context open and Flask reuses it for each test request, so `g`
        # (Flask-Login's current_user, Flask-WTF's csrf token) would leak between requests
        # and clients; in production every request starts with an empty `g`.
        vars(g).clear()

    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)

    @app.teardown_request
    def _forget_request_user(_exc):
        # Tests hold one app context open, so requests share ``g``: drop Flask-Login's
        # cached user so each request authenticates on its own, as in production.
        from flask import g

        g.pop("_login_user", None)

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        from flask_migrate import upgrade

        upgrade()
        _remember_reference_rows()
    yield app


# Rows the migrations seed (roles, point rules, titles, badges, SLA tiers, the keyword
# library, synonyms …): every test starts from them, as a fresh installation does.
REFERENCE_ROWS: dict[sa.Table, list[dict]] = {}


def _remember_reference_rows() -> None:
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            rows = [dict(r._mapping) for r in conn.execute(table.select())]
            if rows:
                REFERENCE_ROWS[table] = rows


def _restore_reference_rows(conn) -> None:
    for table, rows in REFERENCE_ROWS.items():  # sorted_tables order: parents first
        conn.execute(table.insert(), rows)
        if conn.dialect.name == "postgresql" and "id" in table.c and \
                isinstance(table.c.id.type, sa.Integer):
            conn.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f"(SELECT max(id) FROM \"{table.name}\"))"))


def _empty_tables(attempts: int = 5) -> None:
    """Empty every table and restore the reference rows. A worker process of a multi-process
    test may still be finishing a task (e.g. indexing the reply a test posted) when the test
    ends; PostgreSQL then breaks the lock cycle with TRUNCATE by failing one side with
    "deadlock detected". That is retryable by design: try again once the other side is done."""
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    for attempt in range(attempts):
        try:
            with db.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    names = ", ".join(f'"{t.name}"' for t in tables)
                    conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                else:
                    conn.execute(sa.text("PRAGMA foreign_keys=OFF"))
                    for t in tables:
                        conn.execute(t.delete())
                    conn.execute(sa.text("PRAGMA foreign_keys=ON"))
                _restore_reference_rows(conn)
            return
        except sa.exc.OperationalError as exc:
            if "deadlock detected" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.5 * (attempt + 1))


@pytest.fixture(autouse=True)
def clean_db(app):
    """Every test starts with the freshly migrated tables (empty but for the reference rows
    the migrations seed) and fresh in-process caches."""
    from forum.page_cache import page_cache
    from forum.services.topics import clear_caches, view_counter

    with app.app_context():
        yield
        db.session.remove()
        _empty_tables()
        clear_caches()
        page_cache.clear()
        view_counter.discard()


_UNSET = object()


@pytest.fixture(autouse=True)
def _undo_socketio_test_client(app):
    """Flask-SocketIO's test client patches the shared Socket.IO server (its packet senders,
    sync handlers) for good; undo it so later tests' real websocket clients still work."""
    from forum.extensions import socketio

    server = socketio.server
    names = ("_send_packet", "_send_eio_packet", "async_handlers")
    saved = {name: server.__dict__.get(name, _UNSET) for name in names}
    eio_async = server.eio.async_handlers
    yield
    for name, value in saved.items():
        if value is _UNSET:
            server.__dict__.pop(name, None)
        else:
            setattr(server, name, value)
    server.eio.async_handlers = eio_async


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, path: str = "/") -> str:
    """The CSRF token our pages put in <meta name="csrf-token"> for this client's session."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no csrf-token meta tag on {path}"
    return match.group(1)


@pytest.fixture
def make_user(app):
    from forum.services.accounts import register_user

    counter = {"n": 0}

    def _make(username: str | None = None, roles=("customer",), password: str = "password123",
              display_name: str | None = None):
        counter["n"] += 1
        username = username or f"user{counter['n']}"
        return register_user(username, display_name or username, password, list(roles))

    return _make


@pytest.fixture
def captured_events(app):
    """``got = captured_events(events.post_created, …)``: every payload each signal sends
    during the test, by signal name (``got["post_created"]``); disconnected afterwards."""
    connected = []

    def _capture(*signals):
        got: dict[str, list[dict]] = {s.name: [] for s in signals}
        for signal in signals:
            def receiver(_sender=None, _name=signal.name, **payload):
                got[_name].append(payload)

            signal.connect(receiver, weak=False)
            connected.append((signal, receiver))
        return got

    yield _capture
    for signal, receiver in connected:
        signal.disconnect(receiver)


@pytest.fixture
def make_tribe(app, make_user):
    from forum.services.tribes import save_tribe

    state = {"admin": None, "n": 0}

    def _make(slug: str | None = None, name: str | None = None, moderators=None):
        if state["admin"] is None:
            state["admin"] = make_user("tribe_admin", roles=("admin",))
        state["n"] += 1
        slug = slug or f"tribe-{state['n']}"
        return save_tribe(state["admin"], slug=slug, name=name or f"部落{state['n']}",
                          description="测试部落", moderator_usernames=moderators)

    return _make


def post_form(client, path: str, data: dict | None = None, token_page: str = "/", **kwargs):
    """POST a form as a browser does: the fields plus the page's CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, token_page)},
                       **kwargs)


def login(client, username: str, password: str = "password123", remember: bool = False):
    """Log in through the real login form (with its CSRF token)."""
    token = csrf_token(client, "/login")
    data = {"username": username, "password": password, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data, follow_redirects=False)


@pytest.fixture
def api_token(app):
    from forum.services.accounts import issue_token

    def _token(user) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(user)}"}

    return _token


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (never a downloaded browser)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def run_concurrently(app, n, work):
    """Run ``work(i)`` in ``n`` threads, each with its own app context and DB session."""
    barrier = threading.Barrier(n)
    errors = []

    def runner(i):
        with app.app_context():
            try:
                barrier.wait()
                work(i)
            except Exception as exc:  # collected and reported by the test
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return errors
