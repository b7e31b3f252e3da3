"""0016_threads_floors numbers the posts that exist before it: the opening post is floor 1,
replies 2, 3 … in id order (deleted ones too), and each topic's counter continues after them.
Runs the real migrations on a scratch SQLite file, in a process of its own (a second app in
the test process would take over the shared Celery app and the event handlers)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r'''
import json, sys
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import upgrade

from forum import create_app
from forum.extensions import db


tmp_path = sys.argv[1]
app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_DIR": tmp_path,
                  "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path + '/old.db'}",
                  "RATE_LIMITS_ENABLED": False})
now = datetime.now(UTC)
with app.app_context():
    upgrade(revision="0015_polish_redeem_phone")
    users = sa.table("users", *(sa.column(c) for c in (
        "id", "username", "display_name", "password_hash", "bio", "is_verified",
        "is_active_account", "influence", "points", "follower_count", "following_count",
        "topic_count", "reply_count", "like_received_count", "accepted_count",
        "created_at")))
    tribes = sa.table("tribes", *(sa.column(c) for c in (
        "id", "slug", "name", "description", "icon", "position", "topic_count",
        "reply_count", "solved_count", "member_count", "created_at",
        "hold_new_user_posts")))
    topics = sa.table("topics", *(sa.column(c) for c in (
        "id", "tribe_id", "author_id", "title", "is_pinned", "visibility", "view_count",
        "reply_count", "like_count", "created_at", "last_activity_at")))
    posts = sa.table("posts", *(sa.column(c) for c in (
        "id", "topic_id", "author_id", "is_first", "body", "body_html",
        "body_html_public", "has_pii", "visibility", "like_count", "edit_count",
        "created_at", "deleted_at")))
    with db.engine.begin() as conn:
        conn.execute(users.insert(), [dict(
            id=1, username="old", display_name="老用户", password_hash="x", bio="",
            is_verified=False, is_active_account=True, influence=0.0, points=0,
            follower_count=0, following_count=0, topic_count=0, reply_count=0,
            like_received_count=0, accepted_count=0, created_at=now)])
        conn.execute(tribes.insert(), [dict(
            id=1, slug="old", name="旧部落", description="", icon="💬", position=0,
            topic_count=2, reply_count=3, solved_count=0, member_count=0, created_at=now,
            hold_new_user_posts=False)])
        conn.execute(topics.insert(), [dict(
            id=t, tribe_id=1, author_id=1, title=f"旧帖子{t}", is_pinned=False,
            visibility="visible", view_count=0, reply_count=0, like_count=0,
            created_at=now, last_activity_at=now) for t in (1, 2)])
        rows = [(1, 1, True, None), (2, 2, True, None), (3, 1, False, None),
                (4, 2, False, None), (5, 1, False, now), (6, 1, False, None)]
        conn.execute(posts.insert(), [dict(
            id=pid, topic_id=tid, author_id=1, is_first=first, body="旧", body_html="",
            body_html_public="", has_pii=False, visibility="visible", like_count=0,
            edit_count=0, created_at=now, deleted_at=deleted)
            for pid, tid, first, deleted in rows])
    upgrade()
    with db.engine.connect() as conn:
        floors = dict(conn.execute(sa.text("SELECT id, floor FROM posts")).all())
        last = dict(conn.execute(sa.text("SELECT id, last_floor FROM topics")).all())
    print(json.dumps({"floors": floors, "last": last}))
'''


def test_migration_backfills_floors_and_the_counter(tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["floors"] == {"1": 1, "3": 2, "5": 3, "6": 4, "2": 1, "4": 2}
    assert got["last"] == {"1": 4, "2": 2}
