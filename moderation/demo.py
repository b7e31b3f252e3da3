"""Demo data of moderation for ``flask seed-demo``: canned replies, tickets in every state
with timelines (one rated), and the queue filled from whatever the scorer has scored."""

from __future__ import annotations

import click
import sqlalchemy as sa

from forum.extensions import db
from forum.models import Post, Topic, User
from moderation import handlers
from moderation.models import CannedReply, QueueItem, Ticket
from moderation.services import canned, queue, ratings, tickets

CANNED = (
    ("致歉 · 首次响应", None,
     "{name}您好，我是{tribe}的版主{moderator}。非常抱歉给您带来不便，您反映的问题我们已经记录，"
     "会尽快核实处理，请留意站内私信。"),
    ("扣费争议 · 核查说明", "compensation",
     "{name}您好，关于您在「{topic}」中反映的扣费问题，我们已为您创建工单 {ticket}，"
     "客服会在核实账单明细后与您联系，如属误扣将为您办理退费。"),
    ("信号问题 · 线上指导", "risk_avoidance",
     "{name}您好，信号问题可先尝试：重启手机、开关飞行模式、在设置中选择自动搜网。"
     "如仍未改善，请回复所在小区名称，我们安排网络优化人员现场测试。"),
    ("资费咨询 · 套餐推荐", "saving",
     "{name}您好，根据您的使用情况，可以考虑更合适的套餐或流量包；"
     "在{tribe}置顶帖里有详细的资费对比，也欢迎直接私信我帮您测算。"),
    ("情绪安抚 · 私信答复", "venting",
     "{name}您好，完全理解您的心情。我已单独私信您，方便的话请留下可以联系的时间，"
     "我们一对一帮您解决。"),
)

# (customer, steps) — steps applied in order to build a realistic timeline.
TICKETS = (
    ("xiaomao", ()),
    ("bj_dagong", ("assign",)),
    ("gz_aqiang", ("assign", "reply", "progress")),
    ("liuliang_bgy", ("assign", "reply", "waiting")),
    ("jingda_mama", ("assign", "reply", "progress", "resolve")),
    ("lao_litou", ("assign", "reply", "progress", "resolve", "rate")),
)


def _user(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username))


def _first_post_of(user: User) -> Post | None:
    return db.session.scalar(
        sa.select(Post).join(Topic, Topic.id == Post.topic_id).outerjoin(
            Ticket, Ticket.source_post_id == Post.id)
        .where(Post.author_id == user.id, Post.is_first.is_(True), Post.deleted_at.is_(None),
               Ticket.id.is_(None)).order_by(Post.id))


def _canned(staff: User) -> int:

    added = 0
    for title, demand, body in CANNED:
        if db.session.scalar(sa.select(CannedReply.id).where(CannedReply.title == title)) is None:
            canned.save_reply(staff, title=title, body=body, demand=demand)
            added += 1
    return added


def _ticket(staff: User, customer: User, steps: tuple[str, ...]) -> bool:

    post = _first_post_of(customer)
    title = post.topic.title if post else "账单疑问"
    ticket = tickets.create_ticket(staff, customer, title=title[:80],
                                   description=(post.body[:500] if post else "客户来电反映账单疑问"),
                                   category="扣费", tier="normal", source_post=post,
                                   tribe_id=None if post else None)
    for step in steps:
        if step == "assign":
            tickets.change_status(staff, ticket, tickets.ASSIGNED, note="已受理")
        elif step == "reply":
            tickets.add_reply(staff, ticket, f"{customer.display_name}您好，已收到您的反馈，"
                                             "正在为您核实账单明细，请稍候。")
            tickets.add_reply(staff, ticket, "已联系计费中心查询近三个月的扣费记录。",
                              internal=True)
        elif step == "progress":
            tickets.change_status(staff, ticket, tickets.IN_PROGRESS)
        elif step == "waiting":
            tickets.change_status(staff, ticket, tickets.WAITING, note="请提供扣费短信截图")
        elif step == "resolve":
            tickets.add_reply(staff, ticket, "经核实为增值业务误订，已为您退订并退还费用。")
            tickets.change_status(staff, ticket, tickets.RESOLVED)
        elif step == "rate":
            ratings.rate(customer, ticket, 5, "处理很及时，客服态度好！")
    return True


def _score_missing(progress: bool) -> None:
    """Score the posts the bulk forum seed left unscored (its scoring handler was paused)."""
    try:
        from moderation.scoring.services import rescore_posts, unscored_post_ids
    except ImportError:  # the scorer is optional
        return
    post_ids = unscored_post_ids(limit=None)
    handlers.disconnect()  # the queue is filled in one pass afterwards (sync_from_scores)
    try:
        if progress and post_ids:
            with click.progressbar(length=len(post_ids), label="评分 (scoring posts)") as bar:
                rescore_posts(post_ids, bar.update, skip_failures=True)
        else:
            rescore_posts(post_ids, skip_failures=True)
    finally:
        handlers.connect()


def seed_demo(progress: bool = False) -> str:
    """Idempotent: canned replies by title; tickets only when the demo has none yet."""

    staff = _user("kefu_anan") or _user("admin")
    if staff is None:
        return "skipped (no demo staff user; run the forum seed first)"
    replies = _canned(staff)
    made = 0
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)):
        for username, steps in TICKETS:
            customer = _user(username)
            if customer is not None and _ticket(staff, customer, steps):
                made += 1
    _score_missing(progress)
    queue.sync_from_scores(limit=5000, push=False)
    in_queue = db.session.scalar(sa.select(sa.func.count()).select_from(QueueItem))
    return f"{replies} canned replies, {made} tickets, {in_queue} posts in the queue"
