"""``flask proxies recompute-influence`` and ``flask settle --month YYYY-MM``."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup

from forum import uow
from forum.errors import ValidationError
from rewards.proxies.services import influence, settlement
from rewards.proxies.services.common import parse_month

proxies_cli = AppGroup("proxies", help="Service proxy programme: influence scores.")


@proxies_cli.command("recompute-influence")
@uow.atomic
def recompute_influence() -> None:
    """Recompute every user's influence score now (the nightly task does the same)."""
    started = time.perf_counter()
    changed = influence.recompute_all()
    click.echo(f"influence recomputed: {changed} users changed "
               f"({time.perf_counter() - started:.2f} s)")


@click.command("settle")
@click.option("--month", required=True, help="Asia/Shanghai month, YYYY-MM")
@uow.atomic
def settle(month: str) -> None:
    """Create or refresh the draft commission statements of a month (safe to run twice)."""
    try:
        report = settlement.settle_month(parse_month(month))
    except ValidationError as err:
        raise click.BadParameter(err.message, param_hint="--month") from None
    click.echo(report.summary())


def init_app(app: Flask) -> None:
    app.cli.add_command(proxies_cli)
    app.cli.add_command(settle)
