"""Keyword library pages (关键字库) for site moderators and admins:
/admin/moderation/keywords (list, search, add), …/<id>/edit, …/<id>/delete (confirm)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forum.errors import ValidationError
from forum.views.helpers import current_actor, page_arg
from moderation.scoring.demands import demand_label
from moderation.scoring.forms import DeleteForm, KeywordForm
from moderation.scoring.models import KIND_LABELS
from moderation.scoring.services import keywords, score_text

bp = Blueprint("moderation_scoring", __name__)


def _require_editor():
    if not current_user.is_authenticated:
        return redirect(url_for("forum.login", next=request.full_path.rstrip("?")))
    if not keywords.can_edit(current_user):
        abort(403)
    return None


def _save(form: KeywordForm, keyword=None):
    return keywords.save_keyword(current_actor(), term=form.term.data, weight=form.weight.data,
                                 category=form.category.data, kind=form.kind.data,
                                 keyword=keyword)


@bp.route("/admin/moderation/keywords", methods=["GET", "POST"])
def keyword_list():
    refused = _require_editor()
    if refused:
        return refused
    form = KeywordForm()
    if form.validate_on_submit():
        try:
            keyword = _save(form)
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            flash(f"关键字「{keyword.term}」已添加，对之后的评分立即生效", "success")
            return redirect(url_for("moderation_scoring.keyword_list"))
    filters = {"q": request.args.get("q", "").strip()[:keywords.TERM_MAX],
               "category": request.args.get("category", "").strip()[:keywords.CATEGORY_MAX],
               "kind": request.args.get("kind", "").strip()}
    if filters["kind"] not in KIND_LABELS:
        filters["kind"] = ""
    page = keywords.list_keywords(filters["q"], filters["category"], filters["kind"],
                                  page_arg())
    trial_text = request.args.get("try", "").strip()[:2000]
    trial = score_text(trial_text) if trial_text else None
    status = 422 if form.has_errors else 200
    return render_template(
        "moderation/keywords.html", form=form, page=page, filters=filters,
        keep={k: v for k, v in filters.items() if v}, categories=keywords.list_categories(),
        kind_labels=KIND_LABELS, trial_text=trial_text, trial=trial, demand_label=demand_label,
    ), status


@bp.route("/admin/moderation/keywords/<id:keyword_id>/edit", methods=["GET", "POST"])
def keyword_edit(keyword_id: int):
    refused = _require_editor()
    if refused:
        return refused
    keyword = keywords.get_keyword_or_404(keyword_id)
    form = KeywordForm()
    if form.validate_on_submit():
        try:
            _save(form, keyword)
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            flash(f"关键字「{keyword.term}」已保存", "success")
            return redirect(url_for("moderation_scoring.keyword_list"))
    elif not form.is_submitted():
        form.term.data, form.weight.data = keyword.term, str(keyword.weight)
        form.category.data, form.kind.data = keyword.category, keyword.kind
    status = 422 if form.has_errors else 200
    return render_template("moderation/keyword_edit.html", form=form, keyword=keyword), status


@bp.route("/admin/moderation/keywords/<id:keyword_id>/delete", methods=["GET", "POST"])
def keyword_delete(keyword_id: int):
    """GET asks for confirmation; POST deletes."""
    refused = _require_editor()
    if refused:
        return refused
    keyword = keywords.get_keyword_or_404(keyword_id)
    form = DeleteForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        term = keyword.term
        keywords.delete_keyword(current_actor(), keyword)
        flash(f"关键字「{term}」已删除", "success")
        return redirect(url_for("moderation_scoring.keyword_list"))
    return render_template("moderation/keyword_delete.html", form=form, keyword=keyword)
