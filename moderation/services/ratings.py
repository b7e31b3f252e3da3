"""满意度: the customer rates a resolved ticket 1–5 with a comment, once (a unique
constraint guards "once" under concurrency); ``ticket_rated`` tells rewards."""

from __future__ import annotations

import sqlalchemy as sa

from forum import events
from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import User, utcnow
from moderation.models import Ticket, TicketRating
from moderation.services.tickets import (
    CLOSED,
    COMMENT_MAX,
    RESOLVED,
    add_event,
    can_view,
    responder_ids,
)


def rate(actor: User, ticket: Ticket, score, comment: str = "") -> TicketRating:
    """满意度 1–5 with a comment: only the ticket's customer, once, after resolution."""
    if not can_view(actor, ticket):
        raise NotFound("工单不存在")
    if actor.id != ticket.customer_id:
        raise PermissionDenied("只有提交工单的客户可以评价")
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ValidationError("评分须为 1–5 的整数", {"score": "评分须为 1–5 的整数"})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX or "\x00" in comment:
        raise ValidationError("评价内容有误", {"comment": f"最多 {COMMENT_MAX} 字"})
    if ticket.status not in (RESOLVED, CLOSED) or ticket.resolved_at is None:
        raise Conflict("工单解决后才能评价")
    if ticket.rating is not None:
        raise Conflict("你已评价过该工单")
    rating = TicketRating(ticket_id=ticket.id, customer_id=actor.id, score=score,
                          comment=comment, created_at=utcnow())
    db.session.add(rating)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise Conflict("你已评价过该工单") from None
    add_event(ticket, "rated", actor, f"满意度 {score} 分" + (f"：{comment}" if comment else ""),
              data={"score": score})
    events.emit(events.ticket_rated, ticket_id=ticket.id, number=ticket.number,
                customer_id=ticket.customer_id, tribe_id=ticket.tribe_id,
                responder_ids=responder_ids(ticket), score=score)
    events.commit()
    return rating
