"""search: the reviewed telecom variant groups join the synonym list

Word variants customers and posts use for the same thing (装宽带 / 宽带安装, 登不上 /
登录不了, 消协 / 消费者协会 …), reviewed by hand from the candidates that
``flask search mine-variants`` found in the demo dialogues. Data only; moderators edit or
delete them like any other group.

Revision ID: 0014_search_variants
Revises: 0013_moderation_learning
Create Date: 2026-12-05 17:00:00.000000
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

import forum.models


# revision identifiers, used by Alembic.
revision = '0014_search_variants'
down_revision = '0013_moderation_learning'
branch_labels = None
depends_on = None

REVIEWED_VARIANTS = [
    "装宽带, 宽带安装, 安装宽带, 宽带装机, 装机",
    "登不上, 登录不了, 登陆不了, 登不进去, 无法登录, 登录失败",
    "消协, 消费者协会, 12315",
    "推诿, 踢皮球, 推脱, 推来推去, 敷衍",
    "老用户, 老客户, 老顾客",
    "改套餐, 换套餐, 变更套餐, 更改套餐, 套餐变更",
    "停机, 停号, 停用, 暂停服务",
    "补卡, 补办, 换卡, 挂失, 卡丢了, 手机丢了, 丢卡",
    "套餐外, 超出套餐, 超套餐, 套外",
    "彩铃, 炫铃",
    "收不到短信, 短信收不到, 没收到短信",
    "上不了网, 不能上网, 无法上网, 断网",
    "信号弱, 信号差",
    "违约金, 解约费",
    "宽带提速, 宽带升级",
    "骚扰电话, 推销电话",
]

synonyms = sa.table('search_synonyms', sa.column('terms', sa.Text),
                    sa.column('updated_at', forum.models.UTCDateTime(timezone=True)))


def upgrade():
    now = datetime.now(timezone.utc)
    op.bulk_insert(synonyms, [{"terms": terms, "updated_at": now}
                              for terms in REVIEWED_VARIANTS])


def downgrade():
    op.execute(synonyms.delete().where(synonyms.c.terms.in_(REVIEWED_VARIANTS)))
