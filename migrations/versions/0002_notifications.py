"""notifications: grouping (group_key, count, updated_at), receipts, mute settings

Revision ID: 0002_notifications
Revises: 0001_forum_core
Create Date: 2026-11-23 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import forum.models


# revision identifiers, used by Alembic.
revision = '0002_notifications'
down_revision = '0001_forum_core'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_receipts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('source_key', sa.String(length=160), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_receipts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'source_key', name=op.f('pk_notification_receipts'))
    )
    op.create_table('notification_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('muted', sa.Boolean(), nullable=False),
    sa.Column('updated_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_settings'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_key', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('count', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('updated_at', forum.models.UTCDateTime(timezone=True), nullable=True))
    # Existing notifications were last updated when they were created.
    op.execute("UPDATE notifications SET updated_at = created_at")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=forum.models.UTCDateTime(timezone=True), nullable=False)
        batch_op.create_index('ix_notifications_user_updated', ['user_id', 'updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_updated')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('count')
        batch_op.drop_column('group_key')

    op.drop_table('notification_settings')
    op.drop_table('notification_receipts')
