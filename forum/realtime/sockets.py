"""Socket.IO connections: who may connect, the rooms they join, the client events.

Connections must be authenticated: the session cookie of a logged-in user, or an API token
as ``?token=`` or in the Socket.IO auth payload ``{"token": …}``. Rooms:

- ``user:<id>``: joined automatically; ``notification``, ``unread_count``, private messages.
- ``topic:<id>``: ``join_topic {topic_id}`` / ``leave_topic {topic_id}`` from the client;
  ``reply_created`` and ``presence`` ("N 人正在浏览", counted across processes in Redis).
- ``moderators``: joined automatically by moderators and admins, or with ``join_moderators``;
  anyone else is refused with an ``error`` event.

Malformed or refused client events get an ``error`` event ``{event, message}`` (and the same
as the acknowledgement ``{ok: false, error}``), never a crash. The event catalogue with
payloads is in docs/deploy.md ("Socket.IO events").
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask
from flask import request as flask_request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError as SocketRefused
from flask_socketio import join_room, leave_room

from forum.errors import NotFound
from forum.extensions import db, socketio
from forum.models import User
from forum.permissions import is_global_moderator
from forum.realtime import presence as viewers
from forum.realtime.emit import MODERATORS_ROOM, topic_room, user_room
from forum.services.accounts import user_for_token
from forum.services.notifications import unread_count
from forum.services.topics import get_topic_or_404

log = logging.getLogger(__name__)

MAX_TOPICS_PER_CONNECTION = 20

# This process's connections: sid → user id and the topics it has open.
_connections: dict[str, dict[str, Any]] = {}
_connections_lock = threading.Lock()
_heartbeat_started = False


class SocketError(Exception):
    """A refused or malformed client event: reported to the client as an ``error`` event."""


def _user_from_token(token: Any):
    if not isinstance(token, str) or not token.strip() or len(token) > 200:
        return None
    return user_for_token(token.strip())


def _authenticate(auth: Any):
    """The user behind this connection: an API token (auth payload or ?token=), else the
    session cookie. None when neither is valid."""
    token = None
    if isinstance(auth, dict):
        token = auth.get("token")
    if token is None:
        token = flask_request.args.get("token")
    if token is not None:
        return _user_from_token(token)
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def _current() -> tuple[str, Any]:
    """(sid, user) of the connection sending the current event."""
    sid = flask_request.sid
    with _connections_lock:
        info = _connections.get(sid)
    user = db.session.get(User, info["user_id"]) if info else None
    if user is None or not user.is_active_account:
        raise SocketError("连接未登录或已失效，请刷新页面")
    return sid, user


def _topic_id(data: Any) -> int:
    if not isinstance(data, dict):
        raise SocketError("参数格式错误：需要 {\"topic_id\": 整数}")
    value = data.get("topic_id")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 2**31 - 1:
        raise SocketError("topic_id 必须是正整数")
    return value


def _refuse(event: str, message: str) -> dict[str, Any]:
    socketio.emit("error", {"event": event, "message": message}, to=flask_request.sid)
    return {"ok": False, "error": message}


def _guarded(event: str, handler):
    def wrapped(*args):
        try:
            return handler(*args)
        except SocketError as err:
            db.session.rollback()
            return _refuse(event, str(err))
        except Exception:
            log.exception("socket event %s failed", event)
            db.session.rollback()
            return _refuse(event, "服务器处理出错，请稍后再试")

    wrapped.__name__ = f"on_{event}"
    return wrapped


def on_connect(auth=None):
    user = _authenticate(auth)
    if user is None or not user.is_active_account:
        # python-socketio turns this into a connect_error for the client.
        raise SocketRefused("请先登录")
    sid = flask_request.sid
    with _connections_lock:
        _connections[sid] = {"user_id": user.id, "topics": set()}
    join_room(user_room(user.id))
    if is_global_moderator(user):
        join_room(MODERATORS_ROOM)
    viewers.start_heartbeat()
    socketio.emit("unread_count", {"count": unread_count(user.id)}, to=sid)
    return True


def on_disconnect(*_args):
    sid = flask_request.sid
    with _connections_lock:
        info = _connections.pop(sid, None)
    for topic_id in (info or {}).get("topics", ()):
        viewers.presence.remove(topic_id, sid)
        viewers.changed(topic_id)


def on_join_topic(data=None, *_extra):
    topic_id = _topic_id(data)
    sid, user = _current()
    try:
        get_topic_or_404(topic_id, user)
    except NotFound as err:
        raise SocketError("帖子不存在或无权查看") from err
    with _connections_lock:
        topics = _connections[sid]["topics"]
        if topic_id not in topics and len(topics) >= MAX_TOPICS_PER_CONNECTION:
            raise SocketError(f"同时最多关注 {MAX_TOPICS_PER_CONNECTION} 个帖子")
        topics.add(topic_id)
    join_room(topic_room(topic_id))
    count = viewers.presence.add(topic_id, sid)
    viewers.changed(topic_id)
    return {"ok": True, "topic_id": topic_id, "count": count}


def on_leave_topic(data=None, *_extra):
    topic_id = _topic_id(data)
    sid, _user = _current()
    with _connections_lock:
        _connections[sid]["topics"].discard(topic_id)
    leave_room(topic_room(topic_id))
    count = viewers.presence.remove(topic_id, sid)
    viewers.changed(topic_id)
    return {"ok": True, "topic_id": topic_id, "count": count}


def on_join_moderators(*_args):
    _sid, user = _current()
    if not is_global_moderator(user):
        raise SocketError("只有版主和管理员可以加入该频道")
    join_room(MODERATORS_ROOM)
    return {"ok": True}


def on_leave_moderators(*_args):
    _current()
    leave_room(MODERATORS_ROOM)
    return {"ok": True}


CLIENT_EVENTS = {
    "join_topic": on_join_topic,
    "leave_topic": on_leave_topic,
    "join_moderators": on_join_moderators,
    "leave_moderators": on_leave_moderators,
}


def init_app(app: Flask) -> None:
    """Register the handlers on the app's Socket.IO server (create_app calls this after
    init_socketio) and point presence at Redis when there is one."""
    viewers.presence.configure(app.config.get("REDIS_URL"),
                       app.config.get("REDIS_KEY_PREFIX", "huzhu:"))
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    for name, handler in CLIENT_EVENTS.items():
        socketio.on_event(name, _guarded(name, handler))

    @socketio.on_error_default
    def _on_error(exc):  # pragma: no cover - _guarded catches first; a last resort
        log.exception("socket handler failed", exc_info=exc)
        return _refuse(getattr(flask_request, "event", {}).get("message", "?"), "服务器处理出错")
