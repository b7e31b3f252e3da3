"""What a member has read: one ``TopicUser`` row per user and topic read, holding the last
floor read (and, for bookmarks.py, watching and 收藏).

A topic is unread for a member who has read it before when floors were added since (its
``last_floor`` is above the member's ``last_read_floor``); topics never opened are not
marked (the list shows them as they are). Reading a page raises the mark to the page's last
floor, or to the topic's last floor on its last page (so floors taken by posts the reader
cannot see do not keep it unread). Writes are upserts (one statement, race-free).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from forum.extensions import db
from forum.models import VISIBLE, Post, Topic, Tribe, User, utcnow
from forum.models.threads import TopicUser
from forum.permissions import is_authenticated, moderates


def _insert():
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(TopicUser)


def upsert(user_id: int, topic_id: int, **values):
    """Create the row or update ``values`` in it (last_read_floor only ever rises); returns
    the row's (watching, bookmarked_at) as they are now."""
    stmt = _insert().values(user_id=user_id, topic_id=topic_id, updated_at=utcnow(),
                            **{"last_read_floor": 0, "watching": False, **values})
    changes = {"updated_at": stmt.excluded.updated_at}
    for name in values:
        changes[name] = getattr(stmt.excluded, name)
    if "last_read_floor" in values:
        changes["last_read_floor"] = sa.case(
            (stmt.excluded.last_read_floor > TopicUser.last_read_floor,
             stmt.excluded.last_read_floor), else_=TopicUser.last_read_floor)
    return db.session.execute(stmt.on_conflict_do_update(
        index_elements=[TopicUser.user_id, TopicUser.topic_id], set_=changes)
        .returning(TopicUser.watching, TopicUser.bookmarked_at)).one()


def mark_read(user: User, topic: Topic, floor: int):
    """Raise the member's mark to ``floor`` (the edge's unit of work commits it); returns
    (watching, bookmarked_at) of the row."""
    if not is_authenticated(user) or floor <= 0:
        return None
    return upsert(user.id, topic.id, last_read_floor=floor)


def read_floor(user: User | None, topic: Topic) -> int | None:
    """The last floor ``user`` read in ``topic``; None if never opened."""
    if not is_authenticated(user):
        return None
    return db.session.scalar(sa.select(TopicUser.last_read_floor).where(
        TopicUser.user_id == user.id, TopicUser.topic_id == topic.id))


def first_unread_floor(user: User | None, topic: Topic) -> int | None:
    """The first floor after the member's mark that they can see; None when all is read."""
    last = read_floor(user, topic)
    if last is None or last >= topic.last_floor:
        return None
    stmt = sa.select(sa.func.min(Post.floor)).where(
        Post.topic_id == topic.id, Post.floor > last, Post.deleted_at.is_(None))
    if not moderates(user, topic.tribe):
        stmt = stmt.where((Post.visibility == VISIBLE) | (Post.author_id == user.id))
    return db.session.scalar(stmt)


def unread_counts(user: User | None, topics: list[Topic]) -> dict[int, int]:
    """{topic id: floors added since the member's last read} for the topics with new ones."""
    if not is_authenticated(user) or not topics:
        return {}
    by_id = {t.id: t for t in topics}
    rows = db.session.execute(sa.select(TopicUser.topic_id, TopicUser.last_read_floor).where(
        TopicUser.user_id == user.id, TopicUser.topic_id.in_(list(by_id))))
    return {tid: by_id[tid].last_floor - floor for tid, floor in rows
            if by_id[tid].last_floor > floor}


def mark_tribe_read(user: User, tribe: Tribe) -> int:
    """全部标为已读: every topic of the tribe the member has read is read to its last floor.
    Returns how many topics changed."""
    last = (sa.select(Topic.last_floor).where(Topic.id == TopicUser.topic_id)
            .scalar_subquery())
    changed = db.session.execute(
        sa.update(TopicUser)
        .where(TopicUser.user_id == user.id,
               TopicUser.topic_id.in_(sa.select(Topic.id).where(Topic.tribe_id == tribe.id)),
               TopicUser.last_read_floor < last)
        .values(last_read_floor=last, updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return changed or 0
