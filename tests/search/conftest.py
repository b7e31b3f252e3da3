"""Search fixtures. ``engine`` runs a test on every backend this database offers: whoosh
on SQLite; PostgreSQL full text *and* whoosh on PostgreSQL. The chosen backend is the app's
for the test, so forum events index into it exactly as in production."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from forum.extensions import db
from search.models import SearchSynonym
from search.services.whoosh_backend import WhooshBackend


def _postgres_run() -> bool:
    return bool(os.environ.get("HUZHU_TEST_DATABASE_URL", "").strip())


def pytest_generate_tests(metafunc):
    if "engine" in metafunc.fixturenames:
        if _postgres_run():
            metafunc.parametrize("engine", ["default", "whoosh"], indirect=True,
                                 ids=["postgres", "whoosh"])
        else:
            metafunc.parametrize("engine", ["default"], indirect=True, ids=["whoosh"])


@pytest.fixture
def engine(request, app, tmp_path):
    """The backend under test, installed as the app's, with an empty index."""
    original = app.extensions["search_backend"]
    if request.param == "default":
        backend = original
    else:
        backend = WhooshBackend(tmp_path / "index")
    app.extensions["search_backend"] = backend
    backend.clear()
    try:
        yield backend
    finally:
        app.extensions["search_backend"] = original


@pytest.fixture
def whoosh(app, tmp_path):
    """A whoosh backend of its own (on either database), installed as the app's."""
    original = app.extensions["search_backend"]
    backend = WhooshBackend(tmp_path / "index")
    app.extensions["search_backend"] = backend
    try:
        yield backend
    finally:
        app.extensions["search_backend"] = original


@pytest.fixture(autouse=True)
def _no_default_synonyms(app):
    """Search tests state the synonym groups they rely on: the migration's default groups
    (restored before every test by tests/conftest.py) would widen their queries."""
    db.session.execute(sa.delete(SearchSynonym))
    db.session.commit()
