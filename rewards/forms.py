"""Forms of the rewards pages (CSRF and parsing; the rules live in the services)."""

from __future__ import annotations

from wtforms import BooleanField, StringField, TextAreaField

from forum.forms import ServiceForm, WholeNumberField


class ActionForm(ServiceForm):
    """Only the CSRF token (check-in, redeem, fulfil, cancel, delete)."""


class RuleForm(ServiceForm):
    points = WholeNumberField("积分", description="整数，0 表示不再奖励")
    daily_cap = WholeNumberField("每日上限（积分）", default=None,
                                 description="每人每天（北京时间）通过此规则最多获得的积分；留空表示不设上限")
    active = BooleanField("启用")


class TitleForm(ServiceForm):
    name = StringField("头衔名称", description="最多 20 个字")
    threshold = WholeNumberField("累计积分门槛", default=None, description="累计获得（不是余额）达到此数即获得该头衔")


class BadgeForm(ServiceForm):
    name = StringField("名称")
    description = StringField("说明")
    icon = StringField("图标", description="一个表情符号")


class ItemForm(ServiceForm):
    name = StringField("名称", description="例如：1GB 流量包")
    description = TextAreaField("说明")
    price = WholeNumberField("价格（积分）", default=None, description="正整数")
    stock = WholeNumberField("库存", default=None, description="0 或正整数")
    per_user_limit = WholeNumberField("每人限兑", default=0, description="0 表示不限")
    active = BooleanField("上架", default=True)
    needs_phone = BooleanField("兑换时填写手机号", default=False,
                               description="流量包、话费等充到手机号的商品")
