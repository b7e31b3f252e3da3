"""``flask --app forum seed-demo``: idempotent Chinese demo data from real customer dialogues."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app

from forum.demo.bulk import bulk_load
from forum.demo.dialogues import DATA_FILE
from forum.demo.seed import seed
from forum.extensions import db

DEFAULT_LIMIT = 400


def register_demo_seeder(app: Flask, name: str, seeder: Callable[..., str], *,
                         pause: Callable[[], None] | None = None,
                         resume: Callable[[], None] | None = None) -> None:
    """Let a package add its demo data to ``flask seed-demo`` (called from its init_app).

    Seeders run after the forum's own data, in registration order; each must be idempotent
    and return a one-line summary. They may look up the demo users and tribes by name. A
    seeder that takes a ``progress`` argument gets True when a progress bar may be shown.

    ``pause`` / ``resume``: stop the package's event handlers while the forum's thousands of
    demo posts and likes are written, and start them again before the seeders run; the
    package's seeder then catches up in one go (a batched backfill, one rebuild) instead of
    one small unit of work per post."""
    seeders = app.extensions.setdefault("huzhu_demo_seeders", {})
    seeders.setdefault(name, seeder)
    if pause is not None and resume is not None:
        app.extensions.setdefault("huzhu_demo_bulk_hooks", {}).setdefault(name, (pause, resume))


def run_seeders(progress: bool = False) -> list[tuple[str, str, float]]:
    """Every registered seeder in order: (name, summary, seconds)."""
    done = []
    for name, seeder in current_app.extensions.get("huzhu_demo_seeders", {}).items():
        started = time.perf_counter()
        if "progress" in inspect.signature(seeder).parameters:
            summary = seeder(progress=progress)
        else:
            summary = seeder()
        db.session.commit()  # the seed command is the edge: each seeder is one unit of work
        done.append((name, summary, time.perf_counter() - started))
    return done


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
        started = time.perf_counter()
        with bulk_load():
            report = seed(limit=limit, data_path=data_path, progress=not quiet)
        click.echo(report.summary())
        for name, summary, seconds in run_seeders(progress=not quiet):
            click.echo(f"  {name}: {summary} ({seconds:.1f} s)")
        click.echo(f"演示数据用时 {time.perf_counter() - started:.1f} s (demo data took)")
