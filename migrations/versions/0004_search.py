"""search: PostgreSQL full-text documents and the synonym list

Revision ID: 0004_search
Revises: 0003_private_messages
Create Date: 2026-11-23 12:00:00.000000

The tsv column is a tsvector with a GIN index on PostgreSQL; on SQLite (where the whoosh
backend answers) the table exists with a TEXT column and stays empty, so the schema is the
same on both. The synonym list starts with common telecom groups; moderators edit it.
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import forum.models


# revision identifiers, used by Alembic.
revision = '0004_search'
down_revision = '0003_private_messages'
branch_labels = None
depends_on = None

DEFAULT_SYNONYMS = [
    "扣费, 扣钱, 乱扣费, 多扣费, 乱收费",
    "宽带, 光猫, 网络",
    "流量超出, 流量用超, 超流量, 流量超了",
    "信号差, 没信号, 无信号, 信号不好",
    "网速慢, 网速太慢, 网络卡",
    "携号转网, 转网",
    "话费, 电话费",
    "销户, 注销",
    "客服, 人工客服",
]


def upgrade():
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('tribe_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('solved', sa.Boolean(), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('tsv', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=False),
    sa.Column('indexed_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('kind', 'object_id', name='uq_search_documents_kind_object')
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index('ix_search_documents_tribe', ['tribe_id'], unique=False)
        batch_op.create_index('ix_search_documents_tsv', ['tsv'], unique=False, postgresql_using='gin')

    synonyms = op.create_table('search_synonyms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('terms', sa.String(length=400), nullable=False),
    sa.Column('updated_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_search_synonyms_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_synonyms'))
    )
    now = datetime.now(timezone.utc)
    op.bulk_insert(synonyms, [{"terms": terms, "updated_at": now, "updated_by_id": None}
                              for terms in DEFAULT_SYNONYMS])


def downgrade():
    op.drop_table('search_synonyms')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_search_documents_tsv', postgresql_using='gin')
        batch_op.drop_index('ix_search_documents_tribe')

    op.drop_table('search_documents')
