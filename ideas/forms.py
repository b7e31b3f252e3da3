"""Flask-WTF forms of the idea pages: they parse and carry CSRF; the rules live in services."""

from __future__ import annotations

from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField

from forum.forms import ServiceForm, WholeNumberField
from ideas.models import CATEGORIES, STATE_LABELS


class IdeaForm(ServiceForm):
    title = StringField("标题", description="4–80 个字，一句话说清楚你的点子")
    category = SelectField("分类", validate_choice=False, choices=[
        SelectChoice("", "请选择分类"), *(SelectChoice(c, c) for c in CATEGORIES)])
    problem = TextAreaField("要解决的问题", description="10–5000 字：现在哪里不好、影响了谁")
    proposal = TextAreaField("改进方案", description="10–10000 字，支持 Markdown：具体怎么做、需要什么")


class CommentForm(ServiceForm):
    body = TextAreaField("追评", description="2–2000 字，支持 Markdown")
    parent_id = HiddenField()


class TransitionForm(ServiceForm):
    to = SelectField("变更为", choices=[SelectChoice(k, v) for k, v in STATE_LABELS.items()],
                     validate_choice=False)
    reason = TextAreaField("原因", description="不采纳时必须填写；最多 500 字")
    amount = StringField("资助金额（元）", description="变更为「已获资助」时填写，从金点子基金拨付")


class CategoryForm(ServiceForm):
    category = SelectField("分类", validate_choice=False,
                           choices=[SelectChoice(c, c) for c in CATEGORIES])


class MergeForm(ServiceForm):
    into = WholeNumberField("合并到点子编号")


class RoundForm(ServiceForm):
    title = StringField("标题", description="4–80 个字，如「2026 年第 4 季度擂台赛」")
    deadline = StringField("截止时间", description="北京时间，格式 2026-12-31 18:00")
    budget = StringField("预算（元）", description="不能超过基金当前余额")
    winners_max = WholeNumberField("获胜名额", default=3, description="1–20 个")


class AmountForm(ServiceForm):
    amount = StringField("金额（元）")
    note = StringField("备注", description="最多 200 字")


class OwnerForm(ServiceForm):
    username = StringField("用户名", description="必须是员工")
    category = SelectField("分类", validate_choice=False,
                           choices=[SelectChoice(c, c) for c in CATEGORIES])


class ActionForm(ServiceForm):
    """A bare CSRF-protected button (close, settle, remove)."""
