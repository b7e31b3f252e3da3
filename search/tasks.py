"""Celery tasks of search: thin, idempotent wrappers around ``search.services``.

Each reads the current state from the database when it runs, so running one twice, late or
out of order still leaves the index right. Moderation (hide, cold handling) and ideas call
``index_post`` / ``reindex_topic`` / ``sync_refs`` through ``forum.tasks.enqueue_after_commit``.
"""

from __future__ import annotations

from forum.tasks import task


@task(name="search.index_post")
def index_post(post_id: int) -> None:
    """Index one post (a topic's opening post or a reply) as it is now, or drop it."""
    from search import services

    services.sync(services.post_refs([post_id]))


@task(name="search.reindex_topic")
def reindex_topic(topic_id: int) -> None:
    """Every post of a topic: after its title, solved state or visibility changed."""
    from search import services

    services.sync(services.topic_refs(topic_id))


@task(name="search.sync_refs")
def sync_refs(refs: list[str]) -> None:
    """Documents named by source refs ("post:12", later "idea:3")."""
    from search import services

    services.sync(list(refs))
