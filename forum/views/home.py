"""Pages: home (tribes, latest and hot topics, community stats) and tag listings."""

from __future__ import annotations

from flask import current_app, render_template

from forum.page_cache import cache_for_anonymous
from forum.services import listing, topics, tribes
from forum.views import bp
from forum.views.helpers import page_arg, per_page

HOME_LATEST_PER_PAGE = 15


@bp.route("/")
@cache_for_anonymous()
def home():
    return render_template(
        "forum/home.html",
        tribes=tribes.list_tribes(),
        latest=listing.latest_topics(page_arg(), HOME_LATEST_PER_PAGE),
        hot=topics.hot_topics(limit=8, days=current_app.config["HOT_TOPICS_DAYS"]),
        stats=tribes.community_stats(),
    )


@bp.route("/tag/<name>")
def tag(name: str):
    page = topics.topics_by_tag(name, page_arg(), per_page("TOPICS_PER_PAGE"))
    return render_template("forum/tag.html", tag_name=name, page=page)
