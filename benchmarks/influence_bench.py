"""Benchmark: recompute the influence score of 100,000 users (not collected by pytest).

    nice .venv/bin/python benchmarks/influence_bench.py [--users 100000] [--db URL]

Builds a throw-away database (SQLite in a temp dir unless --db is given: it must be an empty
database) with N users, ~5 follows and ~3 posts per user, then times
``rewards.proxies.services.influence.recompute_all`` (a full pass, every row changes) and a
second pass (nothing changes).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-influence-"))
    url = args.db or f"sqlite:///{tmp / 'bench.db'}"

    from forum import create_app
    from forum.extensions import db
    from forum.models import Follow, Post, Topic, Tribe, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(tmp),
                      "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        from rewards.proxies.services import influence

        rng = random.Random(7)
        n = args.users
        now = datetime.now(UTC)
        started = time.perf_counter()
        db.session.execute(sa.insert(User), [
            {"id": i, "username": f"u{i}", "display_name": f"u{i}", "password_hash": "x",
             "bio": "", "is_verified": rng.random() < 0.02, "is_active_account": True,
             "influence": 0.0, "points": 0, "follower_count": 0, "following_count": 0,
             "topic_count": 0, "reply_count": 0, "like_received_count": 0, "accepted_count": 0,
             "created_at": now - timedelta(days=rng.randint(0, 3000))} for i in range(1, n + 1)])
        db.session.add(Tribe(id=1, slug="bench", name="bench"))
        db.session.flush()
        topics = max(1, n // 10)
        db.session.execute(sa.insert(Topic), [
            {"id": t, "tribe_id": 1, "author_id": rng.randint(1, n), "title": "t",
             "visibility": "visible", "is_pinned": False, "view_count": 0, "reply_count": 0,
             "like_count": 0, "created_at": now, "last_activity_at": now}
            for t in range(1, topics + 1)])
        follows = {(rng.randint(1, n), int(rng.paretovariate(1.2)) % n + 1)
                   for _ in range(5 * n)}
        db.session.execute(sa.insert(Follow), [
            {"follower_id": a, "followed_id": b, "created_at": now} for a, b in follows if a != b])
        db.session.execute(sa.insert(Post), [
            {"topic_id": rng.randint(1, topics), "author_id": int(rng.paretovariate(1.1)) % n + 1,
             "is_first": False, "body": "b", "body_html": "", "body_html_public": "",
             "has_pii": False, "visibility": "visible", "like_count": 0, "edit_count": 0,
             "created_at": now} for _ in range(3 * n)])
        db.session.commit()
        print(f"data: {n} users, {len(follows)} follows, {3 * n} posts "
              f"({time.perf_counter() - started:.1f} s to load) on {db.engine.dialect.name}")

        for label in ("first pass (all rows change)", "second pass (nothing changes)"):
            started = time.perf_counter()
            changed = influence.recompute_all()
            print(f"{label}: {changed} rows updated in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
