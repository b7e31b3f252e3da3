"""Helpers for the rewards tests: forum content made through the real services (so the
real events fire) and the ledger's invariants."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models import User
from rewards.services.ledger import ledger_sum


@pytest.fixture
def forum_content(make_user, make_tribe):
    from forum.services import topics

    class Content:
        def __init__(self):
            self.tribe = make_tribe()
            self.asker = make_user("asker")
            self.helper = make_user("helper")
            self.fan = make_user("fan")
            self.mod = make_user("mod", roles=("moderator",))

        def topic(self, author=None, title="流量套餐怎么办理", body="请问流量套餐怎么办理？谢谢"):
            return topics.create_topic(author or self.asker, self.tribe, title, body)

        def reply(self, topic, author=None, body="可以在营业厅办理流量套餐"):
            return topics.create_reply(author or self.helper, topic, body)

    return Content()


def points_of(user_id: int) -> int:
    db.session.expire_all()
    return db.session.get(User, user_id).points


def assert_consistent(user_id: int) -> None:
    """The balance cache always equals the ledger's sum."""
    assert points_of(user_id) == ledger_sum(user_id)


@pytest.fixture(autouse=True)
def reward_defaults(app):
    """The suite empties every table between tests, seeded ones too: put the defaults back."""
    from rewards.defaults import ensure_defaults

    ensure_defaults()
