"""Members' reports (举报) in the moderation queue.

``forum.services.reports`` records a report and emits ``post_reported``; ``handlers.py``
calls ``enqueue_report`` with it: the post enters the queue as a 举报 item (or, if the scorer
queued it already, that item counts the reports too), with the number of open reports. A
report on a post whose item was handled or dismissed reopens it. Reports of a post close when
a moderator handles or dismisses its item (``actions``).
"""

from __future__ import annotations

import sqlalchemy as sa

from forum.extensions import db
from forum.models import Post, utcnow
from forum.models.threads import REPORT_OPEN, PostReport
from forum.services.reports import REASONS, open_report_count
from moderation.models import KIND_REPORT, OPEN, QueueItem

MAX_ID = 2**31 - 1


def enqueue_report(post_id: int) -> tuple[QueueItem | None, bool]:
    """Queue (or update) the reported post's item; returns (item, newly open)."""
    post = db.session.get(Post, post_id) if 0 < post_id <= MAX_ID else None
    if post is None or post.is_deleted:
        return None, False
    count = open_report_count(post_id)
    if count == 0:
        return None, False
    now = utcnow()
    item = db.session.scalar(sa.select(QueueItem).where(QueueItem.post_id == post_id))
    if item is None:
        item = QueueItem(post_id=post.id, tribe_id=post.topic.tribe_id,
                         author_id=post.author_id, status=OPEN, kind=KIND_REPORT,
                         report_count=count, created_at=now, updated_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(item)
        except sa.exc.IntegrityError:  # the scorer queued it at the same moment
            item = db.session.scalar(sa.select(QueueItem).where(QueueItem.post_id == post_id))
        else:
            db.session.commit()
            return item, True
    reopened = item.status != OPEN
    item.report_count = count
    if reopened:
        item.status, item.kind = OPEN, KIND_REPORT
        item.handled_at = item.handled_by_id = None
    item.updated_at = now
    db.session.commit()
    return item, reopened


def reasons_of(post_id: int) -> list[tuple[str, int]]:
    """The open reports' reasons (label, how many), most frequent first."""
    rows = db.session.execute(
        sa.select(PostReport.reason, sa.func.count()).where(
            PostReport.post_id == post_id, PostReport.status == REPORT_OPEN)
        .group_by(PostReport.reason).order_by(sa.func.count().desc()))
    return [(REASONS.get(reason, reason), n) for reason, n in rows]


def notes_of(post_id: int, limit: int = 10) -> list[PostReport]:
    return list(db.session.scalars(
        sa.select(PostReport).where(PostReport.post_id == post_id,
                                    PostReport.status == REPORT_OPEN, PostReport.note != "")
        .order_by(PostReport.id.desc()).limit(limit)))
