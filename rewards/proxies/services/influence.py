"""The influence score (客户影响力, PRODUCT §2.4, seed 002)::

    粉丝数×0.4 + 粉丝数/关注数×0.1 + 发帖数×0.05 + 博龄×0.05 + 是否加V×0.4

Each factor is first normalised to 0–100, so the score is 0–100:

- **Active users** are accounts that are not deactivated (``User.is_active_account``). Only
  they are ranked; a deactivated account's influence is set to 0.
- **Percentile rank with ties averaged**: sort the N active users' values ascending and give
  them ranks 1…N; users with equal values all get the mean of the ranks they occupy. The
  percentile is ``100 × (rank − 1) / (N − 1)``: the lowest value is 0, the highest 100, and a
  value shared by everybody is 50. With N = 1 the single user gets 50 (the same as "all tied").
- Factors: 粉丝数 = rows in ``follows`` naming the user as followed; 关注数 = rows naming the
  user as follower, where 0 counts as 1 (so the ratio of a user following nobody is the
  follower count); 发帖数 = the user's posts (topics and replies) not deleted; 博龄 = whole
  days since registration; 加V is not ranked: 100 if verified, else 0.
- Weights are integer thousandths (400 = 0.4), admin-editable, and must add up to 1000.

The computation is set-based: three GROUP BY queries and one pass over tuples in Python
(sorting per factor), then one executemany UPDATE of the changed rows — fine for 100k users.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from forum.errors import PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import Follow, Post, User, utcnow
from rewards.proxies.models import InfluenceWeight
from rewards.proxies.services.common import can_manage

FOLLOWERS, RATIO, POSTS, AGE, VERIFIED = "followers", "ratio", "posts", "age", "verified"
FACTORS = (FOLLOWERS, RATIO, POSTS, AGE, VERIFIED)
FACTOR_LABELS = {
    FOLLOWERS: "粉丝数",
    RATIO: "粉丝数/关注数",
    POSTS: "发帖数",
    AGE: "博龄（天）",
    VERIFIED: "是否加V",
}
# The seed's weights, in thousandths.
DEFAULT_WEIGHTS = {FOLLOWERS: 400, RATIO: 100, POSTS: 50, AGE: 50, VERIFIED: 400}
WEIGHT_TOTAL = 1000


@dataclass(frozen=True)
class UserFactors:
    """Raw inputs of one user's score."""

    user_id: int
    followers: int
    following: int
    posts: int
    age_days: int
    verified: bool

    @property
    def ratio(self) -> float:
        return self.followers / max(self.following, 1)  # 关注数 0 counts as 1


# --- weights ---------------------------------------------------------------------------------


def get_weights() -> dict[str, int]:
    """Current weights in thousandths (the seed's defaults for factors never edited)."""
    stored = {w.factor: w.weight_milli for w in db.session.scalars(sa.select(InfluenceWeight))}
    return {factor: stored.get(factor, DEFAULT_WEIGHTS[factor]) for factor in FACTORS}


def validate_weights(raw: dict[str, object]) -> dict[str, int]:
    """Whole numbers 0–1000 per factor adding up to 1000; Chinese messages per field."""
    weights: dict[str, int] = {}
    errors: dict[str, str] = {}
    for factor in FACTORS:
        value = raw.get(factor)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            errors[factor] = "请输入 0–1000 的整数（千分之几）"
        elif not 0 <= value <= WEIGHT_TOTAL:
            errors[factor] = "权重应在 0–1000 之间"
        else:
            weights[factor] = value
    if not errors and sum(weights.values()) != WEIGHT_TOTAL:
        raise ValidationError(f"各项权重之和必须等于 {WEIGHT_TOTAL}（即 1.0），当前为 "
                              f"{sum(weights.values())}")
    if errors:
        raise ValidationError("权重填写有误", errors)
    return weights


def save_weights(actor: User, raw: dict[str, object]) -> dict[str, int]:
    """Admins change the weights; the next recomputation uses them."""
    if not can_manage(actor):
        raise PermissionDenied("只有管理员可以修改影响力权重")
    weights = validate_weights(raw)
    existing = {w.factor: w for w in db.session.scalars(sa.select(InfluenceWeight))}
    for factor, value in weights.items():
        row = existing.get(factor) or InfluenceWeight(factor=factor)
        row.weight_milli = value
        row.updated_at = utcnow()
        row.updated_by_id = actor.id
        db.session.add(row)
    db.session.commit()
    return weights


# --- the computation -------------------------------------------------------------------------


def percentile_ranks(values: Sequence[float]) -> list[float]:
    """Percentile (0–100) of each value among ``values``, ties averaged (see module doc)."""
    n = len(values)
    if n == 0:
        return []
    if n == 1:
        return [50.0]
    order = sorted(range(n), key=values.__getitem__)
    result = [0.0] * n
    start = 0
    while start < n:
        end = start
        while end + 1 < n and values[order[end + 1]] == values[order[start]]:
            end += 1
        # positions start..end (0-based) hold ranks start+1..end+1; their mean minus one:
        mean_rank0 = (start + end) / 2
        pct = 100.0 * mean_rank0 / (n - 1)
        for i in range(start, end + 1):
            result[order[i]] = pct
        start = end + 1
    return result


def compute_scores(rows: Sequence[UserFactors], weights: dict[str, int]) -> dict[int, float]:
    """Score 0–100 per user id from raw factors (pure function; the tests check it by hand)."""
    if not rows:
        return {}
    normalised = {
        FOLLOWERS: percentile_ranks([r.followers for r in rows]),
        RATIO: percentile_ranks([r.ratio for r in rows]),
        POSTS: percentile_ranks([r.posts for r in rows]),
        AGE: percentile_ranks([r.age_days for r in rows]),
        VERIFIED: [100.0 if r.verified else 0.0 for r in rows],
    }
    scores = {}
    for i, row in enumerate(rows):
        total = sum(weights[f] * normalised[f][i] for f in FACTORS) / WEIGHT_TOTAL
        scores[row.user_id] = round(min(max(total, 0.0), 100.0), 4)
    return scores


def _counts(stmt) -> dict[int, int]:
    return {user_id: count for user_id, count in db.session.execute(stmt)}


def gather_factors(now: datetime | None = None) -> list[UserFactors]:
    """Raw factors of every active user: one query per aggregate, no per-user queries."""
    now = now or datetime.now(UTC)
    followers = _counts(sa.select(Follow.followed_id, sa.func.count()).group_by(Follow.followed_id))
    following = _counts(sa.select(Follow.follower_id, sa.func.count()).group_by(Follow.follower_id))
    posts = _counts(sa.select(Post.author_id, sa.func.count())
                    .where(Post.deleted_at.is_(None)).group_by(Post.author_id))
    users = db.session.execute(sa.select(User.id, User.created_at, User.is_verified)
                               .where(User.is_active_account.is_(True)).order_by(User.id))
    rows = []
    for user_id, created_at, verified in users:
        if created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=UTC)
        age_days = max(0, (now - created_at).days)
        rows.append(UserFactors(user_id, followers.get(user_id, 0), following.get(user_id, 0),
                                posts.get(user_id, 0), age_days, bool(verified)))
    return rows


def recompute_all(now: datetime | None = None) -> int:
    """Recompute and store ``User.influence`` for everybody; returns how many rows changed."""
    rows = gather_factors(now)
    scores = compute_scores(rows, get_weights())
    current = dict(db.session.execute(sa.select(User.id, User.influence)).all())
    changes = [{"id": uid, "influence": scores.get(uid, 0.0)} for uid, old in current.items()
               if old is None or abs((old or 0.0) - scores.get(uid, 0.0)) > 1e-9]
    for chunk in _chunks(changes, 5000):
        db.session.execute(sa.update(User), chunk)
    db.session.commit()
    return len(changes)


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def factors_for(user_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Evaluation indicators of a page of candidates: posts, followers, accepted answers."""
    ids = list(user_ids)
    if not ids:
        return {}
    followers = _counts(sa.select(Follow.followed_id, sa.func.count())
                        .where(Follow.followed_id.in_(ids)).group_by(Follow.followed_id))
    posts = _counts(sa.select(Post.author_id, sa.func.count())
                    .where(Post.author_id.in_(ids), Post.deleted_at.is_(None))
                    .group_by(Post.author_id))
    accepted = dict(db.session.execute(sa.select(User.id, User.accepted_count)
                                       .where(User.id.in_(ids))).all())
    return {uid: {"followers": followers.get(uid, 0), "posts": posts.get(uid, 0),
                  "accepted": accepted.get(uid, 0) or 0} for uid in ids}
