"""rewards: points ledger and rules, check-in, titles, badges, store

Revision ID: 0005_rewards
Revises: 0004_search
Create Date: 2026-11-22 09:00:00.000000

Seeds PRODUCT §2.1's default rule table, §2.2's titles and the rule badges (all
admin-editable afterwards). reward_period_totals holds the leaderboard sums the ledger keeps.
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

import forum.models


# revision identifiers, used by Alembic.
revision = '0005_rewards'
down_revision = '0004_search'
branch_labels = None
depends_on = None

# code, label, points, daily cap (points per Asia/Shanghai day; None: no cap)
DEFAULT_RULES = [
    ("checkin", "每日签到", 2, None),
    ("topic_created", "发起话题", 5, 50),
    ("reply_created", "回复", 2, 40),
    ("post_liked", "我的帖子被点赞", 1, 50),
    ("answer_accepted", "我的回复被采纳", 15, None),
    ("question_answered", "我的提问得到采纳答案", 2, None),
    ("idea_submitted", "提交金点子", 5, 25),
    ("idea_voted", "金点子获得投票", 1, 50),
    ("idea_shortlisted", "金点子入围擂台", 50, None),
    ("idea_funded", "金点子获得资助", 100, None),
    ("idea_implemented", "金点子落地实施", 200, None),
]
DEFAULT_TITLES = [("新手上路", 0), ("初出茅庐", 50), ("热心网友", 200), ("社区达人", 600),
                  ("服务明星", 1500), ("意见领袖", 5000)]
# code, name, description, icon
DEFAULT_BADGES = [
    ("first_accepted", "初露锋芒", "第一次有回复被采纳为最佳答案", "🎯"),
    ("ten_accepted", "答疑高手", "累计 10 个回复被采纳为最佳答案", "🏆"),
    ("hundred_likes", "人气之星", "累计获得 100 个赞", "❤️"),
    ("checkin_streak_7", "坚持不懈", "连续签到 7 天", "📅"),
    ("first_idea_implemented", "金点子落地", "第一个金点子落地实施", "💡"),
    ("proxy", "服务代理", "社区认证的服务代理", "🤝"),
]


def upgrade():
    badges = op.create_table('reward_badges',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('icon', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_reward_badges'))
    )
    op.create_table('reward_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('price', sa.Integer(), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.Column('per_user_limit', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('price > 0', name=op.f('ck_reward_items_price_positive')),
    sa.CheckConstraint('stock >= 0', name=op.f('ck_reward_items_stock_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_items'))
    )
    rules = op.create_table('reward_rules',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('daily_cap', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('updated_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_reward_rules'))
    )
    titles = op.create_table('reward_titles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_titles')),
    sa.UniqueConstraint('name', name=op.f('uq_reward_titles_name')),
    sa.UniqueConstraint('threshold', name=op.f('uq_reward_titles_threshold'))
    )
    op.create_table('reward_accounts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('lifetime', sa.Integer(), nullable=False),
    sa.Column('streak', sa.Integer(), nullable=False),
    sa.Column('best_streak', sa.Integer(), nullable=False),
    sa.Column('last_checkin', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reward_accounts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_reward_accounts'))
    )
    op.create_table('reward_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('rule_code', sa.String(length=32), nullable=False),
    sa.Column('source_kind', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('tribe_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reward_ledger_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_ledger')),
    sa.UniqueConstraint('rule_code', 'source_kind', 'source_id', 'actor_id', 'user_id', name='uq_reward_ledger_award')
    )
    with op.batch_alter_table('reward_ledger', schema=None) as batch_op:
        batch_op.create_index('ix_reward_ledger_cap', ['user_id', 'rule_code', 'day'], unique=False)
        batch_op.create_index('ix_reward_ledger_source', ['source_kind', 'source_id'], unique=False)
        batch_op.create_index('ix_reward_ledger_user_created', ['user_id', 'created_at'], unique=False)

    op.create_table('reward_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('price', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('handled_at', forum.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], name=op.f('fk_reward_orders_handled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['reward_items.id'], name=op.f('fk_reward_orders_item_id_reward_items')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reward_orders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_orders'))
    )
    with op.batch_alter_table('reward_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reward_orders_status'), ['status'], unique=False)
        batch_op.create_index('ix_reward_orders_user_item', ['user_id', 'item_id'], unique=False)

    op.create_table('reward_period_totals',
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('tribe_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reward_period_totals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('period', 'start', 'tribe_id', 'user_id', name=op.f('pk_reward_period_totals'))
    )
    with op.batch_alter_table('reward_period_totals', schema=None) as batch_op:
        batch_op.create_index('ix_reward_period_totals_board', ['period', 'start', 'tribe_id', 'points'], unique=False)

    op.create_table('reward_user_badges',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('badge_code', sa.String(length=32), nullable=False),
    sa.Column('awarded_at', forum.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['badge_code'], ['reward_badges.code'], name=op.f('fk_reward_user_badges_badge_code_reward_badges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reward_user_badges_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'badge_code', name=op.f('pk_reward_user_badges'))
    )

    now = datetime.now(timezone.utc)
    op.bulk_insert(rules, [{"code": code, "label": label, "points": points, "daily_cap": cap,
                            "active": True, "position": i, "updated_at": now}
                           for i, (code, label, points, cap) in enumerate(DEFAULT_RULES)])
    op.bulk_insert(titles, [{"name": name, "threshold": threshold}
                            for name, threshold in DEFAULT_TITLES])
    op.bulk_insert(badges, [{"code": code, "name": name, "description": description,
                             "icon": icon, "position": i}
                            for i, (code, name, description, icon) in enumerate(DEFAULT_BADGES)])


def downgrade():
    op.drop_table('reward_user_badges')
    op.drop_table('reward_period_totals')
    op.drop_table('reward_orders')
    op.drop_table('reward_ledger')
    op.drop_table('reward_accounts')
    op.drop_table('reward_titles')
    op.drop_table('reward_rules')
    op.drop_table('reward_items')
    op.drop_table('reward_badges')
