"""Pages of thread reading: floor permalinks (楼层), the first unread floor, quotes (引用)
into the reply box, and the list helpers (unread markers) the templates use."""

from __future__ import annotations

import math

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.errors import NotFound
from forum.services import bookmarks, drafts, floors, listing, reading, topics
from forum.services import tribes as tribes_service
from forum.views import bp
from forum.views.helpers import current_actor, page_arg, per_page, redirect_back


def _viewer():
    return current_actor() if current_user.is_authenticated else None


def post_location(post) -> str:
    """A post on its topic page: the right page of replies and the post's anchor."""
    if post.is_first:
        return url_for("forum.topic", topic_id=post.topic_id) + f"#post-{post.id}"
    page = max(1, math.ceil(topics.reply_position(post) / per_page("REPLIES_PER_PAGE")))
    return (url_for("forum.topic", topic_id=post.topic_id, page=page if page > 1 else None)
            + f"#post-{post.id}")


@bp.route("/topic/<id:topic_id>/<int:floor>")
def floor(topic_id: int, floor: int):
    """A floor's permalink (``/topic/42/3`` is 板凳 of topic 42), stable whatever the page."""
    viewer = _viewer()
    topic = topics.get_topic_or_404(topic_id, viewer)
    post = floors.post_at_floor(topic.id, floor)
    try:
        post = topics.get_post_or_404(post.id, viewer)
    except NotFound:
        raise NotFound("这一楼已被删除或不可见") from None
    return redirect(post_location(post))


@bp.route("/topic/<id:topic_id>/unread")
@login_required
def first_unread(topic_id: int):
    """Where a list's unread marker leads: the first floor the member has not read."""
    topic = topics.get_topic_or_404(topic_id, _viewer())
    target = reading.first_unread_floor(current_actor(), topic)
    if target is None:
        return redirect(url_for("forum.topic", topic_id=topic.id))
    return redirect(url_for("forum.floor", topic_id=topic.id, floor=target))


@bp.route("/t/<slug>/read", methods=["POST"])
@login_required
def mark_tribe_read(slug: str):
    tribe = tribes_service.get_tribe_or_404(slug)
    changed = reading.mark_tribe_read(current_actor(), tribe)
    flash(f"已将「{tribe.name}」全部标为已读" + (f"（{changed} 个话题）" if changed else ""),
          "success")
    return redirect_back(url_for("forum.tribe", slug=tribe.slug))


def prefill_quote(topic, form) -> None:
    """``?quote=<post id>``: the reply box starts with that post quoted (after any draft)."""
    raw = request.args.get("quote", "")
    if not raw:
        return
    try:
        post = topics.get_post_or_404(int(raw), _viewer()) if raw.isdigit() else None
    except NotFound:
        post = None
    if post is None or post.topic_id != topic.id:
        flash("要引用的楼层不存在或已被删除", "error")
        return
    draft = drafts.get_draft(current_actor(), f"reply:{topic.id}")
    before = (draft.body.rstrip() + "\n\n") if draft and draft.body.strip() else ""
    form.body.data = before + floors.quote_markdown(current_actor(), post)


def mark_page_read(topic, view):
    """Reading a page of the topic raises the member's mark (see services/reading.py); not
    committed yet (the page renders first: a commit expires the loaded rows). Returns the
    member's (watching, bookmarked_at) for the page."""
    replies = view.replies
    if replies.page >= max(1, replies.pages):
        last = topic.last_floor
    else:
        last = max([p.floor or 0 for p in replies.items] + [1])
    return reading.mark_read(current_actor(), topic, last)


@bp.app_context_processor
def _thread_helpers():
    def unread_counts(items) -> dict[int, int]:
        return reading.unread_counts(_viewer(), list(items))

    def topic_state(topic):
        return bookmarks.state(_viewer(), topic)

    return {"floor_label": floors.floor_label, "unread_counts": unread_counts,
            "topic_state": topic_state}





def _flag(name: str) -> bool:
    return request.form.get(name) == "1"


@bp.route("/topic/<id:topic_id>/featured", methods=["POST"])
@login_required
def set_featured(topic_id: int):
    """精华 on (featured=1) or off; the tribe's moderators only (403 otherwise)."""
    topic = topics.get_topic_or_404(topic_id, _viewer())
    featured = _flag("featured")
    listing.set_featured(current_actor(), topic, featured)
    flash("已设为精华" if featured else "已取消精华", "success")
    return redirect_back(url_for("forum.topic", topic_id=topic.id))


@bp.route("/topic/<id:topic_id>/watch", methods=["POST"])
@login_required
def watch_topic(topic_id: int):
    topic = topics.get_topic_or_404(topic_id, _viewer())
    watching = bookmarks.set_watching(current_actor(), topic, _flag("watching"))
    flash("已关注本帖，有新回复会通知你" if watching else "已取消关注本帖", "success")
    return redirect_back(url_for("forum.topic", topic_id=topic.id))


@bp.route("/topic/<id:topic_id>/bookmark", methods=["POST"])
@login_required
def bookmark_topic(topic_id: int):
    topic = topics.get_topic_or_404(topic_id, _viewer())
    on = bookmarks.set_bookmark(current_actor(), topic, _flag("bookmarked"))
    flash("已收藏，可在“我的收藏”中找到" if on else "已取消收藏", "success")
    return redirect_back(url_for("forum.topic", topic_id=topic.id))


@bp.route("/bookmarks")
@login_required
def bookmarks_page():
    page = bookmarks.bookmarked_topics(current_actor(), page_arg(), per_page("TOPICS_PER_PAGE"))
    return render_template("forum/bookmarks.html", page=page)
