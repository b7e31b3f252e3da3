"""Pages: my tickets (customers), a ticket with its timeline, replies, status, rating; the
staff ticket list; a customer opening a ticket from their own post."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from forum.errors import DomainError, NotFound, ValidationError
from forum.permissions import moderated_tribe_ids
from forum.services.topics import get_post_or_404
from forum.services.tribes import list_tribes
from forum.views.helpers import page_arg, per_page
from moderation.forms import (
    CustomerTicketForm,
    RatingForm,
    TicketReplyForm,
    TicketStatusForm,
    TicketTierForm,
    choices,
)
from moderation.scoring.demands import DEMANDS
from moderation.services import ratings, sla, tickets
from moderation.services.access import require_staff
from moderation.views import actor, bp


@bp.route("/tickets")
@login_required
def my_tickets():
    page = tickets.my_tickets(actor(), page_arg(), per_page("TOPICS_PER_PAGE"))
    return render_template("moderation/my_tickets.html", page=page,
                           labels=tickets.STATUS_LABELS, tier_label=sla.tier_label)


def _render_ticket(ticket, *, reply_form=None, status_form=None, rating_form=None,
                   tier_form=None, status: int = 200):
    user = actor()
    staff = tickets.is_ticket_staff(user, ticket)
    allowed = tickets.allowed_transitions(user, ticket)
    status_form = status_form or TicketStatusForm(formdata=None)
    status_form.status.choices = choices((s, tickets.STATUS_LABELS[s]) for s in allowed)
    tier_form = tier_form or TicketTierForm(formdata=None, tier=ticket.tier)
    can_rate = (ticket.customer_id == user.id and ticket.rating is None
                and ticket.status in (tickets.RESOLVED, tickets.CLOSED))
    return render_template(
        "moderation/ticket.html", ticket=ticket, staff=staff, allowed=allowed,
        timeline=tickets.timeline(ticket, user), labels=tickets.STATUS_LABELS,
        event_labels=tickets.EVENT_LABELS, tier_label=sla.tier_label, demands=DEMANDS,
        reply_form=reply_form or TicketReplyForm(formdata=None), status_form=status_form,
        tier_form=tier_form, rating_form=rating_form or RatingForm(formdata=None),
        can_rate=can_rate), status


@bp.route("/tickets/<number>")
@login_required
def ticket_detail(number: str):
    return _render_ticket(tickets.get_ticket_or_404(number, actor()))


def _post_form(number: str, form, work):
    """Validate ``form``, run ``work(ticket, form)``; errors re-render the page keeping the
    input (422/409), success redirects back to the ticket."""
    user = actor()
    ticket = tickets.get_ticket_or_404(number, user)
    name = {TicketReplyForm: "reply_form", TicketStatusForm: "status_form",
            RatingForm: "rating_form", TicketTierForm: "tier_form"}[type(form)]
    if not form.validate_on_submit():
        return _render_ticket(ticket, **{name: form}, status=400)
    try:
        message = work(user, ticket, form)
    except ValidationError as err:
        form.apply_errors(err.fields, err.message)
        return _render_ticket(ticket, **{name: form}, status=422)
    except DomainError as err:
        form.form_errors.append(err.message)
        return _render_ticket(ticket, **{name: form}, status=err.status)
    flash(message, "success")
    return redirect(url_for("moderation.ticket_detail", number=ticket.number))


@bp.route("/tickets/<number>/reply", methods=["POST"])
@login_required
def ticket_reply(number: str):
    def work(user, ticket, form):
        tickets.add_reply(user, ticket, form.body.data or "", internal=bool(form.internal.data))
        return "已添加内部备注" if form.internal.data else "回复已发送"

    return _post_form(number, TicketReplyForm(), work)


@bp.route("/tickets/<number>/status", methods=["POST"])
@login_required
def ticket_status(number: str):
    def work(user, ticket, form):
        tickets.change_status(user, ticket, form.status.data or "", note=form.note.data or "",
                              assignee=form.assignee.data or None)
        return f"工单状态已变为「{tickets.STATUS_LABELS[ticket.status]}」"

    return _post_form(number, TicketStatusForm(), work)


@bp.route("/tickets/<number>/tier", methods=["POST"])
@login_required
def ticket_tier(number: str):
    def work(user, ticket, form):
        tickets.set_tier(user, ticket, form.tier.data or "")
        return f"等级已改为「{sla.tier_label(ticket.tier)}」"

    return _post_form(number, TicketTierForm(), work)


@bp.route("/tickets/<number>/rate", methods=["POST"])
@login_required
def ticket_rate(number: str):
    def work(user, ticket, form):
        try:
            score = int(form.score.data or "")
        except ValueError:
            raise ValidationError("评分须为 1–5 的整数", {"score": "评分须为 1–5 的整数"}) from None
        ratings.rate(user, ticket, score, form.comment.data or "")
        return "感谢你的评价！"

    return _post_form(number, RatingForm(), work)


@bp.route("/posts/<id:post_id>/ticket", methods=["GET", "POST"])
@login_required
def ticket_from_post(post_id: int):
    """A customer turns one of their own posts into a ticket (转为工单)."""
    user = actor()
    post = get_post_or_404(post_id, user)
    if post.author_id != user.id:
        raise NotFound("只能为自己的帖子创建工单")
    existing = tickets.ticket_for_post(post.id)
    if existing is not None:
        flash(f"该帖子已转工单 #{existing.number}", "info")
        return redirect(url_for("moderation.ticket_detail", number=existing.number))
    form = CustomerTicketForm()
    if form.validate_on_submit():
        try:
            ticket = tickets.create_ticket(
                user, user, title=post.topic.title, source_post=post,
                description="\n\n".join(x for x in (post.body, form.description.data or "") if x),
                category=form.category.data or "其他")
        except ValidationError as err:
            form.apply_errors(err.fields, err.message)
        else:
            flash(f"工单已提交：{ticket.number}，你可以在这里跟踪处理进度", "success")
            return redirect(url_for("moderation.ticket_detail", number=ticket.number))
    status = 422 if form.has_errors else 200
    return render_template("moderation/ticket_new.html", form=form, post=post), status


@bp.route("/moderation/tickets")
@login_required
def staff_tickets():
    user = actor()
    require_staff(user)
    scope = moderated_tribe_ids(user)
    tribes = [t for t in list_tribes() if scope is None or t.id in scope]
    args = request.args
    status = args.get("status") or "open"
    tier = args.get("tier") or ""
    slug = args.get("tribe") or ""
    tribe = next((t for t in tribes if t.slug == slug), None)
    page = tickets.staff_tickets(user, page_arg(), per_page("TOPICS_PER_PAGE"), status=status,
                                 tier=tier or None, mine=args.get("mine") == "1",
                                 breached=args.get("breached") == "1",
                                 tribe_id=tribe.id if tribe else None)
    return render_template("moderation/staff_tickets.html", page=page, status=status,
                           tier=tier, tribe=tribe, tribes=tribes, mine=args.get("mine") == "1",
                           breached=args.get("breached") == "1", labels=tickets.STATUS_LABELS,
                           tiers=sla.DEFAULT_TIERS, tier_label=sla.tier_label)
