"""ideas: golden ideas, votes, comments, arena rounds and the idea fund

Revision ID: 0009_ideas
Revises: 0008_moderation
Create Date: 2026-11-22 09:00:00.000000

The fund is one row (id 1) created here with a zero balance; its CHECK constraint keeps
the balance from going negative and grants move it with a conditional UPDATE.
"""
import sqlalchemy as sa
from alembic import op

import forum.models

# revision identifiers, used by Alembic.
revision = '0009_ideas'
down_revision = '0008_moderation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('idea_fund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('balance', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('balance >= 0', name=op.f('ck_idea_fund_balance_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_fund'))
    )
    op.create_table('arena_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('deadline', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('budget', sa.BigInteger(), nullable=False),
    sa.Column('winners_max', sa.Integer(), nullable=False),
    sa.Column('granted', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', forum.models.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('budget > 0', name=op.f('ck_arena_rounds_budget_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_arena_rounds_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arena_rounds'))
    )
    with op.batch_alter_table('arena_rounds', schema=None) as batch_op:
        batch_op.create_index('ix_arena_rounds_state_deadline', ['state', 'deadline'], unique=False)

    op.create_table('idea_owners',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idea_owners_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'category', name=op.f('pk_idea_owners'))
    )
    op.create_table('ideas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('proposal', sa.Text(), nullable=False),
    sa.Column('proposal_html', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('is_draft', sa.Boolean(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('vote_count', sa.Integer(), nullable=False),
    sa.Column('comment_count', sa.Integer(), nullable=False),
    sa.Column('fund_amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', forum.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('state_changed_at', forum.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_ideas_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['ideas.id'], name=op.f('fk_ideas_merged_into_id_ideas'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas'))
    )
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index('ix_ideas_author_id', ['author_id'], unique=False)
        batch_op.create_index('ix_ideas_state_category', ['state', 'category'], unique=False)

    op.create_table('idea_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_idea_comments_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_comments_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['idea_comments.id'], name=op.f('fk_idea_comments_parent_id_idea_comments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_comments'))
    )
    with op.batch_alter_table('idea_comments', schema=None) as batch_op:
        batch_op.create_index('ix_idea_comments_idea_id', ['idea_id', 'id'], unique=False)

    op.create_table('idea_fund_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=True),
    sa.Column('idea_id', sa.Integer(), nullable=True),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_idea_fund_entries_amount_not_zero')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_idea_fund_entries_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_fund_entries_idea_id_ideas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['arena_rounds.id'], name=op.f('fk_idea_fund_entries_round_id_arena_rounds'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_fund_entries')),
    sa.UniqueConstraint('key', name='uq_idea_fund_entries_key')
    )
    op.create_table('idea_state_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('from_state', sa.String(length=16), nullable=False),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_idea_state_changes_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_state_changes_idea_id_ideas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_state_changes'))
    )
    with op.batch_alter_table('idea_state_changes', schema=None) as batch_op:
        batch_op.create_index('ix_idea_state_changes_idea_id', ['idea_id', 'id'], unique=False)

    op.create_table('idea_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_votes_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['voter_id'], ['users.id'], name=op.f('fk_idea_votes_voter_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_votes')),
    sa.UniqueConstraint('idea_id', 'voter_id', name='uq_idea_votes_idea_voter')
    )
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.create_index('ix_idea_votes_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_idea_votes_voter_id', ['voter_id'], unique=False)

    op.create_table('round_ideas',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('estimate', sa.BigInteger(), nullable=False),
    sa.Column('vote_count', sa.Integer(), nullable=False),
    sa.Column('is_proposed', sa.Boolean(), nullable=False),
    sa.Column('granted', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_round_ideas_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['arena_rounds.id'], name=op.f('fk_round_ideas_round_id_arena_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'idea_id', name=op.f('pk_round_ideas'))
    )
    op.create_table('round_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_round_votes_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['arena_rounds.id'], name=op.f('fk_round_votes_round_id_arena_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['voter_id'], ['users.id'], name=op.f('fk_round_votes_voter_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_votes')),
    sa.UniqueConstraint('round_id', 'idea_id', 'voter_id', name='uq_round_votes_round_idea_voter')
    )

    op.execute(sa.text("INSERT INTO idea_fund (id, balance) VALUES (1, 0)"))


def downgrade():
    op.drop_table('round_votes')
    op.drop_table('round_ideas')
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_votes_voter_id')
        batch_op.drop_index('ix_idea_votes_created_at')

    op.drop_table('idea_votes')
    with op.batch_alter_table('idea_state_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_state_changes_idea_id')

    op.drop_table('idea_state_changes')
    op.drop_table('idea_fund_entries')
    with op.batch_alter_table('idea_comments', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_comments_idea_id')

    op.drop_table('idea_comments')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ix_ideas_state_category')
        batch_op.drop_index('ix_ideas_author_id')

    op.drop_table('ideas')
    op.drop_table('idea_owners')
    with op.batch_alter_table('arena_rounds', schema=None) as batch_op:
        batch_op.drop_index('ix_arena_rounds_state_deadline')

    op.drop_table('arena_rounds')
    op.drop_table('idea_fund')
