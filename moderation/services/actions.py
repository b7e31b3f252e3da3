"""Moderator actions on a queued post, each recorded in the audit log.

dismiss · not_negative (不是负面: dismiss, and teach the scorer) · reply (public, from a
canned reply or free text with placeholders) · message (私信答复) · ticket (转为工单) · cold
(特殊冷处理) · hide · restore · set_demand · reopen. Each decision is also a training label
(``labels.record``), committed with the action and its audit entry: ``perform`` is one
unit of work (``forum.uow.unit_of_work``; the view or API call opens it, and it joins), so
the reply, message, ticket or visibility change commits with its audit entry or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forum import uow
from forum.errors import ValidationError
from forum.extensions import db
from forum.models import COLD, HIDDEN, VISIBLE, Post, User, utcnow
from forum.permissions import topic_title_for
from forum.services import messages, topics
from forum.services.notifications import notify
from forum.services.reports import close_open_reports
from forum.services.visibility import set_post_visibility
from moderation.models import DISMISSED, HANDLED, OPEN, QueueItem, Ticket
from moderation.scoring.demands import DEMANDS
from moderation.scoring.models import PostScore
from moderation.services import audit, canned, labels, tickets
from moderation.services.queue import get_item_or_404

ACTIONS = ("dismiss", "not_negative", "reply", "message", "ticket", "cold", "hide", "restore", "set_demand",
           "reopen")
VISIBILITY_OF = {"cold": COLD, "hide": HIDDEN, "restore": VISIBLE}
REASON_MAX = 500


@dataclass
class ActionResult:
    item: QueueItem
    action: str
    ticket: Ticket | None = None
    reply: Post | None = None
    message_id: int | None = None


def _state(item: QueueItem) -> dict:
    return {"status": item.status, "visibility": item.post.visibility, "demand": item.demand}


def placeholder_values(actor: User, item: QueueItem) -> dict[str, str | None]:
    post = item.post
    ticket = tickets.ticket_for_post(post.id)
    return {"username": item.author.username, "name": item.author.display_name,
            "tribe": item.tribe.name, "topic": topic_title_for(None, post.topic),
            "ticket": ticket.number if ticket else None, "moderator": actor.display_name}


def _text(actor: User, item: QueueItem, params: dict[str, Any]) -> str:
    """The reply text: a canned reply (by id) or free text, placeholders filled in."""
    reply_id = params.get("canned_reply_id")
    if reply_id not in (None, ""):
        try:
            template = canned.get_reply_or_404(int(reply_id)).body
        except (TypeError, ValueError):
            raise ValidationError("服务口径编号有误", {"canned_reply_id": "须为整数"}) from None
        if params.get("body"):
            template = params["body"]  # the moderator edited the template before sending
    else:
        template = params.get("body") or ""
    if not isinstance(template, str):
        raise ValidationError("答复内容须为文字", {"body": "须为字符串"})
    return canned.render(template, placeholder_values(actor, item))


def _finish(actor: User, item: QueueItem, action: str, before: dict, reason: str | None,
            status: str | None = HANDLED, **extra_after) -> None:
    if status is not None:
        item.status = status
        if status == OPEN:
            item.handled_at = None
            item.handled_by_id = None
        else:
            item.handled_at = utcnow()
            item.handled_by_id = actor.id
            close_open_reports(item.post_id)  # members may report the post again
    item.last_action = action
    item.updated_at = utcnow()
    labels.record(actor, item, action)
    audit.record(actor.id, action, "post", item.post_id, before=before,
                 after={**_state(item), **extra_after}, reason=reason)


def perform(actor: User, post_id: int, action: str, params: dict[str, Any] | None = None
            ) -> ActionResult:
    """Apply ``action`` to the queued post ``post_id`` (moderators of its tribe only): the
    action, its training label and its audit entry commit together or not at all."""
    with uow.unit_of_work():
        return _perform(actor, post_id, action, params or {})


def _perform(actor: User, post_id: int, action: str, params: dict[str, Any]) -> ActionResult:
    item = get_item_or_404(actor, post_id)
    if action not in ACTIONS:
        raise ValidationError("未知的操作", {"action": f"须为 {', '.join(ACTIONS)}"})
    reason = params.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > REASON_MAX):
        raise ValidationError("原因有误", {"reason": f"最多 {REASON_MAX} 字"})
    before = _state(item)
    result = ActionResult(item=item, action=action)
    if action in ("dismiss", "not_negative"):
        _finish(actor, item, action, before, reason, DISMISSED)
    elif action == "reopen":
        _finish(actor, item, action, before, reason, OPEN)
    elif action == "set_demand":
        demand = params.get("demand")
        if demand not in DEMANDS:
            raise ValidationError("未知的诉求分类", {"demand": f"须为 {', '.join(DEMANDS)}"})
        item.demand = demand
        _finish(actor, item, action, before, reason, status=None)
    elif action in VISIBILITY_OF:
        changed = item.post.visibility != VISIBILITY_OF[action]
        set_post_visibility(item.post_id, VISIBILITY_OF[action], actor.id, reason)
        _finish(actor, item, action, before, reason,
                status=None if action == "restore" else HANDLED)
        if action == "hide" and changed:
            # Hiding is open: the author is told (with the reason). Cold handling is quiet
            # by design — the author still sees the post as before and gets no notice.
            notify(item.post.author_id, "post_hidden", {
                "post_id": item.post_id, "topic_id": item.post.topic_id,
                "reason": (reason or "").strip() or "违反社区规范"})
    elif action == "reply":
        text = _text(actor, item, params)
        post = item.post
        result.reply = topics.create_reply(actor, post.topic, text)
        _finish(actor, item, action, before, reason, reply_id=result.reply.id)
    elif action == "message":
        text = _text(actor, item, params)
        message = messages.send_message(actor, item.author, text)
        result.message_id = message.id
        _finish(actor, item, action, before, reason, message_id=message.id)
    elif action == "ticket":
        result.ticket = convert_to_ticket(actor, item, params)
        _finish(actor, item, action, before, reason, ticket=result.ticket.number)
    return result


def convert_to_ticket(actor: User, item: QueueItem, params: dict[str, Any]) -> Ticket:
    """Open a ticket for the post's author (in perform()'s unit of work: it commits with the
    queue item and the audit entry)."""
    post = item.post
    title = params.get("title") or topic_title_for(None, post.topic)
    description = params.get("description")
    if description is None:
        description = post.body[: tickets.BODY_MAX]
    for name, value in (("title", title), ("description", description),
                        ("category", params.get("category")), ("tier", params.get("tier"))):
        if value is not None and not isinstance(value, str):
            raise ValidationError("工单字段类型有误", {name: "须为字符串"})
    return tickets.create_ticket(
        actor, item.author, title=title, description=description,
        category=params.get("category") or "投诉",
        demand=params.get("demand") or item.demand or _suggested_demand(item),
        tier=params.get("tier") or None, source_post=post)


def _suggested_demand(item: QueueItem) -> str | None:

    score = db.session.query(PostScore).filter_by(post_id=item.post_id).first()
    return score.demand if score else None
