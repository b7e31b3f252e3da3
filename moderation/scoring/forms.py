"""Forms of the keyword library pages (CSRF and parsing; the rules live in the service)."""

from __future__ import annotations

from wtforms import SelectChoice, SelectField, StringField

from forum.forms import ServiceForm
from moderation.scoring.models import KIND_LABELS
from moderation.scoring.services.keywords import WEIGHT_MAX, WEIGHT_MIN


class KeywordForm(ServiceForm):
    term = StringField("关键字", description="出现在帖子中即命中，例如：乱扣费、工信部")
    # A plain text field so a bad weight comes back with our message and what was typed.
    weight = StringField("权重", default="5",
                         description=f"{WEIGHT_MIN}–{WEIGHT_MAX}，越大越说明帖子负面（或与业务越相关）")
    category = StringField("分类", description="例如：投诉、扣费、信号、宽带、服务态度、销户、工信部/315、辱骂、业务")
    kind = SelectField("类型", choices=[SelectChoice(value, label)
                                     for value, label in KIND_LABELS.items()], default="negative",
                       validate_choice=False)


class DeleteForm(ServiceForm):
    """Only the CSRF token."""
