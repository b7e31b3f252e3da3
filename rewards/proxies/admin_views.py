"""Admin pages of the proxy programme under /admin/proxies: candidates with ratings and
lifecycle (history), tribe assignment, circles, influence weights, commission rules and
settlements. Staff (moderators) may view candidates and rate; employees may view; all
changes of status, money and circles are for admins. Every check is here on the server."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from forum.errors import DomainError, ValidationError
from forum.extensions import db
from forum.services.tribes import list_tribes
from forum.views.helpers import admin_required, current_actor, page_arg
from rewards.proxies.forms import (
    ActionForm,
    CircleForm,
    RatingForm,
    RuleForm,
    SettleForm,
    TransitionForm,
    TribesForm,
    WeightsForm,
)
from rewards.proxies.models import STATEMENT_LABELS, STATUS_LABELS, STATUSES
from rewards.proxies.services import circles, commission, influence, lifecycle, settlement
from rewards.proxies.services.common import (
    can_rate,
    can_view_candidates,
    current_month,
    parse_month,
)
from rewards.proxies.views import csv_response

admin_bp = Blueprint("proxies_admin", __name__, url_prefix="/admin/proxies")
CANDIDATES_PER_PAGE = 30
STATEMENTS_PER_PAGE = 30


def _require(check) -> None:
    if not check(current_user):
        abort(403)


@admin_bp.before_request
def _signed_in():
    if not current_user.is_authenticated:
        return redirect(url_for("forum.login", next=request.full_path.rstrip("?")))
    return None


# --- candidates --------------------------------------------------------------------------------


@admin_bp.route("/")
def candidates():
    _require(can_view_candidates)
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    include_staff = request.args.get("staff") == "1"
    page = lifecycle.list_candidates(page_arg(), CANDIDATES_PER_PAGE, status, include_staff)
    return render_template("rewards/proxy_admin_candidates.html", page=page, status=status,
                           statuses=STATUS_LABELS, include_staff=include_staff)


def _candidate_page(user, *, rating_form=None, transition_form=None, tribes_form=None,
                    circle_form=None, error: str | None = None, status: int = 200):
    profile = lifecycle.get_profile(user.id)
    if rating_form is None:
        rating_form = RatingForm(formdata=None)
        if profile is not None:
            for name in lifecycle.RATING_FIELDS:
                value = getattr(profile, name)
                getattr(rating_form, name).data = str(value) if value else ""
    if tribes_form is None:
        tribes_form = TribesForm(formdata=None)
        tribes_form.tribes.data = [t.id for t in profile.tribes] if profile else []
    tribes_form.tribes.choices = [SelectChoice(t.id, f"{t.icon} {t.name}") for t in list_tribes()]
    current = profile.status if profile else "candidate"
    indicators = influence.factors_for([user.id])[user.id]
    return render_template(
        "rewards/proxy_admin_candidate.html", user=user, profile=profile, current=current,
        indicators=indicators, history=lifecycle.history(user.id),
        allowed=lifecycle.TRANSITIONS[current], actions=lifecycle.ADMIN_ACTIONS,
        statuses=STATUS_LABELS, rating_form=rating_form,
        transition_form=transition_form or TransitionForm(formdata=None),
        tribes_form=tribes_form, circle_form=circle_form or CircleForm(formdata=None),
        circles=circles.circles_of(user.id), can_rate=can_rate(current_user), error=error,
        earnings=commission.earnings(user.id)), status


@admin_bp.route("/<id:user_id>")
def candidate(user_id: int):
    _require(can_view_candidates)
    return _candidate_page(lifecycle.get_user_or_404(user_id))


@admin_bp.route("/<id:user_id>/rate", methods=["POST"])
def rate(user_id: int):
    _require(can_rate)
    user = lifecycle.get_user_or_404(user_id)
    form = RatingForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        lifecycle.rate(current_actor(), user, {name: getattr(form, name).data
                                               for name in lifecycle.RATING_FIELDS})
    except ValidationError as err:
        form.apply_errors(err.fields, err.message)
        return _candidate_page(user, rating_form=form, status=err.status)
    flash("评分已保存", "success")
    return redirect(url_for("proxies_admin.candidate", user_id=user.id))


@admin_bp.route("/<id:user_id>/transition", methods=["POST"])
@admin_required
def transition(user_id: int):
    user = lifecycle.get_user_or_404(user_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    target = form.to_status.data or ""
    try:
        profile = lifecycle.transition(current_actor(), user, target, form.reason.data or "")
    except DomainError as err:
        form.apply_errors(err.fields, err.message if not err.fields else None)
        return _candidate_page(user, transition_form=form, error=err.message, status=err.status)
    flash(f"{user.display_name} 的状态已变为「{profile.status_label}」", "success")
    return redirect(url_for("proxies_admin.candidate", user_id=user.id))


@admin_bp.route("/<id:user_id>/tribes", methods=["POST"])
@admin_required
def assign_tribes(user_id: int):
    user = lifecycle.get_user_or_404(user_id)
    form = TribesForm()
    form.tribes.choices = [SelectChoice(t.id, t.name) for t in list_tribes()]
    try:
        valid = form.validate_on_submit()
    except ValueError:
        valid = False
    if not valid:
        if form.csrf_token.errors:
            abort(400)
        form.tribes.errors = ["请选择有效的部落"]
        return _candidate_page(user, tribes_form=form, status=422)
    try:
        lifecycle.set_tribes(current_actor(), user, form.tribes.data or [])
    except ValidationError as err:
        form.apply_errors(err.fields, err.message)
        return _candidate_page(user, tribes_form=form, status=err.status)
    flash("负责的部落已更新", "success")
    return redirect(url_for("proxies_admin.candidate", user_id=user.id))


@admin_bp.route("/<id:user_id>/circles", methods=["POST"])
@admin_required
def create_circle(user_id: int):
    user = lifecycle.get_user_or_404(user_id)
    form = CircleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        circle = circles.create_circle(current_actor(), user, form.name.data or "",
                                       form.description.data or "")
    except DomainError as err:
        form.apply_errors(err.fields, err.message)
        return _candidate_page(user, circle_form=form, status=err.status)
    flash(f"服务圈子「{circle.name}」已创建", "success")
    return redirect(url_for("proxies_admin.candidate", user_id=user.id))


# --- circles and weights ---------------------------------------------------------------------


@admin_bp.route("/circles")
@admin_required
def circle_list():
    all_circles = circles.all_circles()
    return render_template("rewards/proxy_admin_circles.html", circles=all_circles,
                           members={c.id: circles.members(c.id) for c in all_circles},
                           cap=circles.circle_cap(), action_form=ActionForm(formdata=None))


@admin_bp.route("/weights", methods=["GET", "POST"])
@admin_required
def weights():
    form = WeightsForm()
    status = 200
    if form.validate_on_submit():
        try:
            influence.save_weights(current_actor(), {f: getattr(form, f).data
                                                     for f in influence.FACTORS})
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
            status = err.status
        else:
            flash("权重已保存，将在下次计算影响力时生效", "success")
            return redirect(url_for("proxies_admin.weights"))
    elif form.is_submitted():
        abort(400)
    else:
        for factor, value in influence.get_weights().items():
            getattr(form, factor).data = str(value)
    return render_template("rewards/proxy_admin_weights.html", form=form,
                           factors=influence.FACTORS, action_form=ActionForm(formdata=None)), status


@admin_bp.route("/weights/recompute", methods=["POST"])
@admin_required
def recompute():
    if not ActionForm().validate_on_submit():
        abort(400)
    changed = influence.recompute_all()
    flash(f"影响力已重新计算（{changed} 位用户的分数有变化）", "success")
    return redirect(url_for("proxies_admin.candidates"))


# --- commission rules --------------------------------------------------------------------------


@admin_bp.route("/rules", methods=["GET", "POST"])
@admin_required
def rules():
    forms = {}
    status = 200
    for rule in commission.list_rules():
        form = RuleForm(prefix=rule.code, formdata=None)
        form.amount_fen.data = str(rule.amount_fen)
        form.is_active.data = rule.is_active
        forms[rule.code] = (rule, form)
    code = request.form.get("code", "")
    if request.method == "POST":
        if code not in forms:
            abort(400)
        form = RuleForm(prefix=code)
        if not form.validate_on_submit():
            abort(400)
        try:
            commission.update_rule(current_actor(), code, form.amount_fen.data or "",
                                   form.is_active.data)
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
            forms[code] = (forms[code][0], form)
            status = err.status
        else:
            flash("酬金规则已保存", "success")
            return redirect(url_for("proxies_admin.rules"))
    return render_template("rewards/commission_rules.html", forms=forms), status


# --- settlements -------------------------------------------------------------------------------


@admin_bp.route("/statements")
@admin_required
def statements():
    return _statements_page(SettleForm(formdata=None))


def _statements_page(settle_form, status: int = 200):
    month = request.args.get("month", "").strip()
    state = request.args.get("status", "")
    page = settlement.list_statements(page_arg(), STATEMENTS_PER_PAGE,
                                      month if len(month) == 7 else "", state)
    if not settle_form.month.data:
        settle_form.month.data = current_month()
    return render_template("rewards/settlement_list.html", page=page, month=month, state=state,
                           labels=STATEMENT_LABELS, settle_form=settle_form), status


@admin_bp.route("/statements/settle", methods=["POST"])
@admin_required
def settle():
    form = SettleForm()
    if not form.validate_on_submit():
        abort(400)
    try:

        report = settlement.settle_month(parse_month(form.month.data))
    except ValidationError as err:
        form.apply_errors(err.fields, err.message)
        return _statements_page(form, err.status)
    flash(report.summary(), "success")
    return redirect(url_for("proxies_admin.statements", month=report.month))


@admin_bp.route("/statements/<id:statement_id>")
@admin_required
def statement_detail(statement_id: int, error: str | None = None, status: int = 200):
    statement = settlement.get_statement_or_404(statement_id)
    return render_template("rewards/settlement_detail.html", statement=statement,
                           entries=settlement.statement_entries(statement), admin=True,
                           action_form=ActionForm(formdata=None), error=error), status


def _statement_action(statement_id: int, action, done: str):
    statement = settlement.get_statement_or_404(statement_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action(current_actor(), statement)
    except DomainError as err:
        return statement_detail(statement_id, error=err.message, status=err.status)
    flash(done, "success")
    return redirect(url_for("proxies_admin.statement_detail", statement_id=statement_id))


@admin_bp.route("/statements/<id:statement_id>/approve", methods=["POST"])
@admin_required
def approve(statement_id: int):
    return _statement_action(statement_id, settlement.approve, "结算单已审核，此后不能再修改")


@admin_bp.route("/statements/<id:statement_id>/pay", methods=["POST"])
@admin_required
def pay(statement_id: int):
    return _statement_action(statement_id, settlement.mark_paid, "结算单已标记为已支付")


@admin_bp.route("/statements/<id:statement_id>/refresh", methods=["POST"])
@admin_required
def refresh(statement_id: int):
    def _refresh(_actor, statement):
        settlement.refresh_draft(statement)

        db.session.commit()

    return _statement_action(statement_id, _refresh, "草稿已按最新明细更新")


@admin_bp.route("/statements/<id:statement_id>.csv")
@admin_required
def statement_csv(statement_id: int):
    return csv_response(settlement.get_statement_or_404(statement_id))
