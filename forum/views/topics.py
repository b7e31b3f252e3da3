"""Pages: new topic, topic page with replies, reply, edit, delete, revisions, likes, accept."""

from __future__ import annotations

from flask import flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum import permissions, ratelimit
from forum.errors import DomainError, PermissionDenied, RateLimited, ValidationError
from forum.errors_http import with_retry_after
from forum.extensions import db
from forum.forms import PostEditForm, ReplyForm, TopicForm
from forum.page_cache import cache_for_anonymous
from forum.rendering import mask_pii
from forum.services import topics, tribes
from forum.views import bp, threads
from forum.views.helpers import (
    current_actor,
    json_error,
    page_arg,
    per_page,
    pii_warning,
    redirect_back,
    refusal_status,
    wants_json,
)


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _post_url(post) -> str:
    """Where a post lives: its topic page (the right page of replies) and its anchor."""
    return threads.post_location(post)


@bp.route("/t/<slug>/new", methods=["GET", "POST"])
@login_required
def new_topic(slug: str):
    tribe = tribes.get_tribe_or_404(slug)
    form = TopicForm()
    refused = None
    if form.validate_on_submit():
        title, body, tags = form.title.data or "", form.body.data or "", form.tags.data or ""
        try:
            ratelimit.consume("post", ratelimit.user_key(current_actor()))
            topic = topics.create_topic(current_actor(), tribe, title, body, tags)
        except RateLimited as err:
            refused = err
            form.apply_errors({}, err.message)
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            warning = pii_warning(title, body)
            if warning:
                flash(warning, "warning")
            flash("发帖成功", "success")
            return redirect(url_for("forum.topic", topic_id=topic.id))
    return refusal_status(render_template("forum/topic_form.html", form=form, tribe=tribe,
                                          mode="new"), form, refused)


def _render_topic(topic, reply_form: ReplyForm, status: int = 200, mark_read: bool = False):
    viewer = _viewer()
    view = topics.topic_page(topic, viewer, page_arg(), per_page("REPLIES_PER_PAGE"))
    reader_state = None
    if mark_read and viewer is not None:
        reader_state = threads.mark_page_read(topic, view)
    html = render_template(
        "forum/topic.html",
        topic=topic,
        view=view,
        reply_form=reply_form,
        reader_state=reader_state,
        view_count=topic.view_count + topics.view_counter.pending(topic.id),
    )
    if reader_state is not None:  # after rendering: the commit expires the loaded rows
        db.session.commit()
    return html, status


@bp.route("/topic/<id:topic_id>")
@cache_for_anonymous(on_hit=lambda topic_id: topics.view_counter.record(topic_id))
def topic(topic_id: int):
    topic = topics.get_topic_or_404(topic_id, _viewer())
    topics.view_counter.record(topic.id)  # buffered; flushed in batches (see forum/views)
    form = ReplyForm(formdata=None)
    if _viewer() is not None:
        threads.prefill_quote(topic, form)
    return _render_topic(topic, form, mark_read=True)


@bp.route("/topic/<id:topic_id>/reply", methods=["POST"])
@login_required
def reply(topic_id: int):
    topic = topics.get_topic_or_404(topic_id, _viewer())
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            ratelimit.consume("post", ratelimit.user_key(current_actor()))
            post = topics.create_reply(current_actor(), topic, form.body.data or "")
        except RateLimited as err:
            form.apply_errors({}, err.message)
            return with_retry_after(make_response(_render_topic(topic, form, 429)), err)
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            warning = pii_warning(post.body)
            if warning:
                flash(warning, "warning")
            flash("回复成功", "success")
            return redirect(_post_url(post))
    return _render_topic(topic, form, 422)


@bp.route("/post/<id:post_id>/like", methods=["POST"])
@login_required
def like(post_id: int):
    """Like/unlike. fetch() from app.js gets JSON; a plain form post is redirected back."""
    try:
        post = topics.get_post_or_404(post_id, _viewer())
        wanted = request.form.get("like")
        if wanted in ("0", "1"):  # explicit intent: a double submit cannot flip it back
            liked, count = topics.set_like(current_actor(), post, wanted == "1")
        else:
            liked, count = topics.toggle_like(current_actor(), post)
    except DomainError as err:
        if wants_json():
            return json_error(err)
        raise
    if wants_json():
        return jsonify({"liked": liked, "like_count": count})
    return redirect_back(_post_url(post))


@bp.route("/topic/<id:topic_id>/accept/<id:post_id>", methods=["POST"])
@login_required
def accept(topic_id: int, post_id: int):
    topic = topics.get_topic_or_404(topic_id, _viewer())
    post = topics.get_post_or_404(post_id, _viewer())
    topics.accept_answer(current_actor(), topic, post)
    flash("已采纳为最佳答案，帖子标记为已解决", "success")
    return redirect_back(_post_url(post))


@bp.route("/post/<id:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    post = topics.get_post_or_404(post_id, _viewer())
    if not permissions.can_edit_post(current_user, post):
        raise PermissionDenied("你只能编辑自己的帖子")
    topic = post.topic
    form = PostEditForm()
    if form.validate_on_submit():
        title = (form.title.data or "") if post.is_first else None
        tags = (form.tags.data or "") if post.is_first else None
        try:
            topics.edit_post(current_actor(), post, form.body.data or "", title=title, tags=tags)
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            warning = pii_warning(title or "", post.body)
            if warning:
                flash(warning, "warning")
            flash("修改已保存", "success")
            return redirect(_post_url(post))
    elif not form.is_submitted():
        form.body.data = post.body
        form.title.data = topic.title
        form.tags.data = " ".join(tag.name for tag in topic.tags)
    status = 422 if form.has_errors else 200
    return render_template("forum/topic_form.html", form=form, tribe=topic.tribe, post=post,
                           topic=topic, mode="edit"), status


@bp.route("/post/<id:post_id>/delete", methods=["GET", "POST"])
@login_required
def delete_post(post_id: int):
    post = topics.get_post_or_404(post_id, _viewer())
    if not permissions.can_edit_post(current_user, post):
        raise PermissionDenied("你只能删除自己的帖子")
    topic = post.topic
    if request.method == "POST":
        tribe_slug = topic.tribe.slug
        was_first = post.is_first
        topic_id = topic.id
        topics.delete_post(current_actor(), post)
        if was_first:
            flash("帖子已删除", "success")
            return redirect(url_for("forum.tribe", slug=tribe_slug))
        flash("回复已删除", "success")
        return redirect(url_for("forum.topic", topic_id=topic_id))
    return render_template("forum/delete_confirm.html", post=post, topic=topic,
                           back_url=_post_url(post))


@bp.route("/post/<id:post_id>/revisions")
def post_revisions(post_id: int):
    viewer = _viewer()
    post = topics.get_post_or_404(post_id, viewer)
    original = permissions.can_see_original(viewer, post)

    def shown(text: str | None) -> str | None:
        # Old versions are plain text; personal data stays masked for other readers.
        if text is None or original:
            return text
        return mask_pii(text)

    history = [
        {"editor": rev.editor, "created_at": rev.created_at, "title": shown(rev.title),
         "body": shown(rev.body)}
        for rev in topics.revisions(post)
    ]
    return render_template("forum/revisions.html", post=post, topic=post.topic,
                           history=history, current_body=shown(post.body),
                           current_title=shown(post.topic.title) if post.is_first else None)
