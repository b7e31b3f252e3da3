"""``flask --app forum seed-demo``: idempotent Chinese demo data from real customer dialogues."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app

from forum.demo.dialogues import DATA_FILE
from forum.demo.seed import seed

DEFAULT_LIMIT = 400


def register_demo_seeder(app: Flask, name: str, seeder: Callable[[], str]) -> None:
    """Let a package add its demo data to ``flask seed-demo`` (called from its init_app).

    Seeders run after the forum's own data, in registration order; each must be idempotent
    and return a one-line summary. They may look up the demo users and tribes by name."""
    seeders = app.extensions.setdefault("huzhu_demo_seeders", {})
    seeders.setdefault(name, seeder)


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--limit", type=click.IntRange(min=0), default=DEFAULT_LIMIT, show_default=True,
                  help="How many real dialogues to turn into topics.")
    @click.option("--data", "data_path", type=click.Path(exists=True, dir_okay=False,
                                                         path_type=Path),
                  default=DATA_FILE, show_default=False,
                  help="A dialogues JSONL file (default: the copy shipped in forum/demo/data).")
    @click.option("--quiet", is_flag=True, help="No progress bar.")
    def seed_demo(limit: int, data_path: Path, quiet: bool) -> None:
        """Load demo tribes, users and topics (safe to run twice)."""
        report = seed(limit=limit, data_path=data_path, progress=not quiet)
        click.echo(report.summary())
        for name, seeder in current_app.extensions.get("huzhu_demo_seeders", {}).items():
            click.echo(f"  {name}: {seeder()}")
