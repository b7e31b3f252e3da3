"""Celery tasks of the rewards package: thin, idempotent wrappers around the services."""

from __future__ import annotations

from forum.jobs import register_periodic, task
from rewards.services import leaderboards
from rewards.services.leaderboards import ROLLUP_EVERY_SECONDS


@task(name="rewards.rollup_leaderboards")
def rollup_leaderboards() -> int:
    """Fold the points awarded since the last run into the leaderboard totals; returns the
    number of queued deltas folded. Safe to run twice at once (each delta counts once)."""

    return leaderboards.rollup_totals()


register_periodic("rewards.rollup_leaderboards", "rewards.rollup_leaderboards",
                  ROLLUP_EVERY_SECONDS)
