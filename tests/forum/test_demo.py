"""``flask seed-demo``: idempotent demo data from the real customer dialogues."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from forum.demo import roster
from forum.demo.dialogues import (
    Dialogue,
    Turn,
    accepted_turn_index,
    classify_tribe,
    derive_tags,
    derive_title,
    load_dialogues,
)
from forum.extensions import db
from forum.models import (
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
    user_roles,
    utcnow,
)
from forum.services.accounts import authenticate

LIMIT = 12


def _seed(app, *args: str):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--quiet", *args])
    assert result.exit_code == 0, result.output
    return result


def _row_counts() -> dict[str, int]:
    models = {"users": User, "tribes": Tribe, "topics": Topic, "posts": Post, "likes": Like,
              "follows": Follow, "members": TribeMember, "tags": Tag}
    counts = {name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
              for name, model in models.items()}
    counts["user_roles"] = db.session.scalar(sa.select(sa.func.count()).select_from(user_roles))
    return counts


def test_seed_demo_twice_creates_nothing_new_and_has_all_roles_and_tribes(app):
    first = _seed(app, "--limit", str(LIMIT))
    after_first = _row_counts()
    second = _seed(app, "--limit", str(LIMIT))
    db.session.expire_all()

    assert _row_counts() == after_first
    assert "this run created: 0 users, 0 tribes, 0 topics, 0 replies, 0 likes" in second.output
    assert f"{LIMIT} topics already there" in second.output
    # The full-size cast does not depend on --limit.
    assert after_first["users"] >= 30
    assert after_first["topics"] == LIMIT + len(roster.TRIBES)  # + one pinned welcome each
    held = set(db.session.scalars(sa.select(Role.name).join(user_roles)))
    assert held == set(ROLE_NAMES)
    multi_role = [u for u in db.session.scalars(sa.select(User)) if len(u.roles) > 1]
    assert len(multi_role) >= 5
    assert db.session.scalar(sa.select(sa.func.count()).where(User.is_verified)) >= 3
    assert all(re.search("[\u4e00-\u9fff]", u.display_name)
               for u in db.session.scalars(sa.select(User)))
    tribes = {t.slug: t for t in db.session.scalars(sa.select(Tribe))}
    assert {slug: t.name for slug, t in tribes.items()} == {
        "liuliang": "流量管家", "youxiang": "移动邮箱", "5g-taocan": "5G与套餐",
        "kuandai": "宽带与家庭网络", "huafei": "话费与账单"}
    assert all(t.moderators and t.description and t.icon for t in tribes.values())
    assert all("moderator" in m.role_names for t in tribes.values() for m in t.moderators)
    # The printed demo logins work.
    assert "admin          huzhu-admin" in first.output
    assert authenticate("admin", roster.ADMIN_PASSWORD).has_role("admin")
    assert "moderator" in authenticate("kefu_xiaoyi", roster.DEMO_PASSWORD).role_names
    assert "proxy" in authenticate("laowang_ll", roster.DEMO_PASSWORD).role_names
    # The inbox is not empty, and a second run sends nothing again.
    from forum.demo.seed import DEMO_CONVERSATIONS
    from forum.models import Message

    sent = sum(len(c) for c in DEMO_CONVERSATIONS)
    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == sent
    assert f"{sent} private messages" in first.output
    assert "0 private messages" in second.output


def test_seeded_counters_equal_real_counts_and_content_is_the_real_dialogues(app):
    _seed(app, "--limit", "15")
    count = lambda stmt: db.session.scalar(stmt)  # noqa: E731
    live_topic = sa.and_(Topic.deleted_at.is_(None))
    reply = sa.and_(Post.is_first.is_(False), Post.deleted_at.is_(None))

    for tribe in db.session.scalars(sa.select(Tribe)):
        assert tribe.topic_count == count(sa.select(sa.func.count(Topic.id)).where(
            Topic.tribe_id == tribe.id, live_topic))
        assert tribe.reply_count == count(sa.select(sa.func.count(Post.id)).join(
            Topic, Topic.id == Post.topic_id).where(Topic.tribe_id == tribe.id, reply))
        assert tribe.solved_count == count(sa.select(sa.func.count(Topic.id)).where(
            Topic.tribe_id == tribe.id, Topic.accepted_post_id.is_not(None)))
        assert tribe.member_count == count(sa.select(sa.func.count()).select_from(
            TribeMember).where(TribeMember.tribe_id == tribe.id))
        assert tribe.last_activity_at == count(sa.select(sa.func.max(Topic.last_activity_at))
                                               .where(Topic.tribe_id == tribe.id))

    for topic in db.session.scalars(sa.select(Topic)):
        assert topic.reply_count == count(sa.select(sa.func.count(Post.id)).where(
            Post.topic_id == topic.id, reply))
        assert topic.like_count == count(sa.select(sa.func.count()).select_from(Like).where(
            Like.post_id == topic.first_post_id))
    for post in db.session.scalars(sa.select(Post)):
        assert post.like_count == count(sa.select(sa.func.count()).select_from(Like).where(
            Like.post_id == post.id))

    for user in db.session.scalars(sa.select(User)):
        assert user.topic_count == count(sa.select(sa.func.count(Topic.id)).where(
            Topic.author_id == user.id))
        assert user.reply_count == count(sa.select(sa.func.count(Post.id)).where(
            Post.author_id == user.id, reply))
        assert user.like_received_count == count(sa.select(sa.func.count()).select_from(Like)
                                                 .join(Post, Post.id == Like.post_id)
                                                 .where(Post.author_id == user.id))
        assert user.accepted_count == count(sa.select(sa.func.count(Topic.id)).join(
            Post, Post.id == Topic.accepted_post_id).where(Post.author_id == user.id))
        assert user.follower_count == count(sa.select(sa.func.count()).select_from(Follow)
                                            .where(Follow.followed_id == user.id))
        assert user.following_count == count(sa.select(sa.func.count()).select_from(Follow)
                                             .where(Follow.follower_id == user.id))

    # Each dialogue became a topic in its tribe: the customer's post, then the turns as replies.
    now = utcnow()
    for dialogue in load_dialogues(limit=15):
        topic = db.session.scalar(sa.select(Topic).where(
            Topic.title == derive_title(dialogue.first_post)))
        assert topic is not None and topic.tribe.slug == classify_tribe(dialogue)
        posts = list(db.session.scalars(sa.select(Post).where(Post.topic_id == topic.id)
                                        .order_by(Post.id)))
        assert [p.body for p in posts] == [t.text for t in dialogue.turns]
        for post, turn in zip(posts[1:], dialogue.turns[1:], strict=True):
            if turn.sender == "customer":
                assert post.author_id == topic.author_id
            else:
                assert post.author.username in roster.responders(topic.tribe.slug)
        assert [p.created_at for p in posts] == sorted(p.created_at for p in posts)
        assert now - timedelta(days=62) < posts[0].created_at and posts[-1].created_at < now
        assert topic.last_activity_at == posts[-1].created_at
        index = accepted_turn_index(dialogue)
        assert topic.accepted_post_id == (posts[index].id if index is not None else None)
    assert count(sa.select(sa.func.count(Topic.id)).where(Topic.is_pinned)) == 5
    assert count(sa.select(sa.func.count(Topic.id)).where(
        Topic.accepted_post_id.is_not(None))) >= 1


def test_default_limit_yields_at_least_300_usable_topics():
    dialogues = load_dialogues(limit=400)
    titles = {derive_title(d.first_post) for d in dialogues}
    assert None not in titles and len(titles) >= 300
    assert {classify_tribe(d) for d in dialogues} == {t.slug for t in roster.TRIBES}


def _dialogue(*texts: str, task_score: float | None = None) -> Dialogue:
    senders = ["customer", "helpdesk"] * len(texts)
    return Dialogue(id="x", operators=("中国联通", "联通"),
                    turns=tuple(Turn(s, t) for s, t in zip(senders, texts, strict=False)),
                    task_score=task_score)


def test_title_strips_mentions_hashtags_and_emoticons_and_keeps_the_question():
    assert derive_title("@中国联通客服 @中国联通北京客服 流量怎么又超了？我才看了两集视频") \
        == "流量怎么又超了？"
    assert derive_title("#电信服务怎么了？#广州电信信号差,投诉几年都没人处理.这样的服务[怒]") \
        == "广州电信信号差,投诉几年都没人处理"
    assert derive_title("#宽带又断了#") == "宽带又断了"
    assert derive_title("@中国电信客服 [哈哈]") is None
    long = derive_title("我家宽带从上周开始每天晚上八点到十一点之间网速就掉到几十K,打了很多次客服电话都说已经记录")
    assert long.endswith("…") and len(long) <= 40
    # A short first sentence borrows the next one.
    assert derive_title("靠！大早上的你就欠骂！") == "靠！大早上的你就欠骂！"


def test_dialogues_are_placed_in_tribes_by_keywords():
    assert classify_tribe(_dialogue("这个月流量又超了，扣了我好多钱")) == "liuliang"
    assert classify_tribe(_dialogue("139邮箱收不到邮件了")) == "youxiang"
    assert classify_tribe(_dialogue("想换个便宜点的套餐，资费怎么选")) == "5g-taocan"
    assert classify_tribe(_dialogue("家里光猫一直闪红灯，WiFi连不上")) == "kuandai"
    assert classify_tribe(_dialogue("账单里多了一笔扣费，话费不对")) == "huafei"
    # "15G流量" is about data, not 5G.
    assert classify_tribe(_dialogue("一大早被吓醒，15G流量很多钱的啊")) == "liuliang"
    assert derive_tags(_dialogue("一大早被吓醒，15G流量很多钱的啊")) == ["联通", "流量"]
    # No keyword at all still lands in one of the five tribes, the same one every time.
    vague = _dialogue("你们到底管不管")
    assert classify_tribe(vague) in {t.slug for t in roster.TRIBES}
    assert classify_tribe(vague) == classify_tribe(vague)


def test_accepted_answer_follows_annotations_or_the_customers_thanks():
    assert accepted_turn_index(_dialogue("问", "答", task_score=0.5)) == 1
    assert accepted_turn_index(_dialogue("问", "答", task_score=-0.5)) is None
    assert accepted_turn_index(_dialogue("问", "答一", "还是不行", "答二", "好的谢谢")) == 3
    assert accepted_turn_index(_dialogue("只有提问")) is None


def test_benchmark_bulk_seed_keeps_every_counter_equal_to_the_rows(app):
    """benchmarks/seed_bulk.py computes counters itself instead of going through the
    services; on a small scale they must still equal the rows they count."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import seed_bulk

    result = seed_bulk.build(db.engine, topics=40, replies=300, users=25, likes=150,
                             big_topics=2, big_replies=55, seed=7)
    assert seed_bulk.verify_counters(db.engine) == dict.fromkeys(seed_bulk.COUNTER_CHECKS, 0)
    assert result["topics"] == 40 and result["likes"] == 150
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post).where(
        Post.is_first.is_(False))) == 300
    assert db.session.scalar(sa.select(sa.func.count(Topic.id)).where(Topic.reply_count >= 55)) >= 2
    # New rows after the bulk insert get fresh ids (PostgreSQL sequences were moved on).
    from forum.services.accounts import register_user

    assert register_user("after_bulk", "后来者", "password123").id == 26
