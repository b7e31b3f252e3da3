"""Search pages: /search (the synonym list's admin pages are in search/admin_views.py)."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from forum.errors import ValidationError
from forum.services.tribes import list_tribes
from forum.views.helpers import current_actor, page_arg
from search import services

bp = Blueprint("search", __name__)

FILTER_ARGS = ("type", "tribe", "solved", "from", "to")


def _viewer():
    return current_actor() if current_user.is_authenticated else None


def result_url(item: services.SearchResult) -> str:
    """A topic's page; for a reply, its permalink (the right page of replies, its anchor);
    another package's object (an idea) names its own page."""
    if item.url:
        return item.url
    if item.kind == "reply" and "forum.post_permalink" in current_app.view_functions:
        return url_for("forum.post_permalink", post_id=item.post_id)
    anchor = f"#post-{item.post_id}" if item.kind == "reply" else ""
    return url_for("forum.topic", topic_id=item.topic_id) + anchor


@bp.route("/search")
def search():
    q = request.args.get("q", "")
    args = {name: request.args.get(name, "").strip() for name in FILTER_ARGS}
    errors: dict[str, str] = {}
    results = None
    try:
        filters = services.parse_filters(kind=args["type"], tribe=args["tribe"],
                                         solved=args["solved"], date_from=args["from"],
                                         date_to=args["to"])
    except ValidationError as err:
        errors = err.fields
    else:
        results = services.search(_viewer(), q, filters, page_arg())
    suggestions = None
    if results is not None and not results.query.is_empty and not results.page.items:
        suggestions = services.suggestions(_viewer())
    # The pager keeps the query and the filters that are set.
    keep = {"q": results.query.text if results else q,
            **{k: v for k, v in args.items() if v}}
    return render_template(
        "search/search.html", q=q, args=args, results=results, errors=errors,
        suggestions=suggestions, tribes=list_tribes(), keep=keep, result_url=result_url,
    ), (422 if errors else 200)
