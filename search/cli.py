"""``flask search …``: rebuild the index, show its state."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from search import services
from search.services import variants

search_cli = AppGroup("search", help="Full-text search: rebuild and inspect the index.")


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the search index from the database (searching keeps working meanwhile)."""
    engine = services.backend()
    total = services.total_to_index()
    click.echo(f"rebuilding the {engine.name} search index from {total} posts …")
    with click.progressbar(length=total, label="indexing", show_pos=True,
                           show_percent=True) as bar:
        count = services.rebuild(progress=bar.update)
    click.echo(f"done: {count} documents indexed")


@search_cli.command("status")
def status() -> None:
    """Which backend answers, and how many documents it holds."""
    engine = services.backend()
    click.echo(f"backend: {engine.name}")
    if engine.name == "whoosh":
        click.echo(f"index directory: {current_app.config['SEARCH_INDEX_DIR']}")
    click.echo(f"documents: {engine.count()}")


@search_cli.command("mine-variants")
def mine_variants() -> None:
    """Mine candidate word variants from the site's text for moderators to approve."""
    texts = variants.site_texts()
    click.echo(f"training word vectors on {len(texts)} texts …")
    found = variants.mine(texts)
    path = variants.save_candidates(found)
    for word, other, score in found[:20]:
        click.echo(f"{word} ↔ {other}  {score:.2f}")
    click.echo(f"{len(found)} candidates written to {path}; moderators approve them on "
               "/admin/search/synonyms")


def init_app(app: Flask) -> None:
    app.cli.add_command(search_cli)
