"""What the index holds: forum posts as search documents, and who may find each one.

Both backends index the same ``SearchDoc``s, built here from the database at the moment of
indexing (never from an event's payload), so a late or repeated task writes the current
state. The same rule decides at query time whether a hit may still be shown, so a stale
index entry never leaks a post that was hidden a moment ago.

Sources are named in the index queue as ``"post:123"``. Other packages' content (ideas, for
employees only) arrives through ``forum.searchable``: each registered kind becomes a source
here (search/services/external.py) without search importing the package.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from forum.extensions import db
from forum.models import COLD, VISIBLE, Post, Topic, Tribe, User
from forum.rendering import mask_pii
from search.models import REPLY, TOPIC
from search.services.external import external_sources
from search.services.sources import (
    SOURCES,
    Loaded,
    SearchDoc,
    Source,
    ref,
    register_source,
)


def sources() -> dict[str, Source]:
    """The forum's own sources and one per kind other packages registered with this app."""
    return {**SOURCES, **external_sources()}


def parse_refs(refs: Iterable[str]) -> dict[str, list[int]]:
    """"post:1", "post:2" → {"post": [1, 2]}; malformed or unknown refs are skipped."""
    out: dict[str, list[int]] = {}
    known = sources()
    for item in refs:
        name, _, raw_id = str(item).strip().partition(":")
        if name in known and raw_id.isdigit():
            out.setdefault(name, [])
            if int(raw_id) not in out[name]:
                out[name].append(int(raw_id))
    return out


def load(refs: Iterable[str], session: Session | None = None) -> Loaded:
    session = session or db.session
    loaded = Loaded()
    known = sources()
    for name, ids in parse_refs(refs).items():
        part = known[name].load(ids, session)
        loaded.docs += part.docs
        loaded.deleted_keys += part.deleted_keys
    return loaded


@contextmanager
def fresh_session() -> Iterator[Session]:
    """A session of its own for indexing: the newest snapshot of the database (an SQLite
    reader keeps the snapshot its transaction began with), and the caller's unit of work is
    left alone."""
    session = Session(db.engine)
    try:
        yield session
    finally:
        session.close()


# --- text -----------------------------------------------------------------------------------

_BLOCK_TAG_RE = re.compile(
    r"</?(?:p|br|hr|li|ul|ol|h[1-6]|pre|blockquote|table|thead|tbody|tr|td|th)\b[^>]*>", re.I)
_TAG_RE = re.compile(r"<[^>]+>")


def html_to_text(fragment: str) -> str:
    """Our sanitized post HTML as plain text, as a reader sees it (for index and snippets)."""
    text = _BLOCK_TAG_RE.sub(" ", fragment or "")
    text = html.unescape(_TAG_RE.sub("", text))
    return " ".join(text.split())


# --- posts ----------------------------------------------------------------------------------


def post_owner(post: Post) -> tuple[bool, int | None]:
    """(searchable, owner_id): may anyone find this post, and is it only for one user?

    Deleted and hidden posts (or posts in a deleted or hidden topic) are found by nobody; a
    cold-handled post or topic (冷处理) only by its author. Unknown future states count as
    hidden, so a new moderation state can never leak through search.
    """
    topic = post.topic
    if post.is_deleted or topic.is_deleted:
        return False, None
    owners: set[int] = set()
    for visibility, author_id in ((post.visibility, post.author_id),
                                  (topic.visibility, topic.author_id)):
        if visibility == COLD:
            owners.add(author_id)
        elif visibility != VISIBLE:
            return False, None
    if len(owners) > 1:  # a cold reply by someone else in a cold topic: nobody may see both
        return False, None
    return True, (owners.pop() if owners else None)


def may_find(viewer_id: int | None, post: Post) -> bool:
    searchable, owner = post_owner(post)
    return searchable and (owner is None or owner == viewer_id)


def post_document(post: Post) -> SearchDoc | None:
    searchable, owner = post_owner(post)
    if not searchable:
        return None
    topic = post.topic
    return SearchDoc(
        kind=TOPIC if post.is_first else REPLY,
        object_id=post.id,
        created_at=post.created_at,
        # Personal data is masked in what is indexed: nobody finds a post by someone's
        # phone number, and snippets are cut from text each viewer may see (views).
        title=mask_pii(topic.title) if post.is_first else "",
        body=html_to_text(post.body_html_public or post.body_html),
        topic_id=topic.id,
        tribe_id=topic.tribe_id,
        author_id=post.author_id,
        owner_id=owner,
        solved=topic.accepted_post_id is not None,
    )


def _load_posts(ids: list[int], session: Session) -> Loaded:
    posts = {p.id: p for p in session.scalars(
        sa.select(Post).where(Post.id.in_(ids))
        .options(joinedload(Post.topic).lazyload(Topic.tribe)))}
    loaded = Loaded()
    for post_id in ids:
        post = posts.get(post_id)
        doc = post_document(post) if post is not None else None
        if doc is not None:
            loaded.docs.append(doc)
        else:
            loaded.deleted_keys += [f"{TOPIC}:{post_id}", f"{REPLY}:{post_id}"]
    return loaded


def _all_post_ids(session: Session, batch: int) -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(session.scalars(sa.select(Post.id).where(Post.id > last)
                                   .order_by(Post.id).limit(batch)))
        if not ids:
            return
        yield ids
        last = ids[-1]
        session.expunge_all()  # keep memory flat over a long rebuild


def _count_posts(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count(Post.id))) or 0


def topic_post_refs(topic_id: int) -> list[str]:
    """Every post of a topic, for a reindex after the topic itself changed."""
    ids = db.session.scalars(sa.select(Post.id).where(Post.topic_id == topic_id).order_by(Post.id))
    return [ref("post", i) for i in ids]


def posts_for_hits(post_ids: list[int]) -> dict[int, Post]:
    """The posts behind a page of hits, with topic, tribe and author in one query."""
    if not post_ids:
        return {}
    stmt = (sa.select(Post).where(Post.id.in_(post_ids))
            .options(joinedload(Post.topic).joinedload(Topic.tribe).lazyload(Tribe.moderators),
                     joinedload(Post.author).lazyload(User.roles)))
    return {p.id: p for p in db.session.scalars(stmt).unique()}


register_source("post", Source(load=_load_posts, all_ids=_all_post_ids, count=_count_posts))
