"""Who has which topic open ("N 人正在浏览"), counted across processes in Redis, and the
batched ``presence`` updates sent to a topic's room."""

from __future__ import annotations

import logging
import threading
import time

import redis

from forum.extensions import socketio
from forum.realtime.emit import emit_to_topic

log = logging.getLogger(__name__)

PRESENCE_TTL_SECONDS = 90.0
PRESENCE_HEARTBEAT_SECONDS = 30.0
PRESENCE_EMIT_SECONDS = 1.0

_lock = threading.Lock()
_heartbeat_started = False


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


# Topics whose viewer count changed since the last ``presence`` emit. Emits are batched: a
# thousand readers opening a topic must not cost a thousand broadcasts to a thousand readers.
_presence_dirty: set[int] = set()


def start_heartbeat() -> None:
    """Start this process's background loop (once): batched ``presence`` updates, and the
    Redis heartbeat that keeps this process's viewers from expiring."""
    global _heartbeat_started
    with _lock:
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


def changed(topic_id: int) -> None:
    """Queue a ``presence`` update for the topic (sent within PRESENCE_EMIT_SECONDS)."""
    with _lock:
        _presence_dirty.add(topic_id)


def _flush_presence() -> None:
    with _lock:
        dirty = list(_presence_dirty)
        _presence_dirty.clear()
    for topic_id in dirty:
        emit_to_topic(topic_id, "presence", {"topic_id": topic_id,
                                             "count": presence.count(topic_id)})
