"""search: variant groups mined from the telecom dialogues and reviewed by hand

``flask search mine-variants`` (search/services/variant_mining.py: phrases by mutual
information, context vectors, a shared character) run over the customers' turns of the
2,213 Weibo customer-service dialogues in shared/data (alone, and with the forum-register
posts); of the candidates (cosine ≥ 0.55, a few hundred) these were kept as the same thing
said another way.
Rejected: places, times and quantities, opposites (主卡 / 副卡, 上行 / 下行, 新用户 /
老用户, 后付费 / 预付费), words that only share a topic (排队 / 插队, 微信 / 微博) and
wider words (报修 / 维修: 维修 is also a handset's repair).
Data only; moderators edit or delete them like any other group.

Revision ID: 0016_search_mined_variants
Revises: 0016_threads_floors
Create Date: 2026-12-06 03:00:00.000000
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

import forum.models


# revision identifiers, used by Alembic.
revision = '0016_search_mined_variants'
down_revision = '0016_threads_floors'
branch_labels = None
depends_on = None

MINED_VARIANTS = [
    "扣款, 扣费",
    "扣除, 被扣",
    "网上营业厅, 网厅, 手机营业厅",
    "全忙, 繁忙, 一直忙",
    "坐席, 座席",
    "无服务, 无信号",
    "注销, 销号, 销卡",
    "擅自, 私自",
    "未收到, 没收到",
    "用光, 用尽",
    "掉线, 断线",
    "登录, 登陆",
    "回复, 答复",
    "账单, 帐单",
    "账号, 帐号",
    "账户, 帐户",
    "退回, 退还",
    "结转, 转结",
    "超流量, 超出, 已超出",
    "速度, 速率",
]

synonyms = sa.table('search_synonyms', sa.column('terms', sa.Text),
                    sa.column('updated_at', forum.models.UTCDateTime(timezone=True)))


def upgrade():
    now = datetime.now(timezone.utc)
    op.bulk_insert(synonyms, [{"terms": terms, "updated_at": now}
                              for terms in MINED_VARIANTS])


def downgrade():
    op.execute(synonyms.delete().where(synonyms.c.terms.in_(MINED_VARIANTS)))
