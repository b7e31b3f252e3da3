"""``flask ideas …``: maintenance commands of the golden ideas."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from forum import uow
from ideas.services.rounds import close_due_rounds

ideas_cli = AppGroup("ideas", help="Golden ideas (金点子).")


@ideas_cli.command("close-rounds")
@uow.atomic
def close_rounds_command() -> None:
    """Close arena rounds whose deadline has passed (what the periodic task does)."""
    click.echo(f"closed {close_due_rounds()} round(s)")


def init_app(app: Flask) -> None:
    app.cli.add_command(ideas_cli)
