"""What moderation adds under posts on the topic page (forum.templating.register_post_extra):
"已转工单 #…" for everyone, "转为工单" on a customer's own posts, a queue link for
moderators."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from markupsafe import Markup

from forum.extensions import db
from forum.permissions import moderated_tribe_ids
from moderation.models import QueueItem
from moderation.services.tickets import tickets_for_posts


def post_extras(posts: list, user) -> dict[int, list]:
    ids = [p.id for p in posts]
    found = tickets_for_posts(ids)
    out: dict[int, list] = {}
    queued: set[int] = set()
    scope = moderated_tribe_ids(user) if user is not None else set()
    staff_tribes = {p.topic.tribe_id for p in posts
                    if scope is None or p.topic.tribe_id in scope}
    if staff_tribes:
        queued = set(db.session.scalars(sa.select(QueueItem.post_id)
                                        .where(QueueItem.post_id.in_(ids))))
    for post in posts:
        items: list = []
        ticket = found.get(post.id)
        if ticket is not None:
            mine = user is not None and (user.id == ticket.customer_id
                                         or post.topic.tribe_id in staff_tribes)
            badge = Markup('<span class="badge badge-ticket">已转工单 #{}</span>').format(
                ticket.number)
            if mine:
                badge = Markup('<a class="badge badge-ticket" href="{}">已转工单 #{}</a>').format(
                    url_for("moderation.ticket_detail", number=ticket.number), ticket.number)
            items.append(badge)
        elif user is not None and post.author_id == user.id and not post.is_deleted:
            items.append(("转为工单", url_for("moderation.ticket_from_post", post_id=post.id)))
        if post.id in queued:
            items.append(("审核队列", url_for("moderation.queue_item", post_id=post.id)))
        if items:
            out[post.id] = items
    return out
