"""Idea pages: list, submit/edit (drafts), idea page with votes, comments and triage forms."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for

from forum.errors import Conflict, DomainError, ValidationError
from forum.views.helpers import current_actor, json_error, page_arg, redirect_back, wants_json
from ideas.forms import ActionForm, CategoryForm, CommentForm, IdeaForm, MergeForm, TransitionForm
from ideas.models import CATEGORIES, STATE_LABELS, STATES
from ideas.services import access, fund, ideas, triage, votes
from ideas.services.ranking import FORMULA
from ideas.views import bp, employee_page


@bp.route("/")
@employee_page
def index():
    args = request.args
    errors: dict[str, str] = {}
    try:
        filters = ideas.parse_list_filters(args.get("state"), args.get("category"),
                                           args.get("sort"))
    except ValidationError as err:
        errors = err.fields
        filters = {"state": None, "category": None, "sort": "hot"}
    page = ideas.list_ideas(current_actor(), page=page_arg(), **filters)
    voted = ideas.voted_ids(current_actor(), [i.id for i in page.items])
    keep = {k: v for k, v in filters.items() if v and not (k == "sort" and v == "hot")}
    return render_template(
        "ideas/index.html", page=page, filters=filters, keep=keep, errors=errors, voted=voted,
        states=STATES, state_labels=STATE_LABELS, categories=CATEGORIES,
        sorts=ideas.SORT_LABELS, formula=FORMULA, is_owner=access.is_owner(current_actor()),
    ), (422 if errors else 200)


@bp.route("/new", methods=["GET", "POST"])
@employee_page
def new():
    form = IdeaForm()
    if form.validate_on_submit():
        draft = request.form.get("action") == "draft"
        try:
            idea = ideas.submit_idea(current_actor(), form.title.data or "",
                                     form.problem.data or "", form.proposal.data or "",
                                     form.category.data or "", draft=draft)
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            flash("草稿已保存，只有你能看到" if draft else "金点子已提交，感谢你的建议！", "success")
            return redirect(url_for("ideas.show", idea_id=idea.id))
    status = 422 if form.has_errors else 200
    return render_template("ideas/form.html", form=form, idea=None), status


@bp.route("/drafts")
@employee_page
def drafts():
    return render_template("ideas/drafts.html", drafts=ideas.my_drafts(current_actor()),
                           delete_form=ActionForm(formdata=None))


@bp.route("/<id:idea_id>/edit", methods=["GET", "POST"])
@employee_page
def edit(idea_id: int):
    idea = access.get_idea_or_404(idea_id, current_actor())
    if not ideas.can_edit(current_actor(), idea):
        flash("点子进入评估后就不能再修改了，可以在下面追评补充", "warning")
        return redirect(url_for("ideas.show", idea_id=idea.id))
    form = IdeaForm(obj=idea if request.method == "GET" else None)
    if form.validate_on_submit():
        submit = request.form.get("action") == "submit"
        try:
            ideas.edit_idea(current_actor(), idea, form.title.data or "", form.problem.data or "",
                            form.proposal.data or "", form.category.data or "", submit=submit)
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            flash("已提交" if submit else "已保存", "success")
            return redirect(url_for("ideas.show", idea_id=idea.id))
    status = 422 if form.has_errors else 200
    return render_template("ideas/form.html", form=form, idea=idea), status


@bp.route("/<id:idea_id>/delete", methods=["POST"])
@employee_page
def delete_draft(idea_id: int):
    idea = access.get_idea_or_404(idea_id, current_actor())
    if not ActionForm().validate_on_submit():
        return redirect(url_for("ideas.drafts"))
    ideas.delete_draft(current_actor(), idea)
    flash("草稿已删除", "success")
    return redirect(url_for("ideas.drafts"))


def _render_idea(idea, *, comment_form=None, transition_form=None, status: int = 200):
    user = current_actor()
    owner = access.is_owner(user, idea.category)
    return render_template(
        "ideas/show.html", idea=idea, threads=ideas.comment_threads(idea),
        history=ideas.history(idea), merged_from=ideas.merged_from(idea),
        voted=ideas.has_voted(user, idea), votable=ideas.is_open_for_votes(idea),
        can_edit=ideas.can_edit(user, idea), is_owner=owner,
        comment_form=comment_form or CommentForm(formdata=None),
        transition_form=transition_form or TransitionForm(formdata=None),
        category_form=CategoryForm(formdata=None, category=idea.category),
        allowed=triage.allowed_transitions(idea) if owner else (),
        state_labels=STATE_LABELS, yuan=fund.yuan,
    ), status


@bp.route("/<id:idea_id>")
@employee_page
def show(idea_id: int):
    return _render_idea(access.get_idea_or_404(idea_id, current_actor()))


@bp.route("/<id:idea_id>/vote", methods=["POST"])
@employee_page
def vote(idea_id: int):
    """Vote or take it back. fetch() from ideas.js gets JSON; a plain form is redirected."""
    try:
        idea = access.get_idea_or_404(idea_id, current_actor())
        wanted = request.form.get("vote")
        if wanted in ("0", "1"):  # explicit intent: a double submit cannot flip it back
            voted, count = votes.set_vote(current_actor(), idea, wanted == "1")
        else:
            voted, count = votes.toggle_vote(current_actor(), idea)
    except DomainError as err:
        if wants_json():
            return json_error(err)
        if isinstance(err, Conflict):
            flash(err.message, "warning")
            return redirect_back(url_for("ideas.show", idea_id=idea_id))
        raise
    if wants_json():
        return jsonify({"voted": voted, "vote_count": count})
    return redirect_back(url_for("ideas.show", idea_id=idea_id))


@bp.route("/<id:idea_id>/comments", methods=["POST"])
@employee_page
def comment(idea_id: int):
    idea = access.get_idea_or_404(idea_id, current_actor())
    form = CommentForm()
    if form.validate_on_submit():
        parent = form.parent_id.data
        try:
            parent_id = int(parent) if parent else None
        except ValueError:
            parent_id = -1  # refused by the service as a missing comment
        try:
            c = ideas.add_comment(current_actor(), idea, form.body.data or "", parent_id)
        except (ValidationError, Conflict) as err:
            form.apply_errors(err.fields, err.message)
            return _render_idea(idea, comment_form=form, status=err.status)
        flash("追评已发布", "success")
        return redirect(url_for("ideas.show", idea_id=idea.id) + f"#c-{c.id}")
    return _render_idea(idea, comment_form=form, status=422)


def _amount_from_form(text: str | None) -> int | None:
    return fund.parse_yuan(text) if (text or "").strip() else None


@bp.route("/<id:idea_id>/transition", methods=["POST"])
@employee_page
def transition(idea_id: int):
    idea = access.get_idea_or_404(idea_id, current_actor(), lock=True)
    form = TransitionForm()
    if form.validate_on_submit():
        try:
            amount = _amount_from_form(form.amount.data)
            triage.transition(current_actor(), idea, form.to.data or "", form.reason.data,
                              amount=amount)
        except (ValidationError, Conflict) as err:
            form.apply_errors({k: v for k, v in err.fields.items() if k != "allowed"},
                              err.message)
            idea = access.get_idea_or_404(idea_id, current_actor())
            return _render_idea(idea, transition_form=form, status=err.status)
        flash(f"已变更为「{idea.state_label}」，作者会收到通知", "success")
        return redirect(url_for("ideas.show", idea_id=idea.id))
    return _render_idea(idea, transition_form=form, status=422)


@bp.route("/<id:idea_id>/category", methods=["POST"])
@employee_page
def categorise(idea_id: int):
    idea = access.get_idea_or_404(idea_id, current_actor(), lock=True)
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            triage.categorise(current_actor(), idea, form.category.data or "")
        except (ValidationError, Conflict) as err:
            flash(err.message + "：" + "；".join(err.fields.values()) if err.fields
                  else err.message, "error")
        else:
            flash(f"已归入「{idea.category}」", "success")
    return redirect(url_for("ideas.show", idea_id=idea_id))


@bp.route("/<id:idea_id>/merge", methods=["GET", "POST"])
@employee_page
def merge(idea_id: int):
    """Confirmation page and action: merge this idea into another (destructive)."""
    idea = access.get_idea_or_404(idea_id, current_actor(), lock=request.method == "POST")
    access.require_owner(current_actor(), idea.category)
    form = MergeForm()
    if form.validate_on_submit():
        try:
            into = form.into.data
            survivor = access.get_idea_or_404(into or 0, current_actor(), lock=True)
            triage.merge(current_actor(), idea, survivor)
        except DomainError as err:
            form.apply_errors({k: v for k, v in err.fields.items()}, err.message)
            if not err.fields:
                form.into.errors = [*form.into.errors, err.message]
        else:
            flash(f"已合并到 #{survivor.id}，投票和追评已转移", "success")
            return redirect(url_for("ideas.show", idea_id=survivor.id))
    status = 422 if form.has_errors else 200
    return render_template("ideas/merge.html", idea=idea, form=form,
                           candidates=triage.merge_candidates(current_actor(), idea)), status
