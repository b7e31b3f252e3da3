"""Private messages (私信): send, list conversations, read a conversation, unread counts.
Blocks (屏蔽) are in forum/services/blocks.py.

Rules:
- A conversation joins exactly two users; one per pair, whoever writes first.
- A message body is 1–5,000 characters after trimming, rendered as Markdown (sanitized);
  personal data is not masked — the message is private.
- Nobody messages themselves. A user who blocked the other must unblock first (409). A user
  whom the recipient blocked is refused with "对方已将你屏蔽，无法发送私信" (403).
- Moderators and admins message anyone: blocks and the rate limit do not apply to them, and
  they cannot be blocked (so a customer always reaches customer service and vice versa).
- Starting a NEW conversation is rate-limited per user (``NEW_CONVERSATIONS_PER_HOUR``, 429);
  writing in an existing conversation is not.
- The recipient is notified (kind "message", forum.services.notifications) once the message
  commits; then ``message_sent`` is sent and ``deliver_message`` (subscribed below) pushes
  the message live to both participants' user rooms (Socket.IO event ``message``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from forum import events, permissions, realtime
from forum.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationError,
)
from forum.extensions import db
from forum.models import (
    Conversation,
    ConversationParticipant,
    Message,
    Notification,
    User,
    utcnow,
)
from forum.pagination import Page, paginate
from forum.rendering import render_markdown
from forum.services import notifications
from forum.services.accounts import resolve_user
from forum.services.blocks import block_state

BODY_MIN, BODY_MAX = 1, 5_000
PREVIEW_CHARS = 60
CONVERSATIONS_PER_PAGE = 20
MESSAGES_PER_PAGE = 30

BLOCKED_BY_RECIPIENT = "对方已将你屏蔽，无法发送私信"
BLOCKED_BY_SENDER = "你已屏蔽对方，请先解除屏蔽再发送私信"

P = ConversationParticipant


# --- sending ------------------------------------------------------------------------------


def validate_body(body: str | None) -> str:
    """The trimmed text, or a ValidationError with a Chinese message on ``body``."""
    if body and "\x00" in body:
        raise ValidationError("私信内容有误", {"body": "内容包含无效字符"})
    text = (body or "").strip()
    if len(text) < BODY_MIN:
        raise ValidationError("私信内容有误", {"body": "私信内容不能为空"})
    if len(text) > BODY_MAX:
        raise ValidationError("私信内容有误",
                              {"body": f"私信最多 {BODY_MAX} 字（当前 {len(text)} 字）"})
    return text


def refusal(sender: User, recipient: User, *, state: tuple[bool, bool] | None = None
            ) -> DomainError | None:
    """Why ``sender`` may not write to ``recipient`` now (an error to raise), or None."""
    if sender.id == recipient.id:
        return Conflict("不能给自己发私信")
    if not recipient.is_active:
        return Conflict("该用户已停用，无法接收私信")
    blocked_by_me, blocked_me = state if state is not None else block_state(sender, recipient)
    if blocked_by_me:
        return Conflict(BLOCKED_BY_SENDER)
    if blocked_me and not permissions.can_message_anyone(sender):
        return PermissionDenied(BLOCKED_BY_RECIPIENT)
    return None


def send_message(sender: User, recipient: User | str, body: str) -> Message:
    """Send a private message, starting the pair's conversation if there is none.

    Raises NotFound (unknown user), Conflict (oneself, inactive recipient, sender blocked the
    recipient), ValidationError (empty / too long), PermissionDenied (the recipient blocked
    the sender) and RateLimited (too many new conversations this hour).
    """
    recipient = resolve_user(recipient)
    if sender.id == recipient.id:
        raise Conflict("不能给自己发私信")
    text = validate_body(body)
    refused = refusal(sender, recipient)
    if refused is not None:
        raise refused
    conversation_id, created = _conversation_for_sending(sender, recipient)
    now = utcnow()
    message = Message(conversation_id=conversation_id, sender_id=sender.id, body=text,
                      body_html=render_markdown(text).html, created_at=now)
    db.session.add(message)
    db.session.flush()
    _record_activity(conversation_id, sender.id, message.id, now)
    # Queued now, created by a task once this transaction commits (never if it rolls back).
    notifications.notify(recipient.id, "message", {
        "actor_id": sender.id, "conversation_id": conversation_id, "message_id": message.id,
        "preview": preview(message)})
    events.emit(events.message_sent, message_id=message.id, conversation_id=conversation_id,
                sender_id=sender.id, recipient_id=recipient.id, new_conversation=created)
    events.commit()
    return message


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _find_conversation_id(a: int, b: int) -> int | None:
    low, high = _pair(a, b)
    return db.session.scalar(sa.select(Conversation.id).where(
        Conversation.user_low_id == low, Conversation.user_high_id == high))


def _conversation_for_sending(sender: User, recipient: User) -> tuple[int, bool]:
    """The pair's conversation id, created if needed: (id, created by this call).

    Two first messages at the same moment (A→B and B→A) meet at the unique pair: the insert
    is ON CONFLICT DO NOTHING, and the loser reads the winner's row once it has committed.
    """
    existing = _find_conversation_id(sender.id, recipient.id)
    if existing is not None:
        return existing, False
    if not permissions.can_message_anyone(sender):
        _check_new_conversation_quota(sender)
    low, high = _pair(sender.id, recipient.id)
    now = utcnow()
    insert = _insert_ignoring_conflicts(Conversation, ["user_low_id", "user_high_id"])
    created_id = db.session.execute(
        insert.values(user_low_id=low, user_high_id=high, created_by_id=sender.id,
                      created_at=now, message_count=0)
        .returning(Conversation.id)
    ).scalar()
    if created_id is None:
        conversation_id = _find_conversation_id(low, high)
        if conversation_id is None:  # pragma: no cover - the conflicting row must exist
            raise Conflict("会话创建冲突，请重试")
        return conversation_id, False
    db.session.execute(sa.insert(P), [
        {"conversation_id": created_id, "user_id": sender.id, "other_user_id": recipient.id,
         "last_activity_at": now},
        {"conversation_id": created_id, "user_id": recipient.id, "other_user_id": sender.id,
         "last_activity_at": now},
    ])
    return created_id, True


def _insert_ignoring_conflicts(model, index_elements: list[str]):
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - Huzhu runs on SQLite and PostgreSQL
        raise RuntimeError(f"unsupported database {dialect}")
    return insert(model).on_conflict_do_nothing(index_elements=index_elements)


def _check_new_conversation_quota(sender: User) -> None:
    limit = int(current_app.config.get("NEW_CONVERSATIONS_PER_HOUR", 5))
    if limit <= 0:
        return
    # Serialise one user's concurrent "new conversation" requests so the count below is
    # exact: a no-op UPDATE of their user row takes its row lock on PostgreSQL and the write
    # lock on SQLite (where SELECT … FOR UPDATE does not exist) until this transaction ends.
    db.session.execute(sa.update(User).where(User.id == sender.id).values(id=User.id)
                       .execution_options(synchronize_session=False))
    since = utcnow() - timedelta(hours=1)
    started = db.session.scalar(sa.select(sa.func.count(Conversation.id)).where(
        Conversation.created_by_id == sender.id, Conversation.created_at >= since))
    if started >= limit:
        raise RateLimited(f"每小时最多发起 {limit} 个新的私信会话，请稍后再试"
                          "（已有会话中的回复不受限制）")


def _newer(column, value):
    """``column`` raised to ``value`` but never lowered (concurrent sends commit in any order)."""
    return sa.case((sa.or_(column.is_(None), column < value), value), else_=column)


def _record_activity(conversation_id: int, sender_id: int, message_id: int, now) -> None:
    db.session.execute(
        sa.update(Conversation).where(Conversation.id == conversation_id).values(
            last_message_id=_newer(Conversation.last_message_id, message_id),
            last_message_at=_newer(Conversation.last_message_at, now),
            message_count=Conversation.message_count + 1))
    db.session.execute(
        sa.update(P).where(P.conversation_id == conversation_id)
        .values(last_activity_at=_newer(P.last_activity_at, now)))
    # Writing in a conversation means having read it up to here.
    db.session.execute(
        sa.update(P).where(P.conversation_id == conversation_id, P.user_id == sender_id)
        .values(last_read_message_id=_newer(P.last_read_message_id, message_id)))


# --- reading ------------------------------------------------------------------------------


@dataclass
class ConversationSummary:
    """One row of the conversation list."""

    conversation: Conversation
    other_user: User
    last_message: Message | None
    unread: int
    last_activity_at: object

    @property
    def preview(self) -> str:
        return preview(self.last_message)


def list_conversations(user: User, page: int, per_page: int = CONVERSATIONS_PER_PAGE) -> Page:
    """The user's conversations, newest activity first, each with the other user, the last
    message and its unread count. Three queries whatever the page holds."""
    stmt = (
        sa.select(P).where(P.user_id == user.id)
        .options(joinedload(P.other_user).lazyload(User.roles),
                 joinedload(P.conversation).joinedload(Conversation.last_message))
        .order_by(P.last_activity_at.desc(), P.conversation_id.desc())
    )
    result = paginate(stmt, page, per_page)
    unread = _unread_by_conversation(user, [row.conversation_id for row in result.items])
    result.items = [
        ConversationSummary(conversation=row.conversation, other_user=row.other_user,
                            last_message=row.conversation.last_message,
                            unread=unread.get(row.conversation_id, 0),
                            last_activity_at=row.last_activity_at)
        for row in result.items
    ]
    return result


def _unread_messages_join(user_id: int):
    """participants ⋈ messages: the messages of the other side after the user's read mark."""
    last_read = sa.func.coalesce(P.last_read_message_id, 0)
    return (
        sa.select(P.conversation_id, sa.func.count(Message.id))
        .select_from(P)
        # Only conversations with something newer than the read mark reach the messages.
        .join(Conversation, sa.and_(Conversation.id == P.conversation_id,
                                    Conversation.last_message_id > last_read))
        .join(Message, sa.and_(Message.conversation_id == P.conversation_id,
                               Message.id > last_read, Message.sender_id != user_id))
        .where(P.user_id == user_id)
    )


def _unread_by_conversation(user: User, conversation_ids: list[int]) -> dict[int, int]:
    if not conversation_ids:
        return {}
    stmt = (_unread_messages_join(user.id).where(P.conversation_id.in_(conversation_ids))
            .group_by(P.conversation_id))
    return {cid: n for cid, n in db.session.execute(stmt)}


def unread_count(user: User | None) -> int:
    """All unread private messages of ``user`` (one query)."""
    if not permissions.is_authenticated(user):
        return 0
    stmt = _unread_messages_join(user.id).with_only_columns(sa.func.count(Message.id))
    return int(db.session.scalar(stmt) or 0)


@dataclass
class ConversationView:
    """A conversation page: the other user, one page of messages (newest first), and whether
    the viewer may write (with the reason when not)."""

    other_user: User
    conversation: Conversation | None
    messages: Page
    blocked_by_me: bool
    blocked_me: bool
    refusal: str | None

    @property
    def can_send(self) -> bool:
        return self.refusal is None

    @property
    def messages_oldest_first(self) -> list[Message]:
        return list(reversed(self.messages.items))


def conversation_view(viewer: User, other: User | str, page: int,
                      per_page: int = MESSAGES_PER_PAGE, mark_read: bool = True
                      ) -> ConversationView:
    """The viewer's conversation with ``other`` (empty if they never wrote), page 1 being the
    newest messages. Reading marks the whole conversation read. A fixed number of queries."""
    other = resolve_user(other)
    if other.id == viewer.id:
        raise Conflict("不能给自己发私信")
    conversation = _conversation_of(viewer, other)
    if conversation is None:
        messages = Page(items=[], page=page, per_page=per_page, total=0)
    else:
        conversation_id, total = conversation.id, conversation.message_count
        newest = conversation.last_message_id
        # Marked before the page loads (clearing the bell may commit the session, which
        # expires loaded objects); up to the newest message so far, so one arriving
        # meanwhile stays unread.
        if mark_read and newest is not None and _mark_read(viewer.id, conversation_id, newest):
            _clear_message_notifications(viewer, other.id)
        stmt = (sa.select(Message).where(Message.conversation_id == conversation_id)
                .options(joinedload(Message.sender).lazyload(User.roles))
                .order_by(Message.id.desc()))
        messages = paginate(stmt, page, per_page, total=total)
    state = block_state(viewer, other)
    refused = refusal(viewer, other, state=state)
    return ConversationView(other_user=other, conversation=conversation, messages=messages,
                            blocked_by_me=state[0], blocked_me=state[1],
                            refusal=refused.message if refused else None)


def _conversation_of(viewer: User, other: User) -> Conversation | None:
    low, high = _pair(viewer.id, other.id)
    return db.session.scalar(sa.select(Conversation).where(
        Conversation.user_low_id == low, Conversation.user_high_id == high))


def get_conversation_or_404(viewer: User, conversation_id: int) -> Conversation:
    """A conversation by id, for its participants only; everyone else gets 404."""
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None or not permissions.can_read_conversation(viewer, conversation):
        raise NotFound("会话不存在")
    return conversation


def mark_read(viewer: User, other: User | str, up_to_message_id: int | None = None) -> int:
    """Mark the conversation with ``other`` read (up to a message, default: all). Returns the
    viewer's remaining unread total."""
    other = resolve_user(other)
    conversation = _conversation_of(viewer, other)
    if conversation is None:
        raise NotFound("会话不存在")
    last = conversation.last_message_id
    if up_to_message_id is not None and last is not None:
        last = min(last, up_to_message_id)
    if last is not None and _mark_read(viewer.id, conversation.id, last):
        _clear_message_notifications(viewer, other.id)
    return unread_count(viewer)


def _mark_read(user_id: int, conversation_id: int, message_id: int) -> bool:
    """Move the read mark forward (never back), committed at once in its own short
    transaction so the session's loaded objects stay loaded. Returns whether it moved."""
    with db.engine.begin() as conn:
        moved = conn.execute(
            sa.update(P.__table__)
            .where(P.conversation_id == conversation_id, P.user_id == user_id,
                   sa.or_(P.last_read_message_id.is_(None), P.last_read_message_id < message_id))
            .values(last_read_message_id=message_id)).rowcount
    return bool(moved)


def _clear_message_notifications(viewer: User, sender_id: int) -> None:
    """Reading a conversation also reads the bell's "X 给你发来 N 条私信" item from that
    sender (found by the group key the "message" kind gives it)."""
    group_key = notifications.kind_spec("message").group_key({"actor_id": sender_id})
    ids = list(db.session.scalars(sa.select(Notification.id).where(
        Notification.user_id == viewer.id, Notification.kind == "message",
        Notification.group_key == group_key, Notification.read_at.is_(None))))
    if ids:
        notifications.mark_read(viewer, ids)  # commits and updates the bell live


def preview(message: Message | None, chars: int = PREVIEW_CHARS) -> str:
    """The start of a message on one line, for lists and notifications."""
    if message is None:
        return ""
    text = " ".join(message.body.split())
    return text if len(text) <= chars else text[: chars - 1] + "…"


# --- live delivery ------------------------------------------------------------------------


def live_payload(message: Message) -> dict:
    """The ``message`` Socket.IO event's data (see README, real-time events)."""
    sender = message.sender
    created = message.created_at
    return {
        "conversation_id": message.conversation_id,
        "message": {
            "id": message.id,
            "sender": {"username": sender.username, "display_name": sender.display_name,
                       "avatar_initials": sender.initials, "avatar_hue": sender.avatar_hue},
            "body_html": message.body_html,
            "created_at": created.isoformat().replace("+00:00", "Z") if created else None,
        },
    }


def deliver_message(_sender=None, *, message_id: int, conversation_id: int, sender_id: int,
                    recipient_id: int, **_ignored) -> None:
    """After commit (``message_sent``): push the message to both participants' user rooms —
    the recipient's open pages and the sender's other tabs. The recipient's notification was
    queued by send_message. A failure is logged; the message itself is stored."""
    message = db.session.get(Message, message_id)
    if message is None:
        return
    payload = live_payload(message)
    for user_id in (recipient_id, sender_id):
        realtime.emit_to_user(user_id, "message", payload)  # logs and goes on if it fails


events.message_sent.connect(deliver_message, weak=False)
