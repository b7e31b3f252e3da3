"""Topics and posts: create, reply, edit with revisions, soft delete, likes, accepted answers."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from forum import events
from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.inputs import MAX_ID
from forum.models import (
    PENDING,
    VISIBLE,
    Like,
    Post,
    PostRevision,
    Tag,
    Topic,
    Tribe,
    User,
    utcnow,
)
from forum.pagination import Page, paginate
from forum.permissions import (
    can_accept_answer,
    can_edit_post,
    can_view_post,
    can_view_topic,
    forget_tribe_moderators,
    is_authenticated,
    moderates,
)
from forum.rendering import find_mentions, render_markdown
from forum.services import floors, trust

TITLE_MIN, TITLE_MAX = 4, 80
BODY_MIN, BODY_MAX = 1, 20_000
TAGS_MAX, TAG_LEN_MAX = 5, 24


def validate_post_input(body: str, title: str | None = None, tags: list[str] | None = None) -> dict:
    """Field errors in Chinese; ``title`` is checked only for opening posts (not None)."""
    errors: dict[str, str] = {}
    for name, text in (("title", title), ("body", body)):
        if text and "\x00" in text:  # PostgreSQL cannot store NUL characters
            errors[name] = "内容包含无效字符"
    if errors:
        return errors
    if title is not None:
        n = len(title.strip())
        if not TITLE_MIN <= n <= TITLE_MAX:
            errors["title"] = f"标题须为 {TITLE_MIN}–{TITLE_MAX} 个字（当前 {n} 个）"
    n = len((body or "").strip())
    if not BODY_MIN <= n <= BODY_MAX:
        errors["body"] = "正文不能为空" if n == 0 else f"正文最多 {BODY_MAX} 字（当前 {n} 字）"
    if tags is not None:
        if len(tags) > TAGS_MAX:
            errors["tags"] = f"最多 {TAGS_MAX} 个标签"
        elif any(len(t) > TAG_LEN_MAX for t in tags):
            errors["tags"] = f"每个标签最多 {TAG_LEN_MAX} 个字"
    return errors


def parse_tags(raw: str | list[str] | None) -> list[str]:
    """'5G, 套餐 流量' or a list → unique tag names in order."""
    if raw is None:
        return []
    parts = raw if isinstance(raw, list) else raw.replace("，", ",").replace(",", " ").split()
    seen: dict[str, None] = {}
    for part in parts:
        name = str(part).strip().lstrip("#")
        if name:
            seen.setdefault(name, None)
    return list(seen)


def _tags(names: list[str]) -> list[Tag]:
    if not names:
        return []
    existing = {t.name: t for t in db.session.scalars(sa.select(Tag).where(Tag.name.in_(names)))}
    out = []
    for name in names:
        tag = existing.get(name)
        if tag is None:
            tag = Tag(name=name)
            db.session.add(tag)
        out.append(tag)
    return out


def profile_path(username: str) -> str:
    return f"/u/{quote(username)}"


def _render_into(post: Post, body: str) -> list[int]:
    """Render ``body`` into ``post``; returns the ids of existing users it mentions."""
    names = find_mentions(body)
    users = list(db.session.scalars(sa.select(User).where(User.username.in_(names)))) if names else []
    rendered = render_markdown(body, {u.username for u in users}, profile_url=profile_path)
    post.body = body
    post.body_html = rendered.html
    post.body_html_public = rendered.public_html
    post.has_pii = bool(rendered.pii)
    return [u.id for u in users]


def _post_event(post: Post, **extra) -> dict:
    return dict(post_id=post.id, topic_id=post.topic_id, tribe_id=post.topic.tribe_id,
                author_id=post.author_id, is_first=post.is_first, **extra)


def _bump(model, row_id: int, **deltas: int) -> None:
    """Atomic counter changes in SQL, safe under concurrent requests."""
    values = {name: getattr(model, name) + delta for name, delta in deltas.items()}
    db.session.execute(sa.update(model).where(model.id == row_id).values(**values))


def create_topic(author: User, tribe: Tribe, title: str, body: str, tags=None) -> Topic:
    tag_names = parse_tags(tags)
    errors = validate_post_input(body, title, tag_names)
    if errors:
        raise ValidationError("帖子内容有误", errors)
    trust.check_new_user_limits(author, body)
    held = trust.should_hold(author, tribe)
    now = utcnow()
    topic = Topic(tribe_id=tribe.id, author_id=author.id, title=title.strip(),
                  created_at=now, last_activity_at=now)
    topic.tags = _tags(tag_names)
    if held:
        topic.visibility = PENDING
    topic.last_floor = 1
    db.session.add(topic)
    db.session.flush()
    post = Post(topic_id=topic.id, author_id=author.id, is_first=True, created_at=now,
                floor=1, visibility=PENDING if held else VISIBLE)
    post.topic = topic
    mentions = _render_into(post, body.strip())
    db.session.add(post)
    db.session.flush()
    topic.first_post_id = post.id
    if held:
        trust.announce_held(post)
    else:
        publish_new_post(post, mentions)
    events.commit()
    return topic


def create_reply(author: User, topic: Topic, body: str) -> Post:
    if topic.is_deleted or not can_view_topic(author, topic):
        raise NotFound("帖子不存在")
    errors = validate_post_input(body)
    if errors:
        raise ValidationError("回复内容有误", errors)
    trust.check_new_user_limits(author, body)
    held = trust.should_hold(author, topic.tribe)
    post = Post(topic_id=topic.id, author_id=author.id, is_first=False, created_at=utcnow(),
                floor=floors.next_floor(topic), visibility=PENDING if held else VISIBLE)
    post.topic = topic
    mentions = _render_into(post, body.strip())
    db.session.add(post)
    db.session.flush()
    if held:
        trust.announce_held(post)
    else:
        publish_new_post(post, mentions)
    events.commit()
    return post


def publish_new_post(post: Post, mentions: list[int], now=None) -> None:
    """Count a new (or newly approved) post and announce it: counters, activity times and
    the ``post_created`` event (notifications, points, search, scoring follow from it)."""
    now = now or utcnow()
    topic = post.topic
    if post.is_first:
        _bump(Tribe, topic.tribe_id, topic_count=1)
        _bump(User, post.author_id, topic_count=1)
    else:
        _bump(Topic, topic.id, reply_count=1)
        db.session.execute(sa.update(Topic).where(Topic.id == topic.id)
                           .values(last_activity_at=now))
        _bump(Tribe, topic.tribe_id, reply_count=1)
        _bump(User, post.author_id, reply_count=1)
    db.session.execute(sa.update(Tribe).where(Tribe.id == topic.tribe_id)
                       .values(last_activity_at=now))
    extra = {} if post.is_first else {"topic_author_id": topic.author_id}
    events.emit(events.post_created, **_post_event(post, mentions=mentions, **extra))


def edit_post(editor: User, post: Post, body: str, title: str | None = None,
              tags=None) -> Post:
    """Edit text (and title/tags of an opening post), keeping the previous text as a revision."""
    if not can_edit_post(editor, post):
        raise PermissionDenied("你只能编辑自己的帖子")
    topic = post.topic
    tag_names = parse_tags(tags) if (post.is_first and tags is not None) else None
    new_title = title if post.is_first and title is not None else None
    errors = validate_post_input(body, new_title, tag_names)
    if errors:
        raise ValidationError("帖子内容有误", errors)
    if editor.id == post.author_id:
        trust.check_new_user_limits(editor, body)
    body = body.strip()
    title_changed = new_title is not None and new_title.strip() != topic.title
    if body != post.body or title_changed:
        db.session.add(PostRevision(post_id=post.id, editor_id=editor.id, body=post.body,
                                    title=topic.title if post.is_first else None))
        mentions = _render_into(post, body)
        post.edit_count += 1
        post.edited_at = utcnow()
        if title_changed:
            topic.title = new_title.strip()
        events.emit(events.post_edited, **_post_event(post, editor_id=editor.id,
                                                      mentions=mentions))
    if tag_names is not None:
        topic.tags = _tags(tag_names)
    events.commit()
    return post


def delete_post(actor: User, post: Post) -> None:
    """Soft delete. Deleting the opening post deletes the topic; nothing is erased."""
    if not can_edit_post(actor, post):
        raise PermissionDenied("你只能删除自己的帖子")
    topic = post.topic
    now = utcnow()
    post.deleted_at = now
    post.deleted_by_id = actor.id
    by_moderator = actor.id != post.author_id
    if post.visibility == PENDING:  # never counted nor announced: nothing to undo
        if post.is_first:
            topic.deleted_at = now
        events.commit()
        return
    if post.is_first:
        topic.deleted_at = now
        db.session.flush()  # holds the topic row: an accept can no longer move the mark
        db.session.refresh(topic, ["accepted_post_id"])
        if topic.visibility == VISIBLE:
            _bump(Tribe, topic.tribe_id, topic_count=-1, reply_count=-topic.reply_count,
                  solved_count=-1 if topic.solved else 0)
        _bump(User, post.author_id, topic_count=-1)
    else:
        # The topic row first, as accept_answer does, so the two cannot deadlock.
        unaccepted = (topic.accepted_post_id == post.id
                      and _swap_accepted(topic, post.id, None))
        if post.visibility == VISIBLE:  # hidden replies already left the topic's counts
            _bump(Topic, topic.id, reply_count=-1)
            if topic.visibility == VISIBLE:
                _bump(Tribe, topic.tribe_id, reply_count=-1)
        _bump(User, post.author_id, reply_count=-1)
        if unaccepted:
            _bump(Tribe, topic.tribe_id, solved_count=-1)
            _bump(User, post.author_id, accepted_count=-1)
    events.emit(events.post_removed, **_post_event(post, removed_by_id=actor.id,
                                                   by_moderator=by_moderator))
    events.commit()


def _get(model, row_id: int, options=()):
    return db.session.get(model, row_id, options=options) if 0 < row_id <= MAX_ID else None


def with_author(relationship):
    """Eager-load an author for display in the same query, but not the author's roles:
    ``User.roles`` is eager by default (permission checks on the current user), and on a list
    page that cascade costs a query and dozens of objects per page for nothing."""
    return joinedload(relationship).lazyload(User.roles)


# The tribe is shown with the topic; its moderators load only if a permission check needs them.
_TOPIC_OPTIONS = (joinedload(Topic.tribe).lazyload(Tribe.moderators),)


def get_topic_or_404(topic_id: int, viewer: User | None = None) -> Topic:
    topic = _get(Topic, topic_id, _TOPIC_OPTIONS)
    if topic is None or not can_view_topic(viewer, topic):
        raise NotFound("帖子不存在或已被删除")
    return topic


def get_post_or_404(post_id: int, viewer: User | None = None) -> Post:
    post = _get(Post, post_id)
    if (post is None or post.is_deleted or not can_view_topic(viewer, post.topic)
            or not can_view_post(viewer, post)):
        raise NotFound("回复不存在或已被删除")
    return post


def set_like(user: User, post: Post, like: bool) -> tuple[bool, int]:
    """Like or unlike; one per user, never one's own post. Returns (liked, like_count)."""
    if post.is_deleted:
        raise NotFound("帖子不存在或已被删除")
    if post.author_id == user.id:
        raise Conflict("不能给自己的帖子点赞")
    existing = db.session.get(Like, (user.id, post.id))
    if like == (existing is not None):
        return like, post.like_count
    delta = 1 if like else -1
    if like:
        db.session.add(Like(user_id=user.id, post_id=post.id))
        try:
            db.session.flush()
        except sa.exc.IntegrityError:  # a concurrent request already liked it
            db.session.rollback()
            return True, db.session.get(Post, post.id).like_count
    else:
        # Checking the DELETE's row count: an ORM delete of a row a concurrent unlike already
        # removed only warns, and the counters would drop twice.
        db.session.expunge(existing)
        gone = db.session.execute(sa.delete(Like).where(
            Like.user_id == user.id, Like.post_id == post.id)).rowcount
        if gone != 1:
            db.session.rollback()
            return False, db.session.get(Post, post.id).like_count
    _bump(Post, post.id, like_count=delta)
    _bump(User, post.author_id, like_received_count=delta)
    if post.is_first:
        _bump(Topic, post.topic_id, like_count=delta)
    events.emit(events.post_liked, **_post_event(post, user_id=user.id, liked=like))
    events.commit()
    db.session.refresh(post)
    return like, post.like_count


def toggle_like(user: User, post: Post) -> tuple[bool, int]:
    return set_like(user, post, not has_liked(user, post))


def has_liked(user: User | None, post: Post) -> bool:
    if not is_authenticated(user):
        return False
    return db.session.get(Like, (user.id, post.id)) is not None


def accept_answer(actor: User, topic: Topic, post: Post) -> Topic:
    """Mark ``post`` as the accepted answer (最佳答案); one per topic, changeable.

    The mark moves by a compare-and-set on the topic row: of concurrent requests only the one
    whose UPDATE still finds the value it read moves the counters, and holding the topic row
    first (before any user row) keeps two opposite accepts from deadlocking on the authors."""
    if not can_accept_answer(actor, topic):
        raise PermissionDenied("只有提问者或版主可以采纳答案")
    if post.topic_id != topic.id or post.is_first or post.is_deleted:
        raise ValidationError("只能采纳本帖中的回复", {"reply_id": "回复不属于该帖子"})
    while True:
        previous_id = topic.accepted_post_id
        if previous_id == post.id:
            return topic
        if _swap_accepted(topic, previous_id, post.id):
            break
        db.session.refresh(topic)  # another request moved the mark: start from its value
        if topic.is_deleted:
            raise NotFound("帖子不存在或已被删除")
    if previous_id is None:
        _bump(Tribe, topic.tribe_id, solved_count=1)
    deltas = Counter({post.author_id: 1})
    if previous_id is not None:
        deltas[db.session.get(Post, previous_id).author_id] -= 1
    # Users in id order, as every writer of several user rows (rewards' points) takes them.
    for user_id in sorted(deltas):
        if deltas[user_id]:
            _bump(User, user_id, accepted_count=deltas[user_id])
    events.emit(events.answer_accepted, topic_id=topic.id, tribe_id=topic.tribe_id,
                post_id=post.id, post_author_id=post.author_id, topic_author_id=topic.author_id,
                accepted_by_id=actor.id, previous_post_id=previous_id)
    events.commit()
    return topic


def _swap_accepted(topic: Topic, expected: int | None, new: int | None) -> bool:
    """Set the accepted reply if it is still ``expected``; True if this transaction did it.

    Under READ COMMITTED a concurrent UPDATE waits for the row lock and then re-checks the
    WHERE against the committed value, so exactly one of two racing swaps matches."""
    still = (Topic.accepted_post_id.is_(None) if expected is None
             else Topic.accepted_post_id == expected)
    result = db.session.execute(
        sa.update(Topic).where(Topic.id == topic.id, Topic.deleted_at.is_(None), still)
        .values(accepted_post_id=new).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    set_committed_value(topic, "accepted_post_id", new)
    return True


@dataclass
class TopicPage:
    topic: Topic
    first_post: Post
    replies: Page
    liked_post_ids: set[int]
    accepted_post: Post | None


def topic_page(topic: Topic, viewer: User | None, page: int, per_page: int) -> TopicPage:
    """Everything a topic page shows, in a fixed number of queries whatever the page size."""
    stmt = (
        sa.select(Post)
        .where(Post.topic_id == topic.id, Post.is_first.is_(False), Post.deleted_at.is_(None))
        .options(with_author(Post.author))
        .order_by(Post.id)
    )
    # reply_count counts visible replies; moderators also see hidden and held ones, so their
    # pages are counted (rare: a moderator reading a thread with hidden replies).
    total = None
    if not (is_authenticated(viewer) and moderates(viewer, topic.tribe)):
        visible = Post.visibility == VISIBLE
        if is_authenticated(viewer):
            visible = visible | (Post.author_id == viewer.id)
        stmt = stmt.where(visible)
        total = topic.reply_count
    replies = paginate(stmt, page, per_page, total=total)
    first = db.session.scalar(
        sa.select(Post).where(Post.id == topic.first_post_id).options(with_author(Post.author))
    )
    accepted = None
    if topic.accepted_post_id:
        accepted = next((p for p in replies.items if p.id == topic.accepted_post_id), None)
        if accepted is None:
            accepted = db.session.scalar(sa.select(Post).where(Post.id == topic.accepted_post_id)
                                         .options(with_author(Post.author)))
    liked: set[int] = set()
    if is_authenticated(viewer):
        ids = [first.id] + [p.id for p in replies.items] + ([accepted.id] if accepted else [])
        liked = set(db.session.scalars(
            sa.select(Like.post_id).where(Like.user_id == viewer.id, Like.post_id.in_(ids))))
    return TopicPage(topic=topic, first_post=first, replies=replies, liked_post_ids=liked,
                     accepted_post=accepted)


def reply_position(post: Post) -> int:
    """1-based position of a reply among its topic's undeleted replies, to link to its page."""
    position = db.session.scalar(
        sa.select(sa.func.count()).select_from(Post)
        .where(Post.topic_id == post.topic_id, Post.is_first.is_(False),
               Post.deleted_at.is_(None), Post.id <= post.id))
    return max(1, position or 0)


def revisions(post: Post) -> list[PostRevision]:
    return list(db.session.scalars(
        sa.select(PostRevision).where(PostRevision.post_id == post.id)
        .options(selectinload(PostRevision.editor)).order_by(PostRevision.id.desc())
    ))


def _public_topics():
    return (sa.select(Topic)
            .where(Topic.deleted_at.is_(None), Topic.visibility == VISIBLE)
            .options(with_author(Topic.author),
                     joinedload(Topic.tribe).lazyload(Tribe.moderators)))


def latest_topics(limit: int = 20) -> list[Topic]:
    return list(db.session.scalars(
        _public_topics().order_by(Topic.last_activity_at.desc(), Topic.id.desc()).limit(limit)))


def hot_topics(limit: int = 10, days: int = 7) -> list[Topic]:
    """Topics with the most replies and likes in the last ``days`` days (cached briefly)."""
    key = (limit, days, db.engine.url.render_as_string())
    cached = _hot_cache.get(key)
    if cached and cached[0] > time.monotonic():
        ids = cached[1]
    else:
        since = utcnow() - timedelta(days=days)
        activity: Counter[int] = Counter()
        reply_rows = db.session.execute(
            sa.select(Post.topic_id, sa.func.count()).where(
                Post.created_at >= since, Post.is_first.is_(False), Post.deleted_at.is_(None))
            .group_by(Post.topic_id))
        for topic_id, n in reply_rows:
            activity[topic_id] += n
        like_rows = db.session.execute(
            sa.select(Post.topic_id, sa.func.count()).join(Like, Like.post_id == Post.id)
            .where(Like.created_at >= since).group_by(Post.topic_id))
        for topic_id, n in like_rows:
            activity[topic_id] += n
        ids = [tid for tid, _ in activity.most_common(limit * 3)]
        _hot_cache[key] = (time.monotonic() + HOT_CACHE_SECONDS, ids)
    if not ids:
        return []
    # The cached ranking may name topics hidden or deleted since; pick the first ``limit``
    # public ones by id (cheap), then load only those with their authors and tribes.
    public = set(db.session.scalars(sa.select(Topic.id).where(
        Topic.id.in_(ids), Topic.deleted_at.is_(None), Topic.visibility == VISIBLE)))
    wanted = [i for i in ids if i in public][:limit]
    topics = {t.id: t for t in db.session.scalars(_public_topics().where(Topic.id.in_(wanted)))}
    return [topics[i] for i in wanted if i in topics]


HOT_CACHE_SECONDS = 60.0
_hot_cache: dict = {}


def clear_caches() -> None:
    """Empty the in-process caches of the forum's pages (tests; after bulk changes)."""
    _hot_cache.clear()
    forget_tribe_moderators()


def user_recent_posts(user: User, limit: int = 10) -> list[Post]:
    return list(db.session.scalars(
        sa.select(Post).join(Topic, Topic.id == Post.topic_id)
        .where(Post.author_id == user.id, Post.deleted_at.is_(None),
               Post.visibility == VISIBLE, Topic.deleted_at.is_(None),
               Topic.visibility == VISIBLE)
        .options(selectinload(Post.topic).selectinload(Topic.tribe))
        .order_by(Post.created_at.desc()).limit(limit)
    ))


def topics_by_tag(tag_name: str, page: int, per_page: int) -> Page:
    stmt = (_public_topics().join(Topic.tags).where(Tag.name == tag_name)
            .order_by(Topic.last_activity_at.desc()))
    return paginate(stmt, page, per_page)


class ViewCounter:
    """Buffers topic views in memory and writes them in one batch every few seconds.

    Writing a counter on every read serialises readers on the topic row; a short buffer
    keeps pages read-only. Each process flushes its own buffer.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[int] = Counter()
        self._last_flush = time.monotonic()

    def record(self, topic_id: int) -> None:
        with self._lock:
            self._pending[topic_id] += 1

    def pending(self, topic_id: int) -> int:
        with self._lock:
            return self._pending.get(topic_id, 0)

    def discard(self) -> None:
        with self._lock:
            self._pending.clear()

    def due(self, interval: float) -> bool:
        return bool(self._pending) and time.monotonic() - self._last_flush >= interval

    def flush(self) -> int:
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._last_flush = time.monotonic()
        for topic_id, n in pending.items():
            db.session.execute(sa.update(Topic).where(Topic.id == topic_id)
                               .values(view_count=Topic.view_count + n))
        if pending:
            db.session.commit()
        return sum(pending.values())


view_counter = ViewCounter()
