"""Settings pages (issue 17): profile (name, bio, e-mail, tags), avatar, password; the API
token page (forum/views/accounts.py) is reached from here, not from the everyday menu."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required, login_user

from forum import ratelimit
from forum.errors import NotFound, RateLimited, ValidationError
from forum.errors_http import with_retry_after
from forum.services import attachments, passwords, profiles
from forum.settings_forms import AvatarForm, PasswordChangeForm, ProfileForm
from forum.views import bp
from forum.views.helpers import current_actor


def _profile_page(form: ProfileForm, avatar_form: AvatarForm, status: int = 200):
    user = current_actor()
    return render_template("settings/profile.html", form=form, avatar_form=avatar_form,
                           next_name_change=profiles.next_name_change(user),
                           name_change_days=current_app.config["DISPLAY_NAME_CHANGE_DAYS"],
                           self_tags=profiles.SELF_TAGS), status


def _filled_profile_form() -> ProfileForm:
    user = current_actor()
    form = ProfileForm(formdata=None)
    form.display_name.data = user.display_name
    form.bio.data = user.bio
    form.email.data = user.email or ""
    form.tags.data = profiles.self_tags(user)
    return form


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            profiles.update_profile(current_actor(), display_name=form.display_name.data or "",
                                    bio=form.bio.data or "", email=form.email.data or "",
                                    tags=list(form.tags.data or []))
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            flash("资料已保存", "success")
            return redirect(url_for("forum.settings"))
        return _profile_page(form, AvatarForm(formdata=None), 422)  # typed text kept
    return _profile_page(_filled_profile_form(), AvatarForm(formdata=None))


@bp.route("/settings/avatar", methods=["POST"])
@login_required
def settings_avatar():
    avatar_form = AvatarForm()
    if avatar_form.validate_on_submit():
        upload = request.files.get("file")
        data = upload.read(attachments.max_bytes() + 1) if upload else b""
        try:
            profiles.set_avatar(current_actor(), data)
        except ValidationError as err:
            avatar_form.apply_errors({"file": err.message})
        else:
            flash("头像已更新", "success")
            return redirect(url_for("forum.settings"))
    return _profile_page(_filled_profile_form(), avatar_form, 422)


@bp.route("/settings/avatar/remove", methods=["POST"])
@login_required
def settings_avatar_remove():
    form = AvatarForm()
    if form.validate_on_submit():
        profiles.remove_avatar(current_actor())
        flash("已恢复默认头像", "success")
    return redirect(url_for("forum.settings"))


def keep_session_after_password_change(user) -> None:
    """The session that changed the password stays signed in under the new version (and so
    does its remember-me cookie, if it had one); every other one is out."""
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    login_user(user, remember=remember_cookie in request.cookies)


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
def settings_password():
    form = PasswordChangeForm()
    user = current_actor()
    refused = None
    if form.validate_on_submit():
        key = ratelimit.user_key(user)
        try:
            ratelimit.check("password_change", key)
            passwords.change_password(user, form.current_password.data or "",
                                      form.new_password.data or "",
                                      form.new_password_confirm.data or "")
        except RateLimited as err:
            refused = err
            form.apply_errors({}, err.message)
        except ValidationError as err:
            if "current_password" in err.fields:
                ratelimit.hit("password_change", key)
            form.apply_errors(err.fields, err.message)
        else:
            keep_session_after_password_change(user)
            flash("密码已修改。其他设备上的登录和所有 API 令牌已失效，需要重新登录。", "success")
            return redirect(url_for("forum.settings"))
    body = render_template("settings/password.html", form=form)
    if refused is not None:
        return with_retry_after(current_app.make_response((body, refused.status)), refused)
    return body, (422 if form.has_errors else 200)


@bp.route("/avatars/<name>")
def avatar(name: str):
    path = profiles.avatar_path(name)
    if path is None or not path.exists():
        raise NotFound("头像不存在")
    response = send_file(path, mimetype="image/png" if name.endswith(".png") else "image/jpeg",
                         max_age=86400 * 30, conditional=True)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
