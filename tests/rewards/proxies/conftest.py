"""Helpers for the proxy programme tests: an admin, active proxies with tribes, topics with
replies to accept, and many plain users inserted in bulk (circle cap tests)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.models import User


@pytest.fixture
def admin(make_user):
    return make_user("boss", roles=("admin",))


@pytest.fixture
def make_proxy(admin):
    """An active proxy (invited by the admin, accepted by themselves) assigned to tribes."""
    from rewards.proxies.models import INVITED
    from rewards.proxies.services import lifecycle

    def _make(user, tribes=()):
        lifecycle.transition(admin, user, INVITED, "表现突出")
        lifecycle.respond_to_invitation(user, True)
        lifecycle.set_tribes(admin, user, [t.id for t in tribes])
        return user

    return _make


@pytest.fixture
def answered(make_user):
    """A topic by an asker in ``tribe`` with one reply by ``author``: (topic, reply)."""
    from forum.services import topics

    state = {"asker": None}

    def _make(tribe, author, title="宽带经常掉线怎么办"):
        if state["asker"] is None:
            state["asker"] = make_user("asker")
        topic = topics.create_topic(state["asker"], tribe, title, "晚上八点以后经常掉线，重启光猫也没用")
        reply = topics.create_reply(author, topic, "先检查光猫的光信号灯，再换一根网线试试")
        return topic, reply

    return _make


def bulk_users(count: int, prefix: str = "bulk") -> list[int]:
    """Plain customers inserted in one statement (no password hashing): their ids."""
    db.session.execute(sa.insert(User), [
        {"username": f"{prefix}{i}", "display_name": f"{prefix}{i}", "password_hash": "x",
         "bio": "", "is_verified": False, "is_active_account": True, "influence": 0.0,
         "points": 0, "follower_count": 0, "following_count": 0, "topic_count": 0,
         "reply_count": 0, "like_received_count": 0, "accepted_count": 0}
        for i in range(count)])
    db.session.commit()
    return list(db.session.scalars(sa.select(User.id).where(User.username.startswith(prefix))
                                   .order_by(User.id)))


@pytest.fixture(autouse=True)
def _no_search_indexing():
    """These tests never search: skip indexing every topic they create (seconds each)."""
    try:
        from search import handlers
    except ImportError:  # search not installed
        yield
        return
    handlers.disconnect()
    yield
    handlers.connect()
