"""``flask moderation …``: escalate SLA breaches, sync the queue, draw the review sample."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from forum import uow
from forum.errors import DomainError
from moderation.services import model_versions, queue, reviews, sla

group = AppGroup("moderation", help="Moderation: SLA escalation, queue, expert reviews.")


@group.command("escalate")
@uow.atomic
def escalate() -> None:
    """Escalate tickets past their SLA deadlines (safe to run repeatedly)."""
    click.echo(f"escalated {sla.escalate_breaches()} breach(es)")


@group.command("sync-queue")
@uow.atomic
def sync_queue() -> None:
    """Queue negative scores that have no queue item."""
    click.echo(f"queued {queue.sync_from_scores()} post(s)")


@group.command("draw-sample")
@uow.atomic
def draw_sample() -> None:
    """Draw this week's expert-review sample (idempotent per week)."""
    click.echo(f"drew {reviews.draw_sample(None)} repl(ies)")


def _figures(metrics: dict) -> str:
    return ", ".join(f"{k} {v:.3f}" for k, v in metrics.items())


@group.command("retrain")
def retrain() -> None:
    """Train a scorer on the shipped data plus moderators' decisions; activate it only if it
    is no worse than the active one on every metric."""
    try:
        result = model_versions.retrain()
    except model_versions.RetrainRefused as err:
        raise click.ClickException(err.message) from None
    click.echo(f"trained {result.candidate.version} on {result.label_count} site label(s)")
    click.echo(f"  candidate: {_figures(result.candidate_metrics)}")
    click.echo(f"  active:    {_figures(result.active_metrics)}")
    if result.activated:
        click.echo(f"activated {result.candidate.version}; run `flask moderation rescore "
                   "--open` to rescore the open queue")
    else:
        click.echo(f"kept the active model: the candidate is worse on {', '.join(result.worse)}")


@group.command("rollback")
@click.argument("version", required=False)
@uow.atomic
def rollback(version: str | None) -> None:
    """Reactivate VERSION (default: the version before the active one)."""
    try:
        row = model_versions.rollback(None, version)
    except DomainError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"activated {row.version}; run `flask moderation rescore --open` to rescore "
               "the open queue")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
