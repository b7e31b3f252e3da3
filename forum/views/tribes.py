"""Pages: tribe list, tribe page, join/leave."""

from __future__ import annotations

from flask import flash, render_template, request, url_for
from flask_login import current_user, login_required

from forum.page_cache import cache_for_anonymous
from forum.services import listing, tribes
from forum.views import bp
from forum.views.helpers import current_actor, page_arg, per_page, redirect_back


@bp.route("/tribes", endpoint="tribes")
def tribes_list():
    return render_template("forum/tribes.html", tribes=tribes.list_tribes(),
                           member_ids=tribes.member_tribe_ids(current_user))


@bp.route("/t/<slug>", endpoint="tribe")
@cache_for_anonymous()
def tribe_page(slug: str):
    tribe = tribes.get_tribe_or_404(slug)
    sort = listing.parse_sort(request.args.get("sort"), strict=False)
    page = tribes.tribe_topics(tribe, page_arg(), per_page("TOPICS_PER_PAGE"), sort)
    return render_template("forum/tribe.html", tribe=tribe, page=page, sort=sort,
                           sorts=listing.SORTS, default_sort=listing.DEFAULT_SORT,
                           is_member=tribes.is_member(current_user, tribe))


@bp.route("/t/<slug>/join", methods=["POST"])
@login_required
def join_tribe(slug: str):
    tribe = tribes.get_tribe_or_404(slug)
    tribes.set_membership(current_actor(), tribe, True)
    flash(f"已加入部落「{tribe.name}」", "success")
    return redirect_back(url_for("forum.tribe", slug=tribe.slug))


@bp.route("/t/<slug>/leave", methods=["POST"])
@login_required
def leave_tribe(slug: str):
    tribe = tribes.get_tribe_or_404(slug)
    tribes.set_membership(current_actor(), tribe, False)
    flash(f"已退出部落「{tribe.name}」", "info")
    return redirect_back(url_for("forum.tribe", slug=tribe.slug))
