"""moderation: urgency on post scores, moderators' decisions as labels, model versions

PostScore gains ``intensity`` (0–3) and ``cues`` (the urgency's why); every moderator decision
is kept as a training label; retrained scorers are kept as versions with their figures.

Revision ID: 0013_moderation_learning
Revises: 0012_rewards_total_deltas
Create Date: 2026-12-05 16:30:00.000000
"""
from alembic import op
import sqlalchemy as sa

import forum.models


# revision identifiers, used by Alembic.
revision = '0013_moderation_learning'
down_revision = '0012_rewards_total_deltas'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('moderation_post_scores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('intensity', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('cues', sa.JSON(), server_default='[]', nullable=False))
    op.create_table('moderation_labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('negative', sa.Boolean(), nullable=True),
    sa.Column('demand', sa.String(length=20), nullable=True),
    sa.Column('intensity', sa.Integer(), nullable=True),
    sa.Column('source_action', sa.String(length=20), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['moderator_id'], ['users.id'], name=op.f('fk_moderation_labels_moderator_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_moderation_labels_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_labels'))
    )
    with op.batch_alter_table('moderation_labels', schema=None) as batch_op:
        batch_op.create_index('ix_moderation_labels_post', ['post_id', 'id'], unique=False)
    op.create_table('moderation_model_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('model_json', sa.Text(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('label_count', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_moderation_model_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_model_versions')),
    sa.UniqueConstraint('version', name='uq_moderation_model_versions_version')
    )


def downgrade():
    op.drop_table('moderation_model_versions')
    with op.batch_alter_table('moderation_labels', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_labels_post')
    op.drop_table('moderation_labels')
    with op.batch_alter_table('moderation_post_scores', schema=None) as batch_op:
        batch_op.drop_column('cues')
        batch_op.drop_column('intensity')
