"""楼层 (floors): every post of a topic has a stable number, shown as Discuz! does.

Floor 1 is the opening post (楼主); the first reply is floor 2 (沙发), then 板凳 (3), 地板 (4),
and from there "N楼". A floor never changes: deleting or hiding a post leaves a gap.

New floors come from ``topics.last_floor``, raised by one UPDATE on the topic row: on
PostgreSQL the row lock makes a concurrent reply wait for this transaction and then read the
raised value, and SQLite writes one transaction at a time, so two replies never share a floor
(the unique index on (topic_id, floor) stands behind it).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from forum.errors import NotFound
from forum.extensions import db
from forum.models import Post, Topic
from forum.permissions import can_see_original
from forum.rendering import mask_pii

FLOOR_NAMES = {1: "楼主", 2: "沙发", 3: "板凳", 4: "地板"}


def floor_label(floor: int | None) -> str:
    """楼主, 沙发, 板凳, 地板, then 5楼, 6楼 …; "" for a post without a floor."""
    if not floor:
        return ""
    return FLOOR_NAMES.get(floor, f"{floor}楼")


def next_floor(topic: Topic) -> int:
    """Take the topic's next floor (atomic; the topic row stays locked until commit)."""
    db.session.execute(sa.update(Topic).where(Topic.id == topic.id)
                       .values(last_floor=Topic.last_floor + 1)
                       .execution_options(synchronize_session=False))
    floor = db.session.scalar(sa.select(Topic.last_floor).where(Topic.id == topic.id))
    set_committed_value(topic, "last_floor", floor)
    return floor


def post_at_floor(topic_id: int, floor: int) -> Post:
    post = None
    if 0 < floor < 2**31:
        post = db.session.scalar(sa.select(Post).where(Post.topic_id == topic_id,
                                                       Post.floor == floor))
    if post is None:
        raise NotFound("这一楼不存在")
    return post


def floor_path(topic_id: int, floor: int) -> str:
    """A floor's permalink (``forum.views.threads.floor``)."""
    return f"/topic/{int(topic_id)}/{int(floor)}"


QUOTE_MAX = 200


def quote_markdown(viewer, post: Post) -> str:
    """The 引用 of ``post`` for the reply composer: a Markdown blockquote that links back to
    the floor. Quotes inside the quoted post are left out (no quote pyramids), the text is
    cut at ``QUOTE_MAX`` characters, and personal data stays masked unless ``viewer`` may
    see the original."""
    text = post.body if can_see_original(viewer, post) else mask_pii(post.body)
    lines = [line for line in text.strip().splitlines() if not line.lstrip().startswith(">")]
    text = "\n".join(lines).strip()
    if len(text) > QUOTE_MAX:
        text = text[:QUOTE_MAX].rstrip() + "…"
    label = floor_label(post.floor) or "原帖"
    head = f"> [{label} @{post.author.username}]({floor_path(post.topic_id, post.floor)})："
    if not post.floor:
        head = f"> @{post.author.username}："
    body = "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())
    return f"{head}\n{body}\n\n"
