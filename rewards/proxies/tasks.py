"""Celery tasks of the proxy programme: thin, idempotent wrappers around the services."""

from __future__ import annotations

from celery.schedules import crontab

from forum.jobs import register_periodic, task
from rewards.proxies.services import influence, settlement
from rewards.proxies.services.common import month_bounds, month_of


@task(name="proxies.recompute_influence")
def recompute_influence() -> int:
    """Recompute every user's influence score (PRODUCT §2.4); returns rows changed.
    Idempotent: it reads the current follows, posts and weights every time."""

    return influence.recompute_all()


@task(name="proxies.settle_previous_month")
def settle_previous_month() -> str:
    """Refresh the drafts of last month (Asia/Shanghai) on the first days of a month."""
    from datetime import UTC, datetime, timedelta


    start, _ = month_bounds(month_of(datetime.now(UTC)))
    return settlement.settle_month(month_of(start - timedelta(seconds=1))).summary()


# Nightly at 03:30 Beijing time (19:30 UTC), when the forum is quiet.
register_periodic("proxies.recompute_influence", "proxies.recompute_influence",
                  crontab(minute=30, hour=19))
register_periodic("proxies.settle_previous_month", "proxies.settle_previous_month",
                  crontab(minute=0, hour=20, day_of_month="1,2"))
