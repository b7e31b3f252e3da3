"""服务质量监测: response and resolution times, SLA compliance, satisfaction, negative-post
rate per tribe per week, queue size over time — computed from timestamps (no snapshots)."""

from __future__ import annotations

import csv
import io
import math
from datetime import datetime, timedelta

import sqlalchemy as sa

from forum.extensions import db
from forum.models import Post, Topic, Tribe, utcnow
from forum.templating import SHANGHAI
from moderation.models import QueueItem, Ticket, TicketRating
from moderation.scoring.models import ModerationLabel, PostScore
from moderation.scoring.services import model
from moderation.services import model_versions, reviews

DEFAULT_DAYS = 30
WEEKS = 8


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0–100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 2)


def ticket_metrics(since: datetime, now: datetime) -> dict:
    rows = list(db.session.execute(sa.select(
        Ticket.created_at, Ticket.first_responded_at, Ticket.resolved_at,
        Ticket.first_response_due, Ticket.resolve_due, Ticket.first_response_breached,
        Ticket.resolve_breached).where(Ticket.created_at >= since)))
    first = [_hours(r.first_responded_at - r.created_at) for r in rows if r.first_responded_at]
    resolve = [_hours(r.resolved_at - r.created_at) for r in rows if r.resolved_at]
    evaluated = compliant = 0
    for r in rows:
        if r.resolved_at is None and r.resolve_due >= now and not r.first_response_breached:
            continue  # still within its deadlines: not judged yet
        evaluated += 1
        first_ok = r.first_responded_at is not None and r.first_responded_at <= r.first_response_due
        resolve_ok = r.resolved_at is not None and r.resolved_at <= r.resolve_due
        if first_ok and resolve_ok:
            compliant += 1
    return {
        "tickets": len(rows),
        "first_response_hours": {"median": percentile(first, 50), "p90": percentile(first, 90),
                                 "count": len(first)},
        "resolution_hours": {"median": percentile(resolve, 50), "p90": percentile(resolve, 90),
                             "count": len(resolve)},
        "sla": {"evaluated": evaluated, "compliant": compliant,
                "rate": round(compliant / evaluated, 3) if evaluated else None},
    }


def satisfaction(since: datetime) -> dict:
    scores = list(db.session.scalars(sa.select(TicketRating.score)
                                     .where(TicketRating.created_at >= since)))
    distribution = {str(n): scores.count(n) for n in range(1, 6)}
    return {"count": len(scores), "distribution": distribution,
            "average": round(sum(scores) / len(scores), 2) if scores else None}


def _week(value: datetime) -> str:
    year, week, _ = value.astimezone(SHANGHAI).isocalendar()
    return f"{year}-W{week:02d}"


def negative_rate(now: datetime, weeks: int = WEEKS) -> dict:
    """Per tribe and ISO week: scored posts, negative posts and the rate."""
    since = now - timedelta(weeks=weeks)
    rows = db.session.execute(
        sa.select(Tribe.name, Post.created_at, PostScore.negative)
        .join(Post, Post.id == PostScore.post_id).join(Topic, Topic.id == Post.topic_id)
        .join(Tribe, Tribe.id == Topic.tribe_id).where(Post.created_at >= since))
    counts: dict[tuple[str, str], list[int]] = {}
    for tribe, created, negative in rows:
        cell = counts.setdefault((tribe, _week(created)), [0, 0])
        cell[0] += 1
        cell[1] += 1 if negative else 0
    week_labels = sorted({w for _, w in counts})
    tribes = sorted({t for t, _ in counts})
    series = []
    for tribe in tribes:
        rates = []
        for week in week_labels:
            scored, negative = counts.get((tribe, week), [0, 0])
            rates.append(round(negative / scored, 3) if scored else None)
        series.append({"tribe": tribe, "rates": rates})
    table = [{"tribe": t, "week": w, "scored": c[0], "negative": c[1],
              "rate": round(c[1] / c[0], 3)} for (t, w), c in sorted(counts.items())]
    return {"weeks": week_labels, "series": series, "table": table}


def queue_size(now: datetime, days: int = DEFAULT_DAYS) -> dict:
    """Open queue items at the end of each day (Asia/Shanghai) of the last ``days`` days."""
    start = now - timedelta(days=days)
    rows = list(db.session.execute(
        sa.select(QueueItem.created_at, QueueItem.handled_at).where(
            sa.or_(QueueItem.handled_at.is_(None), QueueItem.handled_at >= start))))
    labels, sizes = [], []
    local_now = now.astimezone(SHANGHAI)
    for n in range(days - 1, -1, -1):
        day = (local_now - timedelta(days=n)).date()
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), SHANGHAI)
        end = min(end, now)
        size = sum(1 for created, handled in rows
                   if created <= end and (handled is None or handled > end))
        labels.append(day.isoformat())
        sizes.append(size)
    return {"days": labels, "sizes": sizes}


def metrics(days: int = DEFAULT_DAYS, now: datetime | None = None) -> dict:
    """Everything the dashboard shows, as JSON-ready data."""
    now = now or utcnow()
    since = now - timedelta(days=days)
    return {
        "days": days,
        "generated_at": now.isoformat(),
        "tickets": ticket_metrics(since, now),
        "satisfaction": satisfaction(since),
        "negative_rate": negative_rate(now),
        "queue": queue_size(now, days),
        "reviews": reviews.summary(),
        "models": model_figures(),
    }


def model_figures() -> dict:
    """The scorer in use, the site's label count and every stored version with its figures."""

    return {
        "in_use": model().version,
        "site_labels": db.session.scalar(
            sa.select(sa.func.count(sa.distinct(ModerationLabel.post_id)))) or 0,
        "metric_labels": model_versions.METRIC_LABELS,
        "versions": [{"version": v.version, "source": v.source,
                      "source_label": model_versions.SOURCE_LABELS.get(v.source, v.source),
                      "active": v.active, "label_count": v.label_count,
                      "metrics": dict(v.metrics or {}), "created_at": v.created_at.isoformat()}
                     for v in model_versions.list_versions()],
    }


def to_csv(data: dict) -> str:
    """The dashboard's figures as CSV (section, key, value) for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "key", "value"])
    t = data["tickets"]
    writer.writerow(["tickets", "count", t["tickets"]])
    for name in ("first_response_hours", "resolution_hours"):
        for key in ("median", "p90", "count"):
            writer.writerow([name, key, t[name][key]])
    for key in ("evaluated", "compliant", "rate"):
        writer.writerow(["sla", key, t["sla"][key]])
    s = data["satisfaction"]
    writer.writerow(["satisfaction", "average", s["average"]])
    for score, n in s["distribution"].items():
        writer.writerow(["satisfaction", f"score_{score}", n])
    for row in data["negative_rate"]["table"]:
        writer.writerow(["negative_rate", f"{row['tribe']} {row['week']}",
                         f"{row['negative']}/{row['scored']} ({row['rate']})"])
    for day, size in zip(data["queue"]["days"], data["queue"]["sizes"], strict=True):
        writer.writerow(["queue_size", day, size])
    for row in data["reviews"]:
        writer.writerow(["expert_reviews", f"{row['week']} {row['kind']}",
                         f"{row['scored']}/{row['sampled']} avg {row['average']}"])
    for version in data["models"]["versions"]:
        for name, value in version["metrics"].items():
            writer.writerow(["model_" + version["version"], name, value])
    return out.getvalue()
