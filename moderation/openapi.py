"""Moderation's part of the OpenAPI document (forum/api/openapi.py): the queue, queue
actions and tickets. Registered by ``moderation.init_app`` with
``forum.api.openapi_kit.register_openapi``; the scorer's route is included."""

from __future__ import annotations

from forum.api.openapi import USER_SUMMARY
from forum.api.openapi_kit import (
    AUTH,
    BOOLEAN,
    COUNT,
    DATETIME,
    INTEGER,
    PAGE,
    STRING,
    ApiSpec,
    array,
    get,
    nullable,
    obj,
    op,
    page_of,
    path_param,
    per_page,
    ref,
)
from moderation.models import QUEUE_STATUSES
from moderation.scoring import api as scoring_api
from moderation.scoring.demands import DEMANDS
from moderation.services import actions, queue, sla, tickets

TAG = {"name": "moderation", "description": "moderation queue (审核队列) and tickets (工单)"}
POST_ID = path_param("post_id", {"type": "integer", "minimum": 1}, "post id (topic opening "
                     "post or reply)")
NUMBER = path_param("number", {"type": "string", "examples": ["GD20261122-0001"]},
                    "ticket number")
DEMAND_CODES = list(DEMANDS)
TICKET_INPUT = {
    "title": {"type": "string", "maxLength": tickets.TITLE_MAX,
              "description": "default: the topic's title"},
    "description": {"type": "string", "maxLength": tickets.BODY_MAX,
                    "description": "default: the post's text"},
    "category": {"type": "string", "enum": list(tickets.CATEGORIES)},
    "tier": {"type": "string", "enum": list(sla.TIER_CODES),
             "description": "SLA tier (default normal)"},
    "demand": {"type": "string", "enum": DEMAND_CODES},
    "reason": {"type": "string", "maxLength": actions.REASON_MAX,
               "description": "kept in the audit log"},
}

TICKET_SUMMARY = {
    "number": STRING, "title": STRING,
    "status": {"type": "string", "enum": list(tickets.STATUSES)}, "status_label": STRING,
    "category": STRING, "demand": nullable({"type": "string"}),
    "tier": {"type": "string", "enum": list(sla.TIER_CODES)}, "tier_label": STRING,
    "customer": STRING, "assignee": nullable({"type": "string"}),
    "source_post_id": nullable({"type": "integer"}),
    "created_at": DATETIME, "updated_at": DATETIME, "first_response_due": DATETIME,
    "resolve_due": DATETIME, "first_responded_at": nullable(DATETIME),
    "resolved_at": nullable(DATETIME), "breached": BOOLEAN,
    "rating": nullable(ref("TicketRating")),
}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


SCHEMAS: dict = {
    "Demand": obj({"code": {"type": "string", "enum": DEMAND_CODES}, "label": STRING,
                   "psychology": STRING, "handling": STRING},
                  description="群体诉求 with the recommended handling (对策)"),
    "QueueItem": obj({
        "post_id": INTEGER, "topic_id": INTEGER, "is_first": BOOLEAN,
        "tribe": {"type": "string", "description": "tribe slug"},
        "title": STRING, "body_html": STRING,
        "visibility": {"type": "string", "enum": ["visible", "hidden", "cold"]},
        "status": {"type": "string", "enum": list(QUEUE_STATUSES)},
        "kind": {"type": "string", "enum": ["score", "report"],
                 "description": "what queued the post: the scorer, or members' reports (举报)"},
        "report_count": {"type": "integer", "minimum": 0,
                         "description": "members with an open report of the post"},
        "author": obj({**USER_SUMMARY, "post_count": COUNT, "previous_flags": COUNT,
                       "ticket_count": COUNT}, description="the author and their history"),
        "score": obj({"score": {"type": "integer", "minimum": 0, "maximum": 100},
                      "sentiment": {"type": "integer", "minimum": 0, "maximum": 100},
                      "relevance": {"type": "integer", "minimum": 0, "maximum": 100},
                      "keywords": array(STRING), "model_version": STRING}),
        "influence_index": {"type": "number", "description": "信息影响指数: influence + "
                            "relevance + sentiment (0–300); the queue's second sort key"},
        "urgency": ref("Urgency"),
        "demand": nullable(ref("Demand")),
        "suggested_demand": nullable({"type": "string"}),
        "ticket": nullable({"type": "string", "description": "number of the ticket opened "
                            "from this post"}),
        "created_at": DATETIME, "queued_at": DATETIME,
    }),
    "Urgency": obj({
        "tier": {"type": "string", "enum": list(queue.TIER_LABELS),
                 "description": "urgent (intensity 3), pressing (2), normal; the queue's "
                                "first sort key"},
        "label": {"type": "string", "enum": list(queue.TIER_LABELS.values())},
        "intensity": {"type": "integer", "minimum": 0, "maximum": 3},
        "cues": array(STRING),
    }, description="紧急程度 and why (the phrases the scorer found: 工信部, 媒体 …)"),
    "QueuePage": page_of("QueueItem"),
    "QueueActionRequest": obj({
        "action": {"type": "string", "enum": list(actions.ACTIONS)},
        "canned_reply_id": {"type": "integer", "description": "reply/message: a canned reply "
                            "(标准服务口径) to send"},
        "body": {"type": "string", "description": "reply/message: the text (or the edited "
                 "canned reply); placeholders {username} {name} {tribe} {topic} {ticket} "
                 "{moderator}; unknown ones are refused (422)"},
        **TICKET_INPUT,
    }, optional=tuple(["canned_reply_id", "body", *TICKET_INPUT])),
    "QueueActionResult": obj({
        "action": STRING, "item": ref("QueueItem"),
        "ticket": nullable(ref("TicketSummary")),
        "reply_id": nullable({"type": "integer"}), "message_id": nullable({"type": "integer"}),
    }),
    "TicketRequest": obj(TICKET_INPUT, optional=tuple(TICKET_INPUT)),
    "NotNegativeRequest": obj({"reason": TICKET_INPUT["reason"]}, optional=("reason",)),
    "TicketRating": obj({"score": {"type": "integer", "minimum": 1, "maximum": 5},
                         "comment": STRING, "created_at": DATETIME}),
    "TicketSummary": obj(TICKET_SUMMARY),
    "TicketEvent": obj({
        "id": INTEGER, "kind": STRING, "kind_label": STRING,
        "actor": nullable({"type": "string"}), "actor_name": STRING, "body": STRING,
        "internal": {"type": "boolean", "description": "internal note, staff only"},
        "created_at": DATETIME,
    }),
    "Ticket": obj({
        **TICKET_SUMMARY, "description": STRING,
        "allowed_transitions": array({"type": "string", "enum": list(tickets.STATUSES)}),
        "can_rate": BOOLEAN,
        "timeline": array(ref("TicketEvent")),
    }, description="A ticket with its timeline (customers see customer-visible events only)"),
    "TicketPage": page_of("TicketSummary"),
    "TicketReplyRequest": obj({"body": {"type": "string", "minLength": 1,
                                        "maxLength": tickets.BODY_MAX},
                               "internal": {"type": "boolean", "description": "an internal "
                                            "note (staff only)"}}, optional=("internal",)),
    "TicketStatusRequest": obj({"status": {"type": "string", "enum": list(tickets.STATUSES)},
                                "note": STRING,
                                "assignee": {"type": "string", "description": "username, "
                                             "for status assigned (default: yourself)"}},
                               optional=("note", "assignee")),
    "TicketRateRequest": obj({"score": {"type": "integer", "minimum": 1, "maximum": 5},
                              "comment": {"type": "string", "maxLength": tickets.COMMENT_MAX}},
                             optional=("comment",)),
}

PATHS: dict = {
    "/moderation/queue": {"get": get(
        "The moderation queue (审核队列)", "moderation", "moderationQueue", auth=AUTH,
        params=(_query("status", {"type": "string", "enum": list(QUEUE_STATUSES),
                                  "default": "open"}, "item status"),
                _query("tribe", {"type": "string"}, "tribe slug"),
                _query("demand", {"type": "string", "enum": DEMAND_CODES}, "demand class"),
                _query("kind", {"type": "string", "enum": ["score", "report"]},
                       "what queued the post: the scorer, or members' reports (举报)"),
                PAGE, per_page(20)),
        ok=(200, "QueuePage", "Negative posts by urgency tier, then influence index, then "
            "longest waiting"),
        errors=(403, 404, 422),
        description="Moderators only (403 otherwise); tribe moderators see their tribes.")},
    "/moderation/queue/{post_id}/actions": {"post": op(
        "Act on a queued post", "moderation", "moderationAction", auth=AUTH,
        params=(POST_ID,), body="QueueActionRequest",
        ok=(200, "QueueActionResult", "The item after the action"), errors=(403, 404, 409),
        description="dismiss, not_negative (不是负面: dismiss and teach the scorer), reply "
                    "(public, as the moderator), message (私信答复), ticket, cold (冷处理), "
                    "hide, restore, set_demand, reopen. Every action is in the audit log, and "
                    "every decision (all but restore and reopen) is kept as a training label "
                    "for the scorer.")},
    "/moderation/queue/{post_id}/not-negative": {"post": op(
        "Correct the scorer: not negative (不是负面)", "moderation", "moderationNotNegative",
        auth=AUTH, params=(POST_ID,), body="NotNegativeRequest", body_required=False,
        ok=(200, "QueueActionResult", "The item, dismissed"), errors=(403, 404, 422),
        description="Dismisses the item and records a training label (not negative) for the "
                    "next `flask moderation retrain`; same as the action `not_negative`.")},
    "/moderation/queue/{post_id}/ticket": {"post": op(
        "Convert a queued post to a ticket", "moderation", "moderationTicket", auth=AUTH,
        params=(POST_ID,), body="TicketRequest", body_required=False,
        ok=(201, "Ticket", "The new ticket"), errors=(403, 404, 409),
        description="409 when the post already has a ticket.")},
    "/me/tickets": {"get": get(
        "My tickets (我的工单)", "moderation", "myTickets", auth=AUTH,
        params=(PAGE, per_page(20)), ok=(200, "TicketPage", "Newest first"))},
    "/tickets/{number}": {"get": get(
        "A ticket with its timeline", "moderation", "getTicket", auth=AUTH, params=(NUMBER,),
        ok=(200, "Ticket", "The ticket"), errors=(404,),
        description="Its customer or staff; anyone else gets 404.")},
    "/tickets/{number}/replies": {"post": op(
        "Reply to a ticket (or add an internal note)", "moderation", "replyTicket", auth=AUTH,
        params=(NUMBER,), body="TicketReplyRequest", ok=(201, "Ticket", "The ticket"),
        errors=(403, 404, 409))},
    "/tickets/{number}/status": {"post": op(
        "Change a ticket's status", "moderation", "ticketStatus", auth=AUTH, params=(NUMBER,),
        body="TicketStatusRequest", ok=(200, "Ticket", "The ticket"), errors=(403, 404, 409),
        description="new → assigned → in_progress → waiting_customer → resolved → closed; "
                    "reopen (→ in_progress) within 7 days of resolution. A move the flow does "
                    "not allow is 409 with `error.fields.allowed` (comma-separated).")},
    "/tickets/{number}/rate": {"post": op(
        "Rate a resolved ticket (满意度)", "moderation", "rateTicket", auth=AUTH,
        params=(NUMBER,), body="TicketRateRequest", ok=(200, "Ticket", "The ticket"),
        errors=(403, 404, 409),
        description="Only its customer, once, after resolution; score 1–5 (422 otherwise).")},
}

# The scorer's route (moderation/scoring/api.py) is part of moderation's tag.
SPEC = ApiSpec(tag=TAG["name"], description=TAG["description"],
               paths={**PATHS, **scoring_api.PATHS}, schemas={**SCHEMAS, **scoring_api.SCHEMAS})
