"""Forms of the synonym admin page (CSRF and parsing; the rules live in the service)."""

from __future__ import annotations

from wtforms import StringField

from forum.forms import ServiceForm


class SynonymForm(ServiceForm):
    terms = StringField("同义词", description="2–20 个意思相同的词，用逗号分隔，例如：扣费, 扣钱, 乱扣费")


class DeleteForm(ServiceForm):
    """Only the CSRF token."""
