"""Tribes: the list, one tribe, membership, and a tribe's topics (list and create)."""

from __future__ import annotations

from flask import jsonify, request, url_for

from forum import ratelimit
from forum.api import (
    STRING,
    TAGS,
    api_bp,
    current_viewer,
    json_body,
    page_args,
    read_fields,
    require_user,
)
from forum.api import serializers as s
from forum.api.topics import topic_response
from forum.services import listing
from forum.services import topics as topic_service
from forum.services import tribes as tribe_service


@api_bp.get("/tribes")
def list_tribes():
    viewer = current_viewer()
    joined = tribe_service.member_tribe_ids(viewer) if viewer else None
    items = [s.tribe(t, joined=None if joined is None else t.id in joined)
             for t in tribe_service.list_tribes()]
    return jsonify(items=items)


@api_bp.get("/tribes/<slug>")
def get_tribe(slug: str):
    viewer = current_viewer()
    tribe = tribe_service.get_tribe_or_404(slug)
    joined = tribe_service.is_member(viewer, tribe) if viewer else None
    return jsonify(s.tribe(tribe, joined=joined))


def _membership(slug: str, join: bool):
    user = require_user()
    tribe = tribe_service.get_tribe_or_404(slug)
    joined = tribe_service.set_membership(user, tribe, join)
    return jsonify(joined=joined, member_count=tribe.member_count)


@api_bp.post("/tribes/<slug>/join")
def join_tribe(slug: str):
    return _membership(slug, True)


@api_bp.post("/tribes/<slug>/leave")
def leave_tribe(slug: str):
    return _membership(slug, False)


@api_bp.get("/tribes/<slug>/topics")
def tribe_topics(slug: str):
    viewer = current_viewer()
    tribe = tribe_service.get_tribe_or_404(slug)
    page, per_page = page_args("TOPICS_PER_PAGE")
    sort = listing.parse_sort(request.args.get("sort"), strict=True)
    result = tribe_service.tribe_topics(tribe, page, per_page, sort)
    return jsonify(s.page_of(result, [s.topic_summary(t, viewer) for t in result.items]))


@api_bp.post("/tribes/<slug>/topics")
def create_topic(slug: str):
    user = require_user()
    data = read_fields(json_body(), required={"title": STRING, "body": STRING},
                       optional={"tags": TAGS})
    tribe = tribe_service.get_tribe_or_404(slug)
    ratelimit.consume("post", ratelimit.user_key(user))
    topic = topic_service.create_topic(user, tribe, data["title"], data["body"],
                                       data.get("tags"))
    response = topic_response(topic, user, status=201)
    response.headers["Location"] = url_for("api.get_topic", topic_id=topic.id)
    return response
