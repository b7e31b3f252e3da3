"""Notifications: list one page, mark some or all read."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from forum.api import BOOLEAN, api_bp, json_body, page_args, read_fields, require_user
from forum.api import serializers as s
from forum.errors import ValidationError
from forum.models import Notification
from forum.services import notifications as service


def notification_json(note: Notification) -> dict[str, Any]:
    return {
        "id": note.id,
        "kind": note.kind,
        "label": service.label_of(note.kind),
        "text": service.text_of(note),
        "url": service.url_of(note),
        "count": note.count,
        "read": note.read_at is not None,
        "created_at": s.iso(note.created_at),
        "updated_at": s.iso(note.updated_at),
        "payload": _public_payload(note.payload or {}),
    }


def _public_payload(payload: dict) -> dict[str, Any]:
    """Ids and names a client may use to build its own screens (no internal keys)."""
    keep = ("actor_username", "actor_name", "topic_id", "topic_title", "post_id",
            "conversation_id", "message_id")
    return {k: payload[k] for k in keep if payload.get(k) is not None}


@api_bp.get("/notifications")
def list_notifications():
    user = require_user()
    page, per_page = page_args("TOPICS_PER_PAGE")  # default 20, capped at 100
    result = service.list_for(user, page, per_page)
    return jsonify({**s.page_of(result, [notification_json(n) for n in result.items]),
                    "unread_count": service.unread_count(user.id)})


@api_bp.post("/notifications/read")
def read_notifications():
    user = require_user()
    data = json_body()
    values = read_fields(data, optional={"all": BOOLEAN})
    ids = data.get("ids")
    if values.get("all"):
        if ids is not None:
            raise ValidationError("ids 与 all 只能二选一", {"ids": "与 all 同时出现"})
        changed = service.mark_all_read(user)
    else:
        if ids is None:
            raise ValidationError("请提供 ids 或 all", {"ids": "必填（或 all: true）"})
        if (not isinstance(ids, list) or not ids
                or not all(isinstance(i, int) and not isinstance(i, bool) and i > 0
                           for i in ids)):
            raise ValidationError("ids 必须是正整数数组", {"ids": "必须是非空的正整数数组"})
        changed = service.mark_read(user, ids)
    return jsonify({"marked": changed, "unread_count": service.unread_count(user.id)})
