"""Watching a topic (关注本帖: a notification for every reply) and bookmarks (收藏).

Both live on the member's ``TopicUser`` row (forum/services/reading.py), written by upsert.
Watchers hear replies through the notifications (kind ``watching``, grouped per topic);
the topic's author and members the reply mentions already hear of it another way.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum.extensions import db
from forum.models import VISIBLE, Topic, Tribe, User, utcnow
from forum.models.threads import TopicUser
from forum.pagination import Page, paginate
from forum.permissions import is_authenticated
from forum.services import reading


def state(user: User | None, topic: Topic) -> TopicUser | None:
    if not is_authenticated(user):
        return None
    return db.session.get(TopicUser, (user.id, topic.id))


def set_watching(user: User, topic: Topic, watching: bool) -> bool:
    reading.upsert(user.id, topic.id, watching=bool(watching))
    db.session.commit()
    return bool(watching)


def set_bookmark(user: User, topic: Topic, bookmarked: bool) -> bool:
    reading.upsert(user.id, topic.id, bookmarked_at=utcnow() if bookmarked else None)
    db.session.commit()
    return bool(bookmarked)


def watcher_ids(topic_id: int) -> list[int]:
    return list(db.session.scalars(sa.select(TopicUser.user_id).where(
        TopicUser.topic_id == topic_id, TopicUser.watching.is_(True))))


def bookmarked_topics(user: User, page: int, per_page: int) -> Page:
    """我的收藏: the member's bookmarked topics that still exist, newest bookmark first."""
    stmt = (sa.select(Topic).join(TopicUser, TopicUser.topic_id == Topic.id)
            .where(TopicUser.user_id == user.id, TopicUser.bookmarked_at.is_not(None),
                   Topic.deleted_at.is_(None),
                   (Topic.visibility == VISIBLE) | (Topic.author_id == user.id))
            .options(joinedload(Topic.author).lazyload(User.roles),
                     joinedload(Topic.tribe).lazyload(Tribe.moderators))
            .order_by(TopicUser.bookmarked_at.desc(), Topic.id.desc()))
    return paginate(stmt, page, per_page)
