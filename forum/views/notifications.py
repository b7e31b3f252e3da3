"""Pages: the notification list, marking read, mute settings, and post permalinks."""

from __future__ import annotations

import math

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.errors import DomainError, ValidationError
from forum.services import notifications as service
from forum.services import topics
from forum.views import bp
from forum.views.helpers import (
    current_actor,
    json_error,
    page_arg,
    per_page,
    redirect_back,
    safe_next,
    wants_json,
)

NOTIFICATIONS_PER_PAGE = 20


@bp.app_context_processor
def _bell():
    """``unread_notifications()`` for the header bell: one query, only when rendered."""

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        return service.unread_count(current_user.id)

    return {"unread_notifications": unread_notifications}


@bp.route("/notifications")
@login_required
def notifications():
    page = service.list_for(current_actor(), page_arg(), NOTIFICATIONS_PER_PAGE)
    items = [{"note": note, "text": service.text_of(note), "url": service.open_url(note),
              "label": service.label_of(note.kind)} for note in page.items]
    return render_template("forum/notifications.html", page=page, items=items,
                           unread=service.unread_count(current_user.id))


def _parse_ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        value = value.strip()
        if not value.isdigit() or len(value) > 10:
            raise ValidationError("通知编号无效", {"ids": "必须是正整数"})
        ids.append(int(value))
    return ids


@bp.route("/notifications/read", methods=["POST"])
@login_required
def notifications_read():
    """Mark the posted ``ids`` (one or more) read, or everything with ``all=1``."""
    user = current_actor()
    try:
        if request.form.get("all") == "1":
            changed = service.mark_all_read(user)
        else:
            ids = _parse_ids(request.form.getlist("ids"))
            if not ids:
                raise ValidationError("请选择要标记的通知", {"ids": "不能为空"})
            changed = service.mark_read(user, ids)
    except DomainError as err:
        if wants_json():
            return json_error(err)
        flash(err.message, "error")
        return redirect_back(url_for("forum.notifications"))
    if wants_json():
        return jsonify({"marked": changed, "unread_count": service.unread_count(user.id)})
    if request.form.get("all") == "1":
        flash("已全部标记为已读", "success")
    return redirect_back(url_for("forum.notifications"))


@bp.route("/notifications/<id:notification_id>/open")
@login_required
def notification_open(notification_id: int):
    target = service.open_notification(current_actor(), notification_id)
    return redirect(safe_next(target) or url_for("forum.notifications"))


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def notification_settings():
    user = current_actor()
    if request.method == "POST":
        # The form lists the kinds to RECEIVE; every other mutable kind is muted.
        receive = set(request.form.getlist("receive"))
        mutable = [spec.kind for spec, _muted in service.settings_for(user)]
        unknown = receive - set(mutable)
        if unknown:
            flash("没有这种通知类型", "error")
        else:
            service.set_muted_kinds(user, [k for k in mutable if k not in receive])
            flash("通知设置已保存", "success")
            return redirect(url_for("forum.notification_settings"))
    return render_template("forum/notifications_settings.html",
                           settings=service.settings_for(user))


@bp.route("/p/<id:post_id>")
def post_permalink(post_id: int):
    """Where a post lives: its topic, on the right page of replies, at its anchor."""
    viewer = current_user._get_current_object() if current_user.is_authenticated else None
    post = topics.get_post_or_404(post_id, viewer)
    anchor = f"#post-{post.id}"
    if post.is_first:
        return redirect(url_for("forum.topic", topic_id=post.topic_id) + anchor)
    page = max(1, math.ceil(topics.reply_position(post) / per_page("REPLIES_PER_PAGE")))
    return redirect(url_for("forum.topic", topic_id=post.topic_id,
                            page=page if page > 1 else None) + anchor)
