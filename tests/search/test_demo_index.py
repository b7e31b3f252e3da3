"""``flask seed-demo`` pauses indexing while the forum's demo posts are written, then rebuilds
the index once; a second seed that added nothing leaves the index as it is."""

from __future__ import annotations

from search.services import rebuild


def test_demo_seed_indexes_everything_once_and_a_second_seed_skips_the_rebuild(app, engine):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--limit", "20", "--quiet"])
    assert first.exit_code == 0, first.output
    assert "documents indexed" in first.output
    indexed = engine.count()
    assert indexed > 20  # topics and their replies
    assert rebuild() == indexed  # the seed's one rebuild left nothing out

    second = runner.invoke(args=["seed-demo", "--limit", "20", "--quiet"])
    assert second.exit_code == 0, second.output
    assert "search: index up to date" in second.output
    assert engine.count() == indexed
