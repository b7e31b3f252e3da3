"""The one pagination helper for pages and the API."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from forum.extensions import db

MAX_PER_PAGE = 100
# Past any real page, and small enough that OFFSET fits a 64-bit integer on every database.
MAX_PAGE = 1_000_000


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, size: int = 2) -> list[int | None]:
        """Page numbers around the current one, with None for a gap: 1 … 4 5 [6] 7 8 … 20."""
        shown = {1, self.pages, *range(self.page - size, self.page + size + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in numbers:
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out


def clamp_page(page: Any, per_page: Any = None, default_per_page: int = 20) -> tuple[int, int]:
    """Parse page numbers from user input; nonsense becomes page 1 rather than an error."""
    try:
        page_n = min(max(1, int(page)), MAX_PAGE)
    except (TypeError, ValueError):
        page_n = 1
    try:
        per = int(per_page) if per_page is not None else default_per_page
    except (TypeError, ValueError):
        per = default_per_page
    return page_n, min(max(1, per), MAX_PER_PAGE)


def paginate(stmt: sa.Select, page: int, per_page: int, total: int | None = None) -> Page:
    """Run one page of ``stmt``; pass ``total`` when a counter column already knows it."""
    if total is None:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items=items, page=page, per_page=per_page, total=total or 0)
