"""Celery entry point: ``celery -A forum.celery_worker worker`` and ``... beat``.

Builds the Flask app (so every task runs in its app context, with the same configuration as
the web processes: DATABASE_URL, REDIS_URL, SECRET_KEY …) and exposes it as ``celery``.
The beat schedule is ``forum.jobs.BEAT_SCHEDULE``, which packages fill with
``forum.jobs.register_periodic()`` when their tasks modules are imported by create_app().

In a worker, Socket.IO emits go through a write-only client of the Redis message queue
(see forum/realtime.py), so they reach the browsers connected to every web process.
"""

from __future__ import annotations

import os

from celery.signals import worker_process_init

from forum import create_app, jobs
from forum.extensions import db

if not os.environ.get("REDIS_URL", "").strip():
    # Without a broker a separate worker would wait forever: say so instead of idling.
    raise SystemExit("REDIS_URL is not set: in the embedded default tasks run inside the web "
                     "process and no worker is needed. Set REDIS_URL=redis://… to run one.")

flask_app = create_app({"HUZHU_PROCESS": "worker"})
celery = flask_app.extensions["celery"]
celery.conf.beat_schedule = jobs.BEAT_SCHEDULE
app = celery  # ``celery -A forum.celery_worker`` finds either name


@worker_process_init.connect
def _fresh_connections_after_fork(**_kwargs) -> None:
    # A prefork child must not share the parent's pooled database connections.
    with flask_app.app_context():
        db.engine.dispose(close=False)

__all__ = ["app", "celery", "flask_app"]
