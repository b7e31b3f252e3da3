"""Celery tasks of the scorer: thin, idempotent wrappers around the services."""

from __future__ import annotations

from forum.tasks import register_periodic, task

RESCORE_EVERY_SECONDS = 300.0


@task(name="moderation.score_post")
def score_post(post_id: int) -> int | None:
    """Score one post as it is now (re-running it just scores again); returns the score."""
    from moderation.scoring import services

    row = services.score_post(post_id)
    return row.score if row is not None else None


@task(name="moderation.rescore_missing")
def rescore_missing(limit: int = 500) -> int:
    """Score posts that have no score (a scoring task failed or was lost)."""
    from moderation.scoring import services

    return services.rescore_missing(limit)


register_periodic("moderation.rescore_missing", "moderation.rescore_missing",
                  schedule=RESCORE_EVERY_SECONDS)
