"""风云榜: ideas ranked by votes with time decay, and authors ranked by what they achieved.

The formula (also shown on the page)::

    hot = votes / (age_hours + 2) ** 1.5

``votes`` are the votes the idea received in the period (all of them for "all time"),
``age_hours`` the hours since the idea was submitted, at the moment of ranking. The +2 keeps a
brand-new idea from dividing by almost zero; the power 1.5 lets a fresh idea with a few votes
pass an old one with many, as on Hacker News. Ties: more votes first, then the older idea,
then the lower id — so the order is fully determined by the data and the clock.

Periods run in Asia/Shanghai: "week" from Monday 00:00, "month" from the 1st 00:00, "all"
from the beginning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from forum.errors import ValidationError
from forum.extensions import db
from forum.models import User, utcnow
from forum.templating import SHANGHAI
from ideas.models import IMPLEMENTED, MERGED, Idea, IdeaStateChange, IdeaVote

PERIODS = ("week", "month", "all")
PERIOD_LABELS = {"week": "本周", "month": "本月", "all": "总榜"}
GRAVITY = 1.5
AGE_OFFSET_HOURS = 2
FORMULA = f"热度 = 票数 ÷ (发布小时数 + {AGE_OFFSET_HOURS})^{GRAVITY}"
BOARD_SIZE = 20


def hot_score(votes: int, submitted_at: datetime | None, now: datetime) -> float:
    """votes / (age_hours + 2) ** 1.5 (see the module docstring)."""
    if submitted_at is None:
        return 0.0
    age_hours = max(0.0, (now - submitted_at).total_seconds() / 3600)
    return votes / (age_hours + AGE_OFFSET_HOURS) ** GRAVITY


def parse_period(period: str | None) -> str:
    period = (period or "week").strip()
    if period not in PERIODS:
        raise ValidationError("榜单周期有误", {"period": "只能是 week、month 或 all"})
    return period


def period_start(period: str, now: datetime) -> datetime | None:
    """The UTC instant the period began (Asia/Shanghai calendar), None for all time."""
    local = now.astimezone(SHANGHAI)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        return (midnight - timedelta(days=local.weekday())).astimezone(now.tzinfo)
    if period == "month":
        return midnight.replace(day=1).astimezone(now.tzinfo)
    return None


@dataclass
class RankedIdea:
    idea: Idea
    votes: int
    score: float


@dataclass
class RankedAuthor:
    user: User
    count: int


@dataclass
class Leaderboard:
    period: str
    since: datetime | None
    ideas: list[RankedIdea]
    by_implemented: list[RankedAuthor]
    by_votes: list[RankedAuthor]


def _votes_in_period(since: datetime | None):
    stmt = (sa.select(IdeaVote.idea_id, sa.func.count().label("n"))
            .join(Idea, Idea.id == IdeaVote.idea_id)
            .where(Idea.is_draft.is_(False), Idea.state != MERGED)
            .group_by(IdeaVote.idea_id))
    if since is not None:
        stmt = stmt.where(IdeaVote.created_at >= since)
    return {row.idea_id: row.n for row in db.session.execute(stmt)}


def rank_ideas(period: str, now: datetime | None = None, limit: int = BOARD_SIZE) -> list[RankedIdea]:
    now = now or utcnow()
    votes = _votes_in_period(period_start(period, now))
    ideas = {i.id: i for i in db.session.scalars(sa.select(Idea).where(Idea.id.in_(list(votes))))}
    ranked = [RankedIdea(ideas[i], n, hot_score(n, ideas[i].submitted_at, now))
              for i, n in votes.items() if i in ideas]
    ranked.sort(key=lambda r: (-r.score, -r.votes, r.idea.submitted_at or now, r.idea.id))
    return ranked[:limit]


def _authors(counts: list[tuple[int, int]], limit: int) -> list[RankedAuthor]:
    users = {u.id: u for u in db.session.scalars(
        sa.select(User).where(User.id.in_([uid for uid, _ in counts])))}
    ranked = [RankedAuthor(users[uid], n) for uid, n in counts if uid in users]
    ranked.sort(key=lambda r: (-r.count, r.user.id))
    return ranked[:limit]


def rank_authors_by_implemented(period: str, now: datetime | None = None,
                                limit: int = BOARD_SIZE) -> list[RankedAuthor]:
    """Authors by ideas that reached ``implemented`` within the period."""
    since = period_start(period, now or utcnow())
    stmt = (sa.select(Idea.author_id, sa.func.count(sa.distinct(Idea.id)))
            .join(IdeaStateChange, IdeaStateChange.idea_id == Idea.id)
            .where(IdeaStateChange.to_state == IMPLEMENTED, Idea.state == IMPLEMENTED)
            .group_by(Idea.author_id))
    if since is not None:
        stmt = stmt.where(IdeaStateChange.created_at >= since)
    return _authors([(a, n) for a, n in db.session.execute(stmt)], limit)


def rank_authors_by_votes(period: str, now: datetime | None = None,
                          limit: int = BOARD_SIZE) -> list[RankedAuthor]:
    """Authors by votes their ideas received within the period."""
    since = period_start(period, now or utcnow())
    stmt = (sa.select(Idea.author_id, sa.func.count(IdeaVote.id))
            .join(IdeaVote, IdeaVote.idea_id == Idea.id)
            .where(Idea.is_draft.is_(False), Idea.state != MERGED)
            .group_by(Idea.author_id))
    if since is not None:
        stmt = stmt.where(IdeaVote.created_at >= since)
    return _authors([(a, n) for a, n in db.session.execute(stmt)], limit)


def leaderboard(period: str, now: datetime | None = None) -> Leaderboard:
    now = now or utcnow()
    return Leaderboard(period=period, since=period_start(period, now),
                       ideas=rank_ideas(period, now),
                       by_implemented=rank_authors_by_implemented(period, now),
                       by_votes=rank_authors_by_votes(period, now))
