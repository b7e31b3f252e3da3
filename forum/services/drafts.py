"""Composer drafts (草稿), the composer's live preview and @mention suggestions.

A draft is saved per user per composer key (see forum/models/drafts.py): ``topic:<tribe_id>``,
``reply:<topic_id>``, ``edit:<post_id>``, ``message:<username>``. Saving is an upsert on the
(user, key) unique constraint, so concurrent autosaves of one composer leave one row.

Drafts are discarded when the text is published. The forum publishes through
``forum.services.topics`` and ``forum.services.messages``, which emit ``post_created``,
``post_edited`` and ``message_sent`` after commit; ``connect()`` subscribes to those (called
once when forum/views/drafts.py is imported), so every way of publishing — pages and API —
discards the draft without the publishing code knowing drafts exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from forum import events
from forum.errors import NotFound, ValidationError
from forum.extensions import db
from forum.models import Post, Topic, Tribe, User, utcnow
from forum.models.drafts import Draft
from forum.pagination import Page, paginate
from forum.permissions import can_edit_post, can_view_topic
from forum.rendering import USERNAME_CHARS, find_mentions, render_markdown
from forum.services import messages as message_service
from forum.services import topics as topic_service

KINDS = ("topic", "reply", "edit", "message")
KEY_RE = re.compile(rf"^(topic|reply|edit):([1-9][0-9]{{0,9}})$|^message:([{USERNAME_CHARS}]{{3,20}})$")
TAGS_TEXT_MAX = 200
DRAFTS_PER_PAGE = 20
PREVIEW_MAX = topic_service.BODY_MAX
SUGGEST_LIMIT = 8
SUGGEST_QUERY_MAX = 20


@dataclass(frozen=True)
class DraftKey:
    kind: str
    target: str  # an id (as text) or a username

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.target}"


def parse_key(key: str) -> DraftKey:
    """A composer key, or NotFound: an unknown key names no composer."""
    match = KEY_RE.match(key or "")
    if not match:
        raise NotFound("草稿不存在")
    if match.group(3):
        return DraftKey("message", match.group(3))
    return DraftKey(match.group(1), match.group(2))


def body_max(key: DraftKey) -> int:
    """Drafts are limited like what they become: a private message or a post."""
    return message_service.BODY_MAX if key.kind == "message" else topic_service.BODY_MAX


def _validate(key: DraftKey, title: str, body: str, tags: str) -> None:
    errors: dict[str, str] = {}
    for name, text in (("title", title), ("body", body), ("tags", tags)):
        if "\x00" in text:  # PostgreSQL cannot store NUL characters
            errors[name] = "内容包含无效字符"
    limit = body_max(key)
    if len(body) > limit:
        what = "私信" if key.kind == "message" else "正文"
        errors.setdefault("body", f"{what}最多 {limit} 字（当前 {len(body)} 字），草稿未保存")
    if len(title) > topic_service.TITLE_MAX:
        errors.setdefault("title", f"标题最多 {topic_service.TITLE_MAX} 个字"
                                   f"（当前 {len(title)} 个），草稿未保存")
    if len(tags) > TAGS_TEXT_MAX:
        errors.setdefault("tags", f"标签最多 {TAGS_TEXT_MAX} 个字符，草稿未保存")
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)


def _check_target(user: User, key: DraftKey) -> None:
    """The composer must exist and be one the user may write in (404 otherwise)."""
    if key.kind == "topic":
        ok = db.session.get(Tribe, int(key.target)) is not None
    elif key.kind == "reply":
        topic = db.session.get(Topic, int(key.target))
        ok = topic is not None and not topic.is_deleted and can_view_topic(user, topic)
    elif key.kind == "edit":
        post = db.session.get(Post, int(key.target))
        ok = post is not None and can_edit_post(user, post)
    else:
        other = db.session.scalar(sa.select(User).where(User.username == key.target))
        ok = other is not None and other.id != user.id
    if not ok:
        raise NotFound("草稿对应的帖子、部落或用户不存在")


def get_draft(user: User, key: str) -> Draft | None:
    """The user's draft for this composer, or None (never another user's)."""
    match = KEY_RE.match(key or "")
    if not match or user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(sa.select(Draft).where(Draft.user_id == user.id, Draft.key == key))


def get_draft_or_404(user: User, key: str) -> Draft:
    draft = get_draft(user, parse_key(key).value)
    if draft is None:
        raise NotFound("草稿不存在")
    return draft


def save_draft(user: User, key: str, body: str = "", title: str = "", tags: str = "") -> Draft | None:
    """Create or replace the user's draft for a composer; an all-empty draft is discarded.

    Over-long fields raise ValidationError (422) and keep the previous draft. Returns the
    saved draft, or None when it was discarded.
    """
    parsed = parse_key(key)
    title, body, tags = title or "", body or "", tags or ""
    if parsed.kind not in ("topic", "edit"):
        title, tags = "", ""  # only opening posts have a title and tags
    _validate(parsed, title, body, tags)
    _check_target(user, parsed)
    if not (title.strip() or body.strip() or tags.strip()):
        discard_draft(user, parsed.value)
        return None
    now = utcnow()
    values = dict(user_id=user.id, key=parsed.value, title=title, body=body, tags=tags,
                  created_at=now, updated_at=now)
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(Draft).values(**values)
    # One atomic statement: two racing autosaves both succeed and the later one wins.
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id", "key"],
        set_={"title": title, "body": body, "tags": tags, "updated_at": now})
    db.session.execute(stmt)
    db.session.commit()
    draft = get_draft(user, parsed.value)
    db.session.refresh(draft)
    return draft


def discard_draft(user: User, key: str) -> bool:
    """Delete the user's draft for a composer; True if there was one."""
    parsed = parse_key(key)
    result = db.session.execute(
        sa.delete(Draft).where(Draft.user_id == user.id, Draft.key == parsed.value))
    db.session.commit()
    return bool(result.rowcount)


def list_drafts(user: User, page: int = 1, per_page: int = DRAFTS_PER_PAGE) -> Page:
    """The user's drafts, most recently saved first."""
    stmt = (sa.select(Draft).where(Draft.user_id == user.id)
            .order_by(Draft.updated_at.desc(), Draft.id.desc()))
    return paginate(stmt, page, per_page)


@dataclass
class DraftPlace:
    """Where a draft continues: a label for people and the endpoint + arguments of its page."""

    label: str
    endpoint: str | None
    args: dict
    anchor: str = ""


def describe(drafts: list[Draft]) -> dict[int, DraftPlace]:
    """Labels and links of a page of drafts, loading their tribes, topics, posts and users in
    one query per kind."""
    by_kind: dict[str, set] = {kind: set() for kind in KINDS}
    for draft in drafts:
        key = parse_key(draft.key)
        by_kind[key.kind].add(key.target)
    tribes = _load(Tribe, Tribe.id, {int(i) for i in by_kind["topic"]})
    topics = _load(Topic, Topic.id, {int(i) for i in by_kind["reply"]})
    posts = _load(Post, Post.id, {int(i) for i in by_kind["edit"]})
    users = _load(User, User.username, by_kind["message"])
    places: dict[int, DraftPlace] = {}
    for draft in drafts:
        key = parse_key(draft.key)
        place = DraftPlace("已不存在的草稿", None, {})
        if key.kind == "topic" and int(key.target) in tribes:
            tribe = tribes[int(key.target)]
            place = DraftPlace(f"新帖 · {tribe.name}", "forum.new_topic", {"slug": tribe.slug})
        elif key.kind == "reply" and int(key.target) in topics:
            topic = topics[int(key.target)]
            place = DraftPlace(f"回复 · {topic.title}", "forum.topic", {"topic_id": topic.id},
                               "#reply")
        elif key.kind == "edit" and int(key.target) in posts:
            post = posts[int(key.target)]
            what = "编辑帖子" if post.is_first else "编辑回复"
            place = DraftPlace(f"{what} · {post.topic.title}", "forum.edit_post",
                               {"post_id": post.id})
        elif key.kind == "message" and key.target in users:
            other = users[key.target]
            place = DraftPlace(f"私信 · {other.display_name}", "forum.messages_conversation",
                               {"username": other.username}, "#compose")
        places[draft.id] = place
    return places


def _load(model, column, values: set) -> dict:
    if not values:
        return {}
    return {getattr(row, column.key): row
            for row in db.session.scalars(sa.select(model).where(column.in_(values)))}


# --- discarding on publish ------------------------------------------------------------------


def _discard_quietly(user_id: int, key: str) -> None:
    db.session.execute(sa.delete(Draft).where(Draft.user_id == user_id, Draft.key == key))
    db.session.commit()


def on_post_created(sender, *, author_id: int, topic_id: int, tribe_id: int, is_first: bool,
                    **_) -> None:
    _discard_quietly(author_id, f"topic:{tribe_id}" if is_first else f"reply:{topic_id}")


def on_post_edited(sender, *, post_id: int, editor_id: int, **_) -> None:
    _discard_quietly(editor_id, f"edit:{post_id}")


def on_message_sent(sender, *, sender_id: int, recipient_id: int, **_) -> None:
    username = db.session.scalar(sa.select(User.username).where(User.id == recipient_id))
    if username:
        _discard_quietly(sender_id, f"message:{username}")


def connect() -> None:
    """Subscribe to the publishing events (idempotent: blinker keeps one connection each)."""
    events.post_created.connect(on_post_created)
    events.post_edited.connect(on_post_edited)
    events.message_sent.connect(on_message_sent)


# --- preview and mention suggestions --------------------------------------------------------


def render_preview(body: str) -> str:
    """The composer's preview: rendered exactly as a post is (Markdown, @mentions of existing
    users, the same sanitizer), as the author sees it (personal data not masked)."""
    body = body or ""
    if "\x00" in body:
        raise ValidationError("内容包含无效字符", {"body": "内容包含无效字符"})
    if len(body) > PREVIEW_MAX:
        raise ValidationError(f"内容最多 {PREVIEW_MAX} 字，无法预览",
                              {"body": f"内容最多 {PREVIEW_MAX} 字（当前 {len(body)} 字）"})
    names = find_mentions(body)
    known = set(db.session.scalars(sa.select(User.username).where(User.username.in_(names)))) \
        if names else set()
    return render_markdown(body.strip(), known, profile_url=topic_service.profile_path).html


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def suggest_users(viewer: User, query: str, limit: int = SUGGEST_LIMIT) -> list[User]:
    """Active users whose username or display name starts with ``query`` (case-insensitive),
    usernames matching first; the viewer is left out."""
    query = (query or "").strip().lstrip("@")[:SUGGEST_QUERY_MAX]
    if not query or "\x00" in query:
        return []
    pattern = _like_prefix(query)
    by_name = User.username.ilike(pattern, escape="\\")
    stmt = (sa.select(User)
            .where(User.is_active_account.is_(True), User.id != viewer.id,
                   by_name | User.display_name.ilike(pattern, escape="\\"))
            .order_by(sa.case((by_name, 0), else_=1), User.username)
            .limit(max(1, min(limit, SUGGEST_LIMIT))))
    return list(db.session.scalars(stmt))
