"""Composer drafts (草稿) of the signed-in user: list, read, save (upsert), discard.

Keys name a composer: ``topic:<tribe_id>``, ``reply:<topic_id>``, ``edit:<post_id>``,
``message:<username>``. Another user's drafts are never visible (404, like a missing one).
Routes are added to ``api_bp`` when forum/views/drafts.py imports this module.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from forum.api import STRING, api_bp, json_body, read_fields, require_user
from forum.api import serializers as s
from forum.errors import NotFound
from forum.models.drafts import Draft
from forum.pagination import clamp_page
from forum.services import drafts as service


def draft_json(draft: Draft) -> dict[str, Any]:
    return {"key": draft.key, "title": draft.title, "body": draft.body, "tags": draft.tags,
            "created_at": s.iso(draft.created_at), "updated_at": s.iso(draft.updated_at)}


@api_bp.get("/me/drafts")
def list_my_drafts():
    user = require_user()
    page, per_page = clamp_page(request.args.get("page"), request.args.get("per_page"),
                                service.DRAFTS_PER_PAGE)
    result = service.list_drafts(user, page, per_page)
    return jsonify(s.page_of(result, [draft_json(d) for d in result.items]))


@api_bp.get("/me/drafts/<key>")
def get_my_draft(key: str):
    user = require_user()
    return jsonify(draft_json(service.get_draft_or_404(user, key)))


@api_bp.put("/me/drafts/<key>")
def save_my_draft(key: str):
    user = require_user()
    data = read_fields(json_body(), optional={"body": STRING, "title": STRING, "tags": STRING})
    draft = service.save_draft(user, key, **data)
    if draft is None:
        return "", 204
    return jsonify(draft_json(draft))


@api_bp.delete("/me/drafts/<key>")
def discard_my_draft(key: str):
    user = require_user()
    service.parse_key(key)
    if not service.discard_draft(user, key):
        raise NotFound("草稿不存在")
    return "", 204
