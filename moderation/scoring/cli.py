"""``flask moderation rescore`` / ``seed-keywords``: scoring from the command line.

The commands join the ``flask moderation`` group of ``moderation/cli.py`` (one group for the
whole package); the group below is only used if that one is missing.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

moderation_cli = AppGroup("moderation", help="Moderation: scoring and the keyword library.")


@click.command("rescore")
@click.option("--all", "everything", is_flag=True, help="re-score every post, not only "
              "posts without a score")
def rescore(everything: bool) -> None:
    """Score posts that have no score yet (or all posts with --all)."""
    from moderation.scoring import services

    if everything:
        count = services.rescore_all()
    else:
        count = 0
        while True:
            done = services.rescore_missing(500)
            count += done
            if done == 0:
                break
    click.echo(f"scored {count} posts")


@click.command("seed-keywords")
def seed_keywords() -> None:
    """Add the default keyword library's missing terms (existing terms are kept)."""
    from moderation.scoring.services import keywords

    click.echo(f"added {keywords.seed_defaults()} keywords")


def init_app(app: Flask) -> None:
    try:
        from moderation.cli import group
    except ImportError:  # the rest of moderation is not there: use our own group
        group = moderation_cli
        app.cli.add_command(group)
    group.add_command(rescore)
    group.add_command(seed_keywords)
