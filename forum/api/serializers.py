"""Models → JSON for the API; the one place that decides what a response contains.

Serializers only read attributes the services have already loaded (eager loads), so the
number of queries of a response does not grow with the number of items. Text that may
carry personal data goes through the per-viewer choice in forum/permissions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from forum import permissions
from forum.models import Post, Topic, Tribe, User
from forum.pagination import Page


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z suffix, e.g. 2024-05-01T08:30:00Z."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def page_of(page: Page, items: list[Any]) -> dict[str, Any]:
    return {"items": items, "page": page.page, "per_page": page.per_page, "total": page.total}


def user_summary(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "title": user.title,
        "is_verified": user.is_verified,
        "avatar_initials": user.initials,
        "avatar_url": user.avatar_url,
        "influence": round(user.influence or 0.0, 1),
    }


def user_profile(user: User, *, following: bool, recent_posts: list[Post],
                 viewer: User | None) -> dict[str, Any]:
    return {
        **user_summary(user),
        "bio": user.bio,
        "roles": sorted(user.role_names),
        "points": user.points,
        "follower_count": user.follower_count,
        "following_count": user.following_count,
        "topic_count": user.topic_count,
        "reply_count": user.reply_count,
        "like_received_count": user.like_received_count,
        "accepted_count": user.accepted_count,
        "created_at": iso(user.created_at),
        "following": following,
        "recent_posts": [recent_post(p, viewer) for p in recent_posts],
    }


def recent_post(post: Post, viewer: User | None) -> dict[str, Any]:
    return {
        "id": post.id,
        "is_reply": not post.is_first,
        "topic_id": post.topic_id,
        "topic_title": permissions.topic_title_for(viewer, post.topic),
        "created_at": iso(post.created_at),
    }


def tribe(item: Tribe, *, joined: bool | None) -> dict[str, Any]:
    return {
        "slug": item.slug,
        "name": item.name,
        "description": item.description,
        "icon": item.icon,
        "topic_count": item.topic_count,
        "reply_count": item.reply_count,
        "solved_count": item.solved_count,
        "member_count": item.member_count,
        "last_activity_at": iso(item.last_activity_at),
        "moderators": [user_summary(u) for u in item.moderators],
        "joined": joined,
    }


def topic_summary(topic: Topic, viewer: User | None, *, view_count: int | None = None) -> dict:
    return {
        "id": topic.id,
        "title": permissions.topic_title_for(viewer, topic),
        "tribe": topic.tribe.slug,
        "author": user_summary(topic.author),
        "tags": [t.name for t in topic.tags],
        "reply_count": topic.reply_count,
        "like_count": topic.like_count,
        "view_count": topic.view_count if view_count is None else view_count,
        "solved": topic.solved,
        "is_pinned": topic.is_pinned,
        "is_featured": topic.is_featured,
        "created_at": iso(topic.created_at),
        "last_activity_at": iso(topic.last_activity_at),
    }


def _post_text(post: Post, viewer: User | None) -> dict[str, Any]:
    """The HTML this viewer may see, and the Markdown source for those who see the original."""
    original = permissions.can_see_original(viewer, post)
    return {
        "body_html": permissions.post_html_for(viewer, post),
        "body": post.body if original else None,
        "has_pii": post.has_pii if original else None,
    }


def reply(post: Post, viewer: User | None, *, liked: bool, accepted: bool) -> dict[str, Any]:
    return {
        "id": post.id,
        "topic_id": post.topic_id,
        "floor": post.floor,
        "author": user_summary(post.author),
        **_post_text(post, viewer),
        "like_count": post.like_count,
        "liked": liked,
        "accepted": accepted,
        "edit_count": post.edit_count,
        "created_at": iso(post.created_at),
        "edited_at": iso(post.edited_at),
        "can_edit": permissions.can_edit_post(viewer, post),
    }


def topic_detail(page, viewer: User | None, *, view_count: int | None = None) -> dict[str, Any]:
    """A topic with its opening post and one page of replies (a services.topics.TopicPage)."""
    topic, first = page.topic, page.first_post
    accepted_id = topic.accepted_post_id

    def as_reply(post: Post) -> dict[str, Any]:
        return reply(post, viewer, liked=post.id in page.liked_post_ids,
                     accepted=post.id == accepted_id)

    return {
        **topic_summary(topic, viewer, view_count=view_count),
        "first_post_id": first.id,
        **_post_text(first, viewer),
        "liked": first.id in page.liked_post_ids,
        "edit_count": first.edit_count,
        "edited_at": iso(first.edited_at),
        "accepted_reply_id": accepted_id,
        "accepted_reply": as_reply(page.accepted_post) if page.accepted_post else None,
        "can_edit": permissions.can_edit_post(viewer, first),
        "can_accept": permissions.can_accept_answer(viewer, topic),
        "replies": page_of(page.replies, [as_reply(p) for p in page.replies.items]),
    }
