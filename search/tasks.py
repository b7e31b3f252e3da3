"""Celery tasks of search: thin, idempotent wrappers around ``search.services.indexing``.

Each reads the current state from the database when it runs, so running one twice, late or
out of order still leaves the index right. Moderation (hide, cold handling) and ideas call
``index_post`` / ``reindex_topic`` / ``sync_refs`` through ``forum.tasks.enqueue_after_commit``.
"""

from __future__ import annotations

from forum.tasks import send_now, task
from search.services import indexing


@task(name="search.index_post")
def index_post(post_id: int) -> None:
    """Index one post (a topic's opening post or a reply) as it is now, or drop it."""
    indexing.sync(indexing.post_refs([post_id]))


@task(name="search.reindex_topic")
def reindex_topic(topic_id: int) -> None:
    """Every post of a topic: after its title, solved state or visibility changed."""
    indexing.sync(indexing.topic_refs(topic_id))


@task(name="search.sync_refs")
def sync_refs(refs: list[str]) -> None:
    """Documents named by source refs ("post:12", later "idea:3")."""
    indexing.sync(list(refs))


def _resync_later(refs: list[str]) -> None:
    send_now(sync_refs, refs)


# A search that meets stale hits queues their resync here (see indexing.resync_later).
indexing.set_resync(_resync_later)
