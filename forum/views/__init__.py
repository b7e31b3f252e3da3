"""HTML pages of the forum core. Each module adds its routes to the one blueprint ``bp``."""

from __future__ import annotations

from flask import Blueprint, current_app

from forum.services.topics import view_counter

bp = Blueprint("forum", __name__)


@bp.after_app_request
def _flush_view_counts(response):
    # Batched topic view counts (see ViewCounter): a write every few seconds, not per read.
    if view_counter.due(current_app.config["VIEW_COUNT_FLUSH_SECONDS"]):
        try:
            view_counter.flush()
        except Exception:  # never fail a page for a counter
            current_app.logger.exception("flushing view counts failed")
    return response


from forum.views import accounts, admin, attachments, home, messages, notifications, review, topics, tribes  # noqa: E402,F401,I001  (route modules)
from forum.views import threads  # noqa: E402,F401,I001  (floors, unread, quotes)
from forum.views import reports  # noqa: E402,F401,I001  (举报)
from forum.views import drafts  # noqa: E402,F401,I001  (composer: drafts, preview, mention suggestions)
from forum.views import passwords, settings  # noqa: E402,F401,I001  (own account: settings, password reset)
