"""Fixtures of the moderation tests: a tribe with moderators and customers, and ``flag`` to
give a post a negative score (as the scorer would) and let the queue hear about it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from forum.extensions import db


@pytest.fixture
def scene(make_user, make_tribe):
    """A tribe, its tribe moderator, a global moderator, an admin and two customers."""
    from forum.services.topics import create_topic

    tribe_mod = make_user("tribe_mod", roles=("customer",))
    tribe = make_tribe("huafei", "话费与账单", moderators=["tribe_mod"])
    other_tribe = make_tribe("kuandai", "宽带与家庭网络")
    moderator = make_user("kefu", roles=("moderator",), display_name="客服小移")
    admin = make_user("boss", roles=("admin",))
    customer = make_user("angry", display_name="愤怒的小王")
    other = make_user("bystander", display_name="路人甲")
    topic = create_topic(customer, tribe, "又乱扣我话费了",
                         "真是太感谢移动了，又多扣我20块，客服态度极差，我要去工信部投诉！")
    return SimpleNamespace(tribe=tribe, other_tribe=other_tribe, tribe_mod=tribe_mod,
                           moderator=moderator, admin=admin, customer=customer, other=other,
                           topic=topic, post=topic.first_post)


@pytest.fixture
def flag(app):
    """``flag(post, score=…, relevance=…, sentiment=…, demand=…, intensity=…)``: store a negative score
    for the post (replacing the scorer's) and send ``post_scored`` like the scorer does."""
    from moderation.scoring.models import PostScore
    from moderation.scoring.signals import post_scored

    def _flag(post, score: int = 90, *, relevance: int = 50, sentiment: int = 80,
              demand: str = "compensation", keywords=("扣费", "投诉"), negative: bool = True,
              intensity: int = 0, cues=()):
        row = db.session.scalar(sa.select(PostScore).where(PostScore.post_id == post.id))
        previous = row.negative if row is not None else None
        if row is None:
            row = PostScore(post_id=post.id)
            db.session.add(row)
        row.score, row.negative, row.relevance, row.sentiment = score, negative, relevance, sentiment
        row.demand, row.keywords, row.model_version = demand, list(keywords), "test"
        row.intensity, row.cues = intensity, list(cues)
        db.session.commit()
        post_scored.send(None, post_id=post.id, score=score, negative=negative,
                         previous_negative=previous)
        return row

    return _flag


@pytest.fixture(autouse=True)
def manual_scoring(app):
    """Tests decide scores themselves (``flag``); ``real_scorer`` turns the scorer back on."""
    from moderation.scoring import handlers

    handlers.disconnect()
    yield
    handlers.connect()


@pytest.fixture
def real_scorer(manual_scoring):
    from moderation.scoring import handlers

    handlers.connect()
    yield
