"""rewards: points ledger and rules, check-in, titles, badges, store

Revision ID: 0005_rewards
Revises: 0004_search
Create Date: 2026-11-22 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

import forum.models


# revision identifiers, used by Alembic.
revision = '0005_rewards'
down_revision = '0004_search'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
