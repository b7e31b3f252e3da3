"""Pages: 举报 a post (reason list and a note); the moderators see it in their queue."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask_login import current_user, login_required

from forum.errors import Conflict, ValidationError
from forum.services import reports, topics
from forum.views import bp
from forum.views.helpers import current_actor, safe_next
from forum.views.threads import post_location


@bp.route("/post/<id:post_id>/report", methods=["GET", "POST"])
@login_required
def report_post(post_id: int):
    post = topics.get_post_or_404(post_id, current_actor())
    back = safe_next(request.values.get("next")) or post_location(post)
    reason, note, errors, message, status = "", "", {}, None, 200
    if request.method == "POST":  # CSRF is checked for every form post (CSRFProtect)
        reason = request.form.get("reason", "")
        note = request.form.get("note", "")
        try:
            reports.report_post(current_actor(), post, reason, note)
        except ValidationError as err:
            errors, message, status = err.fields, err.message, 422
        except Conflict as err:
            message, status = err.message, 409
        else:
            flash("举报已提交，版主会尽快处理。谢谢你帮助维护社区秩序。", "success")
            return redirect(back)
    elif reports.has_open_report(current_user, post):
        message = reports.DUPLICATE
    return render_template("forum/report.html", post=post, topic=post.topic,
                           reasons=reports.REASONS, reason=reason, note=note, errors=errors,
                           message=message, back=back, note_max=reports.NOTE_MAX), status
