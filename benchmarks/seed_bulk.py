#!/usr/bin/env python
"""Seed a benchmark database fast: 10,000 topics / 100,000 replies, users, likes, follows.

    .venv/bin/python benchmarks/seed_bulk.py                      # fresh SQLite file
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/huzhu_bench .venv/bin/python benchmarks/seed_bulk.py

The schema comes from the real migrations (``flask --app forum db upgrade``); rows go in with
SQLAlchemy Core bulk inserts (lists of dicts), and every denormalised counter (tribe topic/
reply/solved/member counts, topic reply/like counts, post like counts, user topic/reply/like/
accepted/follower/following counts) is computed here so it equals the rows, exactly as the
services would have left it. Texts are the real customer posts and helpdesk answers shipped
for the demo, rendered once per distinct text by the real renderer.

A set of topics (``--big-topics``, default 20) gets ``--big-replies`` (default 60) replies each,
so a topic page shows a full page of 50 replies; the other replies are spread at random
(~10 per topic on average).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from forum.demo.dialogues import TOPIC_TAGS, derive_title, load_dialogues  # noqa: E402
from forum.demo.roster import TRIBES  # noqa: E402
from forum.models import (  # noqa: E402
    ROLE_NAMES,
    Follow,
    Like,
    Post,
    Role,
    Tag,
    Topic,
    Tribe,
    TribeMember,
    User,
    topic_tags,
    tribe_moderators,
    user_roles,
    utcnow,
)
from forum.rendering import render_markdown  # noqa: E402

DEFAULT_SQLITE = ROOT / "benchmarks" / ".data" / "bench.sqlite"
BENCH_PASSWORD = "bench-pass"
CHUNK = 5000


def sqlalchemy_url(url: str) -> str:
    """The same normalisation as config.py: postgresql:// means psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def default_url() -> str:
    return os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{DEFAULT_SQLITE}"


def reset_database(url: str, force: bool = False) -> None:
    """Start from nothing: delete the SQLite file, or empty the PostgreSQL bench database."""
    engine_url = sa.engine.make_url(sqlalchemy_url(url))
    if engine_url.get_backend_name() == "sqlite":
        path = Path(engine_url.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    if "bench" not in (engine_url.database or "") and not force:
        raise SystemExit(f"refusing to wipe database {engine_url.database!r}: its name must "
                         "contain 'bench' (or pass --force)")
    engine = sa.create_engine(engine_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def migrate(url: str) -> None:
    """Build the schema with the project's Alembic migrations."""
    env = dict(os.environ, DATABASE_URL=url,
               HUZHU_INSTANCE_DIR=tempfile.mkdtemp(prefix="huzhu-bench-"),
               HUZHU_LOG_LEVEL="WARNING")
    subprocess.run([sys.executable, "-m", "flask", "--app", "forum", "db", "upgrade"],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


class Texts:
    """Real titles and bodies, each distinct text rendered once."""

    def __init__(self) -> None:
        dialogues = load_dialogues()
        self.openers = [(derive_title(d.first_post), d.first_post) for d in dialogues]
        self.replies = [t.text for d in dialogues for t in d.turns[1:]]
        self._rendered: dict[str, tuple[str, str, bool]] = {}

    def rendered(self, text: str) -> tuple[str, str, bool]:
        hit = self._rendered.get(text)
        if hit is None:
            r = render_markdown(text, set())
            hit = self._rendered[text] = (r.html, r.public_html, bool(r.pii))
        return hit


def build(engine: sa.Engine, *, topics: int, replies: int, users: int, likes: int,
          big_topics: int, big_replies: int, seed: int) -> dict[str, int]:
    """Generate every row in memory with consistent counters, then bulk insert."""
    rng = random.Random(seed)
    now = utcnow()
    texts = Texts()
    password_hash = generate_password_hash(BENCH_PASSWORD)
    if big_topics * big_replies > replies:
        raise SystemExit("--big-topics × --big-replies exceeds --replies")

    # Users: #1 is an admin, a few moderators and proxies, the rest customers.
    user_rows = []
    for uid in range(1, users + 1):
        name = "admin" if uid == 1 else f"user{uid:05d}"
        user_rows.append({
            "id": uid, "username": name, "display_name": "管理员" if uid == 1 else f"网友{uid:05d}",
            "password_hash": password_hash, "bio": "", "is_verified": uid % 97 == 0,
            "is_active_account": True, "influence": 0.0, "points": 0, "title": None,
            "created_at": now - timedelta(days=rng.uniform(30, 1500)),
        })
    role_ids = {name: i for i, name in enumerate(ROLE_NAMES, start=1)}
    role_rows = [{"id": i, "name": name} for name, i in role_ids.items()]
    user_role_rows = [{"user_id": 1, "role_id": role_ids["admin"]}]
    for uid in range(2, users + 1):
        user_role_rows.append({"user_id": uid, "role_id": role_ids["customer"]})
        if uid % 50 == 0:
            user_role_rows.append({"user_id": uid, "role_id": role_ids["moderator"]})
        elif uid % 20 == 0:
            user_role_rows.append({"user_id": uid, "role_id": role_ids["proxy"]})

    tribe_rows = [{"id": i, "slug": t.slug, "name": t.name, "description": t.description,
                   "icon": t.icon, "position": i, "created_at": now - timedelta(days=800)}
                  for i, t in enumerate(TRIBES, start=1)]
    tribe_ids = [t["id"] for t in tribe_rows]
    moderator_rows = [{"tribe_id": tid, "user_id": 50 * tid} for tid in tribe_ids
                      if 50 * tid <= users]

    members = {(tid, uid) for uid in range(1, users + 1)
               for tid in rng.sample(tribe_ids, rng.randint(1, 3))}
    member_rows = [{"tribe_id": t, "user_id": u, "joined_at": now - timedelta(days=rng.uniform(0, 700))}
                   for t, u in sorted(members)]

    follows = set()
    for uid in range(1, users + 1):
        for _ in range(rng.randint(0, 8)):
            other = rng.randint(1, users)
            if other != uid:
                follows.add((uid, other))
    follow_rows = [{"follower_id": a, "followed_id": b,
                    "created_at": now - timedelta(days=rng.uniform(0, 365))}
                   for a, b in sorted(follows)]

    tag_rows = [{"id": i, "name": name} for i, name in enumerate(TOPIC_TAGS, start=1)]

    # Topics, oldest first so ids grow with time; post id N is topic N's opening post.
    starts = sorted(now - timedelta(days=365 * rng.random() ** 1.3) for _ in range(topics))
    reply_counts = [0] * (topics + 1)
    big = rng.sample(range(1, topics + 1), big_topics)
    for tid in big:
        reply_counts[tid] = big_replies
    big_set = set(big)
    normal = [tid for tid in range(1, topics + 1) if tid not in big_set]
    for _ in range(replies - big_topics * big_replies):
        reply_counts[rng.choice(normal)] += 1

    topic_rows, post_rows, topic_tag_rows, accepted_rows = [], [], [], []
    post_author: dict[int, int] = {}
    post_time: dict[int, object] = {}
    next_reply_id = topics + 1
    for tid in range(1, topics + 1):
        title, body = rng.choice(texts.openers)
        author = rng.randint(1, users)
        created = starts[tid - 1]
        html, public_html, pii = texts.rendered(body)
        post_rows.append(_post(tid, tid, author, True, body, html, public_html, pii, created))
        post_author[tid], post_time[tid] = author, created
        at, reply_ids = created, []
        room = (now - created).total_seconds() * 0.95
        gaps = [rng.uniform(60, 6 * 3600) for _ in range(reply_counts[tid])]
        if sum(gaps) > room:
            gaps = [g * room / sum(gaps) for g in gaps]
        for gap in gaps:
            at = at + timedelta(seconds=gap)
            text = rng.choice(texts.replies)
            html, public_html, pii = texts.rendered(text)
            replier = rng.randint(1, users)
            post_rows.append(_post(next_reply_id, tid, replier, False, text, html, public_html,
                                   pii, at))
            post_author[next_reply_id], post_time[next_reply_id] = replier, at
            reply_ids.append(next_reply_id)
            next_reply_id += 1
        accepted = rng.choice(reply_ids) if reply_ids and rng.random() < 0.3 else None
        if accepted:
            accepted_rows.append({"tid": tid, "pid": accepted})
        topic_rows.append({
            "id": tid, "tribe_id": rng.choice(tribe_ids), "author_id": author,
            "title": title, "first_post_id": None, "accepted_post_id": None,
            "is_pinned": False, "visibility": "visible",
            "view_count": rng.randint(0, 3000), "reply_count": len(reply_ids), "like_count": 0,
            "created_at": created, "last_activity_at": at, "deleted_at": None,
            "_accepted": accepted,
        })
        for tag_id in rng.sample(range(1, len(tag_rows) + 1), rng.randint(0, 2)):
            topic_tag_rows.append({"topic_id": tid, "tag_id": tag_id})
    # One pinned topic per tribe, as on a real board.
    for tribe_id in tribe_ids:
        first = next(t for t in topic_rows if t["tribe_id"] == tribe_id)
        first["is_pinned"] = True

    # Likes: unique (user, post), never on one's own post; opening posts get more.
    total_posts = len(post_rows)
    like_pairs: set[tuple[int, int]] = set()
    while len(like_pairs) < likes:
        pid = rng.randint(1, topics) if rng.random() < 0.4 else rng.randint(1, total_posts)
        uid = rng.randint(1, users)
        if uid != post_author[pid]:
            like_pairs.add((uid, pid))
    like_rows = []
    post_likes: Counter[int] = Counter()
    for uid, pid in sorted(like_pairs):
        span = max(60.0, (now - post_time[pid]).total_seconds())
        like_rows.append({"user_id": uid, "post_id": pid,
                          "created_at": post_time[pid] + timedelta(seconds=rng.uniform(1, span))})
        post_likes[pid] += 1

    # Counters, exactly as the services keep them.
    for row in post_rows:
        row["like_count"] = post_likes[row["id"]]
    user_stats: dict[int, Counter] = defaultdict(Counter)
    tribe_stats: dict[int, Counter] = defaultdict(Counter)
    tribe_last: dict[int, object] = {}
    topic_tribe = {t["id"]: t["tribe_id"] for t in topic_rows}
    for topic in topic_rows:
        topic["like_count"] = post_likes[topic["id"]]
        stats = tribe_stats[topic["tribe_id"]]
        stats["topic_count"] += 1
        stats["reply_count"] += topic["reply_count"]
        user_stats[topic["author_id"]]["topic_count"] += 1
        if topic["_accepted"]:
            stats["solved_count"] += 1
            user_stats[post_author[topic["_accepted"]]]["accepted_count"] += 1
        last = tribe_last.get(topic["tribe_id"])
        if last is None or topic["last_activity_at"] > last:
            tribe_last[topic["tribe_id"]] = topic["last_activity_at"]
        del topic["_accepted"]
    for row in post_rows:
        if not row["is_first"]:
            user_stats[row["author_id"]]["reply_count"] += 1
    for pid, n in post_likes.items():
        user_stats[post_author[pid]]["like_received_count"] += n
    for a, b in follows:
        user_stats[a]["following_count"] += 1
        user_stats[b]["follower_count"] += 1
    for tid, _uid in members:
        tribe_stats[tid]["member_count"] += 1
    user_counters = ("topic_count", "reply_count", "like_received_count", "accepted_count",
                     "follower_count", "following_count")
    for row in user_rows:
        for name in user_counters:
            row[name] = user_stats[row["id"]][name]
    for row in tribe_rows:
        for name in ("topic_count", "reply_count", "solved_count", "member_count"):
            row[name] = tribe_stats[row["id"]][name]
        row["last_activity_at"] = tribe_last.get(row["id"])
    assert len(topic_tribe) == topics

    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        for table, rows in (
            (Role.__table__, role_rows), (User.__table__, user_rows), (user_roles, user_role_rows),
            (Tribe.__table__, tribe_rows), (tribe_moderators, moderator_rows),
            (TribeMember.__table__, member_rows), (Follow.__table__, follow_rows),
            (Tag.__table__, tag_rows), (Topic.__table__, topic_rows), (Post.__table__, post_rows),
            (topic_tags, topic_tag_rows), (Like.__table__, like_rows),
        ):
            for i in range(0, len(rows), CHUNK):
                conn.execute(table.insert(), rows[i:i + CHUNK])
        topic_table = Topic.__table__
        conn.execute(sa.update(topic_table).values(first_post_id=topic_table.c.id))
        if accepted_rows:
            conn.execute(sa.update(topic_table).where(topic_table.c.id == sa.bindparam("tid"))
                         .values(accepted_post_id=sa.bindparam("pid")), accepted_rows)
        if conn.dialect.name == "postgresql":
            for table in ("users", "roles", "tribes", "tags", "topics", "posts"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))")
    with engine.connect() as conn:  # planner statistics, as a maintained database has them
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        # PostgreSQL: the UPDATE of topics above left dead tuples that autovacuum would clear.
        conn.exec_driver_sql("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE")
    return {"users": users, "topics": topics, "replies": replies, "likes": len(like_rows),
            "follows": len(follow_rows), "memberships": len(member_rows),
            "solved": len(accepted_rows), "big_topic_ids": sorted(big)[:5]}


COUNTER_CHECKS = {
    # name: SQL returning the number of rows whose counter differs from the real count
    "tribe topic_count": """SELECT COUNT(*) FROM tribes t WHERE topic_count != (SELECT COUNT(*)
        FROM topics x WHERE x.tribe_id = t.id AND x.deleted_at IS NULL)""",
    "tribe reply_count": """SELECT COUNT(*) FROM tribes t WHERE reply_count != (SELECT COUNT(*)
        FROM posts p JOIN topics x ON x.id = p.topic_id WHERE x.tribe_id = t.id
        AND x.deleted_at IS NULL AND NOT p.is_first AND p.deleted_at IS NULL)""",
    "tribe solved_count": """SELECT COUNT(*) FROM tribes t WHERE solved_count != (SELECT COUNT(*)
        FROM topics x WHERE x.tribe_id = t.id AND x.accepted_post_id IS NOT NULL
        AND x.deleted_at IS NULL)""",
    "tribe member_count": """SELECT COUNT(*) FROM tribes t WHERE member_count != (SELECT COUNT(*)
        FROM tribe_members m WHERE m.tribe_id = t.id)""",
    "topic reply_count": """SELECT COUNT(*) FROM topics t WHERE reply_count != (SELECT COUNT(*)
        FROM posts p WHERE p.topic_id = t.id AND NOT p.is_first AND p.deleted_at IS NULL)""",
    "topic like_count": """SELECT COUNT(*) FROM topics t WHERE like_count != (SELECT COUNT(*)
        FROM likes l WHERE l.post_id = t.first_post_id)""",
    "post like_count": """SELECT COUNT(*) FROM posts p WHERE like_count != (SELECT COUNT(*)
        FROM likes l WHERE l.post_id = p.id)""",
    "user topic_count": """SELECT COUNT(*) FROM users u WHERE topic_count != (SELECT COUNT(*)
        FROM topics x WHERE x.author_id = u.id AND x.deleted_at IS NULL)""",
    "user reply_count": """SELECT COUNT(*) FROM users u WHERE reply_count != (SELECT COUNT(*)
        FROM posts p WHERE p.author_id = u.id AND NOT p.is_first AND p.deleted_at IS NULL)""",
    "user like_received_count": """SELECT COUNT(*) FROM users u WHERE like_received_count !=
        (SELECT COUNT(*) FROM likes l JOIN posts p ON p.id = l.post_id WHERE p.author_id = u.id)""",
    "user accepted_count": """SELECT COUNT(*) FROM users u WHERE accepted_count != (SELECT COUNT(*)
        FROM topics x JOIN posts p ON p.id = x.accepted_post_id WHERE p.author_id = u.id)""",
    "user follower_count": """SELECT COUNT(*) FROM users u WHERE follower_count != (SELECT COUNT(*)
        FROM follows f WHERE f.followed_id = u.id)""",
    "user following_count": """SELECT COUNT(*) FROM users u WHERE following_count !=
        (SELECT COUNT(*) FROM follows f WHERE f.follower_id = u.id)""",
}


def verify_counters(engine: sa.Engine) -> dict[str, int]:
    """Rows whose denormalised counter disagrees with the rows it counts (all zero when right)."""
    with engine.connect() as conn:
        return {name: conn.exec_driver_sql(sql).scalar_one()
                for name, sql in COUNTER_CHECKS.items()}


def _post(pid, tid, author, is_first, body, html, public_html, pii, at) -> dict:
    return {"id": pid, "topic_id": tid, "author_id": author, "is_first": is_first, "body": body,
            "body_html": html, "body_html_public": public_html, "has_pii": pii,
            "visibility": "visible", "like_count": 0, "edit_count": 0, "created_at": at,
            "edited_at": None, "deleted_at": None, "deleted_by_id": None}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=default_url(),
                        help="default: $DATABASE_URL or benchmarks/.data/bench.sqlite")
    parser.add_argument("--topics", type=int, default=10_000)
    parser.add_argument("--replies", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--likes", type=int, default=50_000)
    parser.add_argument("--big-topics", type=int, default=20)
    parser.add_argument("--big-replies", type=int, default=60)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--force", action="store_true",
                        help="allow wiping a PostgreSQL database whose name lacks 'bench'")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    reset_database(args.database_url, args.force)
    migrate(args.database_url)
    migrated = time.perf_counter()
    engine = sa.create_engine(sqlalchemy_url(args.database_url))
    result = build(engine, topics=args.topics, replies=args.replies, users=args.users,
                   likes=args.likes, big_topics=args.big_topics, big_replies=args.big_replies,
                   seed=args.seed)
    wrong = {name: n for name, n in verify_counters(engine).items() if n}
    engine.dispose()
    if wrong:
        raise SystemExit(f"counter mismatch after seeding: {wrong}")
    done = time.perf_counter()
    print(f"seeded {args.database_url}: {result} "
          f"(migrations {migrated - started:.1f} s, rows and counter check "
          f"{done - migrated:.1f} s; all counters equal the rows)")
    return result


if __name__ == "__main__":
    main()
