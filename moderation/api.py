"""JSON endpoints of moderation on the core's api blueprint (/api/v1); documented in
moderation/openapi.py, which adds them to the OpenAPI document."""

from __future__ import annotations

from flask import jsonify, request

from forum.api import (
    BOOLEAN,
    ID,
    STRING,
    api_bp,
    json_body,
    page_args,
    read_fields,
    require_user,
)
from forum.api.serializers import page_of
from forum.errors import ValidationError
from forum.services.tribes import get_tribe_or_404
from moderation import serializers as s
from moderation.services import actions, queue, ratings, tickets

TICKET_FIELDS = {"title": STRING, "description": STRING, "category": STRING, "tier": STRING,
                 "demand": STRING, "reason": STRING}


@api_bp.get("/moderation/queue")
def moderation_queue():
    user = require_user()
    args = request.args
    tribe_id = get_tribe_or_404(args["tribe"]).id if args.get("tribe") else None
    status = args.get("status") or "open"
    if status not in queue.QUEUE_STATUSES:
        raise ValidationError("未知的状态", {"status": f"须为 {', '.join(queue.QUEUE_STATUSES)}"})
    filters = queue.QueueFilters(tribe_id=tribe_id, demand=args.get("demand") or None,
                                 status=status, kind=args.get("kind") or None)
    page, per_page = page_args("TOPICS_PER_PAGE")
    result = queue.list_queue(user, filters, page, per_page)
    return jsonify(page_of(result, [s.queue_row(row, user) for row in result.items]))


@api_bp.post("/moderation/queue/<id:post_id>/actions")
def moderation_action(post_id: int):
    user = require_user()
    data = json_body()
    fields = read_fields(data, required={"action": STRING},
                         optional={"canned_reply_id": ID, "body": STRING,
                                   "demand": STRING, **TICKET_FIELDS})
    action = fields.pop("action")
    return _action_result(user, actions.perform(user, post_id, action, fields))


@api_bp.post("/moderation/queue/<id:post_id>/not-negative")
def moderation_not_negative(post_id: int):
    """不是负面: one click that dismisses the item and keeps the correction as a label."""
    user = require_user()
    fields = read_fields(json_body() if _has_body() else {}, optional={"reason": STRING})
    return _action_result(user, actions.perform(user, post_id, "not_negative", fields))


def _action_result(user, result: actions.ActionResult):
    return jsonify({"action": result.action,
                    "item": s.queue_row(queue.row_for(result.item), user),
                    "ticket": s.ticket_summary(result.ticket) if result.ticket else None,
                    "reply_id": result.reply.id if result.reply else None,
                    "message_id": result.message_id})


@api_bp.post("/moderation/queue/<id:post_id>/ticket")
def moderation_ticket(post_id: int):
    user = require_user()
    fields = read_fields(json_body() if _has_body() else {}, optional=TICKET_FIELDS)
    result = actions.perform(user, post_id, "ticket", fields)
    response = jsonify(s.ticket_detail(result.ticket, user))
    response.status_code = 201
    return response


def _has_body() -> bool:
    return bool(request.get_data(cache=True).strip())


@api_bp.get("/me/tickets")
def my_tickets():
    user = require_user()
    page, per_page = page_args("TOPICS_PER_PAGE")
    result = tickets.my_tickets(user, page, per_page)
    return jsonify(page_of(result, [s.ticket_summary(t) for t in result.items]))


@api_bp.get("/tickets/<number>")
def get_ticket(number: str):
    user = require_user()
    return jsonify(s.ticket_detail(tickets.get_ticket_or_404(number, user), user))


@api_bp.post("/tickets/<number>/replies")
def ticket_reply(number: str):
    user = require_user()
    data = read_fields(json_body(), required={"body": STRING},
                       optional={"internal": BOOLEAN})
    ticket = tickets.get_ticket_or_404(number, user)
    tickets.add_reply(user, ticket, data["body"], internal=data.get("internal", False))
    response = jsonify(s.ticket_detail(ticket, user))
    response.status_code = 201
    return response


@api_bp.post("/tickets/<number>/status")
def ticket_status(number: str):
    user = require_user()
    data = read_fields(json_body(), required={"status": STRING},
                       optional={"note": STRING, "assignee": STRING})
    ticket = tickets.get_ticket_or_404(number, user)
    tickets.change_status(user, ticket, data["status"], note=data.get("note", ""),
                          assignee=data.get("assignee"))
    return jsonify(s.ticket_detail(ticket, user))


@api_bp.post("/tickets/<number>/rate")
def ticket_rate(number: str):
    user = require_user()
    data = json_body()
    score = data.get("score")
    if score is None:
        raise ValidationError("请给出 1–5 的评分", {"score": "必填"})
    fields = read_fields(data, optional={"comment": STRING})
    ticket = tickets.get_ticket_or_404(number, user)
    ratings.rate(user, ticket, score, fields.get("comment", ""))
    return jsonify(s.ticket_detail(ticket, user))
