"""Scorer fixtures: the default keyword library (tests start from empty tables) and the real
scorer switched on (tests/moderation/conftest.py switches it off for the queue tests)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def default_keywords(app):
    from moderation.scoring.services import keywords

    keywords.seed_defaults()
    yield
    keywords.clear_cache()


@pytest.fixture(autouse=True)
def scorer_on(manual_scoring):
    """Posts are scored by the real handlers here (the parent conftest turns them off)."""
    from moderation.scoring import handlers

    handlers.connect()
    yield
