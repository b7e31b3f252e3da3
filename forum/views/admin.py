"""Admin pages: tribes (create/edit, moderators) and users (roles, 加V)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from forum import ratelimit
from forum.errors import ValidationError
from forum.forms import RolesForm, TribeForm
from forum.services import accounts, tribes
from forum.views import bp
from forum.views.helpers import admin_required, current_actor, page_arg, redirect_back

USERS_PER_PAGE = 30


@bp.route("/admin/tribes")
@admin_required
def admin_tribes():
    return render_template("forum/admin_tribes.html", tribes=tribes.list_tribes())


def _tribe_form_page(tribe=None):
    form = TribeForm()
    if form.validate_on_submit():
        try:
            saved = tribes.save_tribe(
                current_actor(),
                slug=form.slug.data or "",
                name=form.name.data or "",
                description=form.description.data or "",
                icon=form.icon.data or "",
                position=form.position.data or 0,
                moderator_usernames=form.moderator_usernames(),
                hold_new_user_posts=bool(form.hold_new_user_posts.data),
                tribe=tribe,
            )
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            flash(f"部落「{saved.name}」已保存", "success")
            return redirect(url_for("forum.admin_tribes"))
    elif not form.is_submitted() and tribe is not None:
        form.slug.data = tribe.slug
        form.name.data = tribe.name
        form.description.data = tribe.description
        form.icon.data = tribe.icon
        form.hold_new_user_posts.data = tribe.hold_new_user_posts
        form.position.data = tribe.position
        form.moderators.data = ", ".join(m.username for m in tribe.moderators)
    status = 422 if form.has_errors else 200
    return render_template("forum/admin_tribe_form.html", form=form, tribe=tribe), status


@bp.route("/admin/tribes/new", methods=["GET", "POST"])
@admin_required
def admin_new_tribe():
    return _tribe_form_page()


@bp.route("/admin/tribes/<slug>/edit", methods=["GET", "POST"])
@admin_required
def admin_edit_tribe(slug: str):
    return _tribe_form_page(tribes.get_tribe_or_404(slug))


@bp.route("/admin/users")
@admin_required
def admin_users():
    query = request.args.get("q", "").strip()
    page = accounts.list_users(page_arg(), USERS_PER_PAGE, query)
    return render_template("forum/admin_users.html", page=page, query=query,
                           roles_form=RolesForm(formdata=None))


@bp.route("/admin/users/<username>/roles", methods=["POST"])
@admin_required
def admin_set_roles(username: str):
    user = accounts.get_user_or_404(username)
    form = RolesForm()
    form.validate()  # parses the checkboxes; unknown values are refused by the service
    try:
        accounts.set_roles(user, list(form.roles.data or []), actor=current_actor())
    except ValidationError as err:
        flash(err.message, "error")
    else:
        labels = "、".join(role.label for role in user.roles) or "无"
        flash(f"{user.display_name} 的角色已更新为：{labels}", "success")
    return redirect_back(url_for("forum.admin_users"))


@bp.route("/admin/users/<username>/unlock-login", methods=["POST"])
@admin_required
def admin_unlock_login(username: str):
    """The owner locked out by someone else's guesses gets back in (and it is on record)."""
    user = accounts.get_user_or_404(username)
    ratelimit.unlock_login(user.username)
    current_app.logger.warning("audit: admin %s (id %s) unlocked login for %s (id %s)",
                               current_actor().username, current_actor().id, user.username,
                               user.id)
    flash(f"已解除 {user.display_name} 的登录锁定", "success")
    return redirect_back(url_for("forum.admin_users"))
