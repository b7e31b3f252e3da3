"""Pages: register, login/logout, profiles, follow, 加V, API tokens."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from forum import ratelimit
from forum.errors import DomainError, RateLimited, ValidationError
from forum.errors_http import with_retry_after
from forum.forms import LoginForm, RegisterForm, TokenForm
from forum.services import accounts, topics
from forum.views import bp
from forum.views.helpers import current_actor, redirect_back, refusal_status, safe_next


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("forum.home"))
    form = RegisterForm()
    refused = None
    if form.validate_on_submit():
        try:
            ratelimit.consume("register_ip", ratelimit.client_ip())
            user = accounts.register_user(form.username.data or "", form.display_name.data or "",
                                          form.password.data or "")
        except RateLimited as err:
            refused = err
            form.apply_errors({}, err.message)
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            login_user(user)
            flash(f"欢迎加入互助社区，{user.display_name}！先去加入感兴趣的部落吧。", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("forum.tribes"))
    elif form.is_submitted():
        # The confirmation did not match: show the service's other field errors too.
        form.apply_errors(accounts.validate_registration(
            (form.username.data or "").strip(), form.display_name.data or "",
            form.password.data or ""))
    return refusal_status(render_template("forum/register.html", form=form), form, refused)


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("forum.home"))
    form = LoginForm()
    refused = None
    if form.validate_on_submit():
        try:
            user = ratelimit.authenticate(form.username.data or "", form.password.data or "")
        except DomainError as err:
            refused = err if isinstance(err, RateLimited) else None
            form.form_errors.append(err.message)
        else:
            login_user(user, remember=bool(form.remember.data))
            flash(f"欢迎回来，{user.display_name}", "success")
            return redirect(next_url or url_for("forum.home"))
    return refusal_status(render_template("forum/login.html", form=form, next_url=next_url),
                          form, refused)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("您已退出登录", "info")
    return redirect(url_for("forum.home"))


@bp.route("/u/<username>")
def profile(username: str):
    user = accounts.get_user_or_404(username)
    return render_template(
        "forum/profile.html",
        user=user,
        recent_posts=topics.user_recent_posts(user, limit=15),
        is_following=accounts.is_following(current_user, user),
        is_self=current_user.is_authenticated and current_user.id == user.id,
    )


@bp.route("/u/<username>/follow", methods=["POST"])
@login_required
def follow(username: str):
    user = accounts.get_user_or_404(username)
    want = request.form.get("action", "follow") != "unfollow"
    now_following = accounts.set_following(current_actor(), user, want)
    flash(f"已关注 {user.display_name}" if now_following else f"已取消关注 {user.display_name}",
          "success")
    return redirect_back(url_for("forum.profile", username=user.username))


@bp.route("/u/<username>/verify", methods=["POST"])
@login_required
def verify(username: str):
    user = accounts.get_user_or_404(username)
    verified = request.form.get("verified") == "1"
    accounts.set_verified(current_actor(), user, verified)
    flash(f"已为 {user.display_name} {'加V认证' if verified else '取消加V认证'}", "success")
    return redirect_back(url_for("forum.profile", username=user.username))


@bp.route("/settings/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    new_token = None
    status = 200
    if form.validate_on_submit():
        name = (form.name.data or "").strip()
        if not name:
            form.apply_errors({"name": "请给令牌起个名字，方便以后辨认"})
            status = 422
        else:
            try:
                ratelimit.consume("token", ratelimit.user_key(current_actor()))
            except RateLimited as err:
                form.apply_errors({}, err.message)
                return with_retry_after(make_response(render_template(
                    "forum/tokens.html", form=form, new_token=None,
                    tokens=accounts.list_tokens(current_actor())), 429), err)
            new_token = accounts.issue_token(current_actor(), name)
            form = TokenForm(formdata=None)
    return render_template("forum/tokens.html", form=form, new_token=new_token,
                           tokens=accounts.list_tokens(current_actor())), status


@bp.route("/settings/tokens/<id:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    accounts.revoke_token(current_actor(), token_id)
    flash("令牌已撤销，使用它的应用将无法再访问", "success")
    return redirect(url_for("forum.tokens"))
