"""GET /api/v1/search: the same search as the page, as JSON (on the core's api blueprint)."""

from __future__ import annotations

from flask import jsonify, request

from forum.api import api_bp, current_viewer
from forum.api.serializers import iso
from forum.errors import ValidationError
from forum.pagination import clamp_page
from forum.permissions import topic_title_for
from forum.services.topics import get_topic_or_404
from search import services
from search.services.similar import similar_topics


def serialize_result(item: services.SearchResult) -> dict:
    return {
        "type": item.kind,
        "id": item.id,
        "topic_id": item.topic_id,
        "title": item.title,
        "snippet_html": str(item.snippet_html),
        "score": item.score,
        "tribe": item.tribe.slug if item.tribe is not None else None,
        "solved": item.solved,
        "created_at": iso(item.created_at),
    }


@api_bp.get("/search")
def api_search():
    args = request.args
    filters = services.parse_filters(kind=args.get("type"), tribe=args.get("tribe"),
                                     solved=args.get("solved"), date_from=args.get("date_from"),
                                     date_to=args.get("date_to"))
    page, per_page = clamp_page(args.get("page"), args.get("per_page"), services.PER_PAGE)
    per_page = min(per_page, services.MAX_PER_PAGE)
    results = services.search(current_viewer(), args.get("q", ""), filters, page, per_page)
    return jsonify({
        "items": [serialize_result(item) for item in results.page.items],
        "page": results.page.page,
        "per_page": results.page.per_page,
        "total": results.total,
        "query": results.query.text,
        "relaxed": results.relaxed,
        "strict_total": results.strict_total,
        "did_you_mean": results.did_you_mean,
        "notices": results.notices,
    })


@api_bp.get("/search/similar")
def api_similar():
    """Topics like a title being written (the composer), or like a topic (its page's
    相关话题, ``topic_id``) — solved ones first."""
    viewer = current_viewer()
    title, exclude = request.args.get("title", ""), None
    topic_arg = request.args.get("topic_id", "")
    if topic_arg:
        if not topic_arg.isdigit() or not 0 < int(topic_arg) < 2**31:
            raise ValidationError("参数有误", {"topic_id": "topic_id 须为话题编号"})
        topic = get_topic_or_404(int(topic_arg), viewer)
        title, exclude = topic_title_for(viewer, topic), topic.id
    items = similar_topics(viewer, title, exclude_topic_id=exclude)
    return jsonify({"items": [
        {"topic_id": i.topic_id, "title": i.title, "solved": i.solved,
         "accepted_excerpt": i.accepted_excerpt, "score": i.score} for i in items]})
