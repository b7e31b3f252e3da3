"""moderation: queue, actions, audit log, canned replies, tickets and SLA

Revision ID: 0008_moderation
Revises: 0007_moderation_keywords
Create Date: 2026-11-22 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

import forum.models


# revision identifiers, used by Alembic.
revision = '0008_moderation'
down_revision = '0007_moderation_keywords'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
