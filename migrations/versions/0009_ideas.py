"""ideas: golden ideas, votes, comments, arena rounds and the idea fund

Revision ID: 0009_ideas
Revises: 0008_moderation
Create Date: 2026-11-22 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

import forum.models


# revision identifiers, used by Alembic.
revision = '0009_ideas'
down_revision = '0008_moderation'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
