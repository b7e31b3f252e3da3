"""rewards: service proxy programme, circles, commission and settlement

Revision ID: 0006_rewards_proxies
Revises: 0005_rewards
Create Date: 2026-11-22 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

import forum.models


# revision identifiers, used by Alembic.
revision = '0006_rewards_proxies'
down_revision = '0005_rewards'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
