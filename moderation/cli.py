"""``flask moderation …``: escalate SLA breaches, sync the queue, draw the review sample."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

group = AppGroup("moderation", help="Moderation: SLA escalation, queue, expert reviews.")


@group.command("escalate")
def escalate() -> None:
    """Escalate tickets past their SLA deadlines (safe to run repeatedly)."""
    from moderation.services import sla

    click.echo(f"escalated {sla.escalate_breaches()} breach(es)")


@group.command("sync-queue")
def sync_queue() -> None:
    """Queue negative scores that have no queue item."""
    from moderation.services import queue

    click.echo(f"queued {queue.sync_from_scores()} post(s)")


@group.command("draw-sample")
def draw_sample() -> None:
    """Draw this week's expert-review sample (idempotent per week)."""
    from moderation.services import reviews

    click.echo(f"drew {reviews.draw_sample(None)} repl(ies)")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
