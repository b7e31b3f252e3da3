"""JSON endpoints of the forum core."""

from __future__ import annotations

from forum.api import api_bp  # noqa: F401
