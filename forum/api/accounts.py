"""Accounts: registration, tokens, the current user, profiles and follows."""

from __future__ import annotations

from flask import jsonify

from forum import ratelimit
from forum.api import (
    BOOLEAN,
    STRING,
    api_bp,
    current_viewer,
    json_body,
    optional_json_body,
    read_fields,
    require_user,
)
from forum.api import serializers as s
from forum.api.me import me_json
from forum.models import User
from forum.services import accounts
from forum.services.topics import user_recent_posts

RECENT_POSTS = 10


def _profile(user: User, viewer: User | None) -> dict:
    return s.user_profile(user, following=accounts.is_following(viewer, user),
                          recent_posts=user_recent_posts(user, limit=RECENT_POSTS),
                          viewer=viewer)


@api_bp.post("/auth/register")
def register():
    data = read_fields(json_body(), required={"username": STRING, "password": STRING,
                                              "display_name": STRING})
    ratelimit.consume("register_ip", ratelimit.client_ip())
    user = accounts.register_user(data["username"], data["display_name"], data["password"])
    token = accounts.issue_token(user, name="app")
    return jsonify(user=_profile(user, user), token=token), 201


@api_bp.post("/auth/token")
def issue_token():
    data = read_fields(json_body(), required={"username": STRING, "password": STRING},
                       optional={"name": STRING})
    user = ratelimit.authenticate(data["username"], data["password"])
    ratelimit.consume("token", ratelimit.user_key(user))
    return jsonify(token=accounts.issue_token(user, name=data.get("name") or "app"))


@api_bp.get("/me")
def me():
    return jsonify(me_json(require_user()))


@api_bp.get("/users/<username>")
def user_profile(username: str):
    user = accounts.get_user_or_404(username)
    return jsonify(_profile(user, current_viewer()))


@api_bp.post("/users/<username>/follow")
def follow(username: str):
    actor = require_user()
    data = read_fields(optional_json_body(), optional={"following": BOOLEAN})
    user = accounts.get_user_or_404(username)
    if "following" in data:
        following = accounts.set_following(actor, user, data["following"])
    else:
        following = accounts.toggle_follow(actor, user)
    return jsonify(following=following, follower_count=user.follower_count)
