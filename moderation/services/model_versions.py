"""Scorer versions: retrain on the site's own decisions, activate only a candidate that is no
worse than the active model, keep every version with its figures, roll back.

The active stored version is what scoring uses (``moderation.scoring.services.model``); with
none stored, the shipped data/model.json. The first retrain also stores the shipped model
(source ``shipped``) so there is always something to roll back to.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from forum.errors import NotFound, ValidationError
from forum.extensions import db
from forum.models import Post, User, utcnow
from forum.templating import SHANGHAI
from moderation.scoring import learning
from moderation.scoring.models import ModelVersion, ModerationLabel
from moderation.scoring.services import forget_model, model, post_text
from moderation.scoring.services.engine import Model
from moderation.services import audit
from moderation.services.access import require_admin

SHIPPED, RETRAIN, REJECTED = "shipped", "retrain", "rejected"
SOURCE_LABELS = {SHIPPED: "随版本发布", RETRAIN: "站内重训", REJECTED: "重训（未通过，未启用）"}
# The figures shown on the dashboard, in order (keys of learning.evaluate()).
METRIC_LABELS = {"f1": "F1", "specificity": "特异度", "demand_accuracy": "诉求准确率",
                 "urgent_recall": "紧急召回", "urgent_precision": "紧急精确",
                 "forum_f1": "论坛 F1", "forum_specificity": "论坛特异度",
                 "phone_accuracy": "域外准确率"}

Trainer = Callable[[Sequence[learning.Example], str], Model]
Evaluator = Callable[[Model], dict]


class RetrainRefused(ValidationError):
    """Too few site labels: nothing was trained or changed."""


@dataclass
class RetrainResult:
    candidate: ModelVersion
    activated: bool
    label_count: int
    candidate_metrics: dict
    active_metrics: dict
    worse: list[str] = field(default_factory=list)


def site_examples() -> list[learning.Example]:
    """One example per labelled live post: the latest decision wins (negativity and demand
    each from the latest decision that says something about it)."""
    latest: dict[int, dict] = {}
    for label in db.session.scalars(sa.select(ModerationLabel).order_by(ModerationLabel.id)):
        state = latest.setdefault(label.post_id, {})
        for name in ("negative", "demand", "intensity"):
            value = getattr(label, name)
            if value is not None:
                state[name] = value
    if not latest:
        return []
    posts = {p.id: p for p in db.session.scalars(
        sa.select(Post).where(Post.id.in_(list(latest)), Post.deleted_at.is_(None)))}
    examples = []
    for post_id, state in latest.items():
        post = posts.get(post_id)
        if post is None:
            continue
        # A demand class chosen without any other decision: demand classes are complaints.
        negative = state.get("negative", "demand" in state)
        examples.append(learning.Example(
            text=post_text(post), negative=bool(negative),
            intent=state.get("demand") if negative else None,
            intensity=state.get("intensity"), is_reply=not post.is_first))
    return examples


def list_versions() -> list[ModelVersion]:
    return list(db.session.scalars(sa.select(ModelVersion).order_by(ModelVersion.id.desc())))


def active_version() -> ModelVersion | None:
    return db.session.scalar(sa.select(ModelVersion).where(ModelVersion.active.is_(True))
                             .order_by(ModelVersion.id.desc()).limit(1))


def _store(m: Model, metrics: dict, label_count: int, source: str,
           actor_id: int | None) -> ModelVersion:
    row = ModelVersion(version=m.version[:40], model_json=json.dumps(m.to_dict()),
                       metrics={k: float(v) for k, v in metrics.items()},
                       label_count=label_count, active=False, source=source,
                       created_by_id=actor_id, created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row


def _activate(row: ModelVersion, actor_id: int | None, action: str,
              reason: str | None = None) -> None:
    previous = active_version()
    db.session.execute(sa.update(ModelVersion).where(ModelVersion.id != row.id)
                       .values(active=False))
    row.active = True
    audit.record(actor_id, action, "model_version", row.version,
                 before={"active": previous.version if previous else model().version},
                 after={"active": row.version}, reason=reason)


def new_version_name() -> str:
    return "site-" + utcnow().astimezone(SHANGHAI).strftime("%Y%m%d-%H%M%S")


def retrain(actor: User | None = None, *, trainer: Trainer = learning.train_candidate,
            evaluator: Evaluator = learning.evaluate) -> RetrainResult:
    """Train a candidate on the shipped data plus the site's labels and activate it when no
    metric is worse than the active model's. Commits; every candidate is kept."""
    examples = site_examples()
    if len(examples) < learning.MIN_SITE_LABELS:
        raise RetrainRefused(
            f"站内标注只有 {len(examples)} 条，至少需要 {learning.MIN_SITE_LABELS} 条才能重训；"
            "未做任何改动。", {"labels": str(len(examples))})
    actor_id = actor.id if actor else None
    current = active_version()
    if current is None:  # the shipped model: keep it as a version one can roll back to
        shipped = model()
        current = db.session.scalar(sa.select(ModelVersion)
                                    .where(ModelVersion.version == shipped.version[:40]))
        if current is None:
            current = _store(shipped, evaluator(shipped), 0, SHIPPED, None)
        current.active = True
    active_metrics = dict(current.metrics or {}) or evaluator(Model.from_dict(
        json.loads(current.model_json)))
    name = new_version_name()
    candidate_model = trainer(examples, name)
    candidate_metrics = evaluator(candidate_model)
    worse = learning.worse_than(candidate_metrics, active_metrics)
    row = _store(candidate_model, candidate_metrics, len(examples),
                 RETRAIN if not worse else REJECTED, actor_id)
    if not worse:
        _activate(row, actor_id, "model_activate",
                  reason=f"重训：{len(examples)} 条站内标注，各项指标不低于 {current.version}")
    db.session.commit()
    forget_model()
    return RetrainResult(candidate=row, activated=not worse, label_count=len(examples),
                         candidate_metrics=candidate_metrics, active_metrics=active_metrics,
                         worse=worse)


def rollback(actor: User | None, version: str | None = None,
             reason: str | None = None) -> ModelVersion:
    """Reactivate ``version`` (by name), or the version before the active one. Commits.
    ``actor`` None: the command line (trusted); otherwise admins only."""
    if actor is not None:
        require_admin(actor)
    current = active_version()
    if version:
        target = db.session.scalar(sa.select(ModelVersion).where(ModelVersion.version == version))
        if target is None:
            raise NotFound(f"没有名为 {version} 的模型版本")
    else:
        stmt = (sa.select(ModelVersion).where(ModelVersion.source != REJECTED)
                .order_by(ModelVersion.id.desc()))
        if current is not None:
            stmt = stmt.where(ModelVersion.id < current.id)
        target = db.session.scalar(stmt.limit(1))
        if target is None:
            raise NotFound("没有可回滚到的更早版本")
    if current is not None and target.id == current.id:
        raise ValidationError(f"{target.version} 已是当前使用的版本", {"version": target.version})
    _activate(target, actor.id if actor else None, "model_rollback", reason=reason)
    db.session.commit()
    forget_model()
    return target
