"""Settings. Embedded defaults need nothing installed; every value is overridable by env vars."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _instance_dir() -> Path:
    return Path(os.environ.get("HUZHU_INSTANCE_DIR", BASE_DIR / "instance")).resolve()


def _database_url(instance_dir: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_dir / 'huzhu.db'}"
    # Heroku-style URLs name the old driver; we ship psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Read at app creation so tests and processes can set env vars first."""

    def __init__(self) -> None:
        self.INSTANCE_DIR = str(_instance_dir())
        self.SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
        self.SQLALCHEMY_DATABASE_URI = _database_url(Path(self.INSTANCE_DIR))
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.REDIS_URL = os.environ.get("REDIS_URL", "").strip() or None
        self.WTF_CSRF_ENABLED = _bool("HUZHU_CSRF", True)
        self.WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
        self.REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool("HUZHU_SECURE_COOKIES", False)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        # Images (forum/services/attachments.py) up to this size; any request body up to it
        # plus room for the multipart envelope (other fields have their own length checks).
        self.UPLOAD_MAX_BYTES = int(float(os.environ.get("HUZHU_UPLOAD_MAX_MB", 5)) * 1024 * 1024)
        self.MAX_CONTENT_LENGTH = self.UPLOAD_MAX_BYTES + 256 * 1024
        # Anti-spam limits (forum/ratelimit.py), Flask-Limiter syntax; counters in Redis when
        # REDIS_URL is set. Login: an account's failures per address and
        # overall, and an address's attempts (see forum/ratelimit.authenticate).
        self.RATE_LIMITS_ENABLED = _bool("HUZHU_RATELIMIT", True)
        self.RATELIMIT_LOGIN_ACCOUNT = os.environ.get("HUZHU_RATELIMIT_LOGIN_ACCOUNT",
                                                      "5 per 15 minutes")
        self.RATELIMIT_LOGIN_ACCOUNT_GLOBAL = os.environ.get(
            "HUZHU_RATELIMIT_LOGIN_ACCOUNT_GLOBAL", "30 per hour")
        self.RATELIMIT_LOGIN_IP = os.environ.get("HUZHU_RATELIMIT_LOGIN_IP", "30 per 15 minutes")
        self.RATELIMIT_REGISTER_IP = os.environ.get("HUZHU_RATELIMIT_REGISTER_IP", "5 per hour")
        self.RATELIMIT_POSTS = os.environ.get("HUZHU_RATELIMIT_POSTS", "6 per minute")
        self.RATELIMIT_MESSAGES = os.environ.get("HUZHU_RATELIMIT_MESSAGES", "20 per minute")
        self.RATELIMIT_TOKENS = os.environ.get("HUZHU_RATELIMIT_TOKENS", "10 per hour")
        # Password reset requests per address and per named account; wrong current passwords
        # on the change-password form per user.
        self.RATELIMIT_PASSWORD_RESET = os.environ.get("HUZHU_RATELIMIT_PASSWORD_RESET",
                                                       "5 per hour")
        self.RATELIMIT_PASSWORD_CHANGE = os.environ.get("HUZHU_RATELIMIT_PASSWORD_CHANGE",
                                                        "10 per hour")
        # New users (forum/services/trust.py): younger than NEW_USER_DAYS or fewer published
        # posts than NEW_USER_MIN_POSTS may put only so many links and images in a post.
        self.NEW_USER_DAYS = int(os.environ.get("HUZHU_NEW_USER_DAYS", 1))
        self.NEW_USER_MIN_POSTS = int(os.environ.get("HUZHU_NEW_USER_MIN_POSTS", 3))
        self.NEW_USER_MAX_LINKS = int(os.environ.get("HUZHU_NEW_USER_MAX_LINKS", 2))
        self.NEW_USER_MAX_IMAGES = int(os.environ.get("HUZHU_NEW_USER_MAX_IMAGES", 1))
        # How many reverse proxies (nginx …) sit in front: their X-Forwarded-For/-Proto are
        # trusted for the client address (rate limits) and https. 0 = served directly.
        self.PROXY_COUNT = int(os.environ.get("HUZHU_PROXY_COUNT", 0))
        # Override the Content-Security-Policy of forum/security.py (rarely needed).
        self.CONTENT_SECURITY_POLICY = os.environ.get("HUZHU_CSP", "").strip() or None
        self.TOPICS_PER_PAGE = int(os.environ.get("HUZHU_TOPICS_PER_PAGE", 20))
        self.REPLIES_PER_PAGE = int(os.environ.get("HUZHU_REPLIES_PER_PAGE", 50))
        self.HOT_TOPICS_DAYS = int(os.environ.get("HUZHU_HOT_TOPICS_DAYS", 7))
        # Seconds to buffer topic view counts before one batched UPDATE.
        self.VIEW_COUNT_FLUSH_SECONDS = float(os.environ.get("HUZHU_VIEW_FLUSH_SECONDS", 10))
        # Anonymous visitors may see home/tribe/topic pages up to this many seconds old
        # (forum/page_cache.py); 0 turns the cache off.
        self.ANON_CACHE_SECONDS = float(os.environ.get("HUZHU_ANON_CACHE_SECONDS", 5))
        self.LOG_LEVEL = os.environ.get("HUZHU_LOG_LEVEL", "INFO")
        # Accounts (issue 17): reset links by e-mail when HUZHU_SMTP_HOST is set (else an
        # administrator issues them); how long links live; how often a display name may change.
        self.SMTP_HOST = os.environ.get("HUZHU_SMTP_HOST", "").strip() or None
        self.SMTP_PORT = int(os.environ.get("HUZHU_SMTP_PORT", 25))
        self.SMTP_USER = os.environ.get("HUZHU_SMTP_USER", "").strip() or None
        self.SMTP_PASSWORD = os.environ.get("HUZHU_SMTP_PASSWORD", "") or None
        self.SMTP_FROM = os.environ.get("HUZHU_SMTP_FROM", "huzhu@localhost").strip()
        self.SMTP_TLS = _bool("HUZHU_SMTP_TLS", False)  # STARTTLS after connecting
        self.PASSWORD_RESET_MINUTES = int(os.environ.get("HUZHU_PASSWORD_RESET_MINUTES", 60))
        self.PASSWORD_RESET_ADMIN_HOURS = int(os.environ.get("HUZHU_PASSWORD_RESET_ADMIN_HOURS",
                                                             24))
        self.DISPLAY_NAME_CHANGE_DAYS = int(os.environ.get("HUZHU_DISPLAY_NAME_CHANGE_DAYS", 30))
        # The site's address in e-mailed links (else the request's own host).
        self.PUBLIC_URL = os.environ.get("HUZHU_PUBLIC_URL", "").strip().rstrip("/") or None
        self.DEMO_DATA_DIR = os.environ.get(
            "HUZHU_DEMO_DATA_DIR", str(BASE_DIR.parent / "shared" / "data")
        )
        # Celery: a Redis broker in production; in the embedded default tasks run in-process.
        self.CELERY = {
            # memory://localhost: kombu warns "No hostname was supplied" for a bare memory://.
            "broker_url": self.REDIS_URL or "memory://localhost/",
            "result_backend": self.REDIS_URL or None,
            "task_always_eager": self.REDIS_URL is None or _bool("HUZHU_TASKS_EAGER", False),
            "task_eager_propagates": True,
            "task_ignore_result": True,
            # A task is acknowledged when it is done, so a worker killed mid-task (OOM, deploy,
            # SIGKILL) leaves it to run again: Redis hands an unacknowledged task out again once
            # the visibility timeout passes (kombu's default is an hour), swept every few
            # seconds, so it reruns within a minute of a worker being up. Tasks are idempotent,
            # and one that runs longer than the timeout may start twice — keep them short.
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "broker_transport_options": {
                "visibility_timeout": int(os.environ.get("HUZHU_CELERY_VISIBILITY_TIMEOUT", 50)),
                "unacked_restore_interval": 5,
                "unacked_restore_throttle": 1,
            },
            "timezone": "Asia/Shanghai",
        }
        # Embedded default only: run the beat schedule (SLA escalation, closing arena rounds,
        # nightly influence …) in a thread of the web process, as there is no beat process.
        self.INPROCESS_BEAT = _bool("HUZHU_INPROCESS_BEAT", True)
        self.SOCKETIO_MESSAGE_QUEUE = self.REDIS_URL
        # The Redis pub/sub channel of the Socket.IO queue and the prefix of Huzhu's own Redis
        # keys (presence): change both to run two sites on one Redis.
        self.SOCKETIO_CHANNEL = os.environ.get("HUZHU_SOCKETIO_CHANNEL", "huzhu-socketio")
        self.REDIS_KEY_PREFIX = os.environ.get("HUZHU_REDIS_PREFIX", "huzhu:")
        # Private messages: how many NEW conversations a user may start per hour (moderators
        # are exempt); 0 or less switches the limit off.
        self.NEW_CONVERSATIONS_PER_HOUR = int(os.environ.get("HUZHU_NEW_CONVERSATIONS_PER_HOUR", 5))
        # Optional packages create_app() loads and initialises (their init_app(app)).
        self.HUZHU_PACKAGES = [name.strip() for name in
                               os.environ.get("HUZHU_PACKAGES",
                                              "rewards,moderation,ideas,search").split(",")
                               if name.strip()]
        # Search: auto = PostgreSQL full text on PostgreSQL, else whoosh (or name one);
        # the whoosh index lives in <instance>/search_index unless HUZHU_SEARCH_INDEX_DIR.
        self.SEARCH_BACKEND = os.environ.get("HUZHU_SEARCH_BACKEND", "auto").strip().lower()
        self.SEARCH_INDEX_DIR = os.environ.get("HUZHU_SEARCH_INDEX_DIR", "").strip() or None
        self.SEARCH_INDEX_PROCS = int(os.environ.get("HUZHU_SEARCH_INDEX_PROCS", 1))
        # Moderation: negativity score (0–100) from which a post enters the queue.
        self.MODERATION_NEGATIVE_THRESHOLD = int(os.environ.get("HUZHU_MODERATION_THRESHOLD", 50))
