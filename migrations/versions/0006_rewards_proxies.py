"""rewards: service proxy programme, circles, commission and settlement

Revision ID: 0006_rewards_proxies
Revises: 0005_rewards
Create Date: 2026-11-22 09:00:00.000000

Proxy profiles (lifecycle, staff ratings, assigned tribes) with their status history, the
influence weights (integer thousandths), service circles and their members (one circle per
user: the member's user id is the primary key), commission rules (fen), the append-only
commission ledger (unique rule + source + proxy) and monthly statements. Default weights and
rules are created on first use by rewards.proxies.services, so an empty table is valid.
"""
from alembic import op
import sqlalchemy as sa

import forum.models


# revision identifiers, used by Alembic.
revision = '0006_rewards_proxies'
down_revision = '0005_rewards'
branch_labels = None
depends_on = None


# Database-level guards (besides the service checks): an approved or paid statement cannot
# change (only approved → paid), and a commission entry's amount, rule, source and proxy never
# change (the ledger is append-only), nor can it leave or join a frozen statement. UPDATE
# only: deleting rows (tests emptying tables, a user's cascade) stays possible.
_FROZEN_STATEMENT = (
    "OLD.status IN ('approved', 'paid') AND ("
    "NEW.total_fen <> OLD.total_fen OR NEW.entry_count <> OLD.entry_count "
    "OR NEW.proxy_id <> OLD.proxy_id OR NEW.month <> OLD.month "
    "OR (NEW.status <> OLD.status AND NOT (OLD.status = 'approved' AND NEW.status = 'paid')))"
)
_FROZEN_ENTRY = (
    "NEW.amount_fen <> OLD.amount_fen OR NEW.rule <> OLD.rule OR NEW.source <> OLD.source "
    "OR NEW.proxy_id <> OLD.proxy_id OR ("
    "{distinct} AND EXISTS (SELECT 1 FROM commission_statements s WHERE s.id IN "
    "(OLD.statement_id, NEW.statement_id) AND s.status IN ('approved', 'paid')))"
)


def _create_guards():
    if op.get_bind().dialect.name == "postgresql":
        entry = _FROZEN_ENTRY.format(distinct="NEW.statement_id IS DISTINCT FROM OLD.statement_id")
        for name, table, condition, message in (
                ("commission_statement_frozen", "commission_statements", _FROZEN_STATEMENT,
                 "approved or paid commission statements are immutable"),
                ("commission_entry_frozen", "commission_entries", entry,
                 "commission entries are append-only")):
            op.execute(f"""
                CREATE FUNCTION {name}() RETURNS trigger AS $$
                BEGIN
                    IF {condition} THEN RAISE EXCEPTION '{message}'; END IF;
                    RETURN NEW;
                END $$ LANGUAGE plpgsql""")
            op.execute(f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION {name}()")
    else:
        entry = _FROZEN_ENTRY.format(distinct="NEW.statement_id IS NOT OLD.statement_id")
        op.execute("CREATE TRIGGER commission_statement_frozen BEFORE UPDATE ON "
                   f"commission_statements WHEN {_FROZEN_STATEMENT} BEGIN SELECT RAISE(ABORT, "
                   "'approved or paid commission statements are immutable'); END")
        op.execute("CREATE TRIGGER commission_entry_frozen BEFORE UPDATE ON commission_entries "
                   f"WHEN {entry} BEGIN SELECT RAISE(ABORT, "
                   "'commission entries are append-only'); END")


def _drop_guards():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table in (("commission_statement_frozen", "commission_statements"),
                        ("commission_entry_frozen", "commission_entries")):
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")


def upgrade():
    op.create_table('commission_rules',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount_fen >= 0', name=op.f('ck_commission_rules_amount_nonneg')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_commission_rules_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_commission_rules'))
    )
    op.create_table('commission_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proxy_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('entry_count', sa.Integer(), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved_at', forum.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('paid_at', forum.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paid_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'approved', 'paid')", name=op.f('ck_commission_statements_status_known')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_commission_statements_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['paid_by_id'], ['users.id'], name=op.f('fk_commission_statements_paid_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proxy_id'], ['users.id'], name=op.f('fk_commission_statements_proxy_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_statements')),
    sa.UniqueConstraint('proxy_id', 'month', name='uq_commission_statements_proxy_month')
    )
    with op.batch_alter_table('commission_statements', schema=None) as batch_op:
        batch_op.create_index('ix_commission_statements_month', ['month'], unique=False)

    op.create_table('proxy_circles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proxy_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('member_count', sa.Integer(), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('member_count >= 0', name=op.f('ck_proxy_circles_member_count_nonneg')),
    sa.ForeignKeyConstraint(['proxy_id'], ['users.id'], name=op.f('fk_proxy_circles_proxy_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proxy_circles'))
    )
    with op.batch_alter_table('proxy_circles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proxy_circles_proxy_id'), ['proxy_id'], unique=False)

    op.create_table('proxy_influence_weights',
    sa.Column('factor', sa.String(length=16), nullable=False),
    sa.Column('weight_milli', sa.Integer(), nullable=False),
    sa.Column('updated_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_proxy_influence_weights_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('factor', name=op.f('pk_proxy_influence_weights'))
    )
    op.create_table('proxy_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('rating_cooperation', sa.Integer(), nullable=True),
    sa.Column('rating_communication', sa.Integer(), nullable=True),
    sa.Column('rating_pr', sa.Integer(), nullable=True),
    sa.Column('rated_by_id', sa.Integer(), nullable=True),
    sa.Column('rated_at', forum.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('candidate', 'invited', 'active', 'suspended', 'retired')", name=op.f('ck_proxy_profiles_status_known')),
    sa.ForeignKeyConstraint(['rated_by_id'], ['users.id'], name=op.f('fk_proxy_profiles_rated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_proxy_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_proxy_profiles'))
    )
    with op.batch_alter_table('proxy_profiles', schema=None) as batch_op:
        batch_op.create_index('ix_proxy_profiles_status', ['status'], unique=False)

    op.create_table('proxy_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_proxy_status_changes_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_proxy_status_changes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proxy_status_changes'))
    )
    with op.batch_alter_table('proxy_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proxy_status_changes_user_id'), ['user_id'], unique=False)

    op.create_table('commission_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proxy_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('tribe_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proxy_id'], ['users.id'], name=op.f('fk_commission_entries_proxy_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['statement_id'], ['commission_statements.id'], name=op.f('fk_commission_entries_statement_id_commission_statements'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tribe_id'], ['tribes.id'], name=op.f('fk_commission_entries_tribe_id_tribes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_entries')),
    sa.UniqueConstraint('rule', 'source', 'proxy_id', name='uq_commission_entries_rule_source_proxy')
    )
    with op.batch_alter_table('commission_entries', schema=None) as batch_op:
        batch_op.create_index('ix_commission_entries_proxy_created', ['proxy_id', 'created_at'], unique=False)
        batch_op.create_index('ix_commission_entries_statement', ['statement_id'], unique=False)

    op.create_table('proxy_circle_members',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['proxy_circles.id'], name=op.f('fk_proxy_circle_members_circle_id_proxy_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_proxy_circle_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_proxy_circle_members'))
    )
    with op.batch_alter_table('proxy_circle_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proxy_circle_members_circle_id'), ['circle_id'], unique=False)

    op.create_table('proxy_tribes',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('tribe_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tribe_id'], ['tribes.id'], name=op.f('fk_proxy_tribes_tribe_id_tribes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['proxy_profiles.user_id'], name=op.f('fk_proxy_tribes_user_id_proxy_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'tribe_id', name=op.f('pk_proxy_tribes'))
    )
    with op.batch_alter_table('proxy_tribes', schema=None) as batch_op:
        batch_op.create_index('ix_proxy_tribes_tribe_id', ['tribe_id'], unique=False)

    _create_guards()

def downgrade():
    _drop_guards()
    with op.batch_alter_table('proxy_tribes', schema=None) as batch_op:
        batch_op.drop_index('ix_proxy_tribes_tribe_id')

    op.drop_table('proxy_tribes')
    with op.batch_alter_table('proxy_circle_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proxy_circle_members_circle_id'))

    op.drop_table('proxy_circle_members')
    with op.batch_alter_table('commission_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_commission_entries_statement')
        batch_op.drop_index('ix_commission_entries_proxy_created')

    op.drop_table('commission_entries')
    with op.batch_alter_table('proxy_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proxy_status_changes_user_id'))

    op.drop_table('proxy_status_changes')
    with op.batch_alter_table('proxy_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_proxy_profiles_status')

    op.drop_table('proxy_profiles')
    op.drop_table('proxy_influence_weights')
    with op.batch_alter_table('proxy_circles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proxy_circles_proxy_id'))

    op.drop_table('proxy_circles')
    with op.batch_alter_table('commission_statements', schema=None) as batch_op:
        batch_op.drop_index('ix_commission_statements_month')

    op.drop_table('commission_statements')
    op.drop_table('commission_rules')
