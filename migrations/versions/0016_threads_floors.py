"""threads: floors (楼层), reports (举报), per-user topic state (read floor, watch, bookmark),
featured topics (精华)

- ``posts.floor``: the post's floor in its topic (1 = the opening post, 楼主; replies from 2),
  unique per topic; ``topics.last_floor`` is the counter new replies take their floor from
  (an atomic UPDATE on the topic row, so concurrent replies get distinct floors). Existing
  posts are numbered in id order, deleted ones included (floors never move).
- ``topics.is_featured``: 精华, set by the tribe's moderators.
- ``post_reports``: one open report per user and post (a partial unique index).
- ``topic_users``: one row per user and topic read: the last floor read, watching, bookmarked.
- ``moderation_queue_items.kind`` (score | report) and ``report_count``.

Revision ID: 0016_threads_floors
Revises: 0016_accounts_settings
Create Date: 2026-12-06 02:40:00.000000
"""
from alembic import op
import sqlalchemy as sa

import forum.models


# revision identifiers, used by Alembic.
revision = '0016_threads_floors'
down_revision = '0016_accounts_settings'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE ADD COLUMN (no batch "move and copy"): on SQLite, recreating topics
    # or posts would drop the old table, and with foreign keys on that cascades to the posts
    # (and likes, revisions …) that reference it.
    op.add_column('posts', sa.Column('floor', sa.Integer(), nullable=True))
    op.add_column('topics', sa.Column('last_floor', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.add_column('topics', sa.Column('is_featured', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    # Backfill: the opening post is floor 1, replies 2, 3 … in id order (deleted ones too).
    op.execute(
        "UPDATE posts SET floor = CASE WHEN is_first THEN 1 ELSE 1 + ("
        "SELECT count(*) FROM posts AS p2 WHERE p2.topic_id = posts.topic_id "
        "AND NOT p2.is_first AND p2.id <= posts.id) END")
    op.execute(
        "UPDATE topics SET last_floor = COALESCE("
        "(SELECT max(floor) FROM posts WHERE posts.topic_id = topics.id), 0)")
    op.create_index('uq_posts_topic_floor', 'posts', ['topic_id', 'floor'], unique=True)
    op.create_index('ix_topics_tribe_featured', 'topics',
                    ['tribe_id', 'is_featured', 'last_activity_at'])
    op.create_index('ix_topics_tribe_created', 'topics', ['tribe_id', 'created_at'])

    op.create_table('post_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', forum.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_reports_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_post_reports_reporter_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_reports'))
    )
    op.create_index('ix_post_reports_post_status', 'post_reports', ['post_id', 'status'])
    op.create_index('uq_post_reports_open', 'post_reports', ['post_id', 'reporter_id'],
                    unique=True, sqlite_where=sa.text("status = 'open'"),
                    postgresql_where=sa.text("status = 'open'"))

    op.create_table('topic_users',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('last_read_floor', sa.Integer(), nullable=False),
    sa.Column('watching', sa.Boolean(), nullable=False),
    sa.Column('bookmarked_at', forum.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_topic_users_topic_id_topics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_topic_users_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'topic_id', name=op.f('pk_topic_users'))
    )
    op.create_index('ix_topic_users_topic_watching', 'topic_users', ['topic_id', 'watching'])
    op.create_index('ix_topic_users_user_bookmarked', 'topic_users', ['user_id', 'bookmarked_at'])

    op.add_column('moderation_queue_items',
                  sa.Column('kind', sa.String(length=16), nullable=False,
                            server_default='score'))
    op.add_column('moderation_queue_items',
                  sa.Column('report_count', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    op.drop_column('moderation_queue_items', 'report_count')
    op.drop_column('moderation_queue_items', 'kind')
    op.drop_index('ix_topic_users_user_bookmarked', table_name='topic_users')
    op.drop_index('ix_topic_users_topic_watching', table_name='topic_users')
    op.drop_table('topic_users')
    op.drop_index('uq_post_reports_open', table_name='post_reports')
    op.drop_index('ix_post_reports_post_status', table_name='post_reports')
    op.drop_table('post_reports')
    op.drop_index('ix_topics_tribe_created', table_name='topics')
    op.drop_index('ix_topics_tribe_featured', table_name='topics')
    op.drop_index('uq_posts_topic_floor', table_name='posts')
    # SQLite ≥ 3.35 drops a column in place (no table copy, so no cascade).
    op.drop_column('topics', 'is_featured')
    op.drop_column('topics', 'last_floor')
    op.drop_column('posts', 'floor')
