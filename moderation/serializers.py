"""Moderation models → JSON for the API (queue rows, tickets, timelines)."""

from __future__ import annotations

from typing import Any

from forum import permissions
from forum.api.serializers import iso, user_summary
from forum.models import User
from moderation.models import Ticket, TicketEvent
from moderation.scoring.demands import DEMANDS
from moderation.services import sla, tickets
from moderation.services.queue import QueueRow


def demand(code: str | None) -> dict[str, Any] | None:
    d = DEMANDS.get(code or "")
    if d is None:
        return None
    return {"code": code, "label": d.label, "psychology": d.psychology, "handling": d.handling}


def queue_row(row: QueueRow, viewer: User) -> dict[str, Any]:
    post, item = row.post, row.item
    return {
        "post_id": post.id,
        "topic_id": post.topic_id,
        "is_first": post.is_first,
        "tribe": item.tribe.slug,
        "title": permissions.topic_title_for(viewer, post.topic),
        "body_html": permissions.post_html_for(viewer, post),
        "visibility": post.visibility,
        "status": item.status,
        "kind": item.kind,
        "report_count": item.report_count,
        "author": {**user_summary(item.author), "post_count": row.post_count,
                   "previous_flags": row.previous_flags, "ticket_count": row.ticket_count},
        "score": {"score": row.score.score, "sentiment": row.score.sentiment,
                  "relevance": row.score.relevance, "keywords": [str(k) for k in row.keywords],
                  "model_version": row.score.model_version},
        "influence_index": row.index,
        "urgency": {"tier": row.tier, "label": row.tier_label,
                    "intensity": row.score.intensity or 0, "cues": row.cues},
        "demand": demand(row.demand_code),
        "suggested_demand": row.score.demand,
        "ticket": row.ticket.number if row.ticket else None,
        "created_at": iso(post.created_at),
        "queued_at": iso(item.created_at),
    }


def ticket_summary(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "title": ticket.title,
        "status": ticket.status,
        "status_label": tickets.STATUS_LABELS[ticket.status],
        "category": ticket.category,
        "demand": ticket.demand,
        "tier": ticket.tier,
        "tier_label": sla.tier_label(ticket.tier),
        "customer": ticket.customer.username,
        "assignee": ticket.assignee.username if ticket.assignee else None,
        "source_post_id": ticket.source_post_id,
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "first_response_due": iso(ticket.first_response_due),
        "resolve_due": iso(ticket.resolve_due),
        "first_responded_at": iso(ticket.first_responded_at),
        "resolved_at": iso(ticket.resolved_at),
        "breached": ticket.breached,
        "rating": ({"score": ticket.rating.score, "comment": ticket.rating.comment,
                    "created_at": iso(ticket.rating.created_at)} if ticket.rating else None),
    }


def ticket_event(event: TicketEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "kind": event.kind,
        "kind_label": tickets.EVENT_LABELS.get(event.kind, event.kind),
        "actor": event.actor.username if event.actor else None,
        "actor_name": event.actor.display_name if event.actor else "系统",
        "body": event.body,
        "internal": not event.public,
        "created_at": iso(event.created_at),
    }


def ticket_detail(ticket: Ticket, viewer: User) -> dict[str, Any]:
    return {
        **ticket_summary(ticket),
        "description": ticket.description,
        "allowed_transitions": tickets.allowed_transitions(viewer, ticket),
        "can_rate": (ticket.customer_id == viewer.id and ticket.rating is None
                     and ticket.status in (tickets.RESOLVED, tickets.CLOSED)),
        "timeline": [ticket_event(e) for e in tickets.timeline(ticket, viewer)],
    }
