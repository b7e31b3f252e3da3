"""The one way to push a Socket.IO event, from anywhere (web process, Celery worker, CLI).

With ``REDIS_URL`` set the event goes through the Redis message queue, so it reaches the
browsers connected to every web process; a Celery worker uses a write-only client of the
queue (flask-socketio's "emitting from an external process"). Emitting never raises: a
broken queue is logged and the page or task goes on.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, current_app, has_app_context
from flask_socketio import SocketIO

from forum import jobs
from forum.extensions import socketio

log = logging.getLogger(__name__)

MODERATORS_ROOM = "moderators"


def user_room(user_id: int) -> str:
    return f"user:{int(user_id)}"


def topic_room(topic_id: int) -> str:
    return f"topic:{int(topic_id)}"


def app_or_none() -> Flask | None:
    """The current app, or the one the worker's tasks run in; None outside both."""
    return _app()


_external: SocketIO | None = None
_external_lock = threading.Lock()


def _app() -> Flask | None:
    if has_app_context():
        return current_app._get_current_object()
    try:
        return jobs.flask_app()
    except RuntimeError:
        return None


def _emitter() -> SocketIO:
    """The app's Socket.IO server in a web process; a write-only queue client in a worker."""
    global _external
    app = _app()
    if app is None or app.config.get("HUZHU_PROCESS") != "worker":
        return socketio
    url = app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if not url:
        return socketio
    with _external_lock:
        if _external is None:
            _external = SocketIO(message_queue=url,
                                 channel=app.config.get("SOCKETIO_CHANNEL", "flask-socketio"))
    return _external


def _emit(event: str, data: Any, room: str) -> None:
    try:
        _emitter().emit(event, data, to=room, namespace="/")
    except Exception:  # a live update is a nicety; the page and the task go on
        log.exception("socket emit %s to %s failed", event, room)


def emit_to_user(user_id: int, event: str, data: Any) -> None:
    _emit(event, data, user_room(user_id))


def emit_to_topic(topic_id: int, event: str, data: Any) -> None:
    _emit(event, data, topic_room(topic_id))


def emit_to_moderators(event: str, data: Any) -> None:
    _emit(event, data, MODERATORS_ROOM)
