"""rewards: leaderboard delta queue; ledger unique key led by the source

The totals are folded in from reward_total_deltas by a periodic roll-up. The unique key now
starts with (source_kind, source_id), which makes the separate source index redundant.

Revision ID: 0012_rewards_total_deltas
Revises: 0011_drafts
Create Date: 2026-11-22 20:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_rewards_total_deltas'
down_revision = '0011_drafts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reward_total_deltas',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('tribe_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_total_deltas'))
    )
    with op.batch_alter_table('reward_ledger', schema=None) as batch_op:
        batch_op.drop_constraint('uq_reward_ledger_award', type_='unique')
        batch_op.create_unique_constraint(
            'uq_reward_ledger_award',
            ['source_kind', 'source_id', 'rule_code', 'actor_id', 'user_id'])
        batch_op.drop_index('ix_reward_ledger_source')


def downgrade():
    with op.batch_alter_table('reward_ledger', schema=None) as batch_op:
        batch_op.create_index('ix_reward_ledger_source', ['source_kind', 'source_id'], unique=False)
        batch_op.drop_constraint('uq_reward_ledger_award', type_='unique')
        batch_op.create_unique_constraint(
            'uq_reward_ledger_award',
            ['rule_code', 'source_kind', 'source_id', 'actor_id', 'user_id'])
    op.drop_table('reward_total_deltas')
