"""Pages for proxies and circle members: the proxy dashboard (/proxies/), the invitation
answer (/proxies/invitation), service circles (/proxies/circles) and a proxy's own
statements. Admin pages are in admin_views.py."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forum import permissions
from forum.errors import DomainError
from forum.views.helpers import current_actor
from rewards.proxies.forms import ActionForm, CircleForm, InvitationForm
from rewards.proxies.models import ACTIVE, RETIRED, SUSPENDED
from rewards.proxies.services import circles, commission, lifecycle, settlement

bp = Blueprint("proxies", __name__, url_prefix="/proxies")


def sees_dashboard(user) -> bool:
    """Proxies (active, suspended or retired: past earnings stay visible) see the dashboard."""
    if not permissions.is_authenticated(user):
        return False
    return lifecycle.status_of(user.id) in (ACTIVE, SUSPENDED, RETIRED)


def sees_menu(user) -> bool:
    """The user-menu link: proxies (by role, no query on every page; invited users reach their
    invitation through its notification)."""
    return permissions.is_authenticated(user) and user.has_role("proxy")


def _login_redirect():
    return redirect(url_for("forum.login", next=request.full_path.rstrip("?")))


@bp.route("/")
def dashboard():
    if not current_user.is_authenticated:
        return _login_redirect()
    user = current_actor()
    if lifecycle.pending_invitation(user) is not None:
        return redirect(url_for("proxies.invitation"))
    if not sees_dashboard(user):
        abort(403)
    return _dashboard_page(user, CircleForm(formdata=None))


def _dashboard_page(user, circle_form, status: int = 200):
    my_circles = circles.circles_of(user.id)
    entries = commission.entries(user.id, 30)
    return render_template(
        "rewards/proxy_dashboard.html", profile=lifecycle.get_profile(user.id),
        circles=my_circles, members={c.id: circles.members(c.id) for c in my_circles},
        earnings=commission.earnings(user.id), entries=entries,
        settles_in=settlement.settles_in(user.id, entries),
        statements=settlement.statements_of(user.id), circle_form=circle_form,
        action_form=ActionForm(formdata=None), cap=circles.circle_cap()), status


@bp.route("/circles/new", methods=["POST"])
def create_circle():
    if not current_user.is_authenticated:
        return _login_redirect()
    user = current_actor()
    if not sees_dashboard(user):
        abort(403)
    form = CircleForm()
    if form.validate_on_submit():
        try:
            circle = circles.create_circle(user, user, form.name.data or "",
                                           form.description.data or "")
        except DomainError as err:
            form.apply_errors(err.fields, err.message)
            return _dashboard_page(user, form, err.status)
        flash(f"服务圈子「{circle.name}」已创建", "success")
        return redirect(url_for("proxies.dashboard"))
    abort(400)


@bp.route("/invitation", methods=["GET", "POST"])
def invitation():
    if not current_user.is_authenticated:
        return _login_redirect()
    user = current_actor()
    form = InvitationForm()
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            lifecycle.respond_to_invitation(user, form.decision.data == "accept",
                                            form.reason.data or "")
        except DomainError as err:
            error, status = err.message, err.status
        else:
            if form.decision.data == "accept":
                flash("欢迎成为服务代理！你的服务代理中心已开通", "success")
                return redirect(url_for("proxies.dashboard"))
            flash("已婉拒邀请，感谢你的答复", "info")
            return redirect(url_for("forum.home"))
    elif form.is_submitted():
        abort(400)
    profile = lifecycle.pending_invitation(user)
    return render_template("rewards/proxy_invitation.html", profile=profile, form=form,
                           error=error), status


@bp.route("/circles")
def circle_list():
    viewer = current_actor() if current_user.is_authenticated else None
    return render_template(
        "rewards/proxy_circles.html", circles=circles.open_circles(), cap=circles.circle_cap(),
        membership=circles.membership(viewer.id) if viewer else None,
        action_form=ActionForm(formdata=None))


@bp.route("/circles/<id:circle_id>/join", methods=["POST"])
def join_circle(circle_id: int):
    if not current_user.is_authenticated:
        return _login_redirect()
    if not ActionForm().validate_on_submit():
        abort(400)
    circle = circles.get_circle_or_404(circle_id)
    try:
        circles.join(current_actor(), circle)
    except DomainError as err:
        flash(err.message, "error")
        return render_template(
            "rewards/proxy_circles.html", circles=circles.open_circles(),
            cap=circles.circle_cap(), membership=circles.membership(current_user.id),
            action_form=ActionForm(formdata=None), error=err.message), err.status
    flash(f"已加入服务圈子「{circle.name}」，你发布的新问题会第一时间通知服务代理", "success")
    return redirect(url_for("proxies.circle_list"))


@bp.route("/circles/leave", methods=["POST"])
def leave_circle():
    if not current_user.is_authenticated:
        return _login_redirect()
    if not ActionForm().validate_on_submit():
        abort(400)
    user = current_actor()
    member_id = request.form.get("user_id", type=int) or user.id
    target = lifecycle.get_user_or_404(member_id) if member_id != user.id else user
    try:
        circles.leave(user, target)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("proxies.circle_list")), 303
    flash("已退出服务圈子" if target.id == user.id else f"已将 {target.display_name} 移出圈子",
          "success")
    return redirect(request.form.get("back") == "dashboard" and url_for("proxies.dashboard")
                    or url_for("proxies.circle_list"))


def _own_statement(statement_id: int):
    if not current_user.is_authenticated:
        return None, _login_redirect()
    statement = settlement.get_statement_or_404(statement_id)
    if statement.proxy_id != current_user.id:
        abort(404)
    return statement, None


@bp.route("/statements/<id:statement_id>")
def statement(statement_id: int):
    statement, refused = _own_statement(statement_id)
    if refused:
        return refused
    return render_template("rewards/settlement_detail.html", statement=statement,
                           entries=settlement.statement_entries(statement), admin=False,
                           action_form=None)


@bp.route("/statements/<id:statement_id>.csv")
def statement_csv(statement_id: int):
    statement, refused = _own_statement(statement_id)
    if refused:
        return refused
    return csv_response(statement)


def csv_response(statement) -> Response:
    filename = f"commission-{statement.month}-{statement.proxy.username}.csv"
    return Response(settlement.statement_csv(statement).encode("utf-8"),
                    mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f"attachment; filename=commission-{statement.id}.csv; "
                             f"filename*=UTF-8''{_quote(filename)}"})


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)
