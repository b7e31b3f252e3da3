"""rewards: store items that credit a phone number (流量包, 话费) ask for it on redemption

``reward_items.needs_phone`` marks such items (existing items whose name says 流量 or 话费
are marked); ``reward_orders.phone`` keeps the mainland mobile number the customer gave.

Revision ID: 0015_polish_redeem_phone
Revises: 0014_search_variants
Create Date: 2026-12-05 21:10:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_polish_redeem_phone'
down_revision = '0014_search_variants'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reward_items') as batch:
        batch.add_column(sa.Column('needs_phone', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table('reward_orders') as batch:
        batch.add_column(sa.Column('phone', sa.String(length=11), nullable=True))
    items = sa.table('reward_items', sa.column('name', sa.String),
                     sa.column('needs_phone', sa.Boolean))
    op.execute(items.update().where(sa.or_(items.c.name.like('%流量%'),
                                           items.c.name.like('%话费%')))
               .values(needs_phone=True))


def downgrade():
    with op.batch_alter_table('reward_orders') as batch:
        batch.drop_column('phone')
    with op.batch_alter_table('reward_items') as batch:
        batch.drop_column('needs_phone')
