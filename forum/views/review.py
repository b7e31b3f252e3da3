"""待审核: moderators approve or reject held posts of new users (forum/services/trust.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from forum import permissions
from forum.errors import DomainError
from forum.services import review, trust
from forum.templating import register_menu_link
from forum.views import bp
from forum.views.helpers import current_actor, page_arg

bp.record_once(lambda state: register_menu_link(
    state.app, "staff", "forum.review_queue", "待审核帖子", visible=permissions.moderates_something,
    prefix="forum.review"))


@bp.route("/review")
@login_required
def review_queue():
    actor = current_actor()
    if not permissions.moderates_something(actor):
        abort(403)
    page = trust.pending_posts(current_actor(), page_arg())
    return render_template("forum/review.html", page=page)


@bp.route("/review/<id:post_id>/approve", methods=["POST"])
@login_required
def review_approve(post_id: int):
    try:
        post = review.approve(current_actor(), post_id)
    except DomainError as err:
        if err.status in (403, 404):
            raise
        flash(err.message, "error")
    else:
        flash(f"已通过：「{post.topic.title}」的帖子现在所有人可见", "success")
    return redirect(url_for("forum.review_queue", page=request.form.get("page") or None))


@bp.route("/review/<id:post_id>/reject", methods=["POST"])
@login_required
def review_reject(post_id: int):
    try:
        post = review.reject(current_actor(), post_id, request.form.get("reason", ""))
    except DomainError as err:
        if err.status in (403, 404):
            raise
        flash(err.message, "error")
    else:
        flash(f"已拒绝「{post.topic.title}」的帖子，作者会收到原因", "success")
    return redirect(url_for("forum.review_queue", page=request.form.get("page") or None))



