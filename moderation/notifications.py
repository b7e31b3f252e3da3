"""Notification kinds of moderation (ticket progress for customers, escalations for
supervisors, assignments for moderators)."""

from __future__ import annotations

from urllib.parse import quote

from forum.services.notifications import post_url, register_kind


def ticket_url(payload: dict) -> str:
    number = payload.get("ticket_number")
    return f"/tickets/{quote(str(number))}" if number else "/tickets"


def _ticket_group(payload: dict) -> str | None:
    return f"ticket:{payload.get('ticket_number')}"


def register_kinds() -> None:
    register_kind(
        "ticket_update", "工单进展", "你的工单 {ticket_number}：{summary}", ticket_url,
        group_template="你的工单 {ticket_number} 有 {count} 条新进展", group=_ticket_group,
        source=lambda p: f"{p.get('ticket_number')}:{p.get('event_id')}",
        description="工单状态变化、客服答复")
    register_kind(
        "ticket_assigned", "工单指派", "{actor} 把工单 {ticket_number} 指派给了你", ticket_url,
        source=lambda p: f"{p.get('ticket_number')}:assigned:{p.get('actor_id')}",
        description="有工单指派给你处理")
    register_kind(
        "ticket_customer_reply", "工单客户反馈", "{actor} 在工单 {ticket_number} 中回复了",
        ticket_url, group_template="工单 {ticket_number} 有 {count} 条客户反馈",
        group=_ticket_group, source=lambda p: f"{p.get('ticket_number')}:{p.get('event_id')}",
        description="你处理的工单有客户回复")
    register_kind(
        "ticket_escalated", "工单超时升级", "工单 {ticket_number} {what}超时，已升级为「{tier}」",
        ticket_url,
        source=lambda p: f"{p.get('ticket_number')}:{p.get('what')}", mutable=False,
        description="工单超出 SLA 时限（主管）")
    register_kind(
        "post_hidden", "帖子被隐藏", "你在「{topic}」的帖子已被版主隐藏（原因：{reason}），"
        "其他人看不到它；有疑问可以私信版主", post_url,
        source=lambda p: f"hidden:{p.get('post_id')}",
        description="你的帖子被版主隐藏（只有你和版主能看到）")
