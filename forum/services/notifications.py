"""Notifications: the one way any package tells a user something happened.

    from forum.services.notifications import notify
    notify(user_id, "reply", {"actor_id": 7, "topic_id": 12, "post_id": 345})

``notify`` only queues: the notification is created by a Celery task sent after the current
transaction commits (forum.jobs.enqueue_after_commit), so a rolled-back action notifies no
one. The task skips the actor (nobody is told about their own action), users who muted the
kind, and users who may not see the topic; it folds events of one kind about one thing into
the same unread item ("3 条新回复"), and pushes the item and the new unread count live over
Socket.IO (events ``notification`` and ``unread_count``).

Kinds live in ``NOTIFICATION_KINDS``; a package adds its own with ``register_kind()``.
Payload conventions: ``actor_id`` (who acted), ``topic_id``, ``post_id`` — the delivery
adds ``actor_name``/``actor_username`` and ``topic_title`` (PII-masked for the recipient)
so texts render without further queries. Any other key is available to the text template.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from forum import realtime
from forum.errors import NotFound, ValidationError
from forum.extensions import db
from forum.jobs import enqueue_after_commit
from forum.links import post_permalink
from forum.models import (
    Notification,
    NotificationReceipt,
    NotificationSetting,
    Post,
    Topic,
    User,
    utcnow,
)
from forum.pagination import Page, paginate
from forum.permissions import can_view_post, can_view_topic, topic_title_for

log = logging.getLogger(__name__)

MAX_IDS_PER_REQUEST = 500
ACTORS_KEPT = 3  # names kept on a grouped item: "张三、李四 等 5 人"


# --- the kinds registry --------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationKind:
    """How one kind of notification is grouped, worded and linked.

    ``template`` and ``group_template`` are ``str.format`` strings over the payload plus
    ``actor`` (display name), ``actors`` (up to three names), ``topic`` (title) and
    ``count``. ``url(payload)`` is where the notification leads. ``group(payload)`` names
    the thing unread events are folded on (None: never folded). ``source(payload)`` names
    the event, so delivering it twice is a no-op (default: the whole payload).
    """

    kind: str
    label: str
    template: str
    url: Callable[[dict], str]
    group_template: str | None = None
    group: Callable[[dict], str | None] | None = None
    source: Callable[[dict], str] | None = None
    mutable: bool = True
    description: str = ""

    def source_key(self, payload: dict) -> str:
        if self.source is not None:
            return f"{self.kind}:{self.source(payload)}"[:160]
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
        return f"{self.kind}:{hashlib.sha256(canonical.encode()).hexdigest()}"

    def group_key(self, payload: dict) -> str | None:
        return self.group(payload) if self.group is not None else None


NOTIFICATION_KINDS: dict[str, NotificationKind] = {}


def register_kind(kind: str, label: str, template: str, url: Callable[[dict], str], *,
                  group_template: str | None = None,
                  group: Callable[[dict], str | None] | None = None,
                  source: Callable[[dict], str] | None = None, mutable: bool = True,
                  description: str = "") -> NotificationKind:
    """Add (or replace) a notification kind. ``label`` is the Chinese name on the settings
    page; see NotificationKind for the other fields."""
    if not kind or len(kind) > 40:
        raise ValueError("a kind is 1–40 characters")
    spec = NotificationKind(kind=kind, label=label, template=template, url=url,
                            group_template=group_template, group=group, source=source,
                            mutable=mutable, description=description)
    NOTIFICATION_KINDS[kind] = spec
    return spec


def post_url(payload: dict) -> str:
    """A post's permalink (forum.views.notifications.post_permalink finds its page)."""
    if payload.get("post_id"):
        return post_permalink(payload["post_id"])
    if payload.get("topic_id"):
        return f"/topic/{int(payload['topic_id'])}"
    return "/notifications"


def actor_url(payload: dict) -> str:
    username = payload.get("actor_username")
    return f"/u/{quote(username)}" if username else "/notifications"


def _topic_group(payload: dict) -> str | None:
    return f"topic:{payload['topic_id']}" if payload.get("topic_id") else None


def _post_source(payload: dict) -> str:
    return f"post:{payload.get('post_id')}"


register_kind(
    "reply", "回复我的帖子", "{actor} 回复了你的帖子「{topic}」", post_url,
    group_template="你的帖子「{topic}」有 {count} 条新回复（{actors}）",
    group=_topic_group, source=_post_source,
    description="有人回复你发起的帖子")
register_kind(
    "mention", "@提到我", "{actor} 在「{topic}」中提到了你", post_url,
    group_template="「{topic}」中有 {count} 条回复提到了你（{actors}）",
    group=_topic_group, source=_post_source,
    description="有人在帖子或回复中 @ 你")
register_kind(
    "answer_accepted", "回复被采纳", "{actor} 把你在「{topic}」的回复采纳为最佳答案", post_url,
    source=_post_source,
    description="你的回复被采纳为最佳答案")
register_kind(
    "watching", "关注的帖子有新回复", "{actor} 回复了你关注的帖子「{topic}」", post_url,
    group_template="你关注的帖子「{topic}」有 {count} 条新回复（{actors}）",
    group=_topic_group, source=_post_source,
    description="你点了“关注本帖”的帖子有新回复")
register_kind(
    "follow", "新粉丝", "{actor} 关注了你", actor_url,
    group_template="{actors} 等 {count} 人关注了你",
    group=lambda p: "followers", source=lambda p: f"user:{p.get('actor_id')}",
    description="有人关注了你")
register_kind(
    "message", "私信", "{actor} 给你发来一条私信", lambda p: p.get("url") or (
        f"/messages/{quote(p['actor_username'])}" if p.get("actor_username") else "/messages"),
    group_template="{actor} 给你发来 {count} 条私信",
    group=lambda p: f"from:{p.get('actor_id')}",
    source=lambda p: f"message:{p.get('message_id')}" if p.get("message_id") else
    f"conversation:{p.get('conversation_id')}:{p.get('actor_id')}",
    description="有人给你发私信")


def kind_spec(kind: str) -> NotificationKind:
    spec = NOTIFICATION_KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown notification kind {kind!r}; register it with register_kind()")
    return spec


# --- queueing ------------------------------------------------------------------------------


def notify(user_id: int, kind: str, payload: dict) -> None:
    """Notify one user, once the current transaction commits (see the module docstring)."""
    notify_many([user_id], kind, payload)


def notify_many(user_ids: Iterable[int], kind: str, payload: dict) -> None:
    """Notify several users of the same event with one background task."""
    kind_spec(kind)  # fail fast on a typo, in the caller's code path
    ids = sorted({int(u) for u in user_ids if u is not None})
    if not ids:
        return
    payload = dict(payload)
    json.dumps(payload)  # ids and plain values only: it travels through the broker
    # By name: the task (forum/tasks.py) wraps this module's ``deliver``.
    enqueue_after_commit("forum.deliver_notification", ids, kind, payload)


# --- delivery (runs in the task) -----------------------------------------------------------


@dataclass
class _Context:
    actor: User | None
    topic: Topic | None
    post: Post | None


def _load_context(payload: dict) -> _Context | None:
    """The objects a payload names; None when one of them is gone (deleted meanwhile)."""
    actor = topic = post = None
    if payload.get("actor_id"):
        actor = db.session.get(User, int(payload["actor_id"]))
    if payload.get("post_id"):
        post = db.session.get(Post, int(payload["post_id"]))
        if post is None or post.is_deleted:
            return None
        topic = post.topic
    elif payload.get("topic_id"):
        topic = db.session.get(Topic, int(payload["topic_id"]))
    if topic is not None and topic.is_deleted:
        return None
    if payload.get("topic_id") and topic is None:
        return None
    return _Context(actor=actor, topic=topic, post=post)


def _may_see(user: User, ctx: _Context) -> bool:
    """Never tell a user about content they may not read (hidden, cold-handled…)."""
    if ctx.topic is not None and not can_view_topic(user, ctx.topic):
        return False
    return ctx.post is None or can_view_post(user, ctx.post)


def _muted_users(user_ids: list[int], kind: str) -> set[int]:
    return set(db.session.scalars(
        sa.select(NotificationSetting.user_id).where(
            NotificationSetting.user_id.in_(user_ids), NotificationSetting.kind == kind,
            NotificationSetting.muted.is_(True))))


def _personal_payload(payload: dict, user: User, ctx: _Context) -> dict:
    data = dict(payload)
    if ctx.actor is not None:
        data["actor_name"] = ctx.actor.display_name
        data["actor_username"] = ctx.actor.username
    if ctx.topic is not None:
        data["topic_id"] = ctx.topic.id
        data["topic_title"] = topic_title_for(user, ctx.topic)
    return data


def _fold_or_add(user: User, spec: NotificationKind, data: dict) -> Notification:
    group_key = spec.group_key(data)
    now = utcnow()
    existing = None
    if group_key is not None:
        existing = db.session.scalar(
            sa.select(Notification).where(
                Notification.user_id == user.id, Notification.kind == spec.kind,
                Notification.group_key == group_key, Notification.read_at.is_(None))
            .order_by(Notification.id.desc()).limit(1).with_for_update())
    name = data.get("actor_name")
    if existing is None:
        data["actors"] = [name] if name else []
        note = Notification(user_id=user.id, kind=spec.kind, payload=data, group_key=group_key,
                            count=1, created_at=now, updated_at=now)
        db.session.add(note)
        db.session.flush()
        return note
    actors = [a for a in (existing.payload or {}).get("actors", []) if a != name]
    data["actors"] = ([name] if name else []) + actors[: ACTORS_KEPT - 1]
    # Atomic in SQL: two workers folding into the same row both count.
    db.session.execute(sa.update(Notification).where(Notification.id == existing.id)
                       .values(count=Notification.count + 1, updated_at=now, payload=data))
    db.session.refresh(existing)
    return existing


def deliver(user_ids: list[int], kind: str, payload: dict, *, _retried: bool = False) -> int:
    """Create or fold the notification for each user and push it live. Returns how many
    users got something. Safe to run twice for the same event (receipts)."""
    spec = kind_spec(kind)
    actor_id = payload.get("actor_id")
    ids = sorted({int(u) for u in user_ids if u is not None and u != actor_id})
    if not ids:
        return 0
    ctx = _load_context(payload)
    if ctx is None:
        log.info("notification %s skipped: its subject is gone (%r)", kind, payload)
        return 0
    source_key = spec.source_key(payload)
    skip = _muted_users(ids, kind) if spec.mutable else set()
    skip |= set(db.session.scalars(sa.select(NotificationReceipt.user_id).where(
        NotificationReceipt.user_id.in_(ids), NotificationReceipt.source_key == source_key)))
    users = db.session.scalars(sa.select(User).where(User.id.in_(ids), User.id.notin_(skip)))
    recipients = [u for u in users if u.is_active_account and _may_see(u, ctx)]
    live: list[tuple[int, dict]] = []
    try:
        for user in recipients:
            # The receipt's primary key makes a concurrent second delivery fail, not double.
            db.session.add(NotificationReceipt(user_id=user.id, source_key=source_key))
            note = _fold_or_add(user, spec, _personal_payload(payload, user, ctx))
            live.append((user.id, live_item(note)))
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        if _retried:
            raise
        # Another worker delivered this event to some of them meanwhile: those are skipped now.
        return deliver(user_ids, kind, payload, _retried=True)
    for user_id, item in live:
        realtime.emit_to_user(user_id, "notification", item)
        push_unread_count(user_id)
    return len(live)


def push_notification(user_id: int, notification_id: int) -> None:
    """Send a notification and the new unread count to the user's open pages."""
    note = db.session.get(Notification, notification_id)
    if note is None:
        return
    realtime.emit_to_user(user_id, "notification", live_item(note))
    realtime.emit_to_user(user_id, "unread_count", {"count": unread_count(user_id)})


def push_unread_count(user_id: int) -> None:
    realtime.emit_to_user(user_id, "unread_count", {"count": unread_count(user_id)})


# --- reading -------------------------------------------------------------------------------


class _Fields(dict):
    def __missing__(self, key: str) -> str:
        return ""


def text_of(note: Notification) -> str:
    spec = NOTIFICATION_KINDS.get(note.kind)
    data = note.payload or {}
    actors = [a for a in data.get("actors", []) if a]
    fields = _Fields(data)
    fields.update(actor=data.get("actor_name") or "有人", topic=data.get("topic_title") or "",
                  count=note.count, actors="、".join(actors) or data.get("actor_name") or "有人")
    if spec is None:
        return data.get("text") or note.kind
    template = spec.group_template if note.count > 1 and spec.group_template else spec.template
    return template.format_map(fields)


def url_of(note: Notification) -> str:
    spec = NOTIFICATION_KINDS.get(note.kind)
    return spec.url(note.payload or {}) if spec is not None else "/notifications"


def open_url(note: Notification) -> str:
    """The link shown in lists and toasts: marks the item read, then goes to url_of()."""
    return f"/notifications/{note.id}/open"


def live_item(note: Notification) -> dict[str, Any]:
    """The payload of the ``notification`` socket event."""
    return {"id": note.id, "kind": note.kind, "text": text_of(note), "url": open_url(note),
            "count": note.count}


def label_of(kind: str) -> str:
    spec = NOTIFICATION_KINDS.get(kind)
    return spec.label if spec is not None else kind


def unread_count(user_id: int) -> int:
    """Unread events (a grouped item of 3 replies counts 3)."""
    return int(db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Notification.count), 0))
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0)


def list_for(user: User, page: int, per_page: int) -> Page:
    """The user's notifications, newest activity first."""
    stmt = (sa.select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.updated_at.desc(), Notification.id.desc()))
    return paginate(stmt, page, per_page)


def get_for(user: User, notification_id: int) -> Notification:
    note = None
    if 0 < notification_id <= 2**31 - 1:
        note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise NotFound("通知不存在")
    return note


# --- marking read --------------------------------------------------------------------------


def mark_read(user: User, ids: Iterable[int]) -> int:
    """Mark the user's notifications with these ids read; others' ids are ignored.
    Returns how many changed."""
    wanted = list(ids)
    if len(wanted) > MAX_IDS_PER_REQUEST:
        raise ValidationError("一次最多标记 500 条通知", {"ids": "最多 500 个"})
    clean = sorted({int(i) for i in wanted if 0 < int(i) <= 2**31 - 1})
    if not clean:
        return 0
    changed = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.id.in_(clean),
               Notification.read_at.is_(None))
        .values(read_at=utcnow())).rowcount
    db.session.commit()
    if changed:
        push_unread_count(user.id)
    return changed or 0


def mark_all_read(user: User) -> int:
    changed = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())).rowcount
    db.session.commit()
    if changed:
        push_unread_count(user.id)
    return changed or 0


def open_notification(user: User, notification_id: int) -> str:
    """Mark one notification read and return where it leads."""
    note = get_for(user, notification_id)
    if note.read_at is None:
        mark_read(user, [note.id])
    return url_of(note)


# --- settings ------------------------------------------------------------------------------


def muted_kinds(user: User) -> set[str]:
    return set(db.session.scalars(
        sa.select(NotificationSetting.kind).where(NotificationSetting.user_id == user.id,
                                                  NotificationSetting.muted.is_(True))))


def settings_for(user: User) -> list[tuple[NotificationKind, bool]]:
    """Every mutable kind with whether the user muted it, in registry order."""
    muted = muted_kinds(user)
    return [(spec, spec.kind in muted) for spec in NOTIFICATION_KINDS.values() if spec.mutable]


def set_muted_kinds(user: User, kinds: Iterable[str]) -> set[str]:
    """Mute exactly these kinds (others are unmuted). Unknown kinds are a 422."""
    wanted = set(kinds)
    mutable = {k for k, spec in NOTIFICATION_KINDS.items() if spec.mutable}
    unknown = wanted - mutable
    if unknown:
        raise ValidationError("没有这种通知类型", {"kinds": "未知类型：" + "、".join(sorted(unknown))})
    rows = {s.kind: s for s in db.session.scalars(
        sa.select(NotificationSetting).where(NotificationSetting.user_id == user.id))}
    for kind in mutable:
        row = rows.get(kind)
        if row is None and kind in wanted:
            db.session.add(NotificationSetting(user_id=user.id, kind=kind, muted=True))
        elif row is not None:
            row.muted = kind in wanted
    db.session.commit()
    return wanted


# --- housekeeping --------------------------------------------------------------------------


def purge_read(days: int = 180) -> int:
    """Delete read notifications older than ``days``; receipts older than that go too."""
    cutoff = utcnow() - timedelta(days=days)
    removed = db.session.execute(
        sa.delete(Notification).where(Notification.read_at.is_not(None),
                                      Notification.updated_at < cutoff)).rowcount
    db.session.execute(sa.delete(NotificationReceipt)
                       .where(NotificationReceipt.created_at < cutoff))
    db.session.commit()
    return removed or 0
