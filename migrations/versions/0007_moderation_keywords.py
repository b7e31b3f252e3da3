"""moderation: keyword library and post scores

Revision ID: 0007_moderation_keywords
Revises: 0006_rewards_proxies
Create Date: 2026-11-22 09:00:00.000000

Seeds the default keyword library from moderation/scoring/data/default_keywords.json (terms
picked from real customer posts to operators' Weibo accounts); moderators edit it later.
"""
import json
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

import forum.models

# revision identifiers, used by Alembic.
revision = '0007_moderation_keywords'
down_revision = '0006_rewards_proxies'
branch_labels = None
depends_on = None

DEFAULT_LIBRARY = (Path(__file__).resolve().parents[2] / "moderation" / "scoring" / "data"
                   / "default_keywords.json")


def upgrade():
    keywords = op.create_table('moderation_keywords',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=40), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_moderation_keywords_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_keywords')),
    sa.UniqueConstraint('term', name='uq_moderation_keywords_term')
    )
    with op.batch_alter_table('moderation_keywords', schema=None) as batch_op:
        batch_op.create_index('ix_moderation_keywords_category', ['category'], unique=False)

    op.create_table('moderation_post_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('negative', sa.Boolean(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('demand', sa.String(length=20), nullable=False),
    sa.Column('relevance', sa.Integer(), nullable=False),
    sa.Column('sentiment', sa.Integer(), nullable=False),
    sa.Column('model_version', sa.String(length=40), nullable=False),
    sa.Column('scored_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_moderation_post_scores_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_post_scores')),
    sa.UniqueConstraint('post_id', name='uq_moderation_post_scores_post')
    )
    with op.batch_alter_table('moderation_post_scores', schema=None) as batch_op:
        batch_op.create_index('ix_moderation_post_scores_negative_scored', ['negative', 'scored_at'], unique=False)

    now = datetime.now(UTC)
    data = json.loads(DEFAULT_LIBRARY.read_text(encoding="utf-8"))
    op.bulk_insert(keywords, [
        {"term": term, "weight": weight, "category": category, "kind": kind,
         "created_at": now, "updated_at": now, "updated_by_id": None}
        for term, weight, category, kind in data["keywords"]])


def downgrade():
    with op.batch_alter_table('moderation_post_scores', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_post_scores_negative_scored')

    op.drop_table('moderation_post_scores')
    with op.batch_alter_table('moderation_keywords', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_keywords_category')

    op.drop_table('moderation_keywords')
