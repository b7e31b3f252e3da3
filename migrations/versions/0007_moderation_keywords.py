"""moderation: keyword library and post scores

Revision ID: 0007_moderation_keywords
Revises: 0006_rewards_proxies
Create Date: 2026-11-22 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

import forum.models


# revision identifiers, used by Alembic.
revision = '0007_moderation_keywords'
down_revision = '0006_rewards_proxies'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
