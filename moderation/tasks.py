"""Moderation's background tasks: thin, idempotent wrappers around the services."""

from __future__ import annotations

from celery.schedules import crontab

from forum.jobs import register_periodic, task
from moderation.services import model_versions, queue, reviews, sla


@task(name="moderation.escalate_sla")
def escalate_sla() -> int:
    """Escalate tickets past their SLA deadlines (each breach once)."""

    return sla.escalate_breaches()


@task(name="moderation.sync_queue")
def sync_queue() -> int:
    """Queue negative scores whose ``post_scored`` signal was missed."""

    return queue.sync_from_scores()


@task(name="moderation.draw_review_sample")
def draw_review_sample() -> int:
    """Draw this week's random sample of staff and proxy replies for expert scoring
    (a second run in the same week adds nothing)."""

    return reviews.draw_sample(None)


@task(name="moderation.retrain_scorer")
def retrain_scorer() -> str:
    """Monthly retrain (MODERATION_MONTHLY_RETRAIN): too few labels is a normal outcome."""

    try:
        result = model_versions.retrain()
    except model_versions.RetrainRefused as err:
        return err.message
    return f"{result.candidate.version} {'activated' if result.activated else 'kept inactive'}"


def register_monthly_retrain(app) -> None:
    """Off by default: a retrain takes a minute of CPU on a worker."""
    if app.config.get("MODERATION_MONTHLY_RETRAIN"):
        register_periodic("moderation.retrain_scorer", "moderation.retrain_scorer",
                          schedule=crontab(minute=30, hour=3, day_of_month=1))


register_periodic("moderation.escalate_sla", "moderation.escalate_sla", schedule=300.0)
register_periodic("moderation.sync_queue", "moderation.sync_queue", schedule=600.0)
register_periodic("moderation.draw_review_sample", "moderation.draw_review_sample",
                  schedule=crontab(minute=0, hour=1, day_of_week="mon"))
