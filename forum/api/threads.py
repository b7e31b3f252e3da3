"""Thread features of the API: 举报 a post; 精华; watching and bookmarks (收藏); mark a
tribe read."""

from __future__ import annotations

from flask import jsonify

from forum.api import STRING, api_bp, json_body, read_fields, require_user
from forum.api import serializers as s
from forum.services import reports
from forum.services import topics as topic_service


@api_bp.post("/posts/<id:post_id>/report")
def report_post(post_id: int):
    """举报 a post (an opening post or a reply): a reason from the list and an optional note."""
    user = require_user()
    data = read_fields(json_body(), optional={"reason": STRING, "note": STRING})
    post = topic_service.get_post_or_404(post_id, user)
    report = reports.report_post(user, post, data.get("reason"), data.get("note", ""))
    response = jsonify({"id": report.id, "post_id": report.post_id, "reason": report.reason,
                        "note": report.note, "status": report.status,
                        "created_at": s.iso(report.created_at)})
    response.status_code = 201
    return response
