"""Expert scoring (专家评分): each week a random sample of replies written by staff
(employees, moderators, admins) and service proxies is drawn; scorers rate each 1–5 with a
comment, and the dashboard shows the results."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum import events
from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import Post, Role, User, user_roles, utcnow
from forum.templating import SHANGHAI
from moderation.models import ExpertReview
from moderation.services import audit
from moderation.services.access import require_global_moderator

SAMPLE_PER_KIND = 5
STAFF_ROLES = ("employee", "moderator", "admin")
KIND_LABELS = {"staff": "员工/客服", "proxy": "服务代理"}
COMMENT_MAX = 500


def week_of(now: datetime | None = None) -> str:
    year, week, _ = (now or utcnow()).astimezone(SHANGHAI).isocalendar()
    return f"{year}-W{week:02d}"


def _authors_with(roles: tuple[str, ...]) -> sa.Select:
    return (sa.select(user_roles.c.user_id).join(Role, Role.id == user_roles.c.role_id)
            .where(Role.name.in_(roles)))


def draw_sample(actor: User | None, now: datetime | None = None,
                per_kind: int = SAMPLE_PER_KIND) -> int:
    """Add up to ``per_kind`` random replies of the last 7 days by staff and by proxies to
    this week's sample. Idempotent per week (a week already drawn adds nothing)."""
    if actor is not None:
        require_global_moderator(actor)
    now = now or utcnow()
    week = week_of(now)
    if db.session.scalar(sa.select(sa.func.count()).select_from(ExpertReview)
                         .where(ExpertReview.week == week)):
        return 0
    since = now - timedelta(days=7)
    staff_ids = _authors_with(STAFF_ROLES)
    added = 0
    for kind, authors in (("staff", staff_ids),
                          ("proxy", _authors_with(("proxy",)).where(
                              user_roles.c.user_id.not_in(staff_ids)))):
        candidates = list(db.session.execute(
            sa.select(Post.id, Post.author_id).where(
                Post.is_first.is_(False), Post.deleted_at.is_(None), Post.created_at >= since,
                Post.author_id.in_(authors)).order_by(Post.id.desc()).limit(2000)))
        for post_id, author_id in random.sample(candidates, min(per_kind, len(candidates))):
            db.session.add(ExpertReview(week=week, post_id=post_id, author_id=author_id,
                                        author_kind=kind, sampled_at=now))
            added += 1
    if actor is not None:
        audit.record(actor.id, "review_sample", "review", week, after={"count": added})
    try:
        events.commit()
    except sa.exc.IntegrityError:  # drawn concurrently by the periodic task
        db.session.rollback()
        return 0
    return added


def list_week(week: str) -> list[ExpertReview]:
    return list(db.session.scalars(
        sa.select(ExpertReview).where(ExpertReview.week == week)
        .options(joinedload(ExpertReview.post).joinedload(Post.topic),
                 joinedload(ExpertReview.author).lazyload(User.roles))
        .order_by(ExpertReview.author_kind, ExpertReview.id)))


def weeks(limit: int = 12) -> list[str]:
    return list(db.session.scalars(sa.select(ExpertReview.week).distinct()
                                   .order_by(ExpertReview.week.desc()).limit(limit)))


def score_review(actor: User, review_id: int, score, comment: str = "") -> ExpertReview:
    """A scorer (global moderator or admin) rates a sampled reply 1–5 — never their own; a
    new score replaces the previous one (both are in the audit log)."""
    require_global_moderator(actor)
    review = db.session.get(ExpertReview, review_id) if 0 < review_id <= 2**31 - 1 else None
    if review is None:
        raise NotFound("评分样本不存在")
    if review.author_id == actor.id:
        raise PermissionDenied("不能给自己的回复评分，请由其他专家评分")
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ValidationError("评分须为 1–5 的整数", {"score": "评分须为 1–5 的整数"})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX or "\x00" in comment:
        raise ValidationError("评语有误", {"comment": f"最多 {COMMENT_MAX} 字"})
    before = {"score": review.score, "comment": review.comment}
    review.score, review.comment = score, comment
    review.scorer_id, review.scored_at = actor.id, utcnow()
    audit.record(actor.id, "review_score", "review", review.id, before=before,
                 after={"score": score, "comment": comment})
    events.commit()
    return review


def summary(limit_weeks: int = 12) -> list[dict]:
    """Per week and kind: sampled, scored, average score."""
    rows = db.session.execute(
        sa.select(ExpertReview.week, ExpertReview.author_kind, sa.func.count(),
                  sa.func.count(ExpertReview.score), sa.func.avg(ExpertReview.score))
        .group_by(ExpertReview.week, ExpertReview.author_kind)
        .order_by(ExpertReview.week.desc()).limit(limit_weeks * 2))
    return [{"week": w, "kind": k, "kind_label": KIND_LABELS.get(k, k), "sampled": n,
             "scored": s, "average": round(float(a), 2) if a is not None else None}
            for w, k, n, s, a in rows]
