"""Rewards' JSON endpoints under /api/v1 (on the core's api blueprint); documented in
rewards/openapi.py."""

from __future__ import annotations

from flask import jsonify, request

from forum.api import api_bp, require_user
from forum.api.serializers import iso
from forum.errors import NotFound
from forum.pagination import clamp_page, paginate
from forum.services.accounts import get_user_by_username
from rewards.services import badges, leaderboards, points, store
from rewards.services.ledger import history_query

ENTRIES_PER_PAGE = 20


def _title(title) -> dict | None:
    return {"name": title.name, "threshold": title.threshold} if title else None


def serialize_entry(entry) -> dict:
    return {"id": entry.id, "amount": entry.amount, "rule": entry.rule_code,
            "source": f"{entry.source_kind}:{entry.source_id}", "created_at": iso(entry.created_at)}


def serialize_item(item) -> dict:
    return {"id": item.id, "name": item.name, "description": item.description,
            "price": item.price, "stock": item.stock, "per_user_limit": item.per_user_limit,
            "needs_phone": item.needs_phone}


@api_bp.get("/me/points")
def api_my_points():
    user = require_user()
    summary = points.summary(user.id)
    page, per_page = clamp_page(request.args.get("page"), request.args.get("per_page"),
                                ENTRIES_PER_PAGE)
    entries = paginate(history_query(user.id), page, per_page)
    return jsonify({
        "balance": summary.balance, "lifetime": summary.lifetime,
        "title": _title(summary.progress.title), "next_title": _title(summary.progress.next),
        "streak": summary.streak, "checked_in_today": summary.checked_in_today,
        "entries": [serialize_entry(e) for e in entries.items],
        "page": entries.page, "per_page": entries.per_page, "total": entries.total,
    })


@api_bp.post("/me/checkin")
def api_checkin():
    result = points.checkin(require_user())
    return jsonify({"new": result.new, "awarded": result.awarded, "streak": result.streak,
                    "balance": result.balance})


@api_bp.get("/leaderboards")
def api_leaderboards():
    period = leaderboards.parse_period(request.args.get("period"))
    tribe = leaderboards.parse_tribe(request.args.get("tribe"))
    rows = leaderboards.leaderboard(period, tribe)
    proxies = leaderboards.proxy_board(period, tribe)
    return jsonify({"period": period, "tribe": tribe.slug if tribe else None,
                    "items": [{"rank": r.rank, "username": r.user.username,
                               "display_name": r.user.display_name, "title": r.user.title,
                               "points": r.points} for r in rows],
                    "proxies": [{"rank": r.rank, "username": r.user.username,
                                 "display_name": r.user.display_name,
                                 "accepted_answers": r.points} for r in proxies]})


@api_bp.get("/rewards/catalogue")
def api_catalogue():
    return jsonify({"items": [serialize_item(item) for item in store.catalogue()]})


@api_bp.post("/rewards/<id:item_id>/redeem")
def api_redeem(item_id: int):
    user = require_user()
    body = request.get_json(silent=True) or {}
    order = store.redeem(user, item_id, body.get("phone"))
    return jsonify({"order_id": order.id, "item_id": order.item_id, "price": order.price,
                    "status": order.status, "phone": order.phone,
                    "balance": points.summary(user.id).balance}), 201


@api_bp.get("/users/<username>/badges")
def api_user_badges(username: str):
    user = get_user_by_username(username)
    if user is None:
        raise NotFound("用户不存在")
    return jsonify({"username": user.username, "items": [
        {"code": ub.badge.code, "name": ub.badge.name, "description": ub.badge.description,
         "icon": ub.badge.icon, "awarded_at": iso(ub.awarded_at)}
        for ub in badges.badges_of(user.id)]})
