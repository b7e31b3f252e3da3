"""Pages and JSON endpoints of the composer: drafts (草稿), live preview, @mention suggestions.

static/js/composer.js calls these with ``fetch`` and the page's CSRF token (``X-CSRFToken``):

    PUT    /drafts/<key>     save (JSON {body, title?, tags?}) → {saved_at, saved_at_label}
    DELETE /drafts/<key>     discard
    POST   /preview          {body} → {html}, rendered exactly like a post
    GET    /users/suggest?q= up to 8 users for @mention autocomplete

Drafts are discarded on publish by event subscriptions (forum.services.drafts.connect, called
below at import), not by the publishing views. The "我的草稿" link joins the user menu through
``register_menu_link`` when the blueprint is registered.
"""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

import forum.api.drafts  # noqa: F401  (adds /api/v1/me/drafts routes to the API blueprint)
from forum.errors import DomainError, Unauthorized, ValidationError
from forum.services import drafts
from forum.templating import local_time, register_menu_link
from forum.views import bp
from forum.views.helpers import current_actor, json_error, page_arg

drafts.connect()
bp.record_once(lambda state: register_menu_link(state.app, "user", "forum.drafts", "我的草稿"))


@bp.app_context_processor
def _composer_globals():
    """``composer_draft(key)`` for templates/forum/_composer.html: the signed-in user's draft
    for a composer, rendered into the empty textarea so a reload restores it without JS."""

    def composer_draft(key: str):
        if not current_user.is_authenticated:
            return None
        try:
            return drafts.get_draft(current_actor(), key)
        except Exception:  # a page must render even when drafts cannot be read
            current_app.logger.exception("reading a composer draft failed")
            return None

    return {"composer_draft": composer_draft}


def _json_user():
    """The signed-in user for JSON endpoints: 401 JSON instead of a redirect to the login page."""
    if not current_user.is_authenticated:
        raise Unauthorized("登录已过期，请重新登录后再试（内容仍在输入框中）")
    return current_actor()


def _json_fields() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("请求体必须是 JSON 对象")
    values = {}
    for name in ("body", "title", "tags"):
        value = data.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ValidationError(f"{name} 必须是字符串", {name: "必须是字符串"})
        values[name] = value
    return values


def draft_json(draft) -> dict:
    return {"key": draft.key, "title": draft.title, "body": draft.body, "tags": draft.tags,
            "saved_at": draft.updated_at.isoformat(),
            "saved_at_label": local_time(draft.updated_at, "%H:%M")}


@bp.route("/drafts/<key>", methods=["PUT"])
def draft_save(key: str):
    try:
        fields = _json_fields()
        draft = drafts.save_draft(_json_user(), key, **fields)
    except DomainError as err:
        return _json_error_with_fields(err)
    if draft is None:
        return jsonify({"key": key, "discarded": True})
    return jsonify(draft_json(draft))


@bp.route("/drafts/<key>", methods=["DELETE"])
def draft_discard(key: str):
    try:
        found = drafts.discard_draft(_json_user(), key)
    except DomainError as err:
        return json_error(err)
    return jsonify({"key": key, "discarded": found})


def _json_error_with_fields(err: DomainError):
    body = {"error": {"code": err.code, "message": err.message}}
    if err.fields:
        body["error"]["fields"] = err.fields
    return jsonify(body), err.status


@bp.route("/preview", methods=["POST"])
def preview():
    try:
        user = _json_user()  # noqa: F841  (previews are for writers: signed in only)
        data = request.get_json(silent=True)
        body = data.get("body") if isinstance(data, dict) else request.form.get("body")
        if not isinstance(body, str):
            raise ValidationError("缺少要预览的内容", {"body": "必须是字符串"})
        html = drafts.render_preview(body)
    except DomainError as err:
        return _json_error_with_fields(err)
    return jsonify({"html": html})


@bp.route("/users/suggest")
def users_suggest():
    try:
        user = _json_user()
    except DomainError as err:
        return json_error(err)
    found = drafts.suggest_users(user, request.args.get("q", ""))
    return jsonify({"users": [{"username": u.username, "display_name": u.display_name}
                              for u in found]})


@bp.route("/drafts", endpoint="drafts")
@login_required
def drafts_list():
    page = drafts.list_drafts(current_actor(), page_arg())
    return render_template("forum/drafts.html", page=page, places=drafts.describe(page.items))


@bp.route("/drafts/<key>/delete", methods=["GET", "POST"])
@login_required
def draft_delete(key: str):
    """GET asks for confirmation; POST discards and returns to the list."""
    draft = drafts.get_draft_or_404(current_actor(), key)
    if request.method == "GET":
        return render_template("forum/drafts.html", confirm=draft,
                               place=drafts.describe([draft])[draft.id])
    drafts.discard_draft(current_actor(), key)
    flash("草稿已删除", "success")
    return redirect(url_for("forum.drafts"))
