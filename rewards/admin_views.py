"""Admin pages of rewards: point rules, titles, badges, the store's catalogue and orders.
Admins only (403 for everyone else, login page for visitors)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from forum.errors import DomainError, ValidationError
from forum.views.helpers import admin_required, current_actor, page_arg
from rewards.forms import ActionForm, BadgeForm, ItemForm, RuleForm, TitleForm
from rewards.models import ORDER_STATUS_LABELS
from rewards.services import badges, points, store, titles
from rewards.views import bp


@bp.route("/admin/rewards")
@admin_required
def admin_index():
    return render_template("rewards/admin_index.html")


# --- rules -----------------------------------------------------------------------------------


@bp.route("/admin/rewards/rules")
@admin_required
def admin_rules():
    return render_template("rewards/admin_rules.html", rules=points.list_rules())


@bp.route("/admin/rewards/rules/<code>", methods=["GET", "POST"])
@admin_required
def admin_rule_edit(code: str):
    rule = points.get_rule_or_404(code)
    form = RuleForm()
    if form.validate_on_submit():
        try:
            points.save_rule(rule, form.points.data, form.daily_cap.data, form.active.data)
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            flash(f"规则「{rule.label}」已保存", "success")
            return redirect(url_for("rewards.admin_rules"))
    elif not form.is_submitted():
        form.points.data, form.daily_cap.data, form.active.data = (
            rule.points, rule.daily_cap, rule.active)
    status = 422 if form.is_submitted() else 200
    return render_template("rewards/admin_rule_edit.html", rule=rule, form=form), status


# --- titles ----------------------------------------------------------------------------------


@bp.route("/admin/rewards/titles", methods=["GET", "POST"])
@admin_required
def admin_titles():
    form = TitleForm()
    if form.validate_on_submit():
        try:
            title = titles.save_title(form.name.data, form.threshold.data)
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            flash(f"头衔「{title.name}」已添加，所有用户的头衔已更新", "success")
            return redirect(url_for("rewards.admin_titles"))
    status = 422 if form.is_submitted() else 200
    return render_template("rewards/admin_titles.html", titles=titles.list_titles(), form=form,
                           delete_form=ActionForm(formdata=None)), status


@bp.route("/admin/rewards/titles/<id:title_id>/edit", methods=["GET", "POST"])
@admin_required
def admin_title_edit(title_id: int):
    title = titles.get_title_or_404(title_id)
    form = TitleForm()
    if form.validate_on_submit():
        try:
            titles.save_title(form.name.data, form.threshold.data, title)
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            flash("头衔已保存，所有用户的头衔已更新", "success")
            return redirect(url_for("rewards.admin_titles"))
    elif not form.is_submitted():
        form.name.data, form.threshold.data = title.name, title.threshold
    status = 422 if form.is_submitted() else 200
    return render_template("rewards/admin_title_edit.html", title=title, form=form), status


@bp.route("/admin/rewards/titles/<id:title_id>/delete", methods=["GET", "POST"])
@admin_required
def admin_title_delete(title_id: int):
    title = titles.get_title_or_404(title_id)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            titles.delete_title(title)
        except ValidationError as err:
            flash(err.message, "error")
        else:
            flash("头衔已删除", "success")
        return redirect(url_for("rewards.admin_titles"))
    return render_template("rewards/admin_title_delete.html", title=title, form=form)


# --- badges ----------------------------------------------------------------------------------


@bp.route("/admin/rewards/badges")
@admin_required
def admin_badges():
    return render_template("rewards/admin_badges.html", badges=badges.list_badges())


@bp.route("/admin/rewards/badges/<code>/edit", methods=["GET", "POST"])
@admin_required
def admin_badge_edit(code: str):
    badge = badges.get_badge_or_404(code)
    form = BadgeForm()
    if form.validate_on_submit():
        try:
            badges.save_badge(badge, form.name.data, form.description.data, form.icon.data)
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            flash("勋章已保存", "success")
            return redirect(url_for("rewards.admin_badges"))
    elif not form.is_submitted():
        form.name.data, form.description.data, form.icon.data = (
            badge.name, badge.description, badge.icon)
    status = 422 if form.is_submitted() else 200
    return render_template("rewards/admin_badge_edit.html", badge=badge, form=form), status


# --- catalogue -------------------------------------------------------------------------------


@bp.route("/admin/rewards/items")
@admin_required
def admin_items():
    return render_template("rewards/admin_items.html",
                           items=store.catalogue(include_inactive=True))


@bp.route("/admin/rewards/items/new", methods=["GET", "POST"])
@bp.route("/admin/rewards/items/<id:item_id>/edit", methods=["GET", "POST"])
@admin_required
def admin_item_edit(item_id: int | None = None):
    item = store.get_item_or_404(item_id, include_inactive=True) if item_id else None
    form = ItemForm()
    if form.validate_on_submit():
        try:
            store.save_item(name=form.name.data, description=form.description.data,
                            price=form.price.data, stock=form.stock.data,
                            per_user_limit=form.per_user_limit.data, active=form.active.data,
                            item=item, needs_phone=form.needs_phone.data)
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            flash("商品已保存", "success")
            return redirect(url_for("rewards.admin_items"))
    elif not form.is_submitted() and item is not None:
        for name in ("name", "description", "price", "stock", "per_user_limit", "active",
                     "needs_phone"):
            getattr(form, name).data = getattr(item, name)
    status = 422 if form.is_submitted() else 200
    return render_template("rewards/admin_item_edit.html", item=item, form=form), status


# --- orders ----------------------------------------------------------------------------------


@bp.route("/admin/rewards/orders")
@admin_required
def admin_orders():
    status = request.args.get("status", "")
    if status not in ORDER_STATUS_LABELS:
        status = ""
    orders = store.all_orders(status or None, page_arg())
    return render_template("rewards/admin_orders.html", orders=orders, status=status,
                           labels=ORDER_STATUS_LABELS, form=ActionForm(formdata=None))


@bp.route("/admin/rewards/orders/<id:order_id>/<any(fulfil, cancel):action>",
          methods=["POST"])
@admin_required
def admin_order_action(order_id: int, action: str):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    order = store.get_order_or_404(order_id)
    try:
        if action == "fulfil":
            store.fulfil_order(current_actor(), order)
            flash(f"订单 #{order.id} 已标记为已发放", "success")
        else:
            store.cancel_order(current_actor(), order)
            flash(f"订单 #{order.id} 已取消，{order.price} 积分已退回", "success")
    except DomainError as err:
        flash(err.message, "error")
    return redirect(url_for("rewards.admin_orders", status=request.args.get("status", "")))
