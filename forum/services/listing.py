"""Topic lists: a tribe's topics in five orders (``?sort=``), 精华 (featured) topics, and the
home page's latest topics page by page.

    latest    最新回复  pinned first, then newest activity (the default)
    new       最新发布  newest topics first
    hot       热门      most replies and likes first (replies weigh double), then activity
    featured  精华      featured topics only, newest activity first
    unsolved  未解决    topics without an accepted answer, newest activity first
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum import events
from forum.errors import DomainError, PermissionDenied
from forum.extensions import db
from forum.models import VISIBLE, Topic, Tribe, User
from forum.pagination import Page, paginate
from forum.permissions import moderates

SORTS = {"latest": "最新回复", "new": "最新发布", "hot": "热门", "featured": "精华",
         "unsolved": "未解决"}
DEFAULT_SORT = "latest"


class BadSort(DomainError):
    status = 400
    code = "bad_sort"


def parse_sort(raw: str | None, *, strict: bool) -> str:
    """The sort named by ``?sort=``; an unknown one is the default on a page (``strict``
    False) and a 400 in the API."""
    if not raw:
        return DEFAULT_SORT
    if raw in SORTS:
        return raw
    if strict:
        raise BadSort("排序方式须为 " + "、".join(f"{k}（{v}）" for k, v in SORTS.items()))
    return DEFAULT_SORT


def _order(sort: str):
    activity = (Topic.last_activity_at.desc(), Topic.id.desc())
    if sort == "new":
        return (Topic.created_at.desc(), Topic.id.desc())
    if sort == "hot":
        return ((Topic.reply_count * 2 + Topic.like_count).desc(), *activity)
    if sort == "latest":
        return (Topic.is_pinned.desc(), *activity)
    return activity


def tribe_topics(tribe: Tribe, page: int, per_page: int, sort: str = DEFAULT_SORT) -> Page:
    """One page of the tribe's public topics in ``sort`` order. The ids come first (from the
    index alone), then only those topics load with their authors."""
    ids_stmt = (sa.select(Topic.id)
                .where(Topic.tribe_id == tribe.id, Topic.deleted_at.is_(None),
                       Topic.visibility == VISIBLE)
                .order_by(*_order(sort)))
    total = tribe.topic_count
    if sort == "featured":
        ids_stmt, total = ids_stmt.where(Topic.is_featured.is_(True)), None
    elif sort == "unsolved":
        ids_stmt, total = ids_stmt.where(Topic.accepted_post_id.is_(None)), None
    return _load(paginate(ids_stmt, page, per_page, total=total))


def latest_topics(page: int, per_page: int) -> Page:
    """The home page's 最新话题, page by page (newest activity first)."""
    ids_stmt = (sa.select(Topic.id)
                .where(Topic.deleted_at.is_(None), Topic.visibility == VISIBLE)
                .order_by(Topic.last_activity_at.desc(), Topic.id.desc()))
    total = db.session.scalar(sa.select(sa.func.sum(Tribe.topic_count))) or 0
    return _load(paginate(ids_stmt, page, per_page, total=total))


def _load(ids: Page) -> Page:
    rows = {}
    if ids.items:
        rows = {t.id: t for t in db.session.scalars(
            sa.select(Topic).where(Topic.id.in_(ids.items))
            .options(joinedload(Topic.author).lazyload(User.roles),
                     joinedload(Topic.tribe).lazyload(Tribe.moderators)))}
    return Page(items=[rows[i] for i in ids.items if i in rows], page=ids.page,
                per_page=ids.per_page, total=ids.total)


def set_featured(actor: User, topic: Topic, featured: bool) -> Topic:
    """精华 on or off: the topic's tribe moderators (and site moderators) only."""
    if not moderates(actor, topic.tribe):
        raise PermissionDenied("只有本部落的版主可以设置精华")
    if topic.is_featured != featured:
        topic.is_featured = featured
        events.emit(events.topic_featured, topic_id=topic.id, tribe_id=topic.tribe_id,
                    author_id=topic.author_id, featured=featured, by_id=actor.id)
    events.commit()
    return topic
