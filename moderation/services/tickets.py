"""Tickets (工单): numbering, the status flow, replies and internal notes, the timeline the
customer sees (过程透明化), and satisfaction ratings (满意度).

Status flow: new → assigned → in_progress → waiting_customer → resolved → closed; a ticket
resolved less than REOPEN_DAYS ago can be reopened (→ in_progress). Any other move is a
Conflict (409) that names the moves allowed from the current status.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from forum import events
from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import Post, User, utcnow
from forum.pagination import Page, paginate
from forum.permissions import is_authenticated, moderated_tribe_ids, moderates_tribe
from forum.services.notifications import notify
from moderation.models import Ticket, TicketEvent
from moderation.scoring.demands import DEMANDS
from moderation.services import audit, sla
from moderation.services.access import require_staff
from moderation.services.numbering import next_number

NEW, ASSIGNED, IN_PROGRESS, WAITING, RESOLVED, CLOSED = (
    "new", "assigned", "in_progress", "waiting_customer", "resolved", "closed")
STATUSES = (NEW, ASSIGNED, IN_PROGRESS, WAITING, RESOLVED, CLOSED)
STATUS_LABELS = {NEW: "新建", ASSIGNED: "已指派", IN_PROGRESS: "处理中", WAITING: "待客户反馈",
                 RESOLVED: "已解决", CLOSED: "已关闭"}
OPEN_STATUSES = (NEW, ASSIGNED, IN_PROGRESS, WAITING)
# Staff moves; reopening (resolved/closed → in_progress) is added when the window allows it.
TRANSITIONS = {
    NEW: (ASSIGNED, CLOSED),
    ASSIGNED: (IN_PROGRESS, WAITING, RESOLVED, CLOSED),
    IN_PROGRESS: (ASSIGNED, WAITING, RESOLVED, CLOSED),
    WAITING: (IN_PROGRESS, RESOLVED, CLOSED),
    RESOLVED: (CLOSED,),
    CLOSED: (),
}
REOPEN_DAYS = 7
CATEGORIES = ("投诉", "扣费", "信号", "宽带", "流量", "套餐", "服务态度", "销户", "其他")
TITLE_MAX, BODY_MAX, COMMENT_MAX = 80, 5000, 500
EVENT_LABELS = {"created": "创建工单", "assigned": "指派", "status": "状态变更",
                "reply": "答复", "note": "内部备注", "tier": "等级变更",
                "escalated": "超时升级", "rated": "满意度评价", "reopened": "重新打开"}


# --- access --------------------------------------------------------------------------------


def is_ticket_staff(user: User | None, ticket: Ticket) -> bool:
    return is_authenticated(user) and moderates_tribe(user, ticket.tribe_id)


def can_view(user: User | None, ticket: Ticket) -> bool:
    return is_authenticated(user) and (ticket.customer_id == user.id
                                       or is_ticket_staff(user, ticket))


def get_ticket_or_404(number: str, viewer: User | None) -> Ticket:
    """The ticket if the viewer is its customer or staff for it; others get 404 (no hint
    that the number exists)."""
    number = (number or "").strip().upper()
    ticket = None
    if 0 < len(number) <= 20 and "\x00" not in number:
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.number == number))
    if ticket is None or not can_view(viewer, ticket):
        raise NotFound("工单不存在")
    return ticket


# --- creating ------------------------------------------------------------------------------


def add_event(ticket: Ticket, kind: str, actor: User | None, body: str = "", *,
               public: bool = True, data: dict | None = None,
               now: datetime | None = None) -> TicketEvent:
    event = TicketEvent(ticket_id=ticket.id, kind=kind, actor_id=actor.id if actor else None,
                        public=public, body=body, data=data, created_at=now or utcnow())
    db.session.add(event)
    db.session.flush()
    return event


def _notify_customer(ticket: Ticket, actor: User | None, event: TicketEvent, summary: str):
    notify(ticket.customer_id, "ticket_update", {
        "actor_id": actor.id if actor else None, "ticket_number": ticket.number,
        "summary": summary, "event_id": event.id})


def _validate_new(title: str, description: str, category: str, demand: str | None,
                  tier: str) -> dict[str, str]:

    errors = {}
    if not title or len(title) > TITLE_MAX or "\x00" in title:
        errors["title"] = f"标题须为 1–{TITLE_MAX} 个字"
    if len(description) > BODY_MAX or "\x00" in description:
        errors["description"] = f"问题描述最多 {BODY_MAX} 字"
    if category not in CATEGORIES:
        errors["category"] = f"分类须为：{'、'.join(CATEGORIES)}"
    if demand and demand not in DEMANDS:
        errors["demand"] = "未知的诉求分类"
    if tier not in sla.TIER_CODES:
        errors["tier"] = f"等级须为 {', '.join(sla.TIER_CODES)}"
    return errors


def create_ticket(actor: User, customer: User, *, title: str, description: str = "",
                  category: str = "其他", demand: str | None = None, tier: str | None = None,
                  source_post: Post | None = None, tribe_id: int | None = None) -> Ticket:
    """Open a ticket for ``customer``. Customers open their own (from their own posts);
    staff open them for anyone in the tribes they moderate. One ticket per source post."""
    if source_post is not None:
        tribe_id = source_post.topic.tribe_id
        if source_post.is_deleted:
            raise NotFound("帖子不存在或已被删除")
    own = actor.id == customer.id
    if not own and not moderates_tribe(actor, tribe_id):
        raise PermissionDenied("只有版主可以为其他用户创建工单")
    if own and source_post is not None and source_post.author_id != actor.id:
        raise PermissionDenied("只能为自己的帖子创建工单")
    if own and not moderates_tribe(actor, tribe_id):
        tier = sla.DEFAULT_TIER  # customers do not pick their own urgency
    tier = tier or sla.DEFAULT_TIER
    title, description = (title or "").strip(), (description or "").strip()
    errors = _validate_new(title, description, category, demand, tier)
    if errors:
        raise ValidationError("工单信息有误", errors)
    if source_post is not None:
        existing = ticket_for_post(source_post.id)
        if existing is not None:
            raise Conflict(f"该帖子已转工单 #{existing.number}",
                           {"ticket": existing.number})
    now = utcnow()
    first_due, resolve_due = sla.deadlines(tier, now)
    ticket = Ticket(number=next_number(now), customer_id=customer.id,
                    source_post_id=source_post.id if source_post else None, tribe_id=tribe_id,
                    title=title, description=description, category=category,
                    demand=demand or None, tier=tier, status=NEW, created_by_id=actor.id,
                    created_at=now, updated_at=now, first_response_due=first_due,
                    resolve_due=resolve_due)
    db.session.add(ticket)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise Conflict("该帖子已转工单") from None
    who = "客户自助提交" if own else f"由 {actor.display_name} 创建"
    event = add_event(ticket, "created", actor, f"工单已创建（{who}），等级：{sla.tier_label(tier)}",
                       data={"tier": tier, "category": category}, now=now)
    if not own:
        _notify_customer(ticket, actor, event, "已为你创建工单，我们会尽快处理")
        audit.record(actor.id, "ticket", "ticket", ticket.number,
                     after={"status": NEW, "tier": tier, "customer": customer.username,
                            "source_post_id": ticket.source_post_id})
    events.emit(events.ticket_created, ticket_id=ticket.id, number=ticket.number,
                customer_id=customer.id, source_post_id=ticket.source_post_id,
                tribe_id=tribe_id, created_by_id=actor.id)
    events.commit()
    return ticket


def ticket_for_post(post_id: int) -> Ticket | None:
    return db.session.scalar(sa.select(Ticket).where(Ticket.source_post_id == post_id))


def tickets_for_posts(post_ids: list[int]) -> dict[int, Ticket]:
    if not post_ids:
        return {}
    return {t.source_post_id: t for t in db.session.scalars(
        sa.select(Ticket).where(Ticket.source_post_id.in_(post_ids)))}


# --- status flow ---------------------------------------------------------------------------


def _reopenable(ticket: Ticket, now: datetime) -> bool:
    return (ticket.status in (RESOLVED, CLOSED) and ticket.resolved_at is not None
            and now - ticket.resolved_at <= timedelta(days=REOPEN_DAYS))


def allowed_transitions(actor: User | None, ticket: Ticket,
                        now: datetime | None = None) -> list[str]:
    """The statuses ``actor`` may move the ticket to now."""
    now = now or utcnow()
    reopen = [IN_PROGRESS] if _reopenable(ticket, now) else []
    if is_ticket_staff(actor, ticket):
        return list(TRANSITIONS[ticket.status]) + reopen
    if is_authenticated(actor) and actor.id == ticket.customer_id:
        # The customer may confirm (close) a resolved ticket or reopen it in time.
        return ([CLOSED] if ticket.status == RESOLVED else []) + reopen
    return []


def responder_ids(ticket: Ticket) -> list[int]:
    return sorted(set(db.session.scalars(
        sa.select(TicketEvent.actor_id).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "reply",
            TicketEvent.public.is_(True), TicketEvent.actor_id.is_not(None),
            TicketEvent.actor_id != ticket.customer_id))))


def _resolve_assignee(actor: User, ticket: Ticket, assignee: User | str | None) -> User:
    if assignee is None or assignee == "":
        return actor
    if isinstance(assignee, str):
        found = db.session.scalar(sa.select(User).where(User.username == assignee.strip()))
        if found is None:
            raise ValidationError("处理人不存在", {"assignee": f"用户 {assignee} 不存在"})
        assignee = found
    if not moderates_tribe(assignee, ticket.tribe_id):
        raise ValidationError("处理人须为该部落的版主", {"assignee": "该用户不能处理此工单"})
    return assignee


def change_status(actor: User, ticket: Ticket, status: str, *, note: str = "",
                  assignee: User | str | None = None, now: datetime | None = None) -> Ticket:
    """Move a ticket along the flow (see the module docstring)."""
    now = now or utcnow()
    if status not in STATUSES:
        raise ValidationError("未知的工单状态", {"status": f"须为 {', '.join(STATUSES)}"})
    if not can_view(actor, ticket):
        raise NotFound("工单不存在")
    allowed = allowed_transitions(actor, ticket, now)
    if status not in allowed:
        names = "、".join(f"{STATUS_LABELS[s]}（{s}）" for s in allowed) or "无"
        message = (f"工单当前为「{STATUS_LABELS[ticket.status]}」，不能变为"
                   f"「{STATUS_LABELS[status]}」；允许的状态：{names}")
        raise Conflict(message, {"status": message, "allowed": ",".join(allowed)})
    note = (note or "").strip()[:COMMENT_MAX]
    previous = ticket.status
    before = {"status": previous, "assignee_id": ticket.assignee_id}
    reopening = previous in (RESOLVED, CLOSED) and status == IN_PROGRESS
    if status == ASSIGNED:
        ticket.assignee_id = _resolve_assignee(actor, ticket, assignee).id
    if status == RESOLVED:
        ticket.resolved_at = now
    if status == CLOSED:
        ticket.closed_at = now
    if reopening:
        ticket.resolved_at = None
        ticket.closed_at = None
    ticket.status = status
    ticket.updated_at = now
    kind = "reopened" if reopening else ("assigned" if status == ASSIGNED else "status")
    text = f"{STATUS_LABELS[previous]} → {STATUS_LABELS[status]}"
    if status == ASSIGNED:
        text += f"，处理人：{ticket.assignee.display_name if ticket.assignee else ''}"
    if note:
        text += f"。{note}"
    event = add_event(ticket, kind, actor, text, data={"from": previous, "to": status}, now=now)
    if actor.id != ticket.customer_id:
        audit.record(actor.id, "ticket_status", "ticket", ticket.number, before=before,
                     after={"status": status, "assignee_id": ticket.assignee_id}, reason=note)
    _notify_customer(ticket, actor, event, f"状态变为「{STATUS_LABELS[status]}」")
    if status == ASSIGNED and ticket.assignee_id != actor.id:
        notify(ticket.assignee_id, "ticket_assigned",
               {"actor_id": actor.id, "ticket_number": ticket.number})
    if status == RESOLVED:
        events.emit(events.ticket_resolved, ticket_id=ticket.id, number=ticket.number,
                    customer_id=ticket.customer_id, tribe_id=ticket.tribe_id,
                    responder_ids=responder_ids(ticket), resolved_by_id=actor.id)
    events.commit()
    return ticket


def set_tier(actor: User, ticket: Ticket, tier: str) -> Ticket:
    """Staff change a ticket's SLA tier; deadlines are recomputed from its opening time."""
    if not is_ticket_staff(actor, ticket):
        raise PermissionDenied("只有版主可以修改工单等级")
    sla.get_tier(tier)
    if tier == ticket.tier:
        return ticket
    before = {"tier": ticket.tier}
    ticket.first_response_due, ticket.resolve_due = sla.deadlines(tier, ticket.created_at)
    ticket.tier = tier
    ticket.updated_at = utcnow()
    add_event(ticket, "tier", actor, f"等级 {sla.tier_label(before['tier'])} → {sla.tier_label(tier)}",
               public=False, data={"from": before["tier"], "to": tier})
    audit.record(actor.id, "ticket_tier", "ticket", ticket.number, before=before,
                 after={"tier": tier})
    events.commit()
    return ticket


# --- replies and notes ---------------------------------------------------------------------


def add_reply(actor: User, ticket: Ticket, body: str, *, internal: bool = False,
              now: datetime | None = None) -> TicketEvent:
    """A customer-visible reply (customer or staff) or an internal note (staff only)."""
    now = now or utcnow()
    if not can_view(actor, ticket):
        raise NotFound("工单不存在")
    staff = is_ticket_staff(actor, ticket) and actor.id != ticket.customer_id
    if internal and not staff:
        raise PermissionDenied("只有版主可以添加内部备注")
    body = (body or "").strip()
    if not body:
        raise ValidationError("内容不能为空", {"body": "内容不能为空"})
    if len(body) > BODY_MAX or "\x00" in body:
        raise ValidationError("内容有误", {"body": f"最多 {BODY_MAX} 字"})
    if ticket.status == CLOSED:
        raise Conflict("工单已关闭，不能再回复；如问题仍未解决，请在 7 天内重新打开")
    event = add_event(ticket, "note" if internal else "reply", actor, body,
                       public=not internal, now=now)
    ticket.updated_at = now
    if staff and not internal and ticket.first_responded_at is None:
        ticket.first_responded_at = now
        if now > ticket.first_response_due:  # late: counts as a breach (no escalation left)
            ticket.first_response_breached = True
    if not staff and ticket.status == WAITING:
        previous = ticket.status
        ticket.status = IN_PROGRESS
        add_event(ticket, "status", actor, f"{STATUS_LABELS[previous]} → {STATUS_LABELS[IN_PROGRESS]}"
                   "（客户已反馈）", data={"from": previous, "to": IN_PROGRESS}, now=now)
    if staff:
        audit.record(actor.id, "ticket_note" if internal else "ticket_reply", "ticket",
                     ticket.number, after={"event_id": event.id})
        if not internal:
            _notify_customer(ticket, actor, event, "客服回复了你的工单")
    elif ticket.assignee_id:
        notify(ticket.assignee_id, "ticket_customer_reply",
               {"actor_id": actor.id, "ticket_number": ticket.number, "event_id": event.id})
    events.commit()
    return event


def timeline(ticket: Ticket, viewer: User | None) -> list[TicketEvent]:
    """Every event for staff; the customer sees the public ones (过程透明化)."""
    stmt = (sa.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
            .options(joinedload(TicketEvent.actor).lazyload(User.roles))
            .order_by(TicketEvent.id))
    if not is_ticket_staff(viewer, ticket):
        stmt = stmt.where(TicketEvent.public.is_(True))
    return list(db.session.scalars(stmt))


# --- lists ---------------------------------------------------------------------------------


def _list_options():
    return (joinedload(Ticket.customer).lazyload(User.roles),
            joinedload(Ticket.assignee).lazyload(User.roles),
            selectinload(Ticket.rating))


def my_tickets(customer: User, page: int, per_page: int) -> Page:
    stmt = (sa.select(Ticket).where(Ticket.customer_id == customer.id)
            .options(*_list_options()).order_by(Ticket.id.desc()))
    return paginate(stmt, page, per_page)


def staff_tickets(actor: User, page: int, per_page: int, *, status: str | None = None,
                  tier: str | None = None, mine: bool = False, breached: bool = False,
                  tribe_id: int | None = None) -> Page:
    """Tickets the actor handles (their tribes; everything for global moderators)."""
    require_staff(actor)
    stmt = sa.select(Ticket).options(*_list_options())
    tribes = moderated_tribe_ids(actor)
    if tribes is not None:
        stmt = stmt.where(Ticket.tribe_id.in_(tribes or {-1}))
    if status == "open":
        stmt = stmt.where(Ticket.status.in_(OPEN_STATUSES))
    elif status in STATUSES:
        stmt = stmt.where(Ticket.status == status)
    if tier in sla.TIER_CODES:
        stmt = stmt.where(Ticket.tier == tier)
    if mine:
        stmt = stmt.where(Ticket.assignee_id == actor.id)
    if breached:
        stmt = stmt.where(sa.or_(Ticket.first_response_breached, Ticket.resolve_breached))
    if tribe_id:
        stmt = stmt.where(Ticket.tribe_id == tribe_id)
    return paginate(stmt.order_by(Ticket.resolve_due, Ticket.id), page, per_page)
