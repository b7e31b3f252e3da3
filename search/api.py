"""GET /api/v1/search: the same search as the page, as JSON (on the core's api blueprint)."""

from __future__ import annotations

from flask import jsonify, request

from forum.api import api_bp, current_viewer
from forum.api.serializers import iso
from forum.pagination import clamp_page
from search import services


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
    """Topics like a title being written (the composer) — solved ones first."""
    from search.services.similar import similar_topics

    items = similar_topics(current_viewer(), request.args.get("title", ""))
    return jsonify({"items": [
        {"topic_id": i.topic_id, "title": i.title, "solved": i.solved,
         "accepted_excerpt": i.accepted_excerpt, "score": i.score} for i in items]})
