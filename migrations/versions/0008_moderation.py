"""moderation: queue, actions, audit log, canned replies, tickets and SLA

Revision ID: 0008_moderation
Revises: 0007_moderation_keywords
Create Date: 2026-11-22 09:00:00.000000
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import forum.models

# revision identifiers, used by Alembic.
revision = '0008_moderation'
down_revision = '0007_moderation_keywords'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('moderation_ticket_counters',
    sa.Column('day', sa.String(length=8), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_moderation_ticket_counters'))
    )
    op.create_table('moderation_audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.String(length=40), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_moderation_audit_log_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_audit_log'))
    )
    with op.batch_alter_table('moderation_audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_moderation_audit_log_created', ['created_at'], unique=False)
        batch_op.create_index('ix_moderation_audit_log_target', ['target_type', 'target_id'], unique=False)

    op.create_table('moderation_canned_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('demand', sa.String(length=20), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_moderation_canned_replies_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_canned_replies')),
    sa.UniqueConstraint('title', name=op.f('uq_moderation_canned_replies_title'))
    )
    op.create_table('moderation_sla_tiers',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=20), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('first_response_minutes', sa.Integer(), nullable=False),
    sa.Column('resolve_minutes', sa.Integer(), nullable=False),
    sa.Column('updated_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_moderation_sla_tiers_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_moderation_sla_tiers'))
    )
    op.create_table('moderation_expert_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('author_kind', sa.String(length=10), nullable=False),
    sa.Column('scorer_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('sampled_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('scored_at', forum.models.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('score IS NULL OR score BETWEEN 1 AND 5', name=op.f('ck_moderation_expert_reviews_score')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_moderation_expert_reviews_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_moderation_expert_reviews_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scorer_id'], ['users.id'], name=op.f('fk_moderation_expert_reviews_scorer_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_expert_reviews')),
    sa.UniqueConstraint('week', 'post_id', name='uq_moderation_expert_reviews_week_post')
    )
    with op.batch_alter_table('moderation_expert_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_expert_reviews_week'), ['week'], unique=False)

    op.create_table('moderation_queue_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('tribe_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('demand', sa.String(length=20), nullable=True),
    sa.Column('last_action', sa.String(length=20), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('handled_at', forum.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_moderation_queue_items_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], name=op.f('fk_moderation_queue_items_handled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_moderation_queue_items_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tribe_id'], ['tribes.id'], name=op.f('fk_moderation_queue_items_tribe_id_tribes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_queue_items')),
    sa.UniqueConstraint('post_id', name='uq_moderation_queue_items_post')
    )
    with op.batch_alter_table('moderation_queue_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_queue_items_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_moderation_queue_items_created', ['created_at'], unique=False)
        batch_op.create_index('ix_moderation_queue_items_status_tribe', ['status', 'tribe_id'], unique=False)

    op.create_table('moderation_tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('source_post_id', sa.Integer(), nullable=True),
    sa.Column('tribe_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('demand', sa.String(length=20), nullable=True),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('first_response_due', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolve_due', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('first_responded_at', forum.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', forum.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', forum.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_response_breached', sa.Boolean(), nullable=False),
    sa.Column('resolve_breached', sa.Boolean(), nullable=False),
    sa.Column('escalation_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_moderation_tickets_assignee_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_moderation_tickets_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['users.id'], name=op.f('fk_moderation_tickets_customer_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_post_id'], ['posts.id'], name=op.f('fk_moderation_tickets_source_post_id_posts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tribe_id'], ['tribes.id'], name=op.f('fk_moderation_tickets_tribe_id_tribes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_tickets')),
    sa.UniqueConstraint('number', name='uq_moderation_tickets_number'),
    sa.UniqueConstraint('source_post_id', name='uq_moderation_tickets_source_post')
    )
    with op.batch_alter_table('moderation_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_tickets_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_moderation_tickets_created', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_tickets_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_moderation_tickets_status', ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_tickets_tribe_id'), ['tribe_id'], unique=False)

    op.create_table('moderation_ticket_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_moderation_ticket_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['moderation_tickets.id'], name=op.f('fk_moderation_ticket_events_ticket_id_moderation_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_ticket_events'))
    )
    with op.batch_alter_table('moderation_ticket_events', schema=None) as batch_op:
        batch_op.create_index('ix_moderation_ticket_events_ticket', ['ticket_id', 'id'], unique=False)

    op.create_table('moderation_ticket_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_moderation_ticket_ratings_score')),
    sa.ForeignKeyConstraint(['customer_id'], ['users.id'], name=op.f('fk_moderation_ticket_ratings_customer_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['moderation_tickets.id'], name=op.f('fk_moderation_ticket_ratings_ticket_id_moderation_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_ticket_ratings')),
    sa.UniqueConstraint('ticket_id', name='uq_moderation_ticket_ratings_ticket')
    )

    # The SLA tiers of PRODUCT §3 (分级请求满足时限); admins edit them on /moderation/sla.
    tiers = sa.table('moderation_sla_tiers', sa.column('code', sa.String), sa.column('label', sa.String),
                     sa.column('rank', sa.Integer), sa.column('first_response_minutes', sa.Integer),
                     sa.column('resolve_minutes', sa.Integer),
                     sa.column('updated_at', forum.models.UTCDateTime(timezone=True)))
    now = datetime.now(UTC)
    op.bulk_insert(tiers, [
        {'code': 'urgent', 'label': '紧急', 'rank': 1, 'first_response_minutes': 120, 'resolve_minutes': 1440, 'updated_at': now},
        {'code': 'high', 'label': '高', 'rank': 2, 'first_response_minutes': 240, 'resolve_minutes': 2880, 'updated_at': now},
        {'code': 'normal', 'label': '普通', 'rank': 3, 'first_response_minutes': 1440, 'resolve_minutes': 4320, 'updated_at': now},
        {'code': 'low', 'label': '低', 'rank': 4, 'first_response_minutes': 2880, 'resolve_minutes': 10080, 'updated_at': now},
    ])


def downgrade():
    op.drop_table('moderation_ticket_ratings')
    with op.batch_alter_table('moderation_ticket_events', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_ticket_events_ticket')

    op.drop_table('moderation_ticket_events')
    with op.batch_alter_table('moderation_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_tickets_tribe_id'))
        batch_op.drop_index('ix_moderation_tickets_status')
        batch_op.drop_index(batch_op.f('ix_moderation_tickets_customer_id'))
        batch_op.drop_index('ix_moderation_tickets_created')
        batch_op.drop_index(batch_op.f('ix_moderation_tickets_assignee_id'))

    op.drop_table('moderation_tickets')
    with op.batch_alter_table('moderation_queue_items', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_queue_items_status_tribe')
        batch_op.drop_index('ix_moderation_queue_items_created')
        batch_op.drop_index(batch_op.f('ix_moderation_queue_items_author_id'))

    op.drop_table('moderation_queue_items')
    with op.batch_alter_table('moderation_expert_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_expert_reviews_week'))

    op.drop_table('moderation_expert_reviews')
    op.drop_table('moderation_sla_tiers')
    op.drop_table('moderation_canned_replies')
    with op.batch_alter_table('moderation_audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_audit_log_target')
        batch_op.drop_index('ix_moderation_audit_log_created')
        batch_op.drop_index(batch_op.f('ix_moderation_audit_log_actor_id'))

    op.drop_table('moderation_audit_log')
    op.drop_table('moderation_ticket_counters')
