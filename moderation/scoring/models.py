"""Tables of the scorer: the keyword library (关键字库) and one score per post."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models import UTCDateTime, utcnow

NEGATIVE, BUSINESS = "negative", "business"
KINDS = (NEGATIVE, BUSINESS)
KIND_LABELS = {NEGATIVE: "负面信号", BUSINESS: "业务相关"}
# Suggested categories (the form accepts others too).
CATEGORIES = ("投诉", "扣费", "信号", "宽带", "流量", "套餐", "服务态度", "销户", "工信部/315",
              "辱骂", "诈骗骚扰", "业务")


class Keyword(db.Model):
    """One term of the keyword library.

    ``kind`` negative: a sign of a complaint, weighted 1–10 into the negativity score;
    business: a term that makes a post relevant to the operator's business (relevance 0–100).
    """

    __tablename__ = "moderation_keywords"
    __table_args__ = (
        sa.UniqueConstraint("term", name="uq_moderation_keywords_term"),
        sa.Index("ix_moderation_keywords_category", "category"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(sa.String(40))
    weight: Mapped[int] = mapped_column(default=1)
    category: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(16), default=NEGATIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


class PostScore(db.Model):
    """The latest negativity score of a post (topic opening post or reply); one row per post.

    ``score`` 0–100 (higher = more negative), ``negative`` = score ≥ threshold at scoring time,
    ``sentiment`` the text's negativity (情感指数) and ``relevance`` its business relevance,
    both 0–100, as used by the information influence index (PRODUCT §2.4).
    """

    __tablename__ = "moderation_post_scores"
    __table_args__ = (
        sa.UniqueConstraint("post_id", name="uq_moderation_post_scores_post"),
        sa.Index("ix_moderation_post_scores_negative_scored", "negative", "scored_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(default=0)
    negative: Mapped[bool] = mapped_column(default=False)
    keywords: Mapped[list] = mapped_column(sa.JSON, default=list)
    demand: Mapped[str] = mapped_column(sa.String(20), default="venting")
    relevance: Mapped[int] = mapped_column(default=0)
    sentiment: Mapped[int] = mapped_column(default=0)
    model_version: Mapped[str] = mapped_column(sa.String(40), default="")
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Urgency 0–3 and the phrases that made it so (the queue's tier and its "why").
    intensity: Mapped[int] = mapped_column(default=0, server_default="0")
    cues: Mapped[list] = mapped_column(sa.JSON, default=list)


class ModerationLabel(db.Model):
    """A moderator's decision on a post, as a training label for the scorer.

    Append-only: every decision adds a row; the latest row per post is the one trained on.
    ``negative`` None means the decision said nothing about negativity (e.g. only the demand
    class was changed).
    """

    __tablename__ = "moderation_labels"
    __table_args__ = (sa.Index("ix_moderation_labels_post", "post_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    negative: Mapped[bool | None] = mapped_column()
    demand: Mapped[str | None] = mapped_column(sa.String(20))
    intensity: Mapped[int | None] = mapped_column()
    source_action: Mapped[str] = mapped_column(sa.String(20))
    moderator_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModelVersion(db.Model):
    """A trained scorer with its evaluation figures; the ``active`` one scores posts (none
    active: the shipped data/model.json)."""

    __tablename__ = "moderation_model_versions"
    __table_args__ = (sa.UniqueConstraint("version", name="uq_moderation_model_versions_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(sa.String(40))
    model_json: Mapped[str] = mapped_column(sa.Text)
    metrics: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    label_count: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(sa.String(20), default="retrain")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
