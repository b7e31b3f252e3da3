"""Shared helpers of the proxy programme: permissions, money formatting, months."""

from __future__ import annotations

from datetime import UTC, datetime

from forum import permissions
from forum.errors import ValidationError
from forum.models import User
from forum.templating import SHANGHAI

# --- permissions ---------------------------------------------------------------------------
# Candidates and ratings are staff work (moderators and admins); employees may look at the
# candidate list; everything that changes a person's status, money or circles is for admins.


def can_view_candidates(user: User | None) -> bool:
    return permissions.is_authenticated(user) and bool(
        user.role_names & {"moderator", "admin", "employee"})


def can_rate(user: User | None) -> bool:
    return permissions.is_global_moderator(user)


def can_manage(user: User | None) -> bool:
    return permissions.is_admin(user)


# --- months ----------------------------------------------------------------------------------


def parse_month(value: str | None) -> str:
    """'YYYY-MM' checked (01–12, year 2000–2999); raises ValidationError with a Chinese message."""
    text = (value or "").strip()
    try:
        parsed = datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise ValidationError("月份格式应为 YYYY-MM，例如 2026-11", {"month": "月份格式应为 YYYY-MM"}) from None
    if len(text) != 7 or not 2000 <= parsed.year <= 2999:
        raise ValidationError("月份格式应为 YYYY-MM，例如 2026-11", {"month": "月份格式应为 YYYY-MM"})
    return text


def month_of(moment: datetime) -> str:
    """The Asia/Shanghai month of a UTC time, 'YYYY-MM'."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI).strftime("%Y-%m")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """[start, end) of an Asia/Shanghai month, in UTC."""
    year, mon = (int(part) for part in parse_month(month).split("-"))
    start = datetime(year, mon, 1, tzinfo=SHANGHAI)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=SHANGHAI)
    return start.astimezone(UTC), end.astimezone(UTC)


def next_month(month: str) -> str:
    year, mon = (int(part) for part in parse_month(month).split("-"))
    return f"{year + (mon == 12):04d}-{mon % 12 + 1:02d}"


def current_month(now: datetime | None = None) -> str:
    return month_of(now or datetime.now(UTC))
