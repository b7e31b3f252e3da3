"""Scoring posts: ``score_text`` for any text, ``score_post`` for a stored post (upserts its
``PostScore`` and announces ``post_scored``), ``rescore_missing`` for posts left unscored."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app

from forum.extensions import db
from forum.models import Post, Topic, utcnow
from moderation.scoring.models import ModelVersion, PostScore
from moderation.scoring.services.engine import Model, ScoreResult, score_with
from moderation.scoring.services.keywords import current_library
from moderation.scoring.signals import post_scored

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 50
# How often a process looks for a newly activated model version (seconds); a retrain or
# rollback elsewhere reaches every worker within this time.
DEFAULT_MODEL_CHECK_SECONDS = 30.0
_model_lock = threading.Lock()
_model: Model | None = None
_model_version_id: int | None = None
_model_checked_at: float | None = None


def _active_version() -> tuple[int | None, str | None]:
    """Id and JSON of the active stored version, (None, None) when none is active."""
    row = db.session.execute(
        sa.select(ModelVersion.id, ModelVersion.model_json)
        .where(ModelVersion.active.is_(True)).order_by(ModelVersion.id.desc()).limit(1)).first()
    return (row.id, row.model_json) if row is not None else (None, None)


def _check_seconds() -> float:
    try:
        return float(current_app.config.get("MODERATION_MODEL_CHECK_SECONDS",
                                            DEFAULT_MODEL_CHECK_SECONDS))
    except (TypeError, ValueError, RuntimeError):
        return DEFAULT_MODEL_CHECK_SECONDS


def model() -> Model:
    """This process's scoring model: the active stored version (``moderation_model_versions``)
    or, when none is active, the shipped data/model.json. The active version's id is looked
    up at most every MODERATION_MODEL_CHECK_SECONDS, so other processes follow a change."""
    global _model, _model_version_id, _model_checked_at
    now = time.monotonic()
    due = _model_checked_at is None or now - _model_checked_at >= _check_seconds()
    if _model is not None and not due:
        return _model
    with _model_lock:
        try:
            version_id, model_json = _active_version()
        except Exception:  # no app context or table yet: keep what we have
            log.debug("active model version unavailable", exc_info=True)
            if _model is None:
                _model = Model.load()
            return _model
        if _model is None or version_id != _model_version_id:
            try:
                _model = (Model.from_dict(json.loads(model_json)) if model_json
                          else Model.load())
            except (ValueError, KeyError, TypeError):
                log.exception("stored model version %s is unreadable; using the shipped one",
                              version_id)
                _model = Model.load()
            _model_version_id = version_id
        _model_checked_at = now
        return _model


def forget_model() -> None:
    """Look up the active version on the next ``model()`` call (after an activation)."""
    global _model_checked_at
    _model_checked_at = None


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
    result = score_text(post_text(post), is_reply=not post.is_first)
    row = db.session.scalar(sa.select(PostScore).where(PostScore.post_id == post_id))
    previous_negative = row.negative if row is not None else None
    values = dict(score=result.score, negative=result.negative, keywords=list(result.keywords),
                  demand=result.demand, relevance=result.relevance,
                  sentiment=result.sentiment, model_version=model().version,
                  intensity=max(0, min(3, int(result.intensity or 0))),
                  cues=[str(c) for c in result.cues], scored_at=utcnow())
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


def unscored_post_ids(limit: int | None = 500) -> list[int]:
    """Live posts without a PostScore row, oldest first."""
    query = (sa.select(Post.id)
             .join(Topic, Topic.id == Post.topic_id)
             .outerjoin(PostScore, PostScore.post_id == Post.id)
             .where(PostScore.id.is_(None), Post.deleted_at.is_(None),
                    Topic.deleted_at.is_(None))
             .order_by(Post.id).limit(limit))
    return list(db.session.scalars(query))


def live_post_ids() -> list[int]:
    return list(db.session.scalars(
        sa.select(Post.id).where(Post.deleted_at.is_(None)).order_by(Post.id)))


def post_ids_of(column, *conditions) -> list[int]:
    """Ids in ``column`` (a post id column of another table) of live posts, ordered."""
    return list(db.session.scalars(
        sa.select(column).join(Post, Post.id == column)
        .where(Post.deleted_at.is_(None), *conditions).order_by(column)))


def rescore_posts(post_ids: list[int], progress: Callable[[int], object] | None = None,
                  *, skip_failures: bool = False) -> int:
    """Score each post (one commit each); ``progress(1)`` after each. Returns how many were
    scored. ``skip_failures``: a post that fails is logged and skipped."""
    done = 0
    for post_id in post_ids:
        try:
            if score_post(post_id) is not None:
                done += 1
        except Exception:
            if not skip_failures:
                raise
            db.session.rollback()
            log.exception("scoring post %s failed again; will retry later", post_id)
        if progress is not None:
            progress(1)
    return done


def rescore_missing(limit: int = 500) -> int:
    """Score up to ``limit`` posts that have no score yet (e.g. after a scoring failure);
    returns how many were scored. A post that fails again is logged and skipped."""
    return rescore_posts(unscored_post_ids(limit), skip_failures=True)


def rescore_all() -> int:
    """Re-score every live post (after a model or library change); returns the count."""
    return rescore_posts(live_post_ids())
