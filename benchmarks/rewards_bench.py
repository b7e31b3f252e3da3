"""Rewards performance: the points ledger's award throughput and the leaderboard query.

    nice .venv/bin/python benchmarks/rewards_bench.py \\
        --pg-url postgresql://postgres@127.0.0.1:5432/bench_rewards        # SQLite + PostgreSQL
    nice .venv/bin/python benchmarks/rewards_bench.py --no-sqlite --pg-url …  # PostgreSQL only

The PostgreSQL database's public schema is dropped and recreated: give it one of its own.

Measured, per database:
* **awards**: ``--events`` award events (topics, replies, likes with the daily caps, accepted
  answers; 10,000 users, spread over the current week) pushed through
  ``rewards.services.ledger.award_many`` in batches of ``--batch`` (one multi-row
  ``INSERT … ON CONFLICT DO NOTHING RETURNING`` per batch, caps computed per batch, balance,
  lifetime and titles applied, leaderboard deltas queued), events/s; the leaderboard roll-up
  of all those deltas (``leaderboards.rollup_totals``, normally a task every minute), deltas/s,
  and both together as events/s; then the same events again
  (all duplicates: the idempotent no-op path), and ``--single`` events one at a time through
  ``award()`` (the path the forum event handlers use); events fall in the last 7 days;
* **leaderboards**: ``--users`` users and ``--entries`` ledger entries over the last 180 days
  (a tenth of them in the current week) bulk-inserted (with the per-period totals the ledger keeps), then every board (week / month
  / all × global and 5 tribes) through ``rewards.services.leaderboards.leaderboard`` (index
  scan + loading the users), p50 / p95 over ``--queries`` queries; and for comparison the
  same week board summed from the ledger itself.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TRIBES = 5
EVENT_USERS = 10_000


def make_app(url: str, instance: Path):
    import sqlalchemy as sa

    from forum import create_app
    from forum.extensions import db

    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(instance),
                      "HUZHU_PACKAGES": ["rewards"], "LOG_LEVEL": "WARNING"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        from flask_migrate import upgrade

        upgrade()
    return app


def insert_users(n: int) -> None:
    from forum.extensions import db
    from forum.models import User

    now = datetime.now(UTC)
    rows = [{"id": i, "username": f"u{i}", "display_name": f"用户{i}", "password_hash": "x",
             "bio": "", "is_verified": False, "is_active_account": True, "influence": 0.0,
             "points": 0, "follower_count": 0, "following_count": 0, "topic_count": 0,
             "reply_count": 0, "like_received_count": 0, "accepted_count": 0,
             "created_at": now} for i in range(1, n + 1)]
    for start in range(0, n, 20_000):
        db.session.execute(User.__table__.insert(), rows[start:start + 20_000])
    db.session.commit()
    _fix_sequence("users")


def _fix_sequence(table: str) -> None:
    import sqlalchemy as sa

    from forum.extensions import db

    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        db.session.commit()


def make_events(n: int, seed: int = 4):
    """Award requests as the forum's events would make them."""
    from rewards.services.ledger import Award

    rnd = random.Random(seed)
    now = datetime.now(UTC)
    events = []
    for i in range(n):
        user = rnd.randint(1, EVENT_USERS)
        at = now - timedelta(seconds=rnd.randint(0, 7 * 86400))
        tribe = rnd.randint(1, TRIBES)
        kind = rnd.random()
        if kind < 0.4:
            events.append(Award(user, "post_liked", "like", i, actor_id=rnd.randint(1, EVENT_USERS),
                                tribe_id=tribe, at=at))
        elif kind < 0.7:
            events.append(Award(user, "reply_created", "post", i, tribe_id=tribe, at=at))
        elif kind < 0.9:
            events.append(Award(user, "topic_created", "post", i, tribe_id=tribe, at=at))
        else:
            events.append(Award(user, "answer_accepted", "post", i, tribe_id=tribe, at=at))
    return events


def bench_awards(app, n_events: int, batch: int, n_single: int) -> dict:
    import sqlalchemy as sa

    from forum.extensions import db
    from forum.models import User
    from rewards.models import LedgerEntry
    from rewards.services import leaderboards
    from rewards.services.ledger import Award, award, award_many

    events = make_events(n_events)
    out = {}
    with app.app_context():
        t0 = time.perf_counter()
        for start in range(0, len(events), batch):
            award_many(events[start:start + batch], notify=False)
        elapsed = time.perf_counter() - t0
        out["batch_events_per_s"] = n_events / elapsed
        out["entries"] = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))
        # The leaderboard roll-up (a periodic task, off the award path): all the deltas the
        # batches queued, folded at once — the worst case of a minute's worth.
        t0 = time.perf_counter()
        out["deltas"] = leaderboards.rollup_totals()
        rollup = time.perf_counter() - t0
        out["rollup_deltas_per_s"] = out["deltas"] / rollup
        out["with_rollup_events_per_s"] = n_events / (elapsed + rollup)
        t0 = time.perf_counter()
        for start in range(0, len(events), batch):
            award_many(events[start:start + batch], notify=False)
        out["duplicate_events_per_s"] = n_events / (time.perf_counter() - t0)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == out["entries"]
        singles = [Award(e.user_id, e.rule, e.source_kind, e.source_id + 10_000_000,
                         actor_id=e.actor_id, tribe_id=e.tribe_id, at=e.at)
                   for e in events[:n_single]]
        t0 = time.perf_counter()
        for item in singles:
            award(item, notify=False)
        out["single_events_per_s"] = n_single / (time.perf_counter() - t0)
        # The invariant, checked on the whole table: balance cache == ledger sum.
        sums = dict(db.session.execute(sa.select(LedgerEntry.user_id, sa.func.sum(LedgerEntry.amount))
                                       .group_by(LedgerEntry.user_id)).all())
        cached = dict(db.session.execute(sa.select(User.id, User.points)
                                         .where(User.id.in_(list(sums)))).all())
        out["balance_equals_ledger"] = all(cached[u] == s for u, s in sums.items())
    return out


def insert_entries(n_users: int, n_entries: int, seed: int = 9) -> None:
    """Bulk-insert ledger entries over the last 180 days and the totals the ledger keeps."""
    from collections import defaultdict

    from forum.extensions import db
    from forum.templating import SHANGHAI
    from rewards.models import ALL, ALL_TIME_START, MONTH, WEEK, LedgerEntry, PeriodTotal
    from rewards.services.ledger import month_start, shanghai_day, week_start

    rnd = random.Random(seed)
    now = datetime.now(UTC)
    this_week = week_start(shanghai_day(now))
    # A tenth of the entries fall in the current week (however early in it we run).
    week_began = datetime(this_week.year, this_week.month, this_week.day, tzinfo=SHANGHAI)
    week_seconds = max(1, int((now - week_began).total_seconds()))
    rules = [("post_liked", 1), ("reply_created", 2), ("topic_created", 5),
             ("answer_accepted", 15)]
    totals: dict[tuple, int] = defaultdict(int)
    base = 20_000_000
    chunk = []
    for i in range(n_entries):
        user = rnd.randint(1, n_users)
        rule, amount = rules[rnd.randrange(4)]
        if rnd.random() < 0.1:
            at = now - timedelta(seconds=rnd.randint(0, week_seconds))
        else:
            at = now - timedelta(seconds=rnd.randint(0, 180 * 86400))
        tribe = rnd.randint(1, TRIBES)
        day = shanghai_day(at)
        chunk.append({"user_id": user, "amount": amount, "rule_code": rule,
                      "source_kind": "bench", "source_id": base + i, "actor_id": 0,
                      "tribe_id": tribe, "day": day, "created_at": at})
        for t in (0, tribe):
            totals[(WEEK, week_start(day), t, user)] += amount
            totals[(MONTH, month_start(day), t, user)] += amount
            totals[(ALL, ALL_TIME_START, t, user)] += amount
        if len(chunk) == 20_000:
            db.session.execute(LedgerEntry.__table__.insert(), chunk)
            chunk = []
    if chunk:
        db.session.execute(LedgerEntry.__table__.insert(), chunk)
    db.session.commit()
    rows = [{"period": p, "start": s, "tribe_id": t, "user_id": u, "points": v}
            for (p, s, t, u), v in totals.items()]
    for start in range(0, len(rows), 50_000):
        db.session.execute(PeriodTotal.__table__.insert(), rows[start:start + 50_000])
    db.session.commit()
    print(f"    {len(rows):,} leaderboard total rows", flush=True)


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def bench_boards(app, n_users: int, n_entries: int, n_queries: int) -> dict:
    import sqlalchemy as sa

    from forum.extensions import db
    from forum.models import Tribe
    from forum.templating import SHANGHAI
    from rewards.models import LedgerEntry
    from rewards.services import leaderboards
    from rewards.services.ledger import shanghai_day, week_start

    out = {}
    with app.app_context():
        for i in range(1, TRIBES + 1):
            db.session.add(Tribe(id=i, slug=f"t{i}", name=f"部落{i}"))
        db.session.commit()
        _fix_sequence("tribes")
        t0 = time.perf_counter()
        insert_users(n_users)
        insert_entries(n_users, n_entries)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        out["load_s"] = time.perf_counter() - t0
        tribes = [None] + list(db.session.scalars(sa.select(Tribe).order_by(Tribe.id)))
        combos = [(p, t) for p in ("week", "month", "all") for t in tribes]
        timings = []
        for i in range(n_queries):
            period, tribe = combos[i % len(combos)]
            db.session.expunge_all()
            t1 = time.perf_counter()
            rows = leaderboards.leaderboard(period, tribe)
            timings.append((time.perf_counter() - t1) * 1000)
            assert rows
        out["board_p50_ms"] = statistics.median(timings)
        out["board_p95_ms"] = percentile(timings, 0.95)
        # For comparison: the week board summed from the ledger (no kept totals).
        start_day = week_start(shanghai_day())
        since = datetime(start_day.year, start_day.month, start_day.day, tzinfo=SHANGHAI)
        query = (sa.select(LedgerEntry.user_id, sa.func.sum(LedgerEntry.amount).label("s"))
                 .where(LedgerEntry.created_at >= since).group_by(LedgerEntry.user_id)
                 .order_by(sa.desc("s")).limit(50))
        naive = []
        for _ in range(10):
            t1 = time.perf_counter()
            db.session.execute(query).all()
            naive.append((time.perf_counter() - t1) * 1000)
        out["naive_week_p50_ms"] = statistics.median(naive)
    return out


def run(label: str, url: str, args) -> None:
    instance = Path(tempfile.mkdtemp(prefix="rewards-bench-"))
    print(f"== {label}", flush=True)
    app = make_app(url, instance)
    with app.app_context():
        insert_users(EVENT_USERS)
    awards = bench_awards(app, args.events, args.batch, args.single)
    print(f"  awards: {awards['batch_events_per_s']:,.0f} events/s in batches of {args.batch} "
          f"({awards['entries']:,} entries written); duplicates again: "
          f"{awards['duplicate_events_per_s']:,.0f} events/s; one at a time: "
          f"{awards['single_events_per_s']:,.0f} events/s; balance == ledger sum: "
          f"{awards['balance_equals_ledger']}", flush=True)
    print(f"  leaderboard roll-up: {awards['deltas']:,} deltas folded at "
          f"{awards['rollup_deltas_per_s']:,.0f}/s; awards and roll-up together: "
          f"{awards['with_rollup_events_per_s']:,.0f} events/s", flush=True)
    if args.no_boards:
        return
    # A fresh schema for the leaderboard data (SQLite: another file).
    app = make_app(url.replace("bench.db", "boards.db"), instance)
    boards = bench_boards(app, args.users, args.entries, args.queries)
    print(f"  leaderboards ({args.users:,} users, {args.entries:,} entries, loaded in "
          f"{boards['load_s']:.0f} s): p50 {boards['board_p50_ms']:.1f} ms, "
          f"p95 {boards['board_p95_ms']:.1f} ms over {args.queries} queries; week summed from "
          f"the ledger instead: p50 {boards['naive_week_p50_ms']:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", help="a PostgreSQL database of its own (schema is dropped)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-boards", action="store_true", help="only the award figures")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--single", type=int, default=2000)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=360)
    args = parser.parse_args()
    if not args.no_sqlite:
        path = Path(tempfile.mkdtemp(prefix="rewards-bench-sqlite-")) / "bench.db"
        run("SQLite (embedded default)", f"sqlite:///{path}", args)
    if args.pg_url:
        run("PostgreSQL", args.pg_url, args)


if __name__ == "__main__":
    main()
