"""The signed-in user's own account (issue 17): edit the profile, the avatar, the password;
request and complete a password reset. Same services as the settings pages."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_login import current_user

from forum import ratelimit
from forum.api import STRING, TAGS, api_bp, json_body, read_fields, require_user
from forum.api import serializers as s
from forum.auth import bearer_token
from forum.errors import ValidationError
from forum.models import User
from forum.services import accounts, passwords, profiles
from forum.services.topics import user_recent_posts
from forum.views.attachments import read_upload
from forum.views.passwords import request_reset_limited
from forum.views.settings import keep_session_after_password_change

RECENT_POSTS = 10


def me_json(user: User) -> dict[str, Any]:
    """The requester's own profile: the public one plus what only they see."""
    return {
        **s.user_profile(user, following=False,
                         recent_posts=user_recent_posts(user, limit=RECENT_POSTS), viewer=user),
        "email": user.email,
        "self_tags": profiles.self_tags(user),
        "display_name_next_change_at": s.iso(profiles.next_name_change(user)),
    }


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        return [t.strip() for t in value.replace("，", ",").split(",") if t.strip()]
    return list(value)


@api_bp.patch("/me")
def update_me():
    user = require_user()
    data = read_fields(json_body(), optional={"display_name": STRING, "bio": STRING,
                                              "email": STRING, "tags": TAGS})
    profiles.update_profile(user, display_name=data.get("display_name"), bio=data.get("bio"),
                            email=data.get("email"),
                            tags=_tags(data["tags"]) if "tags" in data else None)
    return jsonify(me_json(user))


@api_bp.post("/me/avatar")
def upload_avatar():
    user = require_user()
    profiles.set_avatar(user, read_upload())
    return jsonify(me_json(user))


@api_bp.delete("/me/avatar")
def delete_avatar():
    user = require_user()
    profiles.remove_avatar(user)
    return jsonify(me_json(user))


@api_bp.post("/me/password")
def change_password():
    user = require_user()
    data = read_fields(json_body(), required={"current_password": STRING,
                                              "new_password": STRING})
    key = ratelimit.user_key(user)
    ratelimit.check("password_change", key)
    try:
        passwords.change_password(user, data["current_password"], data["new_password"])
    except ValidationError as err:
        if "current_password" in err.fields:
            ratelimit.hit("password_change", key)
        raise
    token = None
    if (old := bearer_token()) is not None:  # the caller's replacement, under the same name
        token = accounts.issue_token(user, name=accounts.token_name(old) or "app")
    elif current_user.is_authenticated:
        keep_session_after_password_change(user)
    return jsonify(token=token)


@api_bp.post("/auth/password-reset")
def request_password_reset():
    data = read_fields(json_body(), required={"identifier": STRING})
    if not data["identifier"].strip():
        raise ValidationError("请填写用户名或邮箱", {"identifier": "请填写用户名或邮箱"})
    return jsonify(message=request_reset_limited(data["identifier"])), 202


@api_bp.post("/auth/password-reset/complete")
def complete_password_reset():
    data = read_fields(json_body(), required={"token": STRING, "new_password": STRING})
    user = passwords.complete_reset(data["token"], data["new_password"])
    ratelimit.unlock_login(user.username)  # the owner proved it: lift a lockout
    return jsonify(username=user.username)
