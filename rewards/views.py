"""Rewards pages for users: my points (history, check-in), leaderboards, the store and my
orders. Admin pages are in rewards/admin_views.py."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.errors import DomainError, ValidationError
from forum.extensions import db
from forum.pagination import paginate
from forum.services.tribes import list_tribes
from forum.templating import local_time
from forum.views.helpers import current_actor, json_error, page_arg, redirect_back, wants_json
from rewards.forms import ActionForm
from rewards.models import PERIODS
from rewards.services import badges, leaderboards, points, store
from rewards.services.ledger import history_query
from rewards.services.titles import progress

bp = Blueprint("rewards", __name__)

HISTORY_PER_PAGE = 20
RULE_LABELS_EXTRA = {"reversal": "撤销（帖子被移除或取消点赞）", "redeem": "积分兑换",
                     "refund": "兑换取消退回"}


def rule_labels() -> dict[str, str]:
    return {**{r.code: r.label for r in points.list_rules()}, **RULE_LABELS_EXTRA}


@bp.route("/me/points")
@login_required
def my_points():
    user = current_actor()
    history = paginate(history_query(user.id), page_arg(), HISTORY_PER_PAGE)
    return render_template("rewards/points.html", summary=points.summary(user.id),
                           history=history, labels=rule_labels(),
                           badges=badges.badges_of(user.id), form=ActionForm())


@bp.route("/me/checkin", methods=["POST"])
@login_required
def checkin():
    form = ActionForm()
    if not form.validate_on_submit():
        flash("表单已过期，请刷新页面后重试", "error")
        return redirect_back(url_for("rewards.my_points"))
    result = points.checkin(current_actor())
    message = (f"签到成功，积分 +{result.awarded}，已连续签到 {result.streak} 天" if result.new
               else "今天已经签到过了，明天再来吧")
    if wants_json():
        # Everything the page shows that the check-in changed, so it stays consistent
        # without a reload: balance, lifetime, streak and the new history row.
        account = points.summary(current_user.id)
        entry = None
        if result.new:
            row = db.session.scalars(history_query(current_user.id).limit(1)).first()
            entry = {"time": local_time(row.created_at), "amount": row.amount,
                     "label": rule_labels().get(row.rule_code, row.rule_code)}
        return jsonify({"new": result.new, "awarded": result.awarded, "streak": result.streak,
                        "balance": account.balance, "lifetime": account.lifetime,
                        "entry": entry, "message": message})
    flash(message, "success" if result.new else "info")
    return redirect_back(url_for("rewards.my_points"))


@bp.route("/leaderboards")
def leaderboard():
    errors = {}
    try:
        period = leaderboards.parse_period(request.args.get("period"))
        tribe = leaderboards.parse_tribe(request.args.get("tribe"))
    except DomainError as err:
        errors, period, tribe = err.fields, "week", None
    rows = leaderboards.leaderboard(period, tribe)
    return render_template("rewards/leaderboard.html", rows=rows, period=period, tribe=tribe,
                           proxy_rows=leaderboards.proxy_board(period, tribe),
                           periods=PERIODS, period_labels=leaderboards.PERIOD_LABELS,
                           tribes=list_tribes(), errors=errors), (422 if errors else 200)


@bp.route("/store")
def store_page():
    return _store_page()


def _store_page(error_item: int | None = None, errors: dict | None = None,
                typed: dict | None = None, status: int = 200):
    """The catalogue; after refused input, the item's form shows why and keeps what was typed."""
    balance = None
    if current_user.is_authenticated:
        balance = points.summary(current_user.id).balance
    return render_template("rewards/store.html", items=store.catalogue(), balance=balance,
                           form=ActionForm(), error_item=error_item, errors=errors or {},
                           typed=typed or {}), status


@bp.route("/store/<id:item_id>/redeem", methods=["POST"])
@login_required
def redeem(item_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        flash("表单已过期，请刷新页面后重试", "error")
        return redirect(url_for("rewards.store_page"))
    phone = request.form.get("phone", "")
    try:
        order = store.redeem(current_actor(), item_id, phone)
    except ValidationError as err:
        if wants_json():
            return json_error(err)
        return _store_page(item_id, err.fields, {"phone": phone}, err.status)
    except DomainError as err:
        if wants_json():
            return json_error(err)
        flash(err.message, "error")
        return redirect(url_for("rewards.store_page"))
    to = f"，充值到 {order.masked_phone}" if order.phone else ""
    flash(f"兑换成功：{order.item.name}{to}，消耗 {order.price} 积分，请等待发放", "success")
    return redirect(url_for("rewards.my_orders"))


@bp.route("/store/orders")
@login_required
def my_orders():
    orders = store.my_orders(current_user.id, page_arg())
    return render_template("rewards/orders.html", orders=orders)


def profile_context(user) -> dict:
    """What the profile section (templates/rewards/_profile.html) shows."""
    account = points.summary(user.id)
    return {"summary": account, "progress": progress(account.lifetime),
            "badges": badges.badges_of(user.id)}
