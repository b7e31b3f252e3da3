"""accounts: password change and reset links, profile editing (issue 17)

``users.session_version`` (stamped into session cookies and ``api_tokens.session_version``:
a password change logs out every other session and token), ``users.email`` (where reset
links go), ``users.avatar_name``, ``users.display_name_changed_at`` (the change limit);
``password_resets`` (hashed single-use reset tokens) and ``user_self_tags``.

Revision ID: 0016_accounts_settings
Revises: 0015_polish_redeem_phone
Create Date: 2026-12-06 02:30:00.000000
"""
from alembic import op
import sqlalchemy as sa

import forum.models


# revision identifiers, used by Alembic.
revision = '0016_accounts_settings'
down_revision = '0015_polish_redeem_phone'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('session_version', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch.add_column(sa.Column('avatar_name', sa.String(length=48), nullable=True))
        batch.add_column(sa.Column('display_name_changed_at', forum.models.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('api_tokens') as batch:
        batch.add_column(sa.Column('session_version', sa.Integer(), nullable=False,
                                   server_default='0'))
    op.create_table(
        'password_resets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', forum.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', forum.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_password_resets_user_id', 'password_resets', ['user_id'])
    op.create_table(
        'user_self_tags',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('tag', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'tag'),
    )
    op.create_index('ix_user_self_tags_tag', 'user_self_tags', ['tag'])


def downgrade():
    op.drop_index('ix_user_self_tags_tag', table_name='user_self_tags')
    op.drop_table('user_self_tags')
    op.drop_index('ix_password_resets_user_id', table_name='password_resets')
    op.drop_table('password_resets')
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_column('session_version')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('display_name_changed_at')
        batch.drop_column('avatar_name')
        batch.drop_column('email')
        batch.drop_column('session_version')
