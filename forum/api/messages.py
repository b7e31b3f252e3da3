"""Private messages (私信): conversations, a conversation's messages, sending, blocks."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from forum import ratelimit
from forum.api import STRING, api_bp, json_body, read_fields, require_user
from forum.api import serializers as s
from forum.models import Message
from forum.pagination import clamp_page
from forum.services import blocks
from forum.services import messages as service


def _page_args(default_per_page: int) -> tuple[int, int]:
    return clamp_page(request.args.get("page"), request.args.get("per_page"), default_per_page)


def message_json(message: Message) -> dict[str, Any]:
    # Private: both participants see the original text (nothing is masked).
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "sender": s.user_summary(message.sender),
        "body": message.body,
        "body_html": message.body_html,
        "created_at": s.iso(message.created_at),
    }


def _conversation_summary(row: service.ConversationSummary) -> dict[str, Any]:
    last = row.last_message
    return {
        "id": row.conversation.id,
        "other_user": s.user_summary(row.other_user),
        "last_message": None if last is None else {
            "id": last.id,
            "from_me": last.sender_id != row.other_user.id,
            "preview": row.preview,
            "created_at": s.iso(last.created_at),
        },
        "unread_count": row.unread,
        "last_activity_at": s.iso(row.last_activity_at),
    }


@api_bp.get("/messages")
def list_conversations():
    user = require_user()
    page, per_page = _page_args(service.CONVERSATIONS_PER_PAGE)
    result = service.list_conversations(user, page, per_page)
    return jsonify({**s.page_of(result, [_conversation_summary(r) for r in result.items]),
                    "unread_count": service.unread_count(user)})


@api_bp.get("/messages/<username>")
def get_conversation(username: str):
    user = require_user()
    page, per_page = _page_args(service.MESSAGES_PER_PAGE)
    view = service.conversation_view(user, username, page, per_page)
    return jsonify({
        "conversation_id": view.conversation.id if view.conversation else None,
        "other_user": s.user_summary(view.other_user),
        "messages": s.page_of(view.messages, [message_json(m) for m in view.messages.items]),
        "blocked_by_me": view.blocked_by_me,
        "can_send": view.can_send,
        "refusal": view.refusal,
    })


@api_bp.post("/messages/<username>")
def send_message(username: str):
    user = require_user()
    data = read_fields(json_body(), required={"body": STRING})
    ratelimit.consume("message", ratelimit.user_key(user))
    message = service.send_message(user, username, data["body"])
    return jsonify(message_json(message)), 201


@api_bp.post("/users/<username>/block")
def block_user(username: str):
    user = require_user()
    return jsonify(blocked=blocks.set_blocked(user, username, True))


@api_bp.delete("/users/<username>/block")
def unblock_user(username: str):
    user = require_user()
    return jsonify(blocked=blocks.set_blocked(user, username, False))
