"""Demo data of the proxy programme (``flask seed-demo``; idempotent).

Influence for everybody; the roster's proxies become active proxies (invited by the admin,
accepted by themselves, so the history reads like the real thing) with their roster tribes
and one circle each, filled with a few demo customers; their accepted answers in those
tribes earn commission; this month's draft statements are created.
"""

from __future__ import annotations

import sqlalchemy as sa

from forum.demo import roster
from forum.extensions import db
from forum.models import Post, Topic, Tribe, User
from rewards.proxies.models import ACTIVE, CANDIDATE, INVITED, RETIRED
from rewards.proxies.services import circles, commission, influence, lifecycle, settlement
from rewards.proxies.services.common import current_month

ENTRIES_PER_PROXY = 5
MEMBERS_PER_CIRCLE = 4


def _users(names) -> dict[str, User]:
    return {u.username: u for u in db.session.scalars(sa.select(User).where(User.username.in_(list(names))))}


def seed() -> str:
    influence.recompute_all()
    demo_proxies = [u for u in roster.USERS if "proxy" in u.roles]
    users = _users([u.username for u in roster.USERS])
    admin = users.get(roster.ADMIN_USERNAME)
    if admin is None:
        return "skipped: the demo users are missing (run the forum seed first)"
    tribes = {t.slug: t for t in db.session.scalars(sa.select(Tribe))}
    customers = [users[name] for name in roster.askers() if name in users]
    activated = entries = 0
    for index, spec in enumerate(demo_proxies):
        user = users.get(spec.username)
        if user is None:
            continue
        activated += _activate(admin, user)
        lifecycle.set_tribes(admin, user, [tribes[s].id for s in spec.tribes if s in tribes])
        circle = _circle(admin, user)
        for member in customers[index * MEMBERS_PER_CIRCLE:(index + 1) * MEMBERS_PER_CIRCLE]:
            if circles.membership(member.id) is None:
                circles.join(member, circle)
        entries += _commission(user)
    report = settlement.settle_month(current_month())
    return (f"{len(demo_proxies)} active proxies ({activated} newly), {entries} commission "
            f"entries, statements {report.month}: {report.created} new drafts")


def _activate(admin: User, user: User) -> int:
    status = lifecycle.status_of(user.id)
    if status == ACTIVE:
        return 0
    if status in (CANDIDATE, RETIRED):
        lifecycle.transition(admin, user, INVITED, "演示数据：社区活跃、回答质量高")
    lifecycle.respond_to_invitation(user, True, "乐意帮助大家")
    return 1


def _circle(admin: User, user: User):
    existing = circles.circles_of(user.id)
    if existing:
        return existing[0]
    return circles.create_circle(admin, user, f"{user.display_name}的服务圈"[:40],
                                 "圈内成员的新问题会第一时间通知服务代理")


def _commission(user: User) -> int:
    """Commission for the proxy's accepted answers in their tribes (idempotent)."""
    tribe_ids = lifecycle.assigned_tribe_ids(user.id)
    if not tribe_ids:
        return 0
    rows = db.session.execute(
        sa.select(Post.id, Topic.tribe_id, Topic.id)
        .join(Topic, Topic.accepted_post_id == Post.id)
        .where(Post.author_id == user.id, Topic.tribe_id.in_(tribe_ids), Post.deleted_at.is_(None))
        .order_by(Post.id).limit(ENTRIES_PER_PROXY)).all()
    return sum(commission.award_accepted_answer(post_id, user.id, tribe_id, topic_id)
               for post_id, tribe_id, topic_id in rows)
