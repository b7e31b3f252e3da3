"""Forgotten passwords (issue 17): the request page, the reset page a link opens, and the
administrator's "issue a reset link" button (forum/services/passwords.py has the rules)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, logout_user

from forum import mail, ratelimit
from forum.errors import RateLimited, ValidationError
from forum.services import accounts, passwords
from forum.settings_forms import ForgotForm, ResetForm
from forum.views import bp
from forum.views.helpers import admin_required, current_actor, refusal_status


def reset_link(token: str) -> str:
    """The absolute URL of the reset page for ``token`` (HUZHU_PUBLIC_URL when set)."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base + url_for("forum.password_reset", token=token)
    return url_for("forum.password_reset", token=token, _external=True)


def request_reset_limited(identifier: str) -> str:
    """``passwords.request_reset`` behind the limits: per address, and per named account so
    nobody floods one mailbox. The same answer for every identifier."""
    ratelimit.consume("password_reset", "ip:" + ratelimit.client_ip())
    ratelimit.consume("password_reset", "account:" + (identifier or "").strip().lower())
    return passwords.request_reset(identifier, reset_link)


@bp.route("/password/forgot", methods=["GET", "POST"])
def password_forgot():
    form = ForgotForm()
    answer = None
    refused = None
    if form.validate_on_submit():
        identifier = (form.identifier.data or "").strip()
        if not identifier:
            form.apply_errors({"identifier": "请填写用户名或邮箱"})
        else:
            try:
                answer = request_reset_limited(identifier)
            except RateLimited as err:
                refused = err
                form.apply_errors({}, err.message)
    return refusal_status(render_template("settings/forgot.html", form=form, answer=answer,
                                          mail_enabled=mail.configured()), form, refused)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def password_reset(token: str):
    form = ResetForm()
    link_error = reset_error_kind = None
    try:
        reset = passwords.reset_for_token(token)
    except ValidationError as err:
        reset, link_error, reset_error_kind = None, err.message, passwords.link_problem(err)
    if reset is not None and form.validate_on_submit():
        try:
            user = passwords.complete_reset(token, form.new_password.data or "",
                                            form.new_password_confirm.data or "")
        except ValidationError as err:
            if "token" in err.fields:
                reset, link_error, reset_error_kind = None, err.message, passwords.link_problem(err)
            else:
                form.apply_errors(err.fields, err.message)
        else:
            ratelimit.unlock_login(user.username)  # the owner proved it: lift a lockout
            if current_user.is_authenticated:
                logout_user()
            flash(f"密码已重置，请用新密码登录（{user.username}）。其他设备上的登录和所有 API "
                  "令牌已失效。", "success")
            return redirect(url_for("forum.login"))
    status = 200
    if link_error is not None:
        status = 404 if reset_error_kind == "invalid" else 410  # gone: expired or used
    elif form.has_errors:
        status = 422
    return render_template("settings/reset.html", form=form, reset=reset,
                           link_error=link_error, token=token), status


@bp.route("/admin/users/<username>/reset-link", methods=["POST"])
@admin_required
def admin_reset_link(username: str):
    """An administrator issues a reset link (shown once) to pass on to the account's owner
    after checking who is asking; the action is on the audit log."""
    user = accounts.get_user_or_404(username)
    link = passwords.issue_admin_reset(current_actor(), user, reset_link)
    return render_template("settings/admin_reset_link.html", user=user, link=link,
                           hours=current_app.config["PASSWORD_RESET_ADMIN_HOURS"])
