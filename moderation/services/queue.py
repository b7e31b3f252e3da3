"""The moderation queue: posts the scorer flagged negative, ordered by urgency tier first
(intensity 3 紧急, 2 较急, else 普通: a threat to go to 工信部 or the media is on the first page
whoever wrote it), then the information influence index (PRODUCT §2.4: author's influence +
business relevance + sentiment), then age (longest waiting first).

Official posts are scored but never queued: posts by staff (employees, moderators, admins, a
tribe's own moderators in their tribe), the opening posts of pinned topics (rules, welcome
posts, announcements) and replies by service proxies (代理 answering customers).

Items are created when a score is committed (``handlers.py`` hears ``post_scored``) and
pushed live to moderators. Tribe moderators see their tribes only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum import realtime
from forum.errors import NotFound, PermissionDenied
from forum.extensions import db
from forum.models import Post, Role, Topic, Tribe, User, tribe_moderators, user_roles, utcnow
from forum.pagination import Page, paginate
from forum.permissions import is_global_moderator, moderated_tribe_ids, topic_title_for
from moderation.models import (
    DISMISSED,
    KIND_REPORT,
    OPEN,
    QUEUE_KINDS,
    QUEUE_STATUSES,
    QueueItem,
    Ticket,
)
from moderation.scoring.demands import DEMANDS, Demand
from moderation.scoring.models import PostScore
from moderation.services import audit
from moderation.services.access import require_staff

log = logging.getLogger(__name__)
MAX_ID = 2**31 - 1


# Urgency tiers by intensity (0–3); below 2 everything is 普通.
URGENT, PRESSING, NORMAL = "urgent", "pressing", "normal"
TIER_LABELS = {URGENT: "紧急", PRESSING: "较急", NORMAL: "普通"}
STAFF_ROLES = frozenset({"employee", "moderator", "admin"})


def tier_of(intensity: int | None) -> str:
    if (intensity or 0) >= 3:
        return URGENT
    return PRESSING if intensity == 2 else NORMAL


def _tier_rank_expr():
    """3 urgent, 2 pressing, 0 normal: the first sort key of the queue."""
    return sa.case((PostScore.intensity >= 3, 3), (PostScore.intensity == 2, 2), else_=0)


def _authors_with(roles) -> sa.Select:
    return (sa.select(user_roles.c.user_id).join(Role, Role.id == user_roles.c.role_id)
            .where(Role.name.in_(roles)))


def official_clause():
    """SQL: the post (joined with its Topic) is official (see the module doc)."""
    return sa.or_(
        Post.author_id.in_(_authors_with(STAFF_ROLES)),
        sa.and_(Post.is_first.is_(True), Topic.is_pinned.is_(True)),
        sa.and_(Post.is_first.is_(False), Post.author_id.in_(_authors_with(("proxy",)))),
        sa.exists().where(tribe_moderators.c.user_id == Post.author_id,
                          tribe_moderators.c.tribe_id == Topic.tribe_id))


def is_official(post_id: int) -> bool:
    return bool(db.session.scalar(
        sa.select(official_clause()).select_from(Post)
        .join(Topic, Topic.id == Post.topic_id).where(Post.id == post_id)))


def influence_index(author: User, score: PostScore) -> float:
    """信息影响指数 0–300: influence (0–100) + relevance (0–100) + sentiment (0–100)."""
    return round((author.influence or 0.0) + (score.relevance or 0) + (score.sentiment or 0), 1)


# --- entering the queue --------------------------------------------------------------------


def enqueue(post_id: int, *, reopen: bool = False) -> tuple[QueueItem | None, bool]:
    """Put a post with a negative score in the queue. Returns (item, created).

    ``reopen``: an item already dismissed or handled goes back to open (the post was edited
    and scored negative again). Posts without a negative score are left out.
    """
    post = db.session.get(Post, post_id) if 0 < post_id <= MAX_ID else None
    score = db.session.scalar(sa.select(PostScore).where(PostScore.post_id == post_id))
    if post is None or post.is_deleted or score is None or not score.negative:
        return None, False
    if is_official(post.id):
        return None, False
    item = db.session.scalar(sa.select(QueueItem).where(QueueItem.post_id == post_id))
    if item is not None:
        if reopen and item.status != OPEN:
            item.status = OPEN
            item.updated_at = utcnow()
            db.session.commit()
            return item, True
        return item, False
    now = utcnow()
    item = QueueItem(post_id=post.id, tribe_id=post.topic.tribe_id, author_id=post.author_id,
                     status=OPEN, created_at=now, updated_at=now)
    db.session.add(item)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # scored twice at once: the other one queued it
        db.session.rollback()
        return db.session.scalar(sa.select(QueueItem).where(QueueItem.post_id == post_id)), False
    return item, True


def dismiss_by_model(post_id: int, action: str = "model_dismiss") -> bool:
    """Move the post's OPEN item to dismissed (last action ``action``, audited, no training
    label: the system is not a moderator). Returns whether an item moved; commits."""

    item = db.session.scalar(sa.select(QueueItem).where(QueueItem.post_id == post_id))
    if item is None or item.status != OPEN:
        return False
    item.status = DISMISSED
    item.last_action = action
    item.updated_at = item.handled_at = utcnow()
    audit.record(None, action, "post", post_id, before={"status": OPEN},
                 after={"status": DISMISSED})
    db.session.commit()
    return True


def dismiss_official_items(limit: int = 500) -> int:
    """Open items of official posts (queued before they were recognised as such, or whose
    topic was pinned later) leave the open queue; returns how many."""
    post_ids = list(db.session.scalars(
        sa.select(QueueItem.post_id).join(Post, Post.id == QueueItem.post_id)
        .join(Topic, Topic.id == Post.topic_id)
        .where(QueueItem.status == OPEN, official_clause()).limit(limit)))
    return sum(dismiss_by_model(post_id, "official_dismiss") for post_id in post_ids)


def live_payload(item: QueueItem) -> dict:
    """The ``queue_item`` Socket.IO event: enough for a row or a "N 条新内容" notice."""
    post = item.post
    score = db.session.scalar(sa.select(PostScore).where(PostScore.post_id == item.post_id))
    demand_code = item.demand or (score.demand if score else None)
    return {
        "post_id": item.post_id,
        "tribe": {"slug": item.tribe.slug, "name": item.tribe.name},
        "title": topic_title_for(None, post.topic),
        "author": {"username": item.author.username, "display_name": item.author.display_name},
        "score": score.score if score else None,
        "index": influence_index(item.author, score) if score else None,
        "tier": tier_of(score.intensity if score else 0),
        "tier_label": TIER_LABELS[tier_of(score.intensity if score else 0)],
        "cues": list(score.cues or []) if score else [],
        "demand": demand_code,
        "demand_label": DEMANDS[demand_code].label if demand_code in DEMANDS else "",
        "status": item.status,
        "url": f"/moderation/queue/{item.post_id}",
    }


def push_live(item: QueueItem) -> None:
    """Tell the moderators' room, and each moderator of the item's tribe, about the item."""
    payload = live_payload(item)
    realtime.emit_to_moderators("queue_item", payload)
    tribe_mods = db.session.scalars(
        sa.select(User).join(tribe_moderators, tribe_moderators.c.user_id == User.id)
        .where(tribe_moderators.c.tribe_id == item.tribe_id))
    for user in tribe_mods:
        if not is_global_moderator(user):  # global ones are in the moderators room already
            realtime.emit_to_user(user.id, "queue_item", payload)


# --- reading the queue ---------------------------------------------------------------------


@dataclass
class QueueRow:
    item: QueueItem
    score: PostScore
    index: float
    demand_code: str | None
    demand: Demand | None
    post_count: int = 0
    previous_flags: int = 0
    ticket_count: int = 0
    ticket: Ticket | None = None
    keywords: list = field(default_factory=list)

    @property
    def post(self) -> Post:
        return self.item.post

    @property
    def tier(self) -> str:
        return tier_of(self.score.intensity)

    @property
    def tier_label(self) -> str:
        return TIER_LABELS[self.tier]

    @property
    def cues(self) -> list[str]:
        return [str(c) for c in (self.score.cues or [])]


@dataclass
class QueueFilters:
    tribe_id: int | None = None
    demand: str | None = None
    status: str = OPEN
    kind: str | None = None  # score | report (举报); None: both


def _scoped(stmt, actor: User):
    tribes = moderated_tribe_ids(actor)
    if tribes is not None:
        stmt = stmt.where(QueueItem.tribe_id.in_(tribes or {-1}))
    return stmt


def _index_expr():
    return (sa.func.coalesce(User.influence, 0.0) + sa.func.coalesce(PostScore.relevance, 0)
            + sa.func.coalesce(PostScore.sentiment, 0))


def _unscored(post_id: int) -> PostScore:
    """A reported post the scorer has not scored (yet): neutral figures, not saved."""
    return PostScore(post_id=post_id, score=0, negative=False, keywords=[], demand=None,
                     relevance=0, sentiment=0, model_version="", intensity=0, cues=[])


def list_queue(actor: User, filters: QueueFilters, page: int, per_page: int) -> Page:
    """One page of QueueRow, best first (urgency tier, influence index, longest waiting)."""
    require_staff(actor)
    # Reported posts (举报) may have no score: an outer join, neutral figures.
    stmt = (sa.select(QueueItem)
            .outerjoin(PostScore, PostScore.post_id == QueueItem.post_id)
            .join(User, User.id == QueueItem.author_id)
            .join(Post, Post.id == QueueItem.post_id)
            .where(Post.deleted_at.is_(None))
            .options(joinedload(QueueItem.post).joinedload(Post.topic),
                     joinedload(QueueItem.author).lazyload(User.roles),
                     joinedload(QueueItem.tribe).lazyload(Tribe.moderators))
            .order_by(_tier_rank_expr().desc(), _index_expr().desc(), QueueItem.created_at,
                      QueueItem.id))
    stmt = _scoped(stmt, actor)
    if filters.status in QUEUE_STATUSES:
        stmt = stmt.where(QueueItem.status == filters.status)
    if filters.tribe_id:
        stmt = stmt.where(QueueItem.tribe_id == filters.tribe_id)
    if filters.kind in QUEUE_KINDS:
        stmt = stmt.where(QueueItem.kind == filters.kind)
    if filters.demand in DEMANDS:
        stmt = stmt.where(sa.func.coalesce(QueueItem.demand, PostScore.demand) == filters.demand)
    items = paginate(stmt, page, per_page)
    return Page(items=rows_for(items.items), page=items.page, per_page=items.per_page,
                total=items.total)


def _counts(stmt) -> dict[int, int]:
    return {key: n for key, n in db.session.execute(stmt)}


def rows_for(items: list[QueueItem]) -> list[QueueRow]:
    """Queue rows with score, suggested demand and the author's history, in a fixed number
    of queries."""
    if not items:
        return []
    post_ids = [i.post_id for i in items]
    author_ids = list({i.author_id for i in items})
    scores = {s.post_id: s for s in db.session.scalars(
        sa.select(PostScore).where(PostScore.post_id.in_(post_ids)))}
    flags = _counts(sa.select(QueueItem.author_id, sa.func.count())
                    .where(QueueItem.author_id.in_(author_ids)).group_by(QueueItem.author_id))
    tickets = _counts(sa.select(Ticket.customer_id, sa.func.count())
                      .where(Ticket.customer_id.in_(author_ids)).group_by(Ticket.customer_id))
    by_post = {t.source_post_id: t for t in db.session.scalars(
        sa.select(Ticket).where(Ticket.source_post_id.in_(post_ids)))}
    rows = []
    for item in items:
        score = scores.get(item.post_id)
        if score is None:
            if item.kind != KIND_REPORT:
                continue
            score = _unscored(item.post_id)
        code = item.demand or score.demand
        rows.append(QueueRow(
            item=item, score=score, index=influence_index(item.author, score),
            demand_code=code, demand=DEMANDS.get(code or ""),
            post_count=item.author.topic_count + item.author.reply_count,
            previous_flags=max(0, flags.get(item.author_id, 0) - 1),
            ticket_count=tickets.get(item.author_id, 0), ticket=by_post.get(item.post_id),
            keywords=list(score.keywords or [])))
    return rows


def get_item_or_404(actor: User, post_id: int) -> QueueItem:
    """The queue item of a post, if the actor moderates its tribe (403 for non-staff)."""
    require_staff(actor)
    item = None
    if 0 < post_id <= MAX_ID:
        item = db.session.scalar(sa.select(QueueItem).where(QueueItem.post_id == post_id))
    if item is None:
        raise NotFound("该帖子不在审核队列中")
    tribes = moderated_tribe_ids(actor)
    if tribes is not None and item.tribe_id not in tribes:
        raise PermissionDenied("你不是该部落的版主")
    return item


def row_for(item: QueueItem) -> QueueRow:
    rows = rows_for([item])
    if not rows:
        raise NotFound("该帖子尚未评分")
    return rows[0]


def open_count(actor: User) -> int:
    stmt = sa.select(sa.func.count()).select_from(QueueItem).where(QueueItem.status == OPEN)
    return db.session.scalar(_scoped(stmt, actor)) or 0


def sync_from_scores(limit: int = 500, *, push: bool = True) -> int:
    """Queue negative scores that have no item (a missed signal); returns how many. Open
    items of official posts are dismissed first (``dismiss_official_items``). ``push``:
    show each new item live to the moderators online (not for a bulk load)."""
    dismiss_official_items(limit)
    missing = list(db.session.scalars(
        sa.select(PostScore.post_id)
        .outerjoin(QueueItem, QueueItem.post_id == PostScore.post_id)
        .join(Post, Post.id == PostScore.post_id)
        .join(Topic, Topic.id == Post.topic_id)
        .where(PostScore.negative.is_(True), QueueItem.id.is_(None),
               Post.deleted_at.is_(None), sa.not_(official_clause())).limit(limit)))
    created = 0
    for post_id in missing:
        item, new = enqueue(post_id)
        if new and item is not None:
            created += 1
            if push:
                push_live(item)
    return created
