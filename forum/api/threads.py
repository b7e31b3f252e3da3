"""Thread features of the API: 举报 a post; 精华; watching and bookmarks (收藏); mark a
tribe read."""

from __future__ import annotations

from flask import jsonify

from forum.api import BOOLEAN, STRING, api_bp, json_body, page_args, read_fields, require_user
from forum.api import serializers as s
from forum.services import bookmarks, listing, reading, reports
from forum.services import topics as topic_service
from forum.services import tribes as tribe_service


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


def _topic(topic_id: int):
    user = require_user()
    return user, topic_service.get_topic_or_404(topic_id, user)


@api_bp.post("/topics/<id:topic_id>/featured")
def set_featured(topic_id: int):
    user, topic = _topic(topic_id)
    data = read_fields(json_body(), required={"featured": BOOLEAN})
    listing.set_featured(user, topic, data["featured"])
    return jsonify(featured=topic.is_featured)


@api_bp.post("/topics/<id:topic_id>/watch")
def watch_topic(topic_id: int):
    user, topic = _topic(topic_id)
    data = read_fields(json_body(), required={"watching": BOOLEAN})
    return jsonify(watching=bookmarks.set_watching(user, topic, data["watching"]))


@api_bp.post("/topics/<id:topic_id>/bookmark")
def bookmark_topic(topic_id: int):
    user, topic = _topic(topic_id)
    data = read_fields(json_body(), required={"bookmarked": BOOLEAN})
    return jsonify(bookmarked=bookmarks.set_bookmark(user, topic, data["bookmarked"]))


@api_bp.get("/me/bookmarks")
def my_bookmarks():
    user = require_user()
    page, per_page = page_args("TOPICS_PER_PAGE")
    result = bookmarks.bookmarked_topics(user, page, per_page)
    return jsonify(s.page_of(result, [s.topic_summary(t, user) for t in result.items]))


@api_bp.post("/tribes/<slug>/read")
def mark_tribe_read(slug: str):
    user = require_user()
    tribe = tribe_service.get_tribe_or_404(slug)
    return jsonify(marked=reading.mark_tribe_read(user, tribe))
