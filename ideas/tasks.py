"""Celery tasks of the golden ideas: thin, idempotent wrappers around the services."""

from __future__ import annotations

from forum.jobs import register_periodic, task
from ideas.services.rounds import close_due_rounds

CLOSE_ROUNDS_EVERY_SECONDS = 60.0


@task(name="ideas.close_rounds")
def close_rounds() -> int:
    """Close arena rounds whose deadline has passed and propose their winners. Idempotent:
    a round is closed by a conditional UPDATE, so a repeated or concurrent run is a no-op."""

    return close_due_rounds()


register_periodic("ideas.close_rounds", "ideas.close_rounds",
                  schedule=CLOSE_ROUNDS_EVERY_SECONDS)
