"""The schema the migrations build is exactly the one the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from forum.extensions import db


def test_migrations_match_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; run 'flask db migrate': {diff}"


def test_migrations_reach_head(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    config = app.extensions["migrate"].migrate.get_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
    assert isinstance(app.extensions["migrate"].migrate, Migrate)
