"""Anti-spam rate limits (issue 8 §4), on Flask-Limiter's storage and moving-window strategy.

Counters live in Redis when ``REDIS_URL`` is set (shared by every process) and in memory
otherwise. Limits are checked inside the views and API handlers rather than by route
decorators, so a refused form is shown again with what the user typed and why, and a failed
login is counted while a successful one is not.

    ratelimit.consume("post", ratelimit.user_key(user))   # raises RateLimited (429)

Every limit is a Flask-Limiter string ("6 per minute") from the config, overridable by
environment variables (config.py, HUZHU_RATELIMIT_*); ``HUZHU_RATELIMIT=false`` turns them off.
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits import parse

from forum.errors import RateLimited

# name → (config key, what the user is told; {wait} is a human duration)
LIMITS: dict[str, tuple[str, str]] = {
    "login_account": ("RATELIMIT_LOGIN_ACCOUNT", "该账号登录失败次数过多，请 {wait} 后再试"),
    "login_ip": ("RATELIMIT_LOGIN_IP", "登录尝试过于频繁，请 {wait} 后再试"),
    "register_ip": ("RATELIMIT_REGISTER_IP", "注册过于频繁，请 {wait} 后再试"),
    "post": ("RATELIMIT_POSTS", "发帖和回复太快了，请 {wait} 后再试（内容已保留）"),
    "message": ("RATELIMIT_MESSAGES", "私信发送太频繁，请 {wait} 后再试（内容已保留）"),
    "token": ("RATELIMIT_TOKENS", "申请令牌太频繁，请 {wait} 后再试"),
}

log = logging.getLogger(__name__)

limiter = Limiter(key_func=lambda: client_ip(), strategy="moving-window",
                  default_limits=[], headers_enabled=False)


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config.get("REDIS_KEY_PREFIX", "huzhu:")
                          + "rl")
    # Redis down must not take posting down with it: count in memory meanwhile.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)


def client_ip() -> str:
    # Behind a reverse proxy set HUZHU_PROXY_COUNT (create_app wraps the app in werkzeug's
    # ProxyFix) so remote_addr is the client's address, not the proxy's.
    return request.remote_addr or "unknown"


def user_key(user) -> str:
    return f"user:{user.id}"


def _enabled() -> bool:
    return bool(current_app.config.get("RATE_LIMITS_ENABLED", True))


def _item(name: str):
    return parse(current_app.config[LIMITS[name][0]])


def _refuse(name: str, item, key: str) -> RateLimited:
    stats = limiter.limiter.get_window_stats(item, name, key)
    wait = max(1, math.ceil(stats.reset_time - time.time()))
    error = RateLimited(LIMITS[name][1].format(wait=_human(wait)))
    error.retry_after = wait
    return error


def _storage(call, *args) -> bool:
    """Ask the counters; when their storage (Redis) is unreachable, let the request through
    and say so in the log — anti-spam must never stop a customer from posting."""
    try:
        return call(*args)
    except Exception:
        log.warning("rate-limit storage unreachable: %s not enforced", args[1], exc_info=True)
        return True


def check(name: str, key: str) -> None:
    """Raise RateLimited when ``name`` is used up for ``key``; count nothing."""
    if not _enabled():
        return
    item = _item(name)
    if not _storage(limiter.limiter.test, item, name, key):
        raise _refuse(name, item, key)


def hit(name: str, key: str) -> None:
    """Count one use of ``name`` for ``key`` (e.g. a failed login)."""
    if _enabled():
        _storage(limiter.limiter.hit, _item(name), name, key)


def consume(name: str, key: str) -> None:
    """Count one use, or raise RateLimited (nothing counted) when the limit is reached."""
    if not _enabled():
        return
    item = _item(name)
    if not _storage(limiter.limiter.hit, item, name, key):
        raise _refuse(name, item, key)


def reset() -> None:
    """Forget every counter (tests)."""
    limiter.reset()


def _human(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} 秒"
    if seconds < 5400:
        return f"{math.ceil(seconds / 60)} 分钟"
    return f"{math.ceil(seconds / 3600)} 小时"


def authenticate(username: str, password: str):
    """``accounts.authenticate`` behind the login limits: refused (429) once an account or
    an IP address has too many recent failures; only failures count, so a user who types
    the password right is never slowed down by their own successful logins."""
    from forum.errors import Unauthorized
    from forum.services import accounts

    account_key = "account:" + (username or "").strip().lower()
    ip_key = "ip:" + client_ip()
    check("login_ip", ip_key)
    check("login_account", account_key)
    try:
        return accounts.authenticate(username, password)
    except Unauthorized:
        hit("login_ip", ip_key)
        hit("login_account", account_key)
        raise
