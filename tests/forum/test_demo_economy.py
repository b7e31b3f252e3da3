"""The demo after ``flask seed-demo``: its points are dated over past days (so today's
caps are free: a reply now earns its full points), the seed shows a progress bar per stage
and its timings, and the demo store marks the items that credit a phone number."""

from __future__ import annotations

import sqlalchemy as sa

from forum.extensions import db
from forum.models import Topic, User
from forum.services import topics
from rewards.models import LedgerEntry, RewardItem
from rewards.services.ledger import shanghai_day


def test_demo_points_are_spread_over_past_days_and_today_is_free(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--limit", "40"])
    assert result.exit_code == 0, result.output
    for stage in ("用户和部落", "导入话题", "积分 (points)", "评分 (scoring posts)"):
        assert stage in result.output
    assert "演示数据用时" in result.output
    days = db.session.scalars(sa.select(LedgerEntry.day).distinct()).all()
    assert len(days) >= 10  # not all on the day of seeding
    per_user_today = db.session.scalars(
        sa.select(sa.func.sum(LedgerEntry.amount))
        .where(LedgerEntry.day == shanghai_day(), LedgerEntry.rule_code == "reply_created")
        .group_by(LedgerEntry.user_id)).all()
    assert max(per_user_today, default=0) < 40  # nobody starts at the daily cap
    # A demo customer replying now earns the rule's full points.
    customer = db.session.scalar(sa.select(User).where(User.username == "xiaomao"))
    topic = db.session.scalar(sa.select(Topic).where(Topic.is_pinned.is_(True)).limit(1))
    reply = topics.create_reply(customer, topic, "谢谢版主，发帖前一定先搜索。")
    entry = db.session.scalar(sa.select(LedgerEntry).where(
        LedgerEntry.source_kind == "post", LedgerEntry.source_id == reply.id))
    assert entry.amount == 2
    # The store: phone-credited items ask for the number; the cheapest fits every wallet
    # of the full demo (customers hold about 120–490 points after the full seed).
    items = {i.name: i for i in db.session.scalars(sa.select(RewardItem))}
    assert items["1GB 国内流量包"].needs_phone and items["10 元话费券"].needs_phone
    assert not items["互助社区定制帆布袋"].needs_phone
    assert min(i.price for i in items.values()) <= 120
