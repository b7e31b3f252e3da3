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
@click.option("--open", "open_items", is_flag=True, help="re-score the posts of open queue "
              "items (after a model change); those no longer negative leave the open queue "
              "as dismissed by the model")
def rescore(everything: bool, open_items: bool) -> None:
    """Score posts that have no score yet (or all posts with --all, or the open queue with
    --open), with a progress bar."""
    from moderation.scoring import services

    if everything:
        ids = services.live_post_ids()
    elif open_items:
        from moderation.models import OPEN, QueueItem

        ids = services.post_ids_of(QueueItem.post_id, QueueItem.status == OPEN)
    else:
        ids = services.unscored_post_ids(limit=None)
    with click.progressbar(length=len(ids), label="scoring", file=None) as bar:
        count = services.rescore_posts(ids, progress=bar.update)
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
