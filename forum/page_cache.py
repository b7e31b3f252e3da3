"""A short-lived page cache for anonymous readers (micro-caching).

Most traffic of a help forum is anonymous reading of the same few pages. For visitors who
are not logged in, home, tribe and topic pages are kept for a few seconds per process and
served without touching the database or the templates. Any write in this process (every
forum event) empties the cache at once; other processes catch up within the TTL, which
bounds how stale an anonymous page can be (config ``ANON_CACHE_SECONDS``, 0 turns it off).
Logged-in users always get fresh pages.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps

from flask import Response, current_app, request, session
from flask_login import current_user

from forum import events

MAX_ENTRIES = 2048


class PageCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, bytes, str]] = OrderedDict()
        self._max = max_entries

    def get(self, key: str) -> tuple[bytes, str] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, body, mimetype = entry
            if expires < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return body, mimetype

    def put(self, key: str, body: bytes, mimetype: str, ttl: float) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + ttl, body, mimetype)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def clear(self, *_args, **_kwargs) -> None:
        with self._lock:
            self._entries.clear()


page_cache = PageCache()

# Every forum event changes what some page shows: drop everything this process cached.
for _signal in events.signals.values():
    _signal.connect(page_cache.clear, weak=False)


def _cacheable_request() -> bool:
    return (
        request.method == "GET"
        and not current_user.is_authenticated
        and not session.get("_flashes")  # a pending flash message belongs to one visitor
        and current_app.config.get("ANON_CACHE_SECONDS", 0) > 0
    )


def cache_for_anonymous(on_hit: Callable[..., None] | None = None):
    """Serve a view's 200 responses to anonymous visitors from the page cache.

    ``on_hit(**view_kwargs)`` runs on a cache hit for side effects the view would have had
    (e.g. counting a topic view).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not _cacheable_request():
                return view(*args, **kwargs)
            key = request.full_path
            hit = page_cache.get(key)
            if hit is not None:
                if on_hit is not None:
                    on_hit(**kwargs)
                body, mimetype = hit
                return Response(body, mimetype=mimetype, headers={"X-Huzhu-Cache": "hit"})
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code == 200 and not response.direct_passthrough:
                page_cache.put(key, response.get_data(), response.mimetype,
                               current_app.config["ANON_CACHE_SECONDS"])
            return response

        return wrapped

    return decorator
