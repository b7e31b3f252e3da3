"""Topics and replies: read, edit, delete, reply, like, accept an answer."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from forum import ratelimit
from forum.api import (
    BOOLEAN,
    ID,
    STRING,
    TAGS,
    api_bp,
    current_viewer,
    json_body,
    optional_json_body,
    page_args,
    read_fields,
    require_user,
)
from forum.api import serializers as s
from forum.errors import NotFound, ValidationError
from forum.models import Post, Topic, User
from forum.services import topics as service


def topic_response(topic: Topic, viewer: User | None, status: int = 200,
                   page: int = 1, per_page: int | None = None) -> Response:
    """The topic with its opening post and one page of replies, as ``viewer`` may see it."""
    per_page = per_page or current_app.config["REPLIES_PER_PAGE"]
    data = service.topic_page(topic, viewer, page, per_page)
    view_count = topic.view_count + service.view_counter.pending(topic.id)
    response = jsonify(s.topic_detail(data, viewer, view_count=view_count))
    response.status_code = status
    return response


def _reply_or_404(reply_id: int, viewer: User | None) -> Post:
    """A reply (not a topic's opening post, which is addressed through its topic)."""
    post = service.get_post_or_404(reply_id, viewer)
    if post.is_first:
        raise NotFound("回复不存在或已被删除")
    return post


def _reply_response(post: Post, viewer: User, status: int = 200) -> Response:
    body = s.reply(post, viewer, liked=service.has_liked(viewer, post),
                   accepted=post.topic.accepted_post_id == post.id)
    response = jsonify(body)
    response.status_code = status
    return response


def _like(post: Post, user: User) -> Response:
    data = read_fields(optional_json_body(), optional={"liked": BOOLEAN})
    if "liked" in data:
        liked, count = service.set_like(user, post, data["liked"])
    else:
        liked, count = service.toggle_like(user, post)
    return jsonify(liked=liked, like_count=count)


@api_bp.get("/topics/<id:topic_id>")
def get_topic(topic_id: int):
    viewer = current_viewer()
    topic = service.get_topic_or_404(topic_id, viewer)
    page, per_page = page_args("REPLIES_PER_PAGE")
    service.view_counter.record(topic.id)
    return topic_response(topic, viewer, page=page, per_page=per_page)


@api_bp.patch("/topics/<id:topic_id>")
def edit_topic(topic_id: int):
    user = require_user()
    data = read_fields(json_body(), optional={"title": STRING, "body": STRING, "tags": TAGS})
    topic = service.get_topic_or_404(topic_id, user)
    first = topic.first_post
    service.edit_post(user, first, data.get("body", first.body), title=data.get("title"),
                      tags=data.get("tags"))
    return topic_response(topic, user)


@api_bp.delete("/topics/<id:topic_id>")
def delete_topic(topic_id: int):
    user = require_user()
    topic = service.get_topic_or_404(topic_id, user)
    service.delete_post(user, topic.first_post)
    return "", 204


@api_bp.post("/topics/<id:topic_id>/replies")
def create_reply(topic_id: int):
    user = require_user()
    data = read_fields(json_body(), required={"body": STRING})
    topic = service.get_topic_or_404(topic_id, user)
    ratelimit.consume("post", ratelimit.user_key(user))
    post = service.create_reply(user, topic, data["body"])
    return _reply_response(post, user, status=201)


@api_bp.patch("/replies/<id:reply_id>")
def edit_reply(reply_id: int):
    user = require_user()
    data = read_fields(json_body(), required={"body": STRING})
    post = _reply_or_404(reply_id, user)
    service.edit_post(user, post, data["body"])
    return _reply_response(post, user)


@api_bp.delete("/replies/<id:reply_id>")
def delete_reply(reply_id: int):
    user = require_user()
    post = _reply_or_404(reply_id, user)
    service.delete_post(user, post)
    return "", 204


@api_bp.post("/topics/<id:topic_id>/like")
def like_topic(topic_id: int):
    user = require_user()
    topic = service.get_topic_or_404(topic_id, user)
    return _like(topic.first_post, user)


@api_bp.post("/replies/<id:reply_id>/like")
def like_reply(reply_id: int):
    user = require_user()
    return _like(_reply_or_404(reply_id, user), user)


@api_bp.post("/topics/<id:topic_id>/accept")
def accept_answer(topic_id: int):
    user = require_user()
    data = read_fields(json_body(), required={"reply_id": ID})
    topic = service.get_topic_or_404(topic_id, user)
    try:
        post = _reply_or_404(data["reply_id"], user)
    except NotFound:
        raise ValidationError("只能采纳本帖中的回复", {"reply_id": "回复不存在"}) from None
    service.accept_answer(user, topic, post)
    return jsonify(solved=topic.solved, accepted_reply_id=topic.accepted_post_id)
