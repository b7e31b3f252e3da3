"""Scoring posts: ``score_text`` for any text, ``score_post`` for a stored post (upserts its
``PostScore`` and announces ``post_scored``), ``rescore_missing`` for posts left unscored."""

from __future__ import annotations

import logging
import threading

import sqlalchemy as sa
from flask import current_app

from forum.extensions import db
from forum.models import Post, Topic, utcnow
from moderation.scoring.models import PostScore
from moderation.scoring.services.engine import Model, ScoreResult, score_with
from moderation.scoring.services.keywords import current_library
from moderation.scoring.signals import post_scored

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 50
_model_lock = threading.Lock()
_model: Model | None = None


def model() -> Model:
    """This process's scoring model, loaded once from data/model.json."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                _model = Model.load()
    return _model


def negative_threshold() -> int:
    """Score (0–100) from which a post counts as negative (MODERATION_NEGATIVE_THRESHOLD)."""
    try:
        value = int(current_app.config.get("MODERATION_NEGATIVE_THRESHOLD", DEFAULT_THRESHOLD))
    except (TypeError, ValueError):
        value = DEFAULT_THRESHOLD
    return max(1, min(100, value))


def score_text(text: str, *, is_reply: bool = False) -> ScoreResult:
    """Score a text with the live keyword library and the configured threshold."""
    return score_with(text or "", current_library(), model(), negative_threshold(),
                      is_reply=is_reply)


def post_text(post: Post) -> str:
    """What is scored: the topic title and body for an opening post, the body for a reply."""
    if post.is_first and post.topic is not None:
        return f"{post.topic.title}\n{post.body}"
    return post.body or ""


def score_post(post_id: int) -> PostScore | None:
    """Score a post's current text and upsert its PostScore (idempotent; commits).

    Returns None for a missing or deleted post. Sends ``post_scored`` after the commit.
    """
    post = db.session.get(Post, post_id)
    if post is None or post.deleted_at is not None:
        return None
    result = score_text(post_text(post))
    row = db.session.scalar(sa.select(PostScore).where(PostScore.post_id == post_id))
    previous_negative = row.negative if row is not None else None
    values = dict(score=result.score, negative=result.negative, keywords=list(result.keywords),
                  demand=result.demand, relevance=result.relevance,
                  sentiment=result.sentiment, model_version=model().version,
                  scored_at=utcnow())
    if row is None:
        row = PostScore(post_id=post_id, **values)
        db.session.add(row)
        try:
            db.session.commit()
        except sa.exc.IntegrityError:
            # Scored concurrently by another worker: update theirs instead.
            db.session.rollback()
            row = db.session.scalar(sa.select(PostScore).where(PostScore.post_id == post_id))
            if row is None:
                raise
            previous_negative = row.negative
            _assign(row, values)
            db.session.commit()
    else:
        _assign(row, values)
        db.session.commit()
    post_scored.send(None, post_id=post_id, score=row.score, negative=row.negative,
                     previous_negative=previous_negative)
    return row


def _assign(row: PostScore, values: dict) -> None:
    for name, value in values.items():
        setattr(row, name, value)


def unscored_post_ids(limit: int = 500) -> list[int]:
    """Live posts without a PostScore row, oldest first."""
    query = (sa.select(Post.id)
             .join(Topic, Topic.id == Post.topic_id)
             .outerjoin(PostScore, PostScore.post_id == Post.id)
             .where(PostScore.id.is_(None), Post.deleted_at.is_(None),
                    Topic.deleted_at.is_(None))
             .order_by(Post.id).limit(limit))
    return list(db.session.scalars(query))


def rescore_missing(limit: int = 500) -> int:
    """Score up to ``limit`` posts that have no score yet (e.g. after a scoring failure);
    returns how many were scored. A post that fails again is logged and skipped."""
    done = 0
    for post_id in unscored_post_ids(limit):
        try:
            if score_post(post_id) is not None:
                done += 1
        except Exception:
            db.session.rollback()
            log.exception("scoring post %s failed again; will retry later", post_id)
    return done


def rescore_all(batch: int = 500) -> int:
    """Re-score every live post (after a model or library change); returns the count."""
    done, last_id = 0, 0
    while True:
        ids = list(db.session.scalars(
            sa.select(Post.id).where(Post.id > last_id, Post.deleted_at.is_(None))
            .order_by(Post.id).limit(batch)))
        if not ids:
            return done
        for post_id in ids:
            if score_post(post_id) is not None:
                done += 1
        last_id = ids[-1]
