"""Seeding the demo through the real services, so counters and events stay right.

Idempotent: users and tribes are found by name, memberships and follows are set (not
toggled), and a dialogue whose topic title already exists in its tribe is skipped with
everything that hangs off it. Only timestamps, view counts and pins — which the services
deliberately stamp with "now" or do not expose — are adjusted afterwards with direct UPDATEs.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import click
import sqlalchemy as sa

from forum import events, uow
from forum.demo import roster
from forum.demo.bulk import one_hash_per_password, stage_bar
from forum.demo.dialogues import (
    DATA_FILE,
    Dialogue,
    accepted_turn_index,
    classify_tribe,
    derive_tags,
    derive_title,
    load_dialogues,
    stable_hash,
)
from forum.extensions import db
from forum.models import Conversation, Follow, Like, Post, Topic, Tribe, TribeMember, User, utcnow
from forum.services import accounts, messages, topics, tribes

SPREAD_DAYS = 60
WELCOME_TITLE = "欢迎来到{name}：发帖须知"
WELCOME_BODY = """欢迎来到 **{name}** 部落！{description}

发帖前请先看看：

1. 先搜索，相同的问题可能已经有人解答过；
2. 标题写清楚问题，正文写明业务类型、出现时间和已经尝试过的办法；
3. **不要在帖子里公开手机号、身份证号或邮箱**，系统会自动打码，但最好一开始就别写；
4. 问题解决后，请把最有帮助的回复标记为 **最佳答案**，帮助后来的网友。

本部落版主：{moderators}。遇到紧急问题也可以直接私信版主。
"""


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=lambda: {
        "users": 0, "tribes": 0, "topics": 0, "replies": 0, "likes": 0, "accepted": 0,
        "follows": 0, "memberships": 0, "messages": 0})
    skipped_topics: int = 0
    unusable_dialogues: int = 0
    totals: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        c, t = self.created, self.totals
        lines = [
            "演示数据已就绪 (demo data ready)",
            f"  this run created: {c['users']} users, {c['tribes']} tribes, {c['topics']} topics, "
            f"{c['replies']} replies, {c['likes']} likes, {c['accepted']} accepted answers, "
            f"{c['follows']} follows, {c['memberships']} memberships, "
            f"{c['messages']} private messages; "
            f"{self.skipped_topics} topics already there",
            f"  database totals: {t.get('users', 0)} users, {t.get('tribes', 0)} tribes, "
            f"{t.get('topics', 0)} topics, {t.get('replies', 0)} replies, "
            f"{t.get('likes', 0)} likes, {t.get('solved', 0)} solved",
            "",
            "Demo logins (username / password):",
        ]
        for user in roster.USERS:
            if "customer" in user.roles and len(user.roles) == 1:
                continue
            roles = ", ".join(user.roles)
            lines.append(f"  {user.username:<14} {user.password:<12} {user.display_name} ({roles})")
        customers = [u.username for u in roster.USERS
                     if u.roles == ("customer",)]
        lines.append(f"  customers ({len(customers)}, password {roster.DEMO_PASSWORD}): "
                     + ", ".join(customers))
        return "\n".join(lines)


def seed(limit: int | None = None, data_path: str | Path = DATA_FILE,
         progress: bool = False) -> SeedReport:
    """Load the demo tribes, users, memberships, follows and ``limit`` dialogues as topics."""
    _require_schema()
    with _fast_commits():
        return _seed(limit, data_path, progress)


@contextmanager
def _fast_commits():
    """PostgreSQL: don't wait for the WAL flush on each of the seed's thousands of small
    commits (a crash could lose the last few demo rows, never corrupt anything)."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        yield
        return

    def _async_commit(dbapi_connection, _record, _proxy):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")

    db.session.remove()
    sa.event.listen(engine, "checkout", _async_commit)
    try:
        yield
    finally:
        db.session.remove()
        sa.event.remove(engine, "checkout", _async_commit)
        engine.dispose()  # pooled connections go back to the server's default


def _seed(limit: int | None, data_path: str | Path, progress: bool) -> SeedReport:
    report = SeedReport()
    now = utcnow()
    with stage_bar(progress, "用户和部落 (users, tribes, follows)", 6) as bar:
        users = _seed_users(report, now)
        bar.update(1)
        tribe_by_slug = _seed_tribes(report, users[roster.ADMIN_USERNAME], now)
        bar.update(1)
        members = set(db.session.execute(sa.select(TribeMember.tribe_id, TribeMember.user_id)))
        _seed_memberships(report, users, tribe_by_slug, members)
        bar.update(1)
        _seed_follows(report, users)
        bar.update(1)
        _seed_welcome_topics(report, users, tribe_by_slug, now)
        bar.update(1)
        _seed_messages(report, users)
        bar.update(1)
    dialogues = load_dialogues(data_path, limit)
    ctx = _Context(report, users, tribe_by_slug, members, now, existing={
        (tribe_id, title) for tribe_id, title in db.session.execute(
            sa.select(Topic.tribe_id, Topic.title))}, user_ids={
            name: uid for name, uid in db.session.execute(
                sa.select(User.username, User.id).where(User.username.in_(list(users))))})
    if progress:
        with click.progressbar(dialogues, label="导入话题 (topics)") as bar:
            for dialogue in bar:
                _seed_dialogue_atomically(ctx, dialogue)
    else:
        for dialogue in dialogues:
            _seed_dialogue_atomically(ctx, dialogue)
    _finish_tribes(tribe_by_slug.values())
    report.totals = _totals()
    return report


def _require_schema() -> None:
    if not sa.inspect(db.engine).has_table("topics"):
        raise click.ClickException(
            "数据库还没有建表：请先运行 flask --app forum db upgrade (run the migrations first)")


def _seed_users(report: SeedReport, now: datetime) -> dict[str, User]:
    with one_hash_per_password() as real_hash:
        return _seed_users_hashed(report, now, real_hash)


def _seed_users_hashed(report: SeedReport, now: datetime, real_hash) -> dict[str, User]:
    users: dict[str, User] = {}
    admin: User | None = None
    new_ages: list[dict] = []
    for spec in roster.USERS:
        user = accounts.get_user_by_username(spec.username)
        if user is None:
            user = accounts.register_user(spec.username, spec.display_name, spec.password,
                                          list(spec.roles))
            user.password_hash = real_hash(spec.password)
            user.bio = spec.bio
            events.commit()
            if spec.verified:
                accounts.set_verified(admin or user, user, True)
            # 博龄 (account age) feeds the influence score: 2 months to 4 years.
            days = SPREAD_DAYS + stable_hash(spec.username) % 1400
            new_ages.append({"id": user.id, "created_at": now - timedelta(days=days)})
            report.created["users"] += 1
        if spec.username == roster.ADMIN_USERNAME:
            admin = user
        users[spec.username] = user
    if new_ages:
        db.session.execute(sa.update(User), new_ages)
        db.session.commit()
    return users


def _seed_tribes(report: SeedReport, admin: User, now: datetime) -> dict[str, Tribe]:
    out: dict[str, Tribe] = {}
    for position, spec in enumerate(roster.TRIBES):
        tribe = db.session.scalar(sa.select(Tribe).where(Tribe.slug == spec.slug))
        if tribe is None:
            tribe = tribes.save_tribe(
                admin, slug=spec.slug, name=spec.name, description=spec.description,
                icon=spec.icon, position=position,
                moderator_usernames=roster.tribe_moderators(spec.slug))
            tribe.created_at = now - timedelta(days=SPREAD_DAYS + 30)
            db.session.commit()
            report.created["tribes"] += 1
        out[spec.slug] = tribe
    return out


@dataclass
class _Context:
    report: SeedReport
    users: dict[str, User]
    tribes: dict[str, Tribe]
    members: set  # (tribe_id, user_id)
    now: datetime
    existing: set  # (tribe_id, title) of the topics already in the database
    user_ids: dict[str, int] = field(default_factory=dict)


def _seed_memberships(report: SeedReport, users: dict[str, User],
                      tribe_by_slug: dict[str, Tribe], have: set) -> None:
    slugs = list(tribe_by_slug)
    for spec in roster.USERS:
        rng = random.Random(stable_hash("join:" + spec.username))
        wanted = set(spec.tribes) | set(rng.sample(slugs, rng.randint(1, 3)))
        for slug in sorted(wanted):
            _join(report, users[spec.username], tribe_by_slug[slug], have)


def _join(report: SeedReport, user: User, tribe: Tribe, have: set) -> None:
    if (tribe.id, user.id) in have:
        return
    tribes.set_membership(user, tribe, True)
    have.add((tribe.id, user.id))
    report.created["memberships"] += 1


def _seed_follows(report: SeedReport, users: dict[str, User]) -> None:
    have = set(db.session.execute(sa.select(Follow.follower_id, Follow.followed_id)))
    names = [u.username for u in roster.USERS]
    # Opinion leaders (verified users and proxies) attract most followers.
    leaders = [u.username for u in roster.USERS if u.verified or "proxy" in u.roles]
    for spec in roster.USERS:
        rng = random.Random(stable_hash("follow:" + spec.username))
        wanted = set(rng.sample(leaders, rng.randint(1, 4))) | set(rng.sample(names, rng.randint(0, 3)))
        wanted.discard(spec.username)
        for name in sorted(wanted):
            follower, followed = users[spec.username], users[name]
            if (follower.id, followed.id) in have:
                continue
            accounts.set_following(follower, followed, True)
            have.add((follower.id, followed.id))
            report.created["follows"] += 1


# A few private conversations (私信), so the inbox is not empty: (sender, recipient, text).
DEMO_CONVERSATIONS: tuple[tuple[tuple[str, str, str], ...], ...] = (
    (("xiaomao", "laowang_ll", "王哥，请问日租宝和流量加油包哪个更划算？我一个月就超一两次。"),
     ("laowang_ll", "xiaomao", "偶尔超一两次的话买加油包更省，日租宝适合出差那几天集中用。"),
     ("xiaomao", "laowang_ll", "明白了，谢谢王哥！")),
    (("kefu_xiaoyi", "bj_dagong", "您好，看到您在话费部落反映被多扣了 20 元，方便说一下是哪天的扣费吗？"
                                  "我们帮您核实。（请不要在公开帖子里写手机号）"),
     ("bj_dagong", "kefu_xiaoyi", "是 11 月 3 号扣的，账单上写的是增值业务费。"),
     ("kefu_xiaoyi", "bj_dagong", "已核实是误订的彩铃业务，已为您退订并退回 20 元，3 个工作日内到账。")),
    (("yemaozi", "xiaoli_kd", "李哥，光猫的 LOS 灯一直红着闪，是线断了吗？"),
     ("xiaoli_kd", "yemaozi", "LOS 红灯一般是光信号中断，先看看光纤有没有被折到；还不行就报修，"
                              "装维师傅会上门。")),
)


def _seed_messages(report: SeedReport, users: dict[str, User]) -> None:
    """Demo private messages; a pair that already talked is left alone (idempotent)."""
    for conversation in DEMO_CONVERSATIONS:
        first_sender, first_recipient, _ = conversation[0]
        low, high = sorted((users[first_sender].id, users[first_recipient].id))
        if db.session.scalar(sa.select(Conversation.id).where(
                Conversation.user_low_id == low, Conversation.user_high_id == high)):
            continue
        for from_name, to_name, text in conversation:
            messages.send_message(users[from_name], users[to_name], text)
            report.created["messages"] += 1


def _seed_welcome_topics(report: SeedReport, users: dict[str, User],
                         tribe_by_slug: dict[str, Tribe], now: datetime) -> None:
    """One pinned house-rules topic per tribe, written by its first moderator."""
    for spec in roster.TRIBES:
        tribe = tribe_by_slug[spec.slug]
        title = WELCOME_TITLE.format(name=spec.name)
        if db.session.scalar(sa.select(Topic.id).where(Topic.tribe_id == tribe.id,
                                                       Topic.title == title)):
            continue
        mods = roster.tribe_moderators(spec.slug) or [roster.ADMIN_USERNAME]
        names = "、".join(f"@{m}" for m in mods)
        body = WELCOME_BODY.format(name=spec.name, description=spec.description, moderators=names)
        topic = topics.create_topic(users[mods[0]], tribe, title, body, ["版规"])
        at = now - timedelta(days=SPREAD_DAYS + 1)
        db.session.execute(sa.update(Topic).where(Topic.id == topic.id).values(
            is_pinned=True, created_at=at, last_activity_at=at, view_count=500))
        db.session.execute(sa.update(Post).where(Post.topic_id == topic.id).values(created_at=at))
        db.session.commit()
        report.created["topics"] += 1


def _seed_dialogue_atomically(ctx: _Context, dialogue: Dialogue) -> None:
    """One dialogue in one unit of work: the services' ~20 commits per topic (reply, like,
    accept) only flush, and the topic commits once; its events go out after that commit,
    in order, exactly as before (a SQLite commit is a disk sync, the seed's main cost)."""
    with uow.unit_of_work(strict=False):
        _seed_dialogue(ctx, dialogue)


def _seed_dialogue(ctx: _Context, dialogue: Dialogue) -> None:
    """One real dialogue → a topic, its replies, likes and maybe an accepted answer."""
    report, users, existing, now = ctx.report, ctx.users, ctx.existing, ctx.now
    title = derive_title(dialogue.first_post)
    if title is None or any(len(t.text) > topics.BODY_MAX for t in dialogue.turns):
        report.unusable_dialogues += 1
        return
    tribe = ctx.tribes[classify_tribe(dialogue)]
    if (tribe.id, title) in existing:
        report.skipped_topics += 1
        return
    rng = random.Random(stable_hash("topic:" + dialogue.id))
    slug = tribe.slug
    author = users[rng.choice(roster.askers())]
    responder = users[rng.choice(roster.responders(slug) or [roster.ADMIN_USERNAME])]
    _join(report, author, tribe, ctx.members)  # askers join the tribe they post in

    topic = topics.create_topic(author, tribe, title, dialogue.first_post, derive_tags(dialogue))
    existing.add((tribe.id, title))
    report.created["topics"] += 1
    posts: list[Post] = [topic.first_post]
    for turn in dialogue.turns[1:]:
        writer = responder if turn.sender == "helpdesk" else author
        posts.append(topics.create_reply(writer, topic, turn.text))
        report.created["replies"] += 1

    accepted = accepted_turn_index(dialogue)
    if accepted is not None:
        topics.accept_answer(author, topic, posts[accepted])
        report.created["accepted"] += 1

    # Ids and authors in one query (each commit above expired the ORM objects).
    topic_id = topic.id
    meta = list(db.session.execute(sa.select(Post.id, Post.author_id)
                                   .where(Post.topic_id == topic_id).order_by(Post.id)))
    times = _post_times(rng, len(posts), now)
    post_rows = [{"id": pid, "created_at": at} for (pid, _a), at in zip(meta, times, strict=True)]
    like_rows = _seed_likes(ctx, rng, posts, meta, times, accepted)
    db.session.execute(sa.update(Post), post_rows)
    if like_rows:
        db.session.execute(sa.update(Like), like_rows)
    views = rng.randint(10 + 8 * len(posts), 200 + 40 * len(posts))
    db.session.execute(sa.update(Topic).where(Topic.id == topic_id).values(
        created_at=times[0], last_activity_at=times[-1], view_count=views))
    db.session.commit()


def _post_times(rng: random.Random, n: int, now: datetime) -> list[datetime]:
    """The opening post within the last 60 days (recent days busier), replies minutes to
    hours apart, never in the future."""
    age = timedelta(days=SPREAD_DAYS * rng.random() ** 1.5, minutes=rng.randint(30, 600))
    start = now - age
    gaps = [rng.uniform(3, 900) * 60 for _ in range(n - 1)]
    room = age.total_seconds() * rng.uniform(0.5, 0.95)
    if sum(gaps) > room:  # a fresh topic: squeeze its replies into the time since it opened
        gaps = [g * room / sum(gaps) for g in gaps]
    times = [start]
    for gap in gaps:
        times.append(times[-1] + timedelta(seconds=gap))
    return times


def _seed_likes(ctx: _Context, rng: random.Random, posts: list[Post],
                meta: list[tuple[int, int]], times: list[datetime],
                accepted: int | None) -> list[dict]:
    """Likes by other demo users: more on opening posts and accepted answers."""
    rows: list[dict] = []
    everyone = sorted(ctx.user_ids.items())  # (username, id)
    for index, (post, (post_id, author_id), at) in enumerate(
            zip(posts, meta, times, strict=True)):
        wanted = rng.choice((0, 0, 1, 1, 2, 3, 5)) if index == 0 else rng.choice((0, 0, 0, 1, 2))
        if index == accepted:
            wanted += rng.randint(2, 6)
        likers = [(name, uid) for name, uid in rng.sample(everyone, min(len(everyone), wanted + 2))
                  if uid != author_id][:wanted]
        for name, uid in likers:
            topics.set_like(ctx.users[name], post, True)
            ctx.report.created["likes"] += 1
            span = max(60, int((ctx.now - at).total_seconds()))
            rows.append({"user_id": uid, "post_id": post_id,
                         "created_at": at + timedelta(seconds=rng.randint(30, min(span, 3 * 86400)))})
    return rows


def _finish_tribes(all_tribes: Iterable[Tribe]) -> None:
    """A tribe's last activity is its newest topic activity (seeded times are in the past)."""
    for tribe in all_tribes:
        latest = sa.select(sa.func.max(Topic.last_activity_at)).where(
            Topic.tribe_id == tribe.id, Topic.deleted_at.is_(None)).scalar_subquery()
        db.session.execute(sa.update(Tribe).where(Tribe.id == tribe.id)
                           .values(last_activity_at=latest))
    db.session.commit()


def _totals() -> dict[str, int]:
    count = lambda stmt: int(db.session.scalar(stmt) or 0)  # noqa: E731
    return {
        "users": count(sa.select(sa.func.count(User.id))),
        "tribes": count(sa.select(sa.func.count(Tribe.id))),
        "topics": count(sa.select(sa.func.count(Topic.id)).where(Topic.deleted_at.is_(None))),
        "replies": count(sa.select(sa.func.count(Post.id)).where(
            Post.is_first.is_(False), Post.deleted_at.is_(None))),
        "likes": count(sa.select(sa.func.count()).select_from(Like)),
        "solved": count(sa.select(sa.func.count(Topic.id)).where(
            Topic.accepted_post_id.is_not(None), Topic.deleted_at.is_(None))),
    }
