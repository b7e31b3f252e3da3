"""Demo data for rewards (``flask seed-demo``): a small store catalogue, and points for the
demo content backfilled from the forum's topics, replies, likes and accepted answers through
the same idempotent rules (so running it twice, or after the live handlers already awarded,
changes nothing)."""

from __future__ import annotations

import click
import sqlalchemy as sa

from forum.extensions import db
from forum.models import Like, Post, Topic, User
from rewards.defaults import ensure_defaults
from rewards.models import RewardItem
from rewards.services import badges, leaderboards, points
from rewards.services.ledger import Award, award_many
from rewards.services.titles import resync_all_titles

BATCH = 1000
# Priced for the demo's economy (customers hold about 120–490 points after the backfill):
# everyone can afford the cheapest, the active ones more, nobody the last one yet.
# (name, description, price, stock, per-user limit, credits a phone number)
DEMO_ITEMS = [
    ("1GB 国内流量包", "当月有效，兑换后 24 小时内到账", 120, 50, 2, True),
    ("10 元话费券", "充值到你填写的手机号", 200, 30, 1, True),
    ("互助社区定制帆布袋", "社区周边，线下营业厅领取", 300, 10, 1, False),
    ("5GB 国内流量包", "当月有效，兑换后 24 小时内到账", 450, 20, 1, True),
    ("视频会员月卡", "热门视频平台会员 30 天", 800, 5, 1, False),
]


def _post_awards():
    rows = db.session.execute(
        sa.select(Post.id, Post.author_id, Post.is_first, Post.created_at, Topic.tribe_id)
        .join(Topic, Topic.id == Post.topic_id)
        .where(Post.deleted_at.is_(None)).order_by(Post.id))
    for pid, author, is_first, at, tribe in rows:
        rule = points.TOPIC_CREATED if is_first else points.REPLY_CREATED
        yield Award(author, rule, "post", pid, tribe_id=tribe, at=at)


def _like_awards():
    rows = db.session.execute(
        sa.select(Like.post_id, Like.user_id, Like.created_at, Post.author_id, Topic.tribe_id)
        .join(Post, Post.id == Like.post_id).join(Topic, Topic.id == Post.topic_id)
        .where(Post.deleted_at.is_(None)).order_by(Like.created_at))
    for pid, liker, at, author, tribe in rows:
        yield Award(author, points.POST_LIKED, "like", pid, actor_id=liker, tribe_id=tribe, at=at)


def _accepted_awards():
    rows = db.session.execute(
        sa.select(Topic.id, Topic.author_id, Topic.tribe_id, Post.id, Post.author_id,
                  Post.created_at)
        .join(Post, Post.id == Topic.accepted_post_id).where(Topic.deleted_at.is_(None)))
    for tid, asker, tribe, pid, helper, at in rows:
        if asker != helper:
            yield Award(helper, points.ANSWER_ACCEPTED, "post", pid, tribe_id=tribe, at=at)
            yield Award(asker, points.QUESTION_ANSWERED, "topic", tid, tribe_id=tribe, at=at)


def backfill(progress: bool = False) -> int:
    """Award what the existing content earned, each award dated when its post or like was
    written (so the daily caps apply to those days, not to the day of seeding); returns how
    many entries were written."""
    awards = [a for source in (_post_awards, _like_awards, _accepted_awards) for a in source()]
    batches = [awards[i:i + BATCH] for i in range(0, len(awards), BATCH)]
    written = 0
    if progress and awards:
        with click.progressbar(length=len(awards), label="积分 (points)") as bar:
            for batch in batches:
                written += len(award_many(batch, notify=False))
                bar.update(len(batch))
    else:
        for batch in batches:
            written += len(award_many(batch, notify=False))
    for uid in db.session.scalars(sa.select(User.id).where(User.accepted_count > 0)):
        badges.check_answer_badges(uid)
    for uid in db.session.scalars(sa.select(User.id).where(User.like_received_count >= 100)):
        badges.check_like_badges(uid)
    resync_all_titles()
    db.session.commit()
    leaderboards.rollup_totals()  # the boards show the demo at once, not after a minute
    return written


def seed_items() -> int:
    if db.session.scalar(sa.select(sa.func.count()).select_from(RewardItem)):
        return 0
    for name, description, price, stock, limit, needs_phone in DEMO_ITEMS:
        db.session.add(RewardItem(name=name, description=description, price=price, stock=stock,
                                  per_user_limit=limit, active=True, needs_phone=needs_phone))
    db.session.commit()
    return len(DEMO_ITEMS)


def seed_demo(progress: bool = False) -> str:
    ensure_defaults()
    items = seed_items()
    written = backfill(progress)
    return f"{items} 件兑换商品，补记 {written} 条积分记录"
