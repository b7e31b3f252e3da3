"""Test data built through the public services, as a user of the app would make it (so the
rules, counters and events apply). Names and numbers are generated when not given.

    from tests import factories as f
    asker = f.user()
    topic = f.topic(asker, f.tribe())
    f.reply(f.user(), topic, "发送 CXLL 到 10086")
"""

from __future__ import annotations

import itertools

from forum.extensions import db
from forum.models import Post, Topic, Tribe, User
from forum.services import accounts, topics, tribes
from ideas.services import ideas
from moderation.services import tickets
from rewards.services.ledger import Award, award

_numbers = itertools.count(1)
PASSWORD = "password123"


def user(username: str | None = None, roles=("customer",), password: str = PASSWORD,
         display_name: str | None = None) -> User:
    username = username or f"user{next(_numbers)}"
    return accounts.register_user(username, display_name or username, password, list(roles))


def tribe(slug: str | None = None, name: str | None = None, moderators=None, *,
          admin: User | None = None) -> Tribe:
    n = next(_numbers)
    admin = admin or user(f"tribe_admin{n}", roles=("admin",))
    return tribes.save_tribe(admin, slug=slug or f"tribe-{n}", name=name or f"部落{n}",
                             description="测试部落", moderator_usernames=moderators)


def topic(author: User, in_tribe: Tribe, title: str | None = None,
          body: str = "宽带晚上总掉线，重启光猫也没用，怎么办？") -> Topic:
    return topics.create_topic(author, in_tribe, title or f"测试帖子第{next(_numbers)}号", body)


def reply(author: User, to_topic: Topic, body: str = "试试换一根网线，再看看光猫的灯") -> Post:
    return topics.create_reply(author, to_topic, body)


def ticket(actor: User, customer: User, title: str = "话费多扣了 20 元", **fields):
    return tickets.create_ticket(actor, customer, title=title, **fields)


def idea(author: User, title: str | None = None, category: str = "服务流程",
         problem: str = "营业厅排队太久，老人不会用自助机。",
         proposal: str = "高峰时段安排一名引导员，帮老人取号和办理简单业务。",
         draft: bool = False):
    made = ideas.submit_idea(author, title or f"金点子第{next(_numbers)}号", problem, proposal,
                             category, draft=draft)
    db.session.commit()  # the factory is the edge: the events go out
    return made


def points(to: User, amount: int, source_id: int = 1) -> None:
    """Give ``to`` a bonus of ``amount`` points (a ledger entry), committed as an edge would."""
    award(Award(to.id, "bonus", "test", source_id, amount=amount))
    db.session.commit()
