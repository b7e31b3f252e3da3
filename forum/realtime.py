"""Socket.IO: who may connect, the rooms, presence, and the one way to push events.

Push from anywhere (web process, Celery worker, CLI)::

    from forum import realtime
    realtime.emit_to_user(user_id, "notification", {...})
    realtime.emit_to_topic(topic_id, "reply_created", {...})
    realtime.emit_to_moderators("queue_changed", {...})

With ``REDIS_URL`` set the event goes through the Redis message queue, so it reaches the
browsers connected to every web process; a Celery worker uses a write-only client of the
queue (flask-socketio's "emitting from an external process"). Emitting never raises: a
broken queue is logged and the page or task goes on.

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
import time
from typing import Any

from flask import Flask, current_app, has_app_context, render_template
from flask import request as flask_request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError as SocketRefused
from flask_socketio import SocketIO, join_room, leave_room

from forum.extensions import db, socketio

log = logging.getLogger(__name__)

MODERATORS_ROOM = "moderators"
PRESENCE_TTL_SECONDS = 90.0
PRESENCE_HEARTBEAT_SECONDS = 30.0
PRESENCE_EMIT_SECONDS = 1.0
MAX_TOPICS_PER_CONNECTION = 20


def user_room(user_id: int) -> str:
    return f"user:{int(user_id)}"


def topic_room(topic_id: int) -> str:
    return f"topic:{int(topic_id)}"


# --- emitting ------------------------------------------------------------------------------

_external: SocketIO | None = None
_external_lock = threading.Lock()


def _app() -> Flask | None:
    if has_app_context():
        return current_app._get_current_object()
    from forum import tasks

    try:
        return tasks.flask_app()
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


# --- reply broadcast (runs in a task) ------------------------------------------------------


class _NoLikes:
    liked_post_ids: frozenset = frozenset()


def render_reply(post) -> str:
    """A reply's <article> as a reader without special rights sees it (PII masked)."""
    from forum.services.topics import reply_position

    app = _app()
    per_page = app.config["REPLIES_PER_PAGE"]
    page = (reply_position(post) - 1) // per_page + 1
    page_url = f"/topic/{post.topic_id}" + (f"?page={page}" if page > 1 else "")
    # A context and request of its own (a fresh ``g``, so no signed-in user), even when run
    # inline during the author's request: the room gets what any reader sees (PII masked,
    # no author-only buttons).
    with app.app_context(), app.test_request_context("/"):
        return render_template("forum/notifications_reply_article.html", post=post,
                               topic=post.topic, view=_NoLikes(), page_url=page_url)


def reply_event(post) -> dict[str, Any]:
    """The ``reply_created`` payload."""
    return {
        "topic_id": post.topic_id,
        "reply_count": post.topic.reply_count,
        "reply": {
            "id": post.id,
            "author": {"username": post.author.username,
                       "display_name": post.author.display_name},
            "html": render_reply(post),
            "created_at": post.created_at.isoformat(),
            "url": f"/p/{post.id}",
        },
    }


def broadcast_reply(post_id: int) -> bool:
    """Send ``reply_created`` to the topic's room if the reply is public. Returns whether
    something was sent."""
    from forum.models import VISIBLE, Post

    post = db.session.get(Post, post_id)
    if post is not None and presence.count(post.topic_id) == 0:
        return False  # nobody has the topic open (in any process): nothing to render
    if (post is None or post.is_first or post.is_deleted or post.visibility != VISIBLE
            or post.topic.is_deleted or post.topic.visibility != VISIBLE):
        return False
    emit_to_topic(post.topic_id, "reply_created", reply_event(post))
    return True


# --- presence ------------------------------------------------------------------------------


class Presence:
    """Who has which topic open: a sorted set per topic in Redis (member = socket id, score =
    last heartbeat), so every process counts every viewer and a crashed process's viewers
    expire; in memory when there is no Redis (one process) or Redis is unreachable."""

    def __init__(self) -> None:
        self._local: dict[int, set[str]] = {}
        self._lock = threading.Lock()
        self._redis = None
        self._redis_url: str | None = None
        self._prefix = "huzhu:"
        self._warned_at = 0.0

    def configure(self, redis_url: str | None, prefix: str) -> None:
        self._redis_url = redis_url
        self._prefix = prefix
        self._redis = None

    def _client(self):
        if not self._redis_url:
            return None
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(self._redis_url, socket_connect_timeout=1,
                                               socket_timeout=1)
        return self._redis

    def _key(self, topic_id: int) -> str:
        return f"{self._prefix}presence:topic:{topic_id}"

    def _redis_failed(self) -> None:
        if time.monotonic() - self._warned_at > 60:
            self._warned_at = time.monotonic()
            log.warning("presence: Redis unreachable, counting this process only", exc_info=True)

    def add(self, topic_id: int, sid: str) -> int:
        with self._lock:
            self._local.setdefault(topic_id, set()).add(sid)
        client = self._client()
        if client is not None:
            try:
                client.zadd(self._key(topic_id), {sid: time.time()})
                client.expire(self._key(topic_id), int(PRESENCE_TTL_SECONDS * 2))
            except Exception:
                self._redis_failed()
        return self.count(topic_id)

    def remove(self, topic_id: int, sid: str) -> int:
        with self._lock:
            sids = self._local.get(topic_id)
            if sids is not None:
                sids.discard(sid)
                if not sids:
                    del self._local[topic_id]
        client = self._client()
        if client is not None:
            try:
                client.zrem(self._key(topic_id), sid)
            except Exception:
                self._redis_failed()
        return self.count(topic_id)

    def count(self, topic_id: int) -> int:
        client = self._client()
        if client is not None:
            try:
                pipe = client.pipeline()
                pipe.zremrangebyscore(self._key(topic_id), 0, time.time() - PRESENCE_TTL_SECONDS)
                pipe.zcard(self._key(topic_id))
                return int(pipe.execute()[1])
            except Exception:
                self._redis_failed()
        with self._lock:
            return len(self._local.get(topic_id, ()))

    def heartbeat(self) -> None:
        """Refresh this process's viewers so they do not expire while connected."""
        client = self._client()
        if client is None:
            return
        with self._lock:
            snapshot = {t: set(s) for t, s in self._local.items()}
        if not snapshot:
            return
        try:
            now = time.time()
            pipe = client.pipeline()
            for topic_id, sids in snapshot.items():
                pipe.zadd(self._key(topic_id), dict.fromkeys(sids, now))
                pipe.expire(self._key(topic_id), int(PRESENCE_TTL_SECONDS * 2))
            pipe.execute()
        except Exception:
            self._redis_failed()


presence = Presence()

# This process's connections: sid → user id and the topics it has open.
_connections: dict[str, dict[str, Any]] = {}
_connections_lock = threading.Lock()
_heartbeat_started = False


# Topics whose viewer count changed since the last ``presence`` emit. Emits are batched: a
# thousand readers opening a topic must not cost a thousand broadcasts to a thousand readers.
_presence_dirty: set[int] = set()


def _start_heartbeat() -> None:
    global _heartbeat_started
    with _connections_lock:
        if _heartbeat_started:
            return
        _heartbeat_started = True

    def beat():
        since_heartbeat = 0.0
        while True:
            socketio.sleep(PRESENCE_EMIT_SECONDS)
            try:
                _flush_presence()
                since_heartbeat += PRESENCE_EMIT_SECONDS
                if since_heartbeat >= PRESENCE_HEARTBEAT_SECONDS:
                    since_heartbeat = 0.0
                    presence.heartbeat()
            except Exception:  # keep beating: the next round may work
                log.exception("presence update failed")

    socketio.start_background_task(beat)


def _emit_presence(topic_id: int, count: int) -> None:
    """Queue a ``presence`` update for the topic (sent within PRESENCE_EMIT_SECONDS)."""
    with _connections_lock:
        _presence_dirty.add(topic_id)


def _flush_presence() -> None:
    with _connections_lock:
        dirty = list(_presence_dirty)
        _presence_dirty.clear()
    for topic_id in dirty:
        emit_to_topic(topic_id, "presence", {"topic_id": topic_id,
                                             "count": presence.count(topic_id)})


# --- connection handlers -------------------------------------------------------------------


class SocketError(Exception):
    """A refused or malformed client event: reported to the client as an ``error`` event."""


def _user_from_token(token: Any):
    from forum.services.accounts import user_for_token

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
    from forum.models import User

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
    from forum.permissions import is_global_moderator

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
    _start_heartbeat()
    from forum.services.notifications import unread_count

    socketio.emit("unread_count", {"count": unread_count(user.id)}, to=sid)
    return True


def on_disconnect(*_args):
    sid = flask_request.sid
    with _connections_lock:
        info = _connections.pop(sid, None)
    for topic_id in (info or {}).get("topics", ()):
        _emit_presence(topic_id, presence.remove(topic_id, sid))


def on_join_topic(data=None, *_extra):
    from forum.services.topics import get_topic_or_404

    topic_id = _topic_id(data)
    sid, user = _current()
    from forum.errors import NotFound

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
    count = presence.add(topic_id, sid)
    _emit_presence(topic_id, count)
    return {"ok": True, "topic_id": topic_id, "count": count}


def on_leave_topic(data=None, *_extra):
    topic_id = _topic_id(data)
    sid, _user = _current()
    with _connections_lock:
        _connections[sid]["topics"].discard(topic_id)
    leave_room(topic_room(topic_id))
    count = presence.remove(topic_id, sid)
    _emit_presence(topic_id, count)
    return {"ok": True, "topic_id": topic_id, "count": count}


def on_join_moderators(*_args):
    from forum.permissions import is_global_moderator

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
    presence.configure(app.config.get("REDIS_URL"),
                       app.config.get("REDIS_KEY_PREFIX", "huzhu:"))
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    for name, handler in CLIENT_EVENTS.items():
        socketio.on_event(name, _guarded(name, handler))

    @socketio.on_error_default
    def _on_error(exc):  # pragma: no cover - _guarded catches first; a last resort
        log.exception("socket handler failed", exc_info=exc)
        return _refuse(getattr(flask_request, "event", {}).get("message", "?"), "服务器处理出错")


__all__ = ["emit_to_moderators", "emit_to_topic", "emit_to_user", "init_app", "presence"]
