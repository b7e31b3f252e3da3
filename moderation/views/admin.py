"""Staff pages: canned replies, the audit log, SLA tiers, the quality dashboard (with its
JSON and CSV) and expert scoring."""

from __future__ import annotations

from datetime import datetime

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required

from forum.errors import DomainError, PermissionDenied, ValidationError
from forum.permissions import is_admin
from forum.views.helpers import page_arg, per_page
from moderation.forms import CannedReplyForm, ReviewScoreForm, SimpleForm, SlaTierForm
from moderation.scoring.demands import DEMANDS
from moderation.services import audit, canned, dashboard, model_versions, reviews, sla
from moderation.services.access import require_admin, require_global_moderator
from moderation.views import actor, bp

# --- canned replies ------------------------------------------------------------------------


@bp.route("/moderation/canned")
@login_required
def canned_list():
    require_global_moderator(actor())
    return render_template("moderation/canned_list.html", replies=canned.list_replies(),
                           demands=DEMANDS, delete_form=SimpleForm(),
                           placeholders=canned.PLACEHOLDERS)


def _canned_form_page(form, reply=None):
    user = actor()
    require_global_moderator(user)
    if form.validate_on_submit():
        try:
            canned.save_reply(user, title=form.title.data or "", body=form.body.data or "",
                              demand=form.demand.data or None,
                              is_active=bool(form.is_active.data), reply=reply)
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            flash("服务口径已保存", "success")
            return redirect(url_for("moderation.canned_list"))
    status = 422 if form.has_errors else 200
    return render_template("moderation/canned_form.html", form=form, reply=reply,
                           placeholders=canned.PLACEHOLDERS), status


@bp.route("/moderation/canned/new", methods=["GET", "POST"])
@login_required
def canned_new():
    form = CannedReplyForm()
    if request.method == "GET":
        form.is_active.data = True
    return _canned_form_page(form)


@bp.route("/moderation/canned/<id:reply_id>/edit", methods=["GET", "POST"])
@login_required
def canned_edit(reply_id: int):
    require_global_moderator(actor())
    reply = canned.get_reply_or_404(reply_id)
    form = CannedReplyForm(obj=reply) if request.method == "GET" else CannedReplyForm()
    if request.method == "GET":
        form.demand.data = reply.demand or ""
    return _canned_form_page(form, reply)


@bp.route("/moderation/canned/<id:reply_id>/delete", methods=["POST"])
@login_required
def canned_delete(reply_id: int):
    user = actor()
    require_global_moderator(user)
    reply = canned.get_reply_or_404(reply_id)
    if SimpleForm().validate_on_submit():
        canned.delete_reply(user, reply)
        flash("服务口径已删除", "success")
    return redirect(url_for("moderation.canned_list"))


# --- audit log -----------------------------------------------------------------------------


def _date(value: str | None) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=dashboard.SHANGHAI) if value else None
    except ValueError:
        return None


@bp.route("/moderation/audit")
@login_required
def audit_log():
    require_global_moderator(actor())
    args = request.args
    filters = audit.AuditFilters(
        action=args.get("action") or None, actor=(args.get("actor") or "").strip() or None,
        target_type=args.get("target_type") or None,
        target_id=(args.get("target_id") or "").strip() or None,
        date_from=_date(args.get("date_from")), date_to=_date(args.get("date_to")))
    page = audit.list_entries(filters, page_arg(), per_page("TOPICS_PER_PAGE"))
    pager_args = {k: v for k, v in args.items() if k != "page" and v}
    return render_template("moderation/audit.html", page=page, filters=filters, args=args,
                           pager_args=pager_args,
                           actions=audit.ACTION_LABELS, targets=audit.TARGET_LABELS)


# --- SLA tiers -----------------------------------------------------------------------------


@bp.route("/moderation/sla", methods=["GET", "POST"])
@login_required
def sla_tiers():
    user = actor()
    require_admin(user)
    errors: dict[str, dict] = {}
    if request.method == "POST":
        code = request.form.get("code", "")
        form = SlaTierForm()
        if form.validate_on_submit():
            try:
                sla.update_tier(user, code, form.first_response_minutes.data,
                                form.resolve_minutes.data)
            except ValidationError as err:
                errors[code] = err.fields
            else:
                flash(f"「{sla.tier_label(code)}」时限已更新（对之后创建的工单生效）", "success")
                return redirect(url_for("moderation.sla_tiers"))
        else:
            errors[code] = {name: "；".join(errs) for name, errs in form.errors.items()}
    tiers = sla.tiers()
    forms = {t.code: SlaTierForm(formdata=request.form if t.code in errors else None, obj=t)
             for t in tiers}
    return render_template("moderation/sla.html", tiers=tiers, forms=forms,
                           errors=errors), 422 if errors else 200


# --- dashboard -----------------------------------------------------------------------------


def _days() -> int:
    try:
        return min(max(int(request.args.get("days", dashboard.DEFAULT_DAYS)), 1), 365)
    except ValueError:
        return dashboard.DEFAULT_DAYS


@bp.route("/moderation/dashboard", endpoint="dashboard")
@login_required
def dashboard_page():
    require_global_moderator(actor())
    days = _days()
    return render_template("moderation/dashboard.html", data=dashboard.metrics(days), days=days,
                           is_admin=is_admin(actor()))


@bp.route("/moderation/models/rollback", methods=["POST"], endpoint="model_rollback")
@login_required
def model_rollback():
    user = actor()
    require_admin(user)
    if SimpleForm().validate_on_submit():
        version = (request.form.get("version") or "").strip()
        if not version:
            flash("请选择要启用的模型版本", "error")
        else:
            try:
                row = model_versions.rollback(user, version)
            except DomainError as err:
                flash(err.message, "error")
            else:
                flash(f"已改用模型 {row.version}", "success")
    return redirect(url_for("moderation.dashboard", _anchor="model-versions"))


@bp.route("/moderation/dashboard/data.json")
@login_required
def dashboard_data():
    require_global_moderator(actor())
    return jsonify(dashboard.metrics(_days()))


@bp.route("/moderation/dashboard/export.csv")
@login_required
def dashboard_csv():
    require_global_moderator(actor())
    days = _days()
    body = "\ufeff" + dashboard.to_csv(dashboard.metrics(days))  # BOM: Excel reads UTF-8
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=service-quality-{days}d.csv"})


# --- expert reviews ------------------------------------------------------------------------


@bp.route("/moderation/reviews", endpoint="reviews")
@login_required
def reviews_page():
    require_global_moderator(actor())
    weeks = reviews.weeks()
    return _render_reviews(request.args.get("week") or (weeks[0] if weeks else reviews.week_of()),
                           weeks)


def _render_reviews(week: str, weeks: list[str] | None = None, status: int = 200):
    return render_template("moderation/reviews.html", week=week,
                           weeks=reviews.weeks() if weeks is None else weeks,
                           items=reviews.list_week(week), form=ReviewScoreForm(formdata=None),
                           draw_form=SimpleForm(), kinds=reviews.KIND_LABELS,
                           current_week=reviews.week_of(), summary=reviews.summary()), status


@bp.route("/moderation/reviews/draw", methods=["POST"])
@login_required
def review_draw():
    user = actor()
    require_global_moderator(user)
    if SimpleForm().validate_on_submit():
        added = reviews.draw_sample(user)
        flash(f"已抽取 {added} 条回复" if added else "本周已抽取过样本（或没有可抽取的回复）",
              "success" if added else "info")
    return redirect(url_for("moderation.reviews"))


@bp.route("/moderation/reviews/<id:review_id>/score", methods=["POST"])
@login_required
def review_score(review_id: int):
    user = actor()
    require_global_moderator(user)
    form = ReviewScoreForm()
    week = request.form.get("week") or ""
    if form.validate_on_submit():
        try:
            reviews.score_review(user, review_id, int(form.score.data or 0),
                                 form.comment.data or "")
        except PermissionDenied as err:  # one's own reply: the page again, with why, and 403
            flash(err.message, "error")
            return _render_reviews(week or reviews.week_of(), status=err.status)
        except (ValidationError, ValueError) as err:
            flash(getattr(err, "message", "评分须为 1–5 的整数"), "error")
        else:
            flash("评分已保存", "success")
    return redirect(url_for("moderation.reviews", week=week or None))

