"""SLA tiers (分级请求满足时限) and the escalation of breached tickets.

Tiers live in ``moderation_sla_tiers`` (seeded by the migration, admin-editable); if the
table is empty (a fresh test database) the defaults of PRODUCT §3 are inserted on first use.
Escalation is idempotent: each breach kind (first response, resolution) of a ticket is
claimed once with a conditional UPDATE, so two workers never escalate the same breach twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from forum import events
from forum.errors import NotFound, ValidationError
from forum.extensions import db
from forum.models import Role, User, user_roles, utcnow
from forum.services.notifications import notify_many
from forum.templating import local_time
from moderation.models import SlaTier, Ticket, TicketEvent
from moderation.services import audit
from moderation.services.access import require_admin


@dataclass(frozen=True)
class TierDefault:
    code: str
    label: str
    rank: int
    first_response_minutes: int
    resolve_minutes: int


DEFAULT_TIERS = (
    TierDefault("urgent", "紧急", 1, 2 * 60, 24 * 60),
    TierDefault("high", "高", 2, 4 * 60, 48 * 60),
    TierDefault("normal", "普通", 3, 24 * 60, 72 * 60),
    TierDefault("low", "低", 4, 48 * 60, 7 * 24 * 60),
)
TIER_CODES = tuple(t.code for t in DEFAULT_TIERS)
DEFAULT_TIER = "normal"
MINUTES_MAX = 60 * 24 * 60  # 60 days


def ensure_tiers() -> None:
    """Insert any missing default tier (never overwrites an admin's edits)."""
    existing = set(db.session.scalars(sa.select(SlaTier.code)))
    missing = [t for t in DEFAULT_TIERS if t.code not in existing]
    if not missing:
        return
    try:
        with db.session.begin_nested():
            for t in missing:
                db.session.add(SlaTier(code=t.code, label=t.label, rank=t.rank,
                                       first_response_minutes=t.first_response_minutes,
                                       resolve_minutes=t.resolve_minutes))
    except sa.exc.IntegrityError:  # another request inserted them meanwhile
        pass


def tiers() -> list[SlaTier]:
    ensure_tiers()
    return list(db.session.scalars(sa.select(SlaTier).order_by(SlaTier.rank)))


def get_tier(code: str) -> SlaTier:
    ensure_tiers()
    tier = db.session.get(SlaTier, code) if code in TIER_CODES else None
    if tier is None:
        raise ValidationError("未知的 SLA 等级", {"tier": f"须为 {', '.join(TIER_CODES)}"})
    return tier


def tier_label(code: str) -> str:
    for t in DEFAULT_TIERS:
        if t.code == code:
            return t.label
    return code


def deadlines(tier_code: str, start: datetime) -> tuple[datetime, datetime]:
    """(first response due, resolve due) for a ticket of this tier opened at ``start``."""
    tier = get_tier(tier_code)
    return (start + timedelta(minutes=tier.first_response_minutes),
            start + timedelta(minutes=tier.resolve_minutes))


def raised(tier_code: str) -> str:
    """The next more urgent tier (urgent stays urgent)."""
    index = TIER_CODES.index(tier_code) if tier_code in TIER_CODES else len(TIER_CODES) - 1
    return TIER_CODES[max(0, index - 1)]


def update_tier(actor: User, code: str, first_response_minutes, resolve_minutes) -> SlaTier:
    """Admins edit a tier's deadlines (applies to tickets opened from now on)."""
    require_admin(actor)
    if code not in TIER_CODES:
        raise NotFound("SLA 等级不存在")
    tier = get_tier(code)
    errors = {}
    values = {}
    for name, value in (("first_response_minutes", first_response_minutes),
                        ("resolve_minutes", resolve_minutes)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MINUTES_MAX:
            errors[name] = f"须为 1–{MINUTES_MAX} 之间的整数（分钟）"
        else:
            values[name] = value
    if not errors and values["resolve_minutes"] < values["first_response_minutes"]:
        errors["resolve_minutes"] = "解决时限不能短于首次响应时限"
    if errors:
        raise ValidationError("SLA 时限有误", errors)
    before = {"first_response_minutes": tier.first_response_minutes,
              "resolve_minutes": tier.resolve_minutes}
    tier.first_response_minutes = values["first_response_minutes"]
    tier.resolve_minutes = values["resolve_minutes"]
    tier.updated_at = utcnow()
    tier.updated_by_id = actor.id
    audit.record(actor.id, "sla_update", "sla_tier", code, before=before, after=values)
    events.commit()
    return tier


# --- escalation ----------------------------------------------------------------------------

OPEN_STATUSES = ("new", "assigned", "in_progress", "waiting_customer")


def supervisor_ids() -> list[int]:
    """Global moderators and admins: they hear about every SLA breach."""
    return list(db.session.scalars(
        sa.select(user_roles.c.user_id).join(Role, Role.id == user_roles.c.role_id)
        .join(User, User.id == user_roles.c.user_id)
        .where(Role.name.in_(("moderator", "admin")), User.is_active_account.is_(True))
        .distinct()))


def _claim(ticket_id: int, flag: str) -> bool:
    """Set a breach flag if it is not set yet; True when this call set it."""
    column = getattr(Ticket, flag)
    result = db.session.execute(sa.update(Ticket).where(Ticket.id == ticket_id, column.is_(False))
                                .values({flag: True}))
    return result.rowcount == 1


def _escalate(ticket: Ticket, kind: str, now: datetime) -> None:
    before_tier = ticket.tier
    new_tier = raised(before_tier)
    db.session.execute(sa.update(Ticket).where(Ticket.id == ticket.id).values(
        tier=new_tier, escalation_count=Ticket.escalation_count + 1, updated_at=now))
    what = "首次响应" if kind == "first_response" else "解决"
    due = ticket.first_response_due if kind == "first_response" else ticket.resolve_due
    note = (f"{what}超时（时限 {local_time(due)}），等级 {tier_label(before_tier)} → "
            f"{tier_label(new_tier)}，已通知主管")
    db.session.add(TicketEvent(ticket_id=ticket.id, kind="escalated", actor_id=None, public=False,
                               body=note, data={"breach": kind, "from": before_tier,
                                                "to": new_tier}, created_at=now))
    audit.record(None, "ticket_escalate", "ticket", ticket.number,
                 before={"tier": before_tier}, after={"tier": new_tier, "breach": kind})
    notify_many(supervisor_ids(), "ticket_escalated",
                {"ticket_number": ticket.number, "what": what, "tier": tier_label(new_tier)})


def escalate_breaches(now: datetime | None = None) -> int:
    """Escalate every open ticket past a deadline not escalated yet: mark it breached, raise
    its tier, note it on the timeline and notify the supervisors. Returns how many breaches
    were escalated (0 on a second run)."""
    now = now or utcnow()
    candidates = list(db.session.scalars(
        sa.select(Ticket).where(Ticket.status.in_(OPEN_STATUSES), sa.or_(
            sa.and_(Ticket.first_responded_at.is_(None), Ticket.first_response_due < now,
                    Ticket.first_response_breached.is_(False)),
            sa.and_(Ticket.resolve_due < now, Ticket.resolve_breached.is_(False))))
        .order_by(Ticket.id)))
    count = 0
    for ticket in candidates:
        if (ticket.first_responded_at is None and ticket.first_response_due < now
                and _claim(ticket.id, "first_response_breached")):
            _escalate(ticket, "first_response", now)
            count += 1
        if ticket.resolve_due < now and _claim(ticket.id, "resolve_breached"):
            _escalate(ticket, "resolve", now)
            count += 1
        events.commit()
    return count
