"""Search pages: /search, and the synonym list at /admin/search/synonyms."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from forum.errors import ValidationError
from forum.services.tribes import list_tribes
from forum.views.helpers import current_actor, page_arg
from search import services
from search.forms import DeleteForm, SynonymForm
from search.services import synonyms, variants

bp = Blueprint("search", __name__)

FILTER_ARGS = ("type", "tribe", "solved", "from", "to")


def _viewer():
    return current_actor() if current_user.is_authenticated else None


def result_url(item: services.SearchResult) -> str:
    """A topic's page; for a reply, its permalink (the right page of replies, its anchor);
    another package's object (an idea) names its own page."""
    if item.url:
        return item.url
    if item.kind == "reply" and "forum.post_permalink" in current_app.view_functions:
        return url_for("forum.post_permalink", post_id=item.post_id)
    anchor = f"#post-{item.post_id}" if item.kind == "reply" else ""
    return url_for("forum.topic", topic_id=item.topic_id) + anchor


@bp.route("/search")
def search():
    q = request.args.get("q", "")
    args = {name: request.args.get(name, "").strip() for name in FILTER_ARGS}
    errors: dict[str, str] = {}
    results = None
    try:
        filters = services.parse_filters(kind=args["type"], tribe=args["tribe"],
                                         solved=args["solved"], date_from=args["from"],
                                         date_to=args["to"])
    except ValidationError as err:
        errors = err.fields
    else:
        results = services.search(_viewer(), q, filters, page_arg())
    suggestions = None
    if results is not None and not results.query.is_empty and not results.page.items:
        suggestions = services.suggestions(_viewer())
    # The pager keeps the query and the filters that are set.
    keep = {"q": results.query.text if results else q,
            **{k: v for k, v in args.items() if v}}
    return render_template(
        "search/search.html", q=q, args=args, results=results, errors=errors,
        suggestions=suggestions, tribes=list_tribes(), keep=keep, result_url=result_url,
    ), (422 if errors else 200)


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
