"""Search (PRODUCT §5): the one interface pages, the API, tasks and the CLI use.

The query core is search/services/query.py (``search``, ``parse_filters``, stages), result
items search/services/results.py and hydration.py, indexing (the backend, ``sync``,
``rebuild``) search/services/indexing.py. This package re-exports them; none of those modules
takes a name from this file or imports ``search.tasks`` (the tasks import indexing.py and
plug their resync queue into it), so there is no import circle.
"""

from __future__ import annotations

from search.services.hydration import hydrate, hydrate_posts, register_hydrator
from search.services.indexing import (
    backend,
    create_backend,
    post_refs,
    rebuild,
    resync_later,
    set_resync,
    sync,
    topic_refs,
    total_to_index,
)
from search.services.query import (
    GRAM_SHARE,
    MAX_GRAMS,
    MAX_PAGE,
    MAX_PER_PAGE,
    PARTIAL_NOTICE,
    PER_PAGE,
    RELAX_BELOW,
    find_hits,
    gram_query,
    parse_filters,
    scope_for,
    search,
    suggestions,
)
from search.services.results import SearchResult, SearchResults

__all__ = [
    "GRAM_SHARE", "MAX_GRAMS", "MAX_PAGE", "MAX_PER_PAGE", "PARTIAL_NOTICE", "PER_PAGE",
    "RELAX_BELOW", "SearchResult", "SearchResults", "backend", "create_backend", "find_hits",
    "gram_query", "hydrate", "hydrate_posts", "parse_filters", "post_refs", "rebuild",
    "register_hydrator", "resync_later", "scope_for", "search", "set_resync", "suggestions",
    "sync", "topic_refs", "total_to_index",
]
