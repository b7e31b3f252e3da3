"""Flask-WTF forms of the moderation pages (rules live in the services)."""

from __future__ import annotations

from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from forum.forms import ServiceForm, WholeNumberField
from moderation.scoring.demands import DEMANDS
from moderation.services import sla, tickets

DEMAND_CHOICES = [("", "（不限）")] + [(code, d.label) for code, d in DEMANDS.items()]
TIER_CHOICES = [SelectChoice(t.code, t.label) for t in sla.DEFAULT_TIERS]
CATEGORY_CHOICES = [SelectChoice(c, c) for c in tickets.CATEGORIES]


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class ActionForm(ServiceForm):
    """One form for every queue action; which fields matter depends on ``action``."""

    action = StringField("操作")
    canned_reply_id = SelectField("服务口径", choices=[], validate_choice=False)
    body = TextAreaField("答复内容", description="可用占位符：{username} {name} {tribe} {topic} "
                                               "{ticket} {moderator}")
    demand = SelectField("诉求分类", choices=choices(DEMAND_CHOICES[1:]), validate_choice=False)
    category = SelectField("工单分类", choices=CATEGORY_CHOICES, validate_choice=False)
    tier = SelectField("SLA 等级", choices=TIER_CHOICES, default="normal", validate_choice=False)
    reason = StringField("原因（记入操作日志，可选）")
    next = StringField()


class CannedReplyForm(ServiceForm):
    title = StringField("标题", description="例如：扣费争议 · 首次答复")
    body = TextAreaField("内容", description="可用占位符：{username} {name} {tribe} {topic} "
                                           "{ticket} {moderator}")
    demand = SelectField("适用诉求", choices=choices([("", "通用")] + DEMAND_CHOICES[1:]),
                         validate_choice=False)
    is_active = BooleanField("启用")


class CustomerTicketForm(ServiceForm):
    category = SelectField("问题分类", choices=CATEGORY_CHOICES, validate_choice=False)
    description = TextAreaField("补充说明", description="可选：还有什么需要客服知道的？"
                                "请勿填写身份证号等敏感信息")


class TicketReplyForm(ServiceForm):
    body = TextAreaField("回复内容")
    internal = BooleanField("内部备注（客户不可见）")


class TicketStatusForm(ServiceForm):
    status = SelectField("新状态", choices=choices((s, tickets.STATUS_LABELS[s])
                                                  for s in tickets.STATUSES),
                         validate_choice=False)
    assignee = StringField("处理人用户名", description="指派时填写，留空则指派给自己")
    note = StringField("说明（可选）")


class TicketTierForm(ServiceForm):
    tier = SelectField("SLA 等级", choices=TIER_CHOICES, validate_choice=False)


class RatingForm(ServiceForm):
    score = SelectField("满意度", choices=choices([("5", "5 分 · 非常满意"), ("4", "4 分 · 满意"),
                                                  ("3", "3 分 · 一般"), ("2", "2 分 · 不满意"),
                                                  ("1", "1 分 · 非常不满意")]), default="5",
                        validate_choice=False)
    comment = TextAreaField("评价（可选）")


class SlaTierForm(ServiceForm):
    first_response_minutes = WholeNumberField("首次响应时限（分钟）", validators=[Optional()])
    resolve_minutes = WholeNumberField("解决时限（分钟）", validators=[Optional()])


class ReviewScoreForm(ServiceForm):
    score = SelectField("评分", choices=choices((str(n), f"{n} 分") for n in range(5, 0, -1)),
                        validate_choice=False)
    comment = StringField("评语")


class SimpleForm(ServiceForm):
    """Just the CSRF token (buttons that post)."""
