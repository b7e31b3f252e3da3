"""PRODUCT §2.1–2.2 defaults: the rule table, titles and badges (migration 0005 seeds the
same rows; ``ensure_defaults`` restores any that are missing, e.g. in an emptied test
database or before the demo backfill)."""

from __future__ import annotations

import sqlalchemy as sa

from forum.extensions import db
from forum.models import utcnow
from rewards.models import Badge, PointRule, Title

# code, label, points, daily cap (points per Asia/Shanghai day; None: no cap)
DEFAULT_RULES = [
    ("checkin", "每日签到", 2, None),
    ("topic_created", "发起话题", 5, 50),
    ("reply_created", "回复", 2, 40),
    ("post_liked", "我的帖子被点赞", 1, 50),
    ("answer_accepted", "我的回复被采纳", 15, None),
    ("question_answered", "我的提问得到采纳答案", 2, None),
    ("idea_submitted", "提交金点子", 5, 25),
    ("idea_voted", "金点子获得投票", 1, 50),
    ("idea_shortlisted", "金点子入围擂台", 50, None),
    ("idea_funded", "金点子获得资助", 100, None),
    ("idea_implemented", "金点子落地实施", 200, None),
]
DEFAULT_TITLES = [("新手上路", 0), ("初出茅庐", 50), ("热心网友", 200), ("社区达人", 600),
                  ("服务明星", 1500), ("意见领袖", 5000)]
# code, name, description, icon
DEFAULT_BADGES = [
    ("first_accepted", "初露锋芒", "第一次有回复被采纳为最佳答案", "🎯"),
    ("ten_accepted", "答疑高手", "累计 10 个回复被采纳为最佳答案", "🏆"),
    ("hundred_likes", "人气之星", "累计获得 100 个赞", "❤️"),
    ("checkin_streak_7", "坚持不懈", "连续签到 7 天", "📅"),
    ("first_idea_implemented", "金点子落地", "第一个金点子落地实施", "💡"),
    ("proxy", "服务代理", "社区认证的服务代理", "🤝"),
]


def ensure_defaults() -> None:
    """Insert the default rules, titles (only when there are none) and badges that are
    missing; never overwrites an admin's edits."""
    rules = set(db.session.scalars(sa.select(PointRule.code)))
    for i, (code, label, points, cap) in enumerate(DEFAULT_RULES):
        if code not in rules:
            db.session.add(PointRule(code=code, label=label, points=points, daily_cap=cap,
                                     active=True, position=i, updated_at=utcnow()))
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Title)):
        db.session.add_all(Title(name=n, threshold=t) for n, t in DEFAULT_TITLES)
    badges = set(db.session.scalars(sa.select(Badge.code)))
    for i, (code, name, description, icon) in enumerate(DEFAULT_BADGES):
        if code not in badges:
            db.session.add(Badge(code=code, name=name, description=description, icon=icon,
                                 position=i))
    db.session.commit()
