"""Pages: accounts."""

from __future__ import annotations

from forum.views import bp  # noqa: F401
