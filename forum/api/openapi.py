"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json.

Written by hand as a Python dict. tests/forum/test_api_openapi.py checks that every route of
the api blueprint is described here (and nothing else), that the document is valid, and the
API tests check real responses against the schemas below — so it cannot silently drift.
Limits come from the services' constants, so they stay in step with the rules.

This module holds the core's part (forum's own paths, schemas and tags). Every package adds
its part with ``forum.api.openapi_kit.register_openapi(app, ApiSpec(...))`` in its
``init_app``; ``document(app)`` builds one app's document from them.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, jsonify

from forum.api import api_bp
from forum.api.openapi_kit import (
    AUTH,
    BOOLEAN,
    COUNT,
    DATETIME,
    ERRORS,
    INTEGER,
    OPTIONAL_AUTH,
    PAGE,
    STRING,
    Schema,
    array,
    get,
    nullable,
    obj,
    op,
    page_of,
    path_param,
    per_page,
    ref,
    registered_specs,
)
from forum.pagination import MAX_PER_PAGE
from forum.services.accounts import DISPLAY_NAME_MAX, PASSWORD_MIN
from forum.services.messages import BODY_MAX as MESSAGE_BODY_MAX
from forum.services.messages import BODY_MIN as MESSAGE_BODY_MIN
from forum.services.messages import CONVERSATIONS_PER_PAGE, MESSAGES_PER_PAGE
from forum.services.passwords import PASSWORD_MAX
from forum.services.profiles import BIO_MAX, EMAIL_MAX, SELF_TAGS
from forum.services.reports import NOTE_MAX as REPORT_NOTE_MAX
from forum.services.reports import REASONS as REPORT_REASONS
from forum.services.topics import BODY_MAX, BODY_MIN, TAG_LEN_MAX, TAGS_MAX, TITLE_MAX, TITLE_MIN

TAGS_INPUT: Schema = {
    "description": f"Up to {TAGS_MAX} tags of at most {TAG_LEN_MAX} characters, as an array or "
                   "as one string separated by commas or spaces",
    "oneOf": [array({"type": "string", "maxLength": TAG_LEN_MAX}) | {"maxItems": TAGS_MAX},
              {"type": "string"}],
}
TITLE_INPUT: Schema = {"type": "string", "minLength": TITLE_MIN, "maxLength": TITLE_MAX,
                       "description": f"{TITLE_MIN}–{TITLE_MAX} characters after trimming"}
BODY_INPUT: Schema = {"type": "string", "minLength": BODY_MIN, "maxLength": BODY_MAX,
                      "description": f"Markdown, {BODY_MIN}–{BODY_MAX} characters after "
                                     "trimming; `@username` mentions become profile links"}


USER_SUMMARY = {
    "username": STRING,
    "display_name": STRING,
    "title": nullable({"type": "string", "description": "头衔 from rewards, if any"}),
    "is_verified": {"type": "boolean", "description": "加V"},
    "avatar_initials": STRING,
    "avatar_url": nullable({"type": "string", "description": "the uploaded avatar (a square "
                            "image, /avatars/<name>); null: show the initials"}),
    "influence": {"type": "number", "minimum": 0, "maximum": 100,
                  "description": "客户影响力 0–100, computed by rewards"},
}

TOPIC_SUMMARY = {
    "id": INTEGER,
    "title": {"type": "string", "description": "PII-masked unless the requester is the author "
                                               "or a moderator"},
    "tribe": {"type": "string", "description": "slug of the topic's tribe"},
    "author": ref("UserSummary"),
    "tags": array(STRING),
    "reply_count": COUNT,
    "like_count": COUNT,
    "view_count": COUNT,
    "solved": {"type": "boolean", "description": "已解决: a reply is accepted"},
    "is_pinned": BOOLEAN,
    "is_featured": {"type": "boolean", "description": "精华, set by the tribe's moderators"},
    "created_at": DATETIME,
    "last_activity_at": DATETIME,
}

POST_TEXT = {
    "body_html": {"type": "string", "description": "Sanitized HTML. Phone numbers, ID-card "
                  "numbers and e-mail addresses are masked unless the requester is the author "
                  "or a moderator"},
    "body": nullable({"type": "string", "description": "Markdown source; only for the author "
                      "and moderators, else null"}),
    "has_pii": nullable({"type": "boolean", "description": "whether the text contains personal "
                         "data that others see masked; only for the author and moderators"}),
}

REPLY = {
    "id": INTEGER,
    "topic_id": INTEGER,
    "floor": nullable({"type": "integer", "minimum": 2, "description": "楼层: the opening "
                       "post is floor 1 (楼主), replies from 2 (沙发, 板凳, 地板, then N楼); "
                       "stable, gaps where posts were deleted"}),
    "author": ref("UserSummary"),
    **POST_TEXT,
    "like_count": COUNT,
    "liked": {"type": "boolean", "description": "the requester likes it"},
    "accepted": {"type": "boolean", "description": "最佳答案 of its topic"},
    "edit_count": COUNT,
    "created_at": DATETIME,
    "edited_at": nullable(DATETIME),
    "can_edit": {"type": "boolean", "description": "the requester may edit or delete it"},
}

SCHEMAS: dict[str, Schema] = {
    "Error": obj({
        "error": obj({
            "code": {"type": "string", "examples": ["validation_error"],
                     "description": "bad_json, validation_error, unauthorized, forbidden, "
                                    "not_found, conflict, method_not_allowed, csrf_error …"},
            "message": {"type": "string", "description": "human-readable, in Chinese"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "per-field messages (validation errors)"},
        }, optional=("fields",)),
    }),
    "UserSummary": obj(USER_SUMMARY),
    "RecentPost": obj({
        "id": INTEGER,
        "is_reply": BOOLEAN,
        "topic_id": INTEGER,
        "topic_title": STRING,
        "created_at": DATETIME,
    }),
    "UserProfile": obj({
        **USER_SUMMARY,
        "bio": STRING,
        "roles": array({"type": "string",
                        "enum": ["customer", "proxy", "employee", "moderator", "admin"]}),
        "points": INTEGER,
        "follower_count": COUNT,
        "following_count": COUNT,
        "topic_count": COUNT,
        "reply_count": COUNT,
        "like_received_count": COUNT,
        "accepted_count": COUNT,
        "created_at": DATETIME,
        "following": {"type": "boolean", "description": "the requester follows this user"},
        "recent_posts": array(ref("RecentPost")),
    }),
    "Tribe": obj({
        "slug": STRING,
        "name": STRING,
        "description": STRING,
        "icon": STRING,
        "topic_count": COUNT,
        "reply_count": COUNT,
        "solved_count": COUNT,
        "member_count": COUNT,
        "last_activity_at": nullable(DATETIME),
        "moderators": array(ref("UserSummary")),
        "joined": nullable({"type": "boolean",
                            "description": "the requester is a member; null when anonymous"}),
    }),
    "TribeList": obj({"items": array(ref("Tribe"))}),
    "TopicSummary": obj(TOPIC_SUMMARY),
    "TopicPage": page_of("TopicSummary"),
    "Reply": obj(REPLY),
    "ReplyPage": page_of("Reply"),
    "Topic": obj({
        **TOPIC_SUMMARY,
        "first_post_id": INTEGER,
        **POST_TEXT,
        "liked": {"type": "boolean", "description": "the requester likes the topic"},
        "edit_count": COUNT,
        "edited_at": nullable(DATETIME),
        "accepted_reply_id": nullable(INTEGER),
        "accepted_reply": nullable(ref("Reply")),
        "can_edit": {"type": "boolean", "description": "the requester may edit or delete it"},
        "can_accept": {"type": "boolean",
                       "description": "the requester may accept an answer (author, moderator)"},
        "replies": ref("ReplyPage"),
    }),
    "Registered": obj({"user": ref("UserProfile"), "token": STRING}),
    "Token": obj({"token": {"type": "string", "description": "send as "
                            "`Authorization: Bearer <token>`; shown once"}}),
    "Membership": obj({"joined": BOOLEAN, "member_count": COUNT}),
    "LikeState": obj({"liked": BOOLEAN, "like_count": COUNT}),
    "FollowState": obj({"following": BOOLEAN, "follower_count": COUNT}),
    "Accepted": obj({"solved": BOOLEAN, "accepted_reply_id": nullable(INTEGER)}),
    # request bodies
    "RegisterRequest": obj({
        "username": {"type": "string", "pattern": "^[A-Za-z0-9_\u4e00-\u9fff]{3,20}$",
                     "description": "3–20 letters, digits, underscores or Chinese characters"},
        "password": {"type": "string", "minLength": PASSWORD_MIN},
        "display_name": {"type": "string", "minLength": 1, "maxLength": DISPLAY_NAME_MAX},
    }),
    "TokenRequest": obj({
        "username": STRING,
        "password": STRING,
        "name": {"type": "string", "maxLength": 60, "description": "a label for the token"},
    }, optional=("name",)),
    "NewTopic": obj({"title": TITLE_INPUT, "body": BODY_INPUT, "tags": TAGS_INPUT},
                    optional=("tags",)),
    "TopicChanges": obj({"title": nullable(TITLE_INPUT), "body": nullable(BODY_INPUT),
                         "tags": nullable(TAGS_INPUT)},
                        optional=("title", "body", "tags"),
                        description="Fields to change; absent or null fields are kept"),
    "ReplyBody": obj({"body": BODY_INPUT}),
    "LikeRequest": obj({"liked": {"type": "boolean", "description": "set explicitly instead "
                                  "of toggling"}}, optional=("liked",)),
    "FollowRequest": obj({"following": {"type": "boolean", "description": "set explicitly "
                                        "instead of toggling"}}, optional=("following",)),
    "AcceptRequest": obj({"reply_id": {"type": "integer",
                                       "description": "a reply of this topic"}}),
}

SLUG = path_param("slug", {"type": "string"}, "tribe slug, e.g. liuliang")
TOPIC_ID = path_param("topic_id", {"type": "integer", "minimum": 1}, "topic id")
REPLY_ID = path_param("reply_id", {"type": "integer", "minimum": 1}, "reply id")
USERNAME = path_param("username", {"type": "string"}, "username")

SORT = {"name": "sort", "in": "query", "required": False,
        "schema": {"type": "string", "default": "latest"},
        "description": "latest (最新回复: pinned first, then newest activity), new (最新发布), "
                       "hot (热门: most replies and likes), featured (精华 only), unsolved "
                       "(未解决 only); any other value is a 400 `bad_sort`"}


PATHS: dict[str, dict] = {
    "/auth/register": {"post": op(
        "Register an account and get a token", "accounts", "register",
        body="RegisterRequest", ok=(201, "Registered", "Created: the new user and a token"),
        errors=(429,),
        description="Creates a customer account and returns a bearer token for it. "
                    "Registrations per IP address are limited (429 with Retry-After).")},
    "/auth/token": {"post": op(
        "Exchange username and password for a token", "accounts", "issueToken",
        body="TokenRequest", ok=(200, "Token", "A new bearer token"), errors=(401, 403, 429),
        description="401 for a wrong username or password, 403 for a deactivated account, "
                    "429 (with Retry-After) after too many failed attempts for the account or "
                    "the IP address, or too many tokens.")},
    "/me": {"get": get(
        "The signed-in user", "accounts", "getMe", auth=AUTH,
        ok=(200, "UserProfile", "The requester's profile"))},
    "/users/{username}": {"get": get(
        "A user's profile", "accounts", "getUser", auth=OPTIONAL_AUTH, params=(USERNAME,),
        ok=(200, "UserProfile", "Profile with counts and recent posts"), errors=(404,))},
    "/users/{username}/follow": {"post": op(
        "Follow or unfollow a user", "accounts", "followUser", auth=AUTH, params=(USERNAME,),
        body="FollowRequest", body_required=False,
        ok=(200, "FollowState", "Whether the requester now follows the user"),
        errors=(404, 409),
        description="Toggles without a body; `{\"following\": true|false}` sets it. "
                    "Following oneself is a 409.")},
    "/tribes": {"get": get(
        "All tribes", "tribes", "listTribes", auth=OPTIONAL_AUTH,
        ok=(200, "TribeList", "Tribes in display order"))},
    "/tribes/{slug}": {"get": get(
        "One tribe", "tribes", "getTribe", auth=OPTIONAL_AUTH, params=(SLUG,),
        ok=(200, "Tribe", "The tribe"), errors=(404,))},
    "/tribes/{slug}/join": {"post": op(
        "Join a tribe", "tribes", "joinTribe", auth=AUTH, params=(SLUG,),
        ok=(200, "Membership", "Membership state (joining twice is harmless)"), errors=(404,))},
    "/tribes/{slug}/leave": {"post": op(
        "Leave a tribe", "tribes", "leaveTribe", auth=AUTH, params=(SLUG,),
        ok=(200, "Membership", "Membership state (leaving twice is harmless)"), errors=(404,))},
    "/tribes/{slug}/topics": {
        "get": get(
            "A tribe's topics in the order `sort` names", "tribes",
            "listTribeTopics", auth=OPTIONAL_AUTH, params=(SLUG, SORT, PAGE, per_page(20)),
            ok=(200, "TopicPage", "One page of topics"), errors=(400, 404)),
        "post": op(
            "Start a topic in a tribe", "tribes", "createTopic", auth=AUTH, params=(SLUG,),
            body="NewTopic", ok=(201, "Topic", "Created; `Location` names the new topic"),
            errors=(404, 429)),
    },
    "/topics/{topic_id}": {
        "get": get(
            "A topic with one page of replies", "topics", "getTopic", auth=OPTIONAL_AUTH,
            params=(TOPIC_ID, PAGE, per_page(50)),
            ok=(200, "Topic", "The topic, its opening post and a page of replies"),
            errors=(404,)),
        "patch": op(
            "Edit a topic's title, text or tags", "topics", "editTopic", auth=AUTH,
            params=(TOPIC_ID,), body="TopicChanges",
            ok=(200, "Topic", "The edited topic (the previous text is kept as a revision)"),
            errors=(403, 404)),
        "delete": op(
            "Delete a topic (soft delete)", "topics", "deleteTopic", auth=AUTH,
            params=(TOPIC_ID,), ok=(204, None, "Deleted"), errors=(403, 404)),
    },
    "/topics/{topic_id}/replies": {"post": op(
        "Reply to a topic", "topics", "createReply", auth=AUTH, params=(TOPIC_ID,),
        body="ReplyBody", ok=(201, "Reply", "The new reply"), errors=(404, 429))},
    "/topics/{topic_id}/like": {"post": op(
        "Like or unlike a topic", "topics", "likeTopic", auth=AUTH, params=(TOPIC_ID,),
        body="LikeRequest", body_required=False,
        ok=(200, "LikeState", "Whether the requester now likes it"), errors=(404, 409),
        description="Toggles without a body; `{\"liked\": true|false}` sets it. Liking "
                    "one's own post is a 409.")},
    "/topics/{topic_id}/accept": {"post": op(
        "Accept a reply as the answer (最佳答案)", "topics", "acceptAnswer", auth=AUTH,
        params=(TOPIC_ID,), body="AcceptRequest",
        ok=(200, "Accepted", "The topic is solved"), errors=(403, 404),
        description="For the topic's author and the tribe's moderators. Accepting another "
                    "reply moves the mark.")},
    "/replies/{reply_id}": {
        "patch": op(
            "Edit a reply", "topics", "editReply", auth=AUTH, params=(REPLY_ID,),
            body="ReplyBody", ok=(200, "Reply", "The edited reply"), errors=(403, 404)),
        "delete": op(
            "Delete a reply (soft delete)", "topics", "deleteReply", auth=AUTH,
            params=(REPLY_ID,), ok=(204, None, "Deleted"), errors=(403, 404)),
    },
    "/replies/{reply_id}/like": {"post": op(
        "Like or unlike a reply", "topics", "likeReply", auth=AUTH, params=(REPLY_ID,),
        body="LikeRequest", body_required=False,
        ok=(200, "LikeState", "Whether the requester now likes it"), errors=(404, 409),
        description="Toggles without a body; `{\"liked\": true|false}` sets it. Liking "
                    "one's own post is a 409.")},
    "/openapi.json": {"get": {
        "summary": "This document", "operationId": "getOpenAPI", "tags": ["meta"],
        "security": [],
        "responses": {"200": {"description": "The OpenAPI document",
                              "content": {"application/json": {"schema": {"type": "object"}}}}},
    }},
}

# --- private messages (私信), forum/api/messages.py -----------------------------------------

MESSAGE_BODY: Schema = {"type": "string", "minLength": MESSAGE_BODY_MIN,
                        "maxLength": MESSAGE_BODY_MAX,
                        "description": f"Markdown, {MESSAGE_BODY_MIN}–{MESSAGE_BODY_MAX} "
                                       "characters after trimming"}
SCHEMAS.update({
    "Message": obj({
        "id": INTEGER,
        "conversation_id": INTEGER,
        "sender": ref("UserSummary"),
        "body": {"type": "string", "description": "Markdown source (private: never masked)"},
        "body_html": {"type": "string", "description": "sanitized HTML"},
        "created_at": DATETIME,
    }),
    "MessagePage": page_of("Message"),
    "ConversationSummary": obj({
        "id": INTEGER,
        "other_user": ref("UserSummary"),
        "last_message": nullable(obj({
            "id": INTEGER,
            "from_me": {"type": "boolean", "description": "the requester sent it"},
            "preview": {"type": "string", "description": "the start of the text, one line"},
            "created_at": DATETIME,
        })),
        "unread_count": {"type": "integer", "minimum": 0,
                         "description": "messages from the other user not yet read"},
        "last_activity_at": DATETIME,
    }),
    "ConversationList": obj({
        "items": array(ref("ConversationSummary")),
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        "total": COUNT,
        "unread_count": {"type": "integer", "minimum": 0,
                         "description": "unread private messages in all conversations"},
    }),
    "Conversation": obj({
        "conversation_id": nullable({"type": "integer", "description": "null until the first "
                                     "message"}),
        "other_user": ref("UserSummary"),
        "messages": ref("MessagePage"),
        "blocked_by_me": {"type": "boolean", "description": "the requester blocks this user"},
        "can_send": {"type": "boolean", "description": "the requester may write now"},
        "refusal": nullable({"type": "string", "description": "why not, in Chinese (e.g. "
                             "对方已将你屏蔽，无法发送私信)"}),
    }),
    "MessageBody": obj({"body": MESSAGE_BODY}),
    "BlockState": obj({"blocked": {"type": "boolean",
                                   "description": "the requester now blocks the user"}}),
})
PATHS.update({
    "/messages": {"get": get(
        "My private conversations, newest activity first", "messages", "listConversations",
        auth=AUTH, params=(PAGE, per_page(CONVERSATIONS_PER_PAGE)),
        ok=(200, "ConversationList", "One page of conversations with unread counts"))},
    "/messages/{username}": {
        "get": get(
            "My conversation with a user (marks it read)", "messages", "getConversation",
            auth=AUTH, params=(USERNAME, PAGE, per_page(MESSAGES_PER_PAGE)),
            ok=(200, "Conversation", "One page of messages, newest first (page 1 = latest)"),
            errors=(404, 409),
            description="Reading marks the conversation read. Empty (conversation_id null) "
                        "when the two never wrote; 409 for one's own username."),
        "post": op(
            "Send a private message", "messages", "sendMessage", auth=AUTH,
            params=(USERNAME,), body="MessageBody", ok=(201, "Message", "The sent message"),
            errors=(403, 404, 409, 429),
            description="403 when the recipient blocked the requester (对方已将你屏蔽，无法发送"
                        "私信); 409 to oneself, to an inactive account, or while the requester "
                        "blocks the recipient (unblock first); 429 when starting more new "
                        "conversations per hour than allowed. Moderators and admins are not "
                        "subject to blocks or the rate limit."),
    },
    "/users/{username}/block": {
        "post": op(
            "Block a user's private messages", "messages", "blockUser", auth=AUTH,
            params=(USERNAME,), ok=(200, "BlockState", "Blocked (blocking twice is harmless)"),
            errors=(404, 409),
            description="409 for oneself and for moderators and admins, who cannot be "
                        "blocked."),
        "delete": op(
            "Unblock a user", "messages", "unblockUser", auth=AUTH, params=(USERNAME,),
            ok=(200, "BlockState", "Not blocked (unblocking twice is harmless)"),
            errors=(404, 409)),
    },
})

# --- notifications, forum/api/notifications.py ---------------------------------------------

SCHEMAS.update({
    "Notification": obj({
        "id": INTEGER,
        "kind": {"type": "string", "description": "reply, mention, answer_accepted, follow, "
                 "message, … (packages add kinds)"},
        "label": {"type": "string", "description": "the kind's Chinese name, e.g. 回复我的帖子"},
        "text": {"type": "string", "description": "what happened, in Chinese; grouped items "
                 "say how many, e.g. 你的帖子「…」有 3 条新回复"},
        "url": {"type": "string", "description": "site path it leads to, e.g. /p/42"},
        "count": {"type": "integer", "minimum": 1, "description": "events folded into this "
                  "item (several replies to one topic while unread)"},
        "read": BOOLEAN,
        "created_at": DATETIME,
        "updated_at": {**DATETIME, "description": "the newest event in it; lists are newest "
                       "first by this"},
        "payload": {"type": "object", "description": "ids and names the client may use: "
                    "actor_username, actor_name, topic_id, topic_title, post_id, "
                    "conversation_id, message_id (only those that apply)",
                    "additionalProperties": {"type": ["string", "integer"]}},
    }),
    "NotificationList": obj({
        "items": array(ref("Notification")),
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        "total": COUNT,
        "unread_count": {"type": "integer", "minimum": 0,
                         "description": "unread events (the bell's number)"},
    }),
    "MarkRead": obj({
        "ids": {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1,
                "maxItems": 500, "description": "the requester's notifications to mark read "
                "(others' ids are ignored)"},
        "all": {"type": "boolean", "description": "true: mark every notification read"},
    }, optional=("ids", "all"), description="Either `ids` or `{\"all\": true}`"),
    "MarkedRead": obj({"marked": {"type": "integer", "minimum": 0,
                                  "description": "items that changed from unread to read"},
                       "unread_count": COUNT}),
})
PATHS.update({
    "/notifications": {"get": get(
        "My notifications, newest first", "notifications", "listNotifications", auth=AUTH,
        params=(PAGE, per_page(20)),
        ok=(200, "NotificationList", "One page of notifications and the unread count"))},
    "/notifications/read": {"post": op(
        "Mark notifications read", "notifications", "markNotificationsRead", auth=AUTH,
        body="MarkRead", ok=(200, "MarkedRead", "How many changed, and the new unread count"),
        description="`{\"ids\": [1, 2]}` marks those (ids of other users' notifications are "
                    "ignored); `{\"all\": true}` marks everything. Live clients get the new "
                    "count as the Socket.IO event `unread_count`.")},
})

SCHEMAS.update({
    "Upload": obj({
        "id": INTEGER,
        "url": {"type": "string", "description": "where the image is served, e.g. "
                                                 "/uploads/<32 hex>.png"},
        "thumb_url": {"type": "string", "description": "a thumbnail of at most 320×320"},
        "markdown": {"type": "string", "description": "Markdown that shows the image in a "
                                                      "topic, reply or private message"},
        "width": INTEGER,
        "height": INTEGER,
        "content_type": {"type": "string",
                         "enum": ["image/png", "image/jpeg", "image/gif", "image/webp"]},
    }),
})
_upload = op(
    "Upload an image for a post or message", "uploads", "uploadImage", auth=AUTH,
    ok=(201, "Upload", "Stored: re-encoded without EXIF, with a thumbnail"),
    errors=(413, 422, 429),
    description="multipart/form-data with one field `file`. PNG, JPEG, GIF or WebP, checked "
                "by content (not by name), at most 5 MB. The image is visible to its uploader "
                "until a post or message showing its Markdown is published; then to whoever "
                "may read that post or conversation.")
_upload["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}},
}}}}
_upload["responses"]["400"] = {"$ref": "#/components/responses/BadRequest"}
PATHS["/uploads"] = {"post": _upload}

# --- composer drafts (草稿), forum/api/drafts.py -----------------------------------------------

DRAFT_KEY = path_param("key", {"type": "string", "pattern": r"^(topic|reply|edit):[1-9][0-9]*$"
                                                            r"|^message:.{3,20}$"},
                       "composer key: topic:<tribe_id> (new topic), reply:<topic_id>, "
                       "edit:<post_id> or message:<username>")
SCHEMAS.update({
    "Draft": obj({
        "key": STRING,
        "title": {"type": "string", "description": "new topics and edits of opening posts"},
        "body": {"type": "string", "description": "Markdown as typed (not trimmed)"},
        "tags": {"type": "string", "description": "tags as typed"},
        "created_at": DATETIME,
        "updated_at": DATETIME,
    }),
    "DraftPage": page_of("Draft"),
    "DraftInput": obj({
        "body": {"type": "string", "maxLength": BODY_MAX,
                 "description": f"at most {BODY_MAX} characters ({MESSAGE_BODY_MAX} for "
                                "message: keys)"},
        "title": {"type": "string", "maxLength": TITLE_MAX,
                  "description": "kept for topic: and edit: keys only"},
        "tags": {"type": "string", "maxLength": 200},
    }, optional=("body", "title", "tags")),
})
PATHS.update({
    "/me/drafts": {"get": get(
        "My drafts, most recently saved first", "drafts", "listDrafts", auth=AUTH,
        params=(PAGE, per_page(20)), ok=(200, "DraftPage", "One page of drafts"))},
    "/me/drafts/{key}": {
        "get": get("One of my drafts", "drafts", "getDraft", auth=AUTH, params=(DRAFT_KEY,),
                   ok=(200, "Draft", "The draft"), errors=(404,)),
        "put": op(
            "Save a draft (create or replace)", "drafts", "saveDraft", auth=AUTH,
            params=(DRAFT_KEY,), body="DraftInput",
            ok=(200, "Draft", "The saved draft"),
            errors=(404,),
            description="One draft per user and key. 422 when a field is longer than the "
                        "post (or private message) it becomes may be; 404 for an unknown key "
                        "or a tribe, topic, post or user that does not exist or that the "
                        "requester may not write to. Publishing discards the draft."),
        "delete": op(
            "Discard a draft", "drafts", "discardDraft", auth=AUTH, params=(DRAFT_KEY,),
            ok=(204, None, "Discarded"), errors=(404,)),
    },
})
PATHS["/me/drafts/{key}"]["put"]["responses"]["204"] = {
    "description": "Every field was empty: the draft was discarded"}

# --- the own account: profile, avatar, password, reset links (issue 17), forum/api/me.py ----

SCHEMAS.update({
    "Me": obj({
        **SCHEMAS["UserProfile"]["properties"],
        "email": nullable({"type": "string", "description": "where reset links go; only the "
                           "owner sees it"}),
        "self_tags": array({"type": "string", "enum": list(SELF_TAGS)}),
        "display_name_next_change_at": nullable({**DATETIME, "description": "when the display "
                                                 "name may change again; null: now"}),
    }, description="The requester's own profile: the public one plus what only they see"),
    "ProfileChanges": obj({
        "display_name": {"type": "string", "minLength": 1, "maxLength": DISPLAY_NAME_MAX,
                         "description": "limited to one change per DISPLAY_NAME_CHANGE_DAYS "
                                        "(30 by default)"},
        "bio": {"type": "string", "description": f"one line of at most {BIO_MAX} characters "
                                                 "(whitespace collapsed), shown under posts"},
        "email": {"type": "string", "maxLength": EMAIL_MAX,
                  "description": "an e-mail address for reset links; \"\" removes it"},
        "tags": {"description": "self-declared tags, replacing the current ones",
                 "oneOf": [array({"type": "string", "enum": list(SELF_TAGS)}),
                           {"type": "string", "description": "comma-separated"}]},
    }, optional=("display_name", "bio", "email", "tags"),
        description="Fields to change; absent or null fields are kept. All or nothing."),
    "PasswordChange": obj({
        "current_password": STRING,
        "new_password": {"type": "string", "minLength": PASSWORD_MIN, "maxLength": PASSWORD_MAX,
                         "description": "not the current password nor the username"},
    }),
    "PasswordChanged": obj({"token": nullable({
        "type": "string", "description": "a new bearer token when the request came with one "
        "(every token was revoked); null for a cookie session, which stays signed in"})}),
    "PasswordResetRequest": obj({"identifier": {
        "type": "string", "minLength": 1, "maxLength": 254,
        "description": "a username or the e-mail address on the account"}}),
    "PasswordResetAnswer": obj({"message": {
        "type": "string", "description": "the same whether or not the account exists"}}),
    "PasswordResetCompletion": obj({
        "token": {"type": "string", "description": "the token of the reset link "
                  "(/password/reset/<token>)"},
        "new_password": {"type": "string", "minLength": PASSWORD_MIN,
                         "maxLength": PASSWORD_MAX},
    }),
    "PasswordResetDone": obj({"username": STRING}),
})
_avatar = op(
    "Upload my avatar", "accounts", "uploadAvatar", auth=AUTH,
    ok=(200, "Me", "The profile with the new avatar"), errors=(413, 422),
    description="multipart/form-data with one field `file`: PNG, JPEG, GIF or WebP (checked by "
                "content), at most 5 MB; cropped to its centre square, 256×256, re-encoded "
                "without metadata. 422 (nothing changed) for a file that is not such an image.")
_avatar["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}},
}}}}
_avatar["responses"]["400"] = {"$ref": "#/components/responses/BadRequest"}
PATHS["/me"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = ref("Me")
PATHS["/me"]["patch"] = op(
    "Edit my profile", "accounts", "updateMe", auth=AUTH, body="ProfileChanges",
    ok=(200, "Me", "The profile after the change"),
    description="422 with a message per field, and nothing changed, for a display name "
                "changed again within the limit, an over-long bio, a malformed e-mail or a tag "
                "outside the list.")
PATHS.update({
    "/me/avatar": {"post": _avatar, "delete": op(
        "Remove my avatar", "accounts", "deleteAvatar", auth=AUTH,
        ok=(200, "Me", "The profile, showing initials again"))},
    "/me/password": {"post": op(
        "Change my password", "accounts", "changePassword", auth=AUTH, body="PasswordChange",
        ok=(200, "PasswordChanged", "Changed; every other session and every token revoked"),
        errors=(429,),
        description="422 (nothing changed) for a wrong current password or a new one that is "
                    "too short, too long, the username or the current password; 429 after too "
                    "many wrong current passwords. Every API token and every other session is "
                    "revoked; a token caller gets a replacement token in the answer.")},
    "/auth/password-reset": {"post": op(
        "Request a password reset link", "accounts", "requestPasswordReset",
        body="PasswordResetRequest",
        ok=(202, "PasswordResetAnswer", "Accepted; the same answer for every identifier"),
        errors=(429,),
        description="With SMTP configured, a single-use link (valid HUZHU_PASSWORD_RESET_MINUTES,"
                    " 60 by default) is e-mailed to the account's address, if there is such an "
                    "account with an address; without SMTP an administrator issues links. The "
                    "answer does not tell whether the account exists. Limited per address and "
                    "per identifier (429 with Retry-After).")},
    "/auth/password-reset/complete": {"post": op(
        "Set a new password with a reset link's token", "accounts", "completePasswordReset",
        body="PasswordResetCompletion", ok=(200, "PasswordResetDone", "The password is set"),
        description="422 with `fields.token` for an unknown, used or expired link, or with "
                    "`fields.new_password` for an unacceptable password (the link stays "
                    "usable). On success the link and every other open link are used up and "
                    "every session and token of the account is revoked.")},
})

# --- threads: 举报, 精华, watching, bookmarks (forum/api/threads.py) -------------------------

POST_ID = path_param("post_id", {"type": "integer", "minimum": 1},
                     "post id (a topic's opening post or a reply)")
SCHEMAS.update({
    "ReportRequest": obj({
        "reason": {"type": "string", "enum": list(REPORT_REASONS),
                   "description": "举报原因: " + ", ".join(
                       f"{code} ({label})" for code, label in REPORT_REASONS.items())},
        "note": {"type": "string", "maxLength": REPORT_NOTE_MAX,
                 "description": "补充说明; required when the reason is `other`"},
    }, optional=("note",)),
    "Report": obj({
        "id": INTEGER, "post_id": INTEGER, "reason": STRING, "note": STRING,
        "status": {"type": "string", "enum": ["open", "closed"],
                   "description": "open until a moderator handles or dismisses the post"},
        "created_at": DATETIME,
    }),
})
SCHEMAS.update({
    "FeaturedRequest": obj({"featured": BOOLEAN}),
    "FeaturedState": obj({"featured": {"type": "boolean", "description": "精华"}}),
    "WatchRequest": obj({"watching": {"type": "boolean", "description": "关注本帖: notify "
                                      "me of every reply"}}),
    "WatchState": obj({"watching": BOOLEAN}),
    "BookmarkRequest": obj({"bookmarked": {"type": "boolean", "description": "收藏"}}),
    "BookmarkState": obj({"bookmarked": BOOLEAN}),
    "TribeMarkedRead": obj({"marked": {"type": "integer", "minimum": 0,
                                  "description": "topics that had unread floors"}}),
})
PATHS.update({
    "/topics/{topic_id}/featured": {"post": op(
        "Feature a topic (精华) or stop featuring it", "topics", "setFeatured", auth=AUTH,
        params=(TOPIC_ID,), body="FeaturedRequest",
        ok=(200, "FeaturedState", "Whether the topic is featured now"), errors=(403, 404),
        description="For the moderators of the topic's tribe (and site moderators); "
                    "anyone else gets 403.")},
    "/topics/{topic_id}/watch": {"post": op(
        "Watch a topic (关注本帖) or stop watching", "topics", "watchTopic", auth=AUTH,
        params=(TOPIC_ID,), body="WatchRequest",
        ok=(200, "WatchState", "Whether the requester watches the topic now"),
        errors=(404,),
        description="Watchers get a `watching` notification for every reply.")},
    "/topics/{topic_id}/bookmark": {"post": op(
        "Bookmark a topic (收藏) or remove the bookmark", "topics", "bookmarkTopic",
        auth=AUTH, params=(TOPIC_ID,), body="BookmarkRequest",
        ok=(200, "BookmarkState", "Whether the topic is bookmarked now"), errors=(404,))},
    "/me/bookmarks": {"get": get(
        "My bookmarks (我的收藏), newest first", "topics", "listBookmarks", auth=AUTH,
        params=(PAGE, per_page(20)), ok=(200, "TopicPage", "One page of topics"))},
    "/tribes/{slug}/read": {"post": op(
        "Mark every topic of a tribe read (全部标为已读)", "tribes", "markTribeRead",
        auth=AUTH, params=(SLUG,), ok=(200, "TribeMarkedRead", "How many topics changed"),
        errors=(404,))},
    "/posts/{post_id}/report": {"post": op(
        "Report a post (举报)", "topics", "reportPost", auth=AUTH, params=(POST_ID,),
        body="ReportRequest", ok=(201, "Report", "The report; the post enters the "
                                  "moderators' queue as a 举报 item"),
        errors=(404, 409),
        description="One open report per member and post: a second one is a 409 until a "
                    "moderator has dealt with the post. Reporting one's own post is a 409; "
                    "a missing or unknown reason, or a note that is too long, a 422.")},
})

# --- the document -------------------------------------------------------------------------

INFO = {
    "title": "Huzhu (互助) API",
    "version": "1.0.0",
    "description": (
        "The JSON API of the Huzhu community for the mobile app channel. Authenticate "
        "with `Authorization: Bearer <token>` (from `POST /auth/register` or "
        "`POST /auth/token`); browser sessions also work but must send the page's CSRF "
        "token in `X-CSRFToken` on unsafe methods. Every error is "
        "`{\"error\": {\"code\", \"message\", \"fields\"?}}` with a 4xx status; unknown "
        "routes are 404 and unsupported methods 405 in the same shape. Times are ISO 8601 "
        "in UTC."
    ),
}
TAGS = [
    {"name": "accounts", "description": "registration, tokens, profiles, follows"},
    {"name": "tribes", "description": "topic tribes (话题部落) and their topics"},
    {"name": "topics", "description": "topics, replies, likes, accepted answers"},
    {"name": "messages", "description": "private messages (私信) and blocks"},
    {"name": "notifications", "description": "the bell: notifications, marking read"},
    {"name": "drafts", "description": "composer drafts (草稿), saved while typing"},
    {"name": "uploads", "description": "image attachments for posts and messages"},
]
META_TAG = {"name": "meta", "description": "this document"}  # always last


def document(app: Flask) -> dict[str, Any]:
    """``app``'s OpenAPI document: the core's part, then each registered package's part
    (built once per app, after every init_app has run)."""
    built = app.extensions.get("openapi_document")
    if built is None:
        paths, schemas, tags = dict(PATHS), dict(SCHEMAS), list(TAGS)
        for spec in registered_specs(app):
            clash = (set(spec.paths) & set(paths)) | (set(spec.schemas) & set(schemas))
            if clash:
                raise RuntimeError(f"OpenAPI part {spec.tag!r} redefines {sorted(clash)}")
            paths.update(spec.paths)
            schemas.update(spec.schemas)
            if all(t["name"] != spec.tag for t in tags):
                tags.append({"name": spec.tag, "description": spec.description})
        built = {
            "openapi": "3.1.0",
            "info": INFO,
            "servers": [{"url": "/api/v1"}],
            "tags": [*tags, META_TAG],
            "paths": paths,
            "components": {
                "schemas": schemas,
                "responses": {
                    name: {"description": description,
                           "content": {"application/json": {"schema": ref("Error")}}}
                    for name, description in ERRORS.values()
                },
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer",
                                   "description": "a per-user API token"},
                    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session",
                                      "description": "the web session; unsafe methods also "
                                                     "need the X-CSRFToken header"},
                },
            },
        }
        app.extensions["openapi_document"] = built
    return built


@api_bp.get("/openapi.json")
def openapi_document():
    return jsonify(document(current_app))
