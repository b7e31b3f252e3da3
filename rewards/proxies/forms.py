"""Forms of the proxy pages: CSRF and parsing only; the rules (1–5 ratings, non-negative
integer fen, weights adding up to 1000, allowed transitions) live in the services."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField

from forum.forms import MultiCheckboxField, ServiceForm
from rewards.proxies.services.influence import FACTOR_LABELS, FACTORS

RATING_CHOICES = [SelectChoice("", "未评"), *[SelectChoice(str(n), f"{n} 分") for n in range(1, 6)]]


class ActionForm(ServiceForm):
    """Only the CSRF token (approve, pay, join, leave, recompute)."""


class RatingForm(ServiceForm):
    rating_cooperation = SelectField("合作意向", choices=RATING_CHOICES, validate_choice=False)
    rating_communication = SelectField("沟通能力", choices=RATING_CHOICES, validate_choice=False)
    rating_pr = SelectField("公关能力", choices=RATING_CHOICES, validate_choice=False)


class TransitionForm(ServiceForm):
    to_status = HiddenField()
    reason = StringField("原因", description="可选，最多 200 字，记入历史")


class InvitationForm(ServiceForm):
    decision = HiddenField()
    reason = StringField("留言", description="可选")


class TribesForm(ServiceForm):
    tribes = MultiCheckboxField("负责的部落", coerce=int, validate_choice=False)


class CircleForm(ServiceForm):
    name = StringField("圈子名称", description="2–40 个字，例如：流量互助一圈")
    description = TextAreaField("简介", description="可选，最多 200 字")


class RuleForm(ServiceForm):
    amount_fen = StringField("金额（分）", description="不小于 0 的整数，200 分 = ¥2.00")
    is_active = BooleanField("启用")


class SettleForm(ServiceForm):
    month = StringField("月份", description="YYYY-MM，北京时间")


class WeightsForm(ServiceForm):
    """One whole-number field per factor, in thousandths (added below)."""


for _factor in FACTORS:
    setattr(WeightsForm, _factor, StringField(FACTOR_LABELS[_factor], description="千分之几"))
