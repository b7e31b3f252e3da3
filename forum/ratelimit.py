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
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from forum.errors import RateLimited
from forum.services import accounts

# name → (config key, what the user is told; {wait} is a human duration)
LIMITS: dict[str, tuple[str, str]] = {
    # Failures for one account from one address: stops guessing without letting a stranger
    # elsewhere lock the owner out.
    "login_account": ("RATELIMIT_LOGIN_ACCOUNT", "该账号登录失败次数过多，请 {wait} 后再试"),
    # Failures for one account from everywhere, slower: stops a guesser spread over many
    # addresses. An administrator can lift both (unlock_login) for the locked-out owner.
    "login_account_global": ("RATELIMIT_LOGIN_ACCOUNT_GLOBAL",
                             "该账号登录失败次数过多，已临时锁定，请 {wait} 后再试或联系管理员解锁"),
    "login_ip": ("RATELIMIT_LOGIN_IP", "登录尝试过于频繁，请 {wait} 后再试"),
    "register_ip": ("RATELIMIT_REGISTER_IP", "注册过于频繁，请 {wait} 后再试"),
    "post": ("RATELIMIT_POSTS", "发帖和回复太快了，请 {wait} 后再试（内容已保留）"),
    "message": ("RATELIMIT_MESSAGES", "私信发送太频繁，请 {wait} 后再试（内容已保留）"),
    "token": ("RATELIMIT_TOKENS", "申请令牌太频繁，请 {wait} 后再试"),
    "password_reset": ("RATELIMIT_PASSWORD_RESET", "找回密码请求太频繁，请 {wait} 后再试"),
    "password_change": ("RATELIMIT_PASSWORD_CHANGE", "当前密码输错次数过多，请 {wait} 后再试"),
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
    stats = _storage("get_window_stats", item, name, key)
    wait = max(1, math.ceil(stats.reset_time - time.time()))
    error = RateLimited(LIMITS[name][1].format(wait=_human(wait)))
    error.retry_after = wait
    return error


# Counts in this process while the shared storage (Redis) is unreachable: a limit that holds
# per process beats none at all.
_fallback = MovingWindowRateLimiter(MemoryStorage())


def _storage(method: str, *args):
    """Ask the counters; when their storage (Redis) is unreachable, count in this process's
    memory meanwhile and say so in the log — anti-spam must never stop a customer from
    posting, nor fall silent."""
    try:
        return getattr(limiter.limiter, method)(*args)
    except Exception:
        log.warning("rate-limit storage unreachable: counting %s in process memory", args[1],
                    exc_info=True)
        return getattr(_fallback, method)(*args)


def check(name: str, key: str) -> None:
    """Raise RateLimited when ``name`` is used up for ``key``; count nothing."""
    if not _enabled():
        return
    item = _item(name)
    if not _storage("test", item, name, key):
        raise _refuse(name, item, key)


def hit(name: str, key: str) -> None:
    """Count one use of ``name`` for ``key`` (e.g. a failed login)."""
    if _enabled():
        _storage("hit", _item(name), name, key)


def consume(name: str, key: str) -> None:
    """Count one use, or raise RateLimited (nothing counted) when the limit is reached."""
    if not _enabled():
        return
    item = _item(name)
    if not _storage("hit", item, name, key):
        raise _refuse(name, item, key)


def clear(name: str, key: str) -> None:
    if _enabled():
        _storage("clear", _item(name), name, key)


def reset() -> None:
    """Forget every counter (tests)."""
    limiter.reset()
    _fallback.storage.reset()


def _human(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} 秒"
    if seconds < 5400:
        return f"{math.ceil(seconds / 60)} 分钟"
    return f"{math.ceil(seconds / 3600)} 小时"


def _login_keys(username: str) -> list[tuple[str, str]]:
    account = "account:" + (username or "").strip().lower()
    ip = "ip:" + client_ip()
    return [("login_ip", ip), ("login_account", f"{account}|{ip}"),
            ("login_account_global", account)]


def authenticate(username: str, password: str):
    """``accounts.authenticate`` behind the login limits (429 once exhausted).

    Each attempt takes its slot before the password is checked (one atomic hit per limit:
    Redis runs it as one script, memory under a lock), so simultaneous guesses cannot all
    pass a check that has not counted them yet. A success gives the account's slots back —
    the owner typing the password right is never slowed down — while the address keeps its
    count: one address tries at most RATELIMIT_LOGIN_IP passwords per window."""
    keys = _login_keys(username)
    for name, key in keys:
        consume(name, key)
    user = accounts.authenticate(username, password)  # a failure keeps its slots
    for name, key in keys[1:]:
        clear(name, key)
    return user


def unlock_login(username: str) -> None:
    """Lift the account's global lock (an administrator, for a locked-out owner). The
    per-address counters of other addresses run out by themselves."""
    _, _, (name, key) = _login_keys(username)
    clear(name, key)
