"""What a search returns to pages and the API: result items and a page of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup

from forum.models import Tribe, User
from forum.pagination import Page
from search.parsing import ParsedQuery
from search.services.base import Filters


@dataclass
class SearchResult:
    kind: str
    id: int  # topic id for a topic, post id for a reply (the API's "id")
    topic_id: int | None
    post_id: int | None
    title: str
    title_html: Markup
    snippet_html: Markup
    score: float
    created_at: datetime
    solved: bool = False
    tribe: Tribe | None = None
    author: User | None = None
    url: str | None = None  # set for other packages' kinds (an idea's page)


@dataclass
class SearchResults:
    query: ParsedQuery
    filters: Filters
    page: Page  # items: list[SearchResult]; total estimated on deep whoosh pages
    relaxed: bool = False  # no result had every word: these have some of them
    notices: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0
    strict_total: int = 0  # how many results have every word (the rest are partial)
    # no result with every word: a corrected query that has some (流两 → 流量)
    did_you_mean: str | None = None

    @property
    def total(self) -> int:
        return self.page.total
