"""Pages: the moderation queue, one queued post with its actions."""

from __future__ import annotations

from flask import flash, render_template, request, url_for
from flask_login import login_required

from forum.errors import DomainError, ValidationError
from forum.permissions import moderated_tribe_ids
from forum.services.tribes import list_tribes
from forum.views.helpers import page_arg, per_page
from moderation.forms import DEMAND_CHOICES, ActionForm, SimpleForm, choices
from moderation.models import QUEUE_KIND_LABELS, QUEUE_STATUS_LABELS, QUEUE_STATUSES
from moderation.scoring.demands import DEMANDS
from moderation.services import actions, audit, canned, queue, reports
from moderation.services.access import require_staff
from moderation.views import actor, back, bp

ACTION_DONE = {"dismiss": "已忽略", "not_negative": "已标为不是负面，模型会从中学习", "reply": "已公开回复", "message": "已发送私信答复",
               "ticket": "已转为工单", "cold": "已冷处理（作者照常看到、不会收到通知）", "hide": "已隐藏，已通知作者",
               "restore": "已恢复显示", "set_demand": "已修改诉求分类", "reopen": "已重新打开"}


def _tribe_choices(user):
    scope = moderated_tribe_ids(user)
    return [t for t in list_tribes() if scope is None or t.id in scope]


@bp.route("/moderation/queue", endpoint="queue")
@login_required
def queue_list():
    user = actor()
    require_staff(user)
    tribes = _tribe_choices(user)
    slug = request.args.get("tribe") or ""
    tribe = next((t for t in tribes if t.slug == slug), None)
    status = request.args.get("status") or "open"
    if status not in QUEUE_STATUSES:
        status = "open"
    demand = request.args.get("demand") or ""
    if demand not in DEMANDS:
        demand = ""
    kind = request.args.get("kind") or ""
    if kind not in QUEUE_KIND_LABELS:
        kind = ""
    filters = queue.QueueFilters(tribe_id=tribe.id if tribe else None, demand=demand or None,
                                 status=status, kind=kind or None)
    page = queue.list_queue(user, filters, page_arg(), per_page("TOPICS_PER_PAGE"))
    return render_template("moderation/queue.html", page=page, tribes=tribes,
                           tribe=tribe, status=status, demand=demand, kind=kind,
                           kinds=QUEUE_KIND_LABELS,
                           statuses=QUEUE_STATUS_LABELS, demand_choices=DEMAND_CHOICES,
                           quick_form=SimpleForm(), demands=DEMANDS)


def _render_item(item, form: ActionForm, status: int = 200):
    user = actor()
    row = queue.row_for(item)
    replies = canned.list_replies(active_only=True)
    form.canned_reply_id.choices = choices([("", "（不用模板，自己写）")] + [
        (str(r.id), r.title) for r in replies])
    if not form.demand.data:
        form.demand.data = row.demand_code
    return render_template("moderation/queue_item.html", row=row, form=form,
                           report_reasons=reports.reasons_of(item.post_id),
                           report_notes=reports.notes_of(item.post_id),
                           canned_replies=replies, demands=DEMANDS,
                           history=audit.entries_for("post", item.post_id),
                           placeholders=canned.PLACEHOLDERS,
                           values=actions.placeholder_values(user, item),
                           action_labels=audit.ACTION_LABELS), status


@bp.route("/moderation/queue/<id:post_id>")
@login_required
def queue_item(post_id: int):
    item = queue.get_item_or_404(actor(), post_id)
    return _render_item(item, ActionForm(formdata=None))


@bp.route("/moderation/queue/<id:post_id>/action", methods=["POST"])
@login_required
def queue_action(post_id: int):
    user = actor()
    item = queue.get_item_or_404(user, post_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _render_item(item, form, 400)
    action = form.action.data or ""
    params = {"canned_reply_id": form.canned_reply_id.data or None,
              "body": form.body.data or None, "demand": form.demand.data or None,
              "category": form.category.data or None, "tier": form.tier.data or None,
              "reason": form.reason.data or None}
    try:
        result = actions.perform(user, post_id, action, params)
    except ValidationError as err:
        form.apply_errors(err.fields, err.message)
        return _render_item(item, form, 422)
    except DomainError as err:
        flash(err.message, "error")
        return _render_item(item, form, err.status)
    message = ACTION_DONE.get(action, "已完成")
    if result.ticket is not None:
        message += f"：工单号 {result.ticket.number}"
    flash(message, "success")
    return back(url_for("moderation.queue_item", post_id=post_id))
