"""New-user limits, like Discourse's trust level 0 (issue 8 §5).

A user is *new* while their account is younger than NEW_USER_DAYS or they have fewer than
NEW_USER_MIN_POSTS published posts (held posts don't count until approved). A new user's post
may carry at most NEW_USER_MAX_LINKS links and NEW_USER_MAX_IMAGES images, and in a tribe that
asks for it (``Tribe.hold_new_user_posts``) their first post there is held (PENDING) until a
moderator approves it. Staff (moderators, employees, admins) and proxies are never new.
"""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from forum.errors import ValidationError
from forum.extensions import db
from forum.models import PENDING, VISIBLE, Post, Topic, Tribe, User, utcnow
from forum.pagination import Page, paginate
from forum.permissions import is_global_moderator, moderated_tribe_ids
from forum.services.notifications import notify_many, post_url, register_kind

TRUSTED_ROLES = ("moderator", "employee", "proxy")  # admins are trusted by has_role
LINK_RE = re.compile(r"https?://|(?<![/\w.])www\.", re.IGNORECASE)
IMAGE_RE = re.compile(r"!\[[^\]]*\]\(")


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def is_new_user(user: User) -> bool:
    if user.has_role(*TRUSTED_ROLES):
        return False
    young = user.created_at > utcnow() - timedelta(days=_setting("NEW_USER_DAYS", 1))
    few_posts = (user.topic_count + user.reply_count) < _setting("NEW_USER_MIN_POSTS", 3)
    return young or few_posts


def count_links(text: str) -> int:
    # Image Markdown of our own uploads has no scheme, so it is not counted as a link.
    return len(LINK_RE.findall(text or ""))


def count_images(text: str) -> int:
    return len(IMAGE_RE.findall(text or ""))


def check_new_user_limits(user: User, body: str) -> None:
    """Refuse a new user's post with too many links or images (ValidationError on body)."""
    if not is_new_user(user):
        return
    max_links = _setting("NEW_USER_MAX_LINKS", 2)
    max_images = _setting("NEW_USER_MAX_IMAGES", 1)
    links, images = count_links(body), count_images(body)
    if links > max_links or images > max_images:
        raise ValidationError(
            f"新用户每帖最多 {max_links} 个链接和 {max_images} 张图片"
            f"（当前 {links} 个链接、{images} 张图片），多参与几次讨论后限制会自动解除",
            {"body": f"新用户每帖最多 {max_links} 个链接和 {max_images} 张图片"})


def should_hold(user: User, tribe: Tribe) -> bool:
    """Hold this post for approval: the tribe asks for it, the author is new and has no
    published post in this tribe yet."""
    if not tribe.hold_new_user_posts or not is_new_user(user):
        return False
    published_here = db.session.scalar(
        sa.select(sa.func.count()).select_from(Post).join(Topic, Post.topic_id == Topic.id)
        .where(Post.author_id == user.id, Topic.tribe_id == tribe.id,
               Post.visibility == VISIBLE, Post.deleted_at.is_(None)))
    return not published_here


def announce_held(post: Post) -> None:
    """Tell the tribe's moderators (global moderators see the queue anyway)."""
    moderator_ids = [m.id for m in post.topic.tribe.moderators]
    if moderator_ids:
        notify_many(moderator_ids, "post_held",
                    {"actor_id": post.author_id, "topic_id": post.topic_id, "post_id": post.id})


def pending_posts(moderator: User, page: int, per_page: int = 20) -> Page:
    """Held posts the moderator may decide on, oldest first."""
    stmt = (sa.select(Post).join(Topic, Post.topic_id == Topic.id)
            .where(Post.visibility == PENDING, Post.deleted_at.is_(None))
            .order_by(Post.created_at, Post.id))
    if not is_global_moderator(moderator):
        stmt = stmt.where(Topic.tribe_id.in_(sorted(moderated_tribe_ids(moderator) or ())))
    return paginate(stmt, page, per_page)





def _register_kinds() -> None:
    register_kind("post_held", "新用户帖子待审核", "{actor} 的帖子「{topic}」等待你审核",
                  lambda p: "/review", source=lambda p: f"held:{p.get('post_id')}",
                  mutable=False, description="你管理的部落里有新用户的帖子等待审核")
    register_kind("post_approved", "帖子审核通过", "你在「{topic}」的帖子已通过审核", post_url,
                  source=lambda p: f"approved:{p.get('post_id')}", mutable=False,
                  description="你的帖子通过了版主审核")
    register_kind("post_rejected", "帖子未通过审核", "你在「{title}」的帖子未通过审核：{reason}",
                  lambda p: "/notifications",
                  source=lambda p: f"rejected:{p.get('rejected_post_id')}",
                  mutable=False, description="你的帖子没有通过版主审核")


_register_kinds()
