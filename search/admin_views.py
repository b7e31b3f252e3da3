"""Search's admin pages: the synonym list at /admin/search/synonyms (moderators and admins),
on the search blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forum.errors import ValidationError
from forum.views.helpers import current_actor
from search.forms import DeleteForm, SynonymForm
from search.services import synonyms, variants
from search.views import bp

# --- synonyms (moderators and admins) -------------------------------------------------------


def _require_editor():
    if not current_user.is_authenticated:
        return redirect(url_for("forum.login", next=request.full_path.rstrip("?")))
    if not synonyms.can_edit(current_user):
        abort(403)
    return None


@bp.route("/admin/search/synonyms", methods=["GET", "POST"])
def synonym_list():
    refused = _require_editor()
    if refused:
        return refused
    form = SynonymForm()
    if form.validate_on_submit():
        try:
            synonyms.save_synonym(current_actor(), form.terms.data or "")
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            flash("同义词已添加，立即对搜索生效", "success")
            return redirect(url_for("search.synonym_list"))
    status = 422 if form.has_errors else 200
    return render_template("search/synonyms.html", form=form, synonyms=synonyms.list_synonyms(),
                           delete_form=DeleteForm(formdata=None),
                           candidates=variants.pending_candidates()), status


@bp.route("/admin/search/synonyms/<id:synonym_id>/edit", methods=["GET", "POST"])
def synonym_edit(synonym_id: int):
    refused = _require_editor()
    if refused:
        return refused
    synonym = synonyms.get_synonym_or_404(synonym_id)
    form = SynonymForm()
    if form.validate_on_submit():
        try:
            synonyms.save_synonym(current_actor(), form.terms.data or "", synonym)
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            flash("同义词已保存", "success")
            return redirect(url_for("search.synonym_list"))
    elif not form.is_submitted():
        form.terms.data = synonym.terms
    status = 422 if form.has_errors else 200
    return render_template("search/synonym_edit.html", form=form, synonym=synonym), status


@bp.route("/admin/search/synonyms/<id:synonym_id>/delete", methods=["POST"])
def synonym_delete(synonym_id: int):
    refused = _require_editor()
    if refused:
        return refused
    synonym = synonyms.get_synonym_or_404(synonym_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        abort(400)
    synonyms.delete_synonym(current_actor(), synonym)
    flash("这组同义词已删除", "success")
    return redirect(url_for("search.synonym_list"))
