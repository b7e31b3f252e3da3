"""Helpers for the real-time tests: a recording Socket.IO client, servers on free ports.

Servers are real: the suite's own app served by a Werkzeug thread (embedded mode, no
Redis), or gunicorn and Celery worker processes sharing Redis and the suite's database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("HUZHU_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
WAIT = 10.0  # seconds any single live event may take before a test fails


class Recorder:
    """A python-socketio client that keeps every event it receives."""

    def __init__(self) -> None:
        import socketio

        self.client = socketio.Client(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self._cond = threading.Condition()
        self.client.on("*", self._record)

    def _record(self, event: str, data: Any = None) -> None:
        with self._cond:
            self.events.append((event, data))
            self._cond.notify_all()

    def connect(self, base: str, token: str | None = None, *, query_token: bool = False,
                headers: dict | None = None) -> Recorder:
        url = base
        auth = None
        if token and query_token:
            url = f"{base}?token={token}"
        elif token:
            auth = {"token": token}
        self.client.connect(url, auth=auth, headers=headers or {}, transports=["websocket"],
                            wait_timeout=WAIT)
        return self

    def call(self, event: str, data: Any = None) -> Any:
        return self.client.call(event, data, timeout=WAIT)

    def wait_for(self, event: str, match: Callable[[Any], bool] = lambda d: True,
                 timeout: float = WAIT) -> Any:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for name, data in self.events:
                    if name == event and match(data):
                        return data
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [name for name, _ in self.events]
                    raise AssertionError(f"no {event!r} event within {timeout} s; got {seen}")
                self._cond.wait(left)

    def wait_latest(self, event: str, match: Callable[[Any], bool],
                    timeout: float = WAIT) -> Any:
        """Wait until the most recent ``event`` received satisfies ``match`` (for state
        updates such as ``presence``, which the server batches)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                latest = [data for name, data in self.events if name == event]
                if latest and match(latest[-1]):
                    return latest[-1]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"latest {event!r} never matched within {timeout} s; "
                                         f"got {latest[-3:]}")
                self._cond.wait(left)

    def received(self, event: str, match: Callable[[Any], bool] = lambda d: True) -> list:
        with self._cond:
            return [data for name, data in self.events if name == event and match(data)]

    def close(self) -> None:
        """Disconnect without waiting: the server hears the Socket.IO disconnect at once,
        but websocket-client then waits up to 3 s for a close frame that never comes."""
        if self.client.connected:
            threading.Thread(target=self.client.disconnect, daemon=True).start()


@pytest.fixture
def recorders():
    """Make recording clients; all are disconnected at the end of the test."""
    made: list[Recorder] = []

    def _make() -> Recorder:
        recorder = Recorder()
        made.append(recorder)
        return recorder

    yield _make
    for recorder in made:
        recorder.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(app):
    """The suite's app (embedded mode: eager tasks, in-memory Socket.IO) on a free port."""
    import logging

    from werkzeug.serving import make_server

    # The dev server logs every request, and "bad request" when a closed websocket's last
    # frames arrive on its keep-alive connection: noise here.
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    from forum.realtime import presence

    # Presence updates are batched once a second in production; quicker here.
    interval, presence.PRESENCE_EMIT_SECONDS = presence.PRESENCE_EMIT_SECONDS, 0.2
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    presence.PRESENCE_EMIT_SECONDS = interval


def redis_or_skip(url: str = REDIS_URL):
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except Exception as exc:  # any failure means "not here"
        pytest.skip(f"Redis is not reachable at {url} ({exc}); CI has one")
    return client


def process_env(app, **extra: str) -> dict[str, str]:
    """Environment for a server or worker process on the suite's database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY=app.config["SECRET_KEY"],
        HUZHU_INSTANCE_DIR=app.config["INSTANCE_DIR"],
        HUZHU_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class Processes:
    """Started subprocesses with their logs; stopped (and logs shown on failure) at the end."""

    def __init__(self, tmpdir: Path) -> None:
        self.tmpdir = tmpdir
        self.procs: list[tuple[subprocess.Popen, Path]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = self.tmpdir / f"{name}-{uuid.uuid4().hex[:6]}.log"
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log.open("w"),
                                stderr=subprocess.STDOUT)
        self.procs.append((proc, log))
        return proc

    def gunicorn(self, name: str, env: dict[str, str], threads: int = 20) -> str:
        port = free_port()
        # The production command (docs/deploy.md), one process per port.
        self.start(name, [sys.executable, "-m", "gunicorn", "-w", "1", "--threads",
                          str(threads), "--worker-connections", str(threads * 10),
                          "-k", "gthread", "-b", f"127.0.0.1:{port}",
                          "--graceful-timeout", "2", "forum:create_app()"], env)
        return f"http://127.0.0.1:{port}"

    def worker(self, env: dict[str, str]) -> Path:
        self.start("worker", [sys.executable, "-m", "celery", "-A", "forum.celery_worker",
                              "worker", "--pool=solo", "--without-mingle", "--without-gossip",
                              "-l", "info"], env)
        return self.procs[-1][1]

    def beat(self, env: dict[str, str], schedule: Path) -> Path:
        self.start("beat", [sys.executable, "-m", "celery", "-A", "forum.celery_worker", "beat",
                            "-l", "debug", "-s", str(schedule)], env)
        return self.procs[-1][1]

    def logs(self, tail: int = 3000) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()[-tail:]}" for _, log in self.procs)

    def stop(self) -> None:
        for proc, _log in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc, _log in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_until_up(base: str, procs: Processes, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p, _ in procs.procs):
            raise RuntimeError(f"a process exited early:\n{procs.logs()}")
        try:
            with urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{base} did not answer:\n{procs.logs()}")


def wait_for_log(path: Path, text: str, procs: Processes, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in path.read_text():
            return
        if any(p.poll() is not None for p, _ in procs.procs):
            break
        time.sleep(0.1)
    raise RuntimeError(f"{path.name} never said {text!r}:\n{procs.logs()}")
