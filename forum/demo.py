"""``flask seed-demo``: idempotent Chinese demo data from the real posts in shared/data."""

from __future__ import annotations

import click
from flask import Flask


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load demo tribes, users and topics (safe to run twice)."""
        click.echo("not yet")
