"""Idea pages beyond a single idea: triage board, 风云榜, arena rounds, the fund, owners."""

from __future__ import annotations

from datetime import datetime

from flask import flash, jsonify, redirect, render_template, request, url_for

from forum.errors import Conflict, DomainError, PermissionDenied, ValidationError
from forum.permissions import is_admin
from forum.templating import SHANGHAI
from forum.views.helpers import current_actor, json_error, page_arg, wants_json
from ideas.forms import ActionForm, AmountForm, OwnerForm, RoundForm, TransitionForm
from ideas.models import CATEGORIES, STATE_LABELS
from ideas.services import access, fund, owners, ranking, rounds, triage
from ideas.views import bp, employee_page


@bp.route("/triage")
@employee_page
def triage_board():
    access.require_owner(current_actor())
    return render_template("ideas/triage.html", board=triage.triage_board(current_actor()),
                           state_labels=STATE_LABELS, transitions=triage.TRANSITIONS,
                           form=TransitionForm(formdata=None),
                           categories=sorted(access.owned_categories(current_actor())))


@bp.route("/leaderboard")
@employee_page
def leaderboard():
    errors: dict[str, str] = {}
    try:
        period = ranking.parse_period(request.args.get("period"))
    except ValidationError as err:
        errors, period = err.fields, "week"
    return render_template("ideas/leaderboard.html", board=ranking.leaderboard(period),
                           periods=ranking.PERIOD_LABELS, formula=ranking.FORMULA,
                           errors=errors), (422 if errors else 200)


# --- rounds ---------------------------------------------------------------------------------


@bp.route("/rounds")
@employee_page
def rounds_list():
    return render_template("ideas/rounds.html", page=rounds.list_rounds(current_actor(),
                                                                         page_arg()),
                           is_owner=access.is_owner(current_actor()), yuan=fund.yuan)


def parse_deadline(text: str | None) -> datetime | None:
    """'2026-12-31 18:00' (or the browser's '2026-12-31T18:00') in Asia/Shanghai → UTC."""
    raw = (text or "").strip().replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw, fmt).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    if raw:
        raise ValidationError("截止时间有误", {"deadline": "格式应为 2026-12-31 18:00（北京时间）"})
    return None


def _estimates_from_form(candidates) -> tuple[dict[int, int], dict[str, str]]:
    chosen = {int(v) for v in request.form.getlist("idea_ids") if v.isdigit()}
    estimates, errors = {}, {}
    for idea_id in chosen:
        try:
            estimates[idea_id] = fund.parse_yuan(request.form.get(f"estimate_{idea_id}"),
                                                 "ideas")
        except ValidationError:
            errors["ideas"] = f"请为点子 #{idea_id} 填写预估成本（元）"
    return estimates, errors


@bp.route("/rounds/new", methods=["GET", "POST"])
@employee_page
def round_new():
    access.require_owner(current_actor())
    candidates = rounds.arena_candidates(current_actor())
    form = RoundForm()
    if form.validate_on_submit():
        try:
            deadline = parse_deadline(form.deadline.data)
            budget = fund.parse_yuan(form.budget.data, "budget")
            estimates, errors = _estimates_from_form(candidates)
            if errors:
                raise ValidationError("擂台赛信息有误", errors)
            rnd = rounds.open_round(current_actor(), form.title.data or "", deadline, budget,
                                    estimates, form.winners_max.data)
        except ValidationError as err:
            form.apply_errors({k: v for k, v in err.fields.items() if hasattr(form, k)},
                              err.message)
            if "ideas" in err.fields:
                form.form_errors.append(err.fields["ideas"])
        else:
            flash("擂台赛已开启，员工可以开始投票了", "success")
            return redirect(url_for("ideas.round_show", round_id=rnd.id))
    status = 422 if form.has_errors else 200
    return render_template("ideas/round_form.html", form=form, candidates=candidates,
                           chosen=set(request.form.getlist("idea_ids")),
                           balance=fund.balance(), yuan=fund.yuan), status


@bp.route("/rounds/<id:round_id>")
@employee_page
def round_show(round_id: int):
    rnd = rounds.get_round_or_404(round_id, current_actor())
    return render_template("ideas/round.html", view=rounds.round_view(current_actor(), rnd),
                           action_form=ActionForm(formdata=None), yuan=fund.yuan)


@bp.route("/rounds/<id:round_id>/vote", methods=["POST"])
@employee_page
def round_vote(round_id: int):
    rnd = rounds.get_round_or_404(round_id, current_actor())
    wanted = request.form.get("vote")
    idea_id = request.form.get("idea_id", "")
    try:
        if not ActionForm().validate_on_submit() or not idea_id.isdigit():
            raise ValidationError("请求有误", {"idea_id": "缺少点子编号"})
        voted, count = rounds.set_round_vote(current_actor(), rnd, int(idea_id),
                                             None if wanted not in ("0", "1") else wanted == "1")
    except DomainError as err:
        if wants_json():
            return json_error(err)
        flash(err.message, "warning")
    else:
        if wants_json():
            return jsonify({"voted": voted, "vote_count": count})
    return redirect(url_for("ideas.round_show", round_id=round_id))


def _round_action(round_id: int, action, done: str):
    rnd = rounds.get_round_or_404(round_id, current_actor(), lock=True)
    if ActionForm().validate_on_submit():
        try:
            action(rnd)
        except (Conflict, ValidationError) as err:
            flash(err.message, "error")
        else:
            flash(done, "success")
    return redirect(url_for("ideas.round_show", round_id=round_id))


@bp.route("/rounds/<id:round_id>/close", methods=["POST"])
@employee_page
def round_close(round_id: int):
    return _round_action(round_id, lambda r: rounds.close_early(current_actor(), r),
                         "擂台赛已截止，已按票数提出获胜建议")


@bp.route("/rounds/<id:round_id>/settle", methods=["POST"])
@employee_page
def round_settle(round_id: int):
    return _round_action(round_id, lambda r: rounds.settle_round(current_actor(), r),
                         "本轮已结算")


@bp.route("/rounds/<id:round_id>/fund", methods=["POST"])
@employee_page
def round_fund(round_id: int):
    idea_id = request.form.get("idea_id", "")

    def grant(rnd):
        if not idea_id.isdigit():
            raise ValidationError("缺少点子编号")
        amount = fund.parse_yuan(request.form.get("amount"))
        rounds.fund_winner(current_actor(), rnd, int(idea_id), amount)

    return _round_action(round_id, grant, f"已资助点子 #{idea_id}，作者会收到通知")


# --- fund -----------------------------------------------------------------------------------


@bp.route("/fund", methods=["GET", "POST"])
@employee_page
def fund_page():
    user = current_actor()
    form = AmountForm()
    if request.method == "POST":
        if not is_admin(user):
            raise PermissionDenied("只有管理员可以向基金注资")
        if form.validate_on_submit():
            try:
                fund.deposit(user, fund.parse_yuan(form.amount.data), form.note.data or "")
            except ValidationError as err:
                form.apply_errors(err.fields, err.message)
            else:
                flash("注资已入账", "success")
                return redirect(url_for("ideas.fund_page"))
    status = 422 if form.has_errors else 200
    return render_template("ideas/fund.html", page=fund.ledger(user, page_arg()), form=form,
                           totals=fund.totals(), yuan=fund.yuan,
                           can_deposit=is_admin(user)), status


# --- owners (admins) ------------------------------------------------------------------------


@bp.route("/owners", methods=["GET", "POST"])
@employee_page
def owners_page():
    user = current_actor()
    if not is_admin(user):
        raise PermissionDenied("只有管理员可以指定金点子负责人")
    form = OwnerForm()
    if form.validate_on_submit():
        try:
            owners.assign_owner(user, form.username.data or "", form.category.data or "")
        except (ValidationError, Conflict) as err:
            form.apply_errors(err.fields, err.message)
        else:
            flash("已指定负责人", "success")
            return redirect(url_for("ideas.owners_page"))
    status = 422 if form.has_errors else 200
    return render_template("ideas/owners.html", form=form, owners=owners.list_owners(),
                           categories=CATEGORIES, remove_form=ActionForm(formdata=None)), status


@bp.route("/owners/remove", methods=["POST"])
@employee_page
def owner_remove():
    user_id = request.form.get("user_id", "")
    if ActionForm().validate_on_submit() and user_id.isdigit():
        owners.remove_owner(current_actor(), int(user_id), request.form.get("category", ""))
        flash("已移除负责人", "success")
    return redirect(url_for("ideas.owners_page"))
