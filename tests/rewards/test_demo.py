"""The demo seeder backfills points from existing content, idempotently."""

from __future__ import annotations

import sqlalchemy as sa

from forum.extensions import db
from forum.services import topics
from rewards import handlers
from rewards.demo import seed_demo
from rewards.models import LedgerEntry, RewardItem
from tests.rewards.conftest import assert_consistent, points_of


def test_backfill_awards_existing_content_once(forum_content):
    handlers.disconnect()  # content written before rewards was installed
    try:
        topic = forum_content.topic()
        reply = forum_content.reply(topic)
        topics.set_like(forum_content.fan, reply, True)
        topics.accept_answer(forum_content.asker, topic, reply)
    finally:
        handlers.connect()
    assert points_of(forum_content.helper.id) == 0
    summary = seed_demo()
    assert "兑换商品" in summary
    assert points_of(forum_content.helper.id) == 2 + 1 + 15
    assert points_of(forum_content.asker.id) == 5 + 2
    entries = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))
    items = db.session.scalar(sa.select(sa.func.count()).select_from(RewardItem))
    seed_demo()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == entries
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RewardItem)) == items > 0
    assert_consistent(forum_content.helper.id)
