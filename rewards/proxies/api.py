"""GET /api/v1/me/commission on the core's api blueprint, and its OpenAPI description
(its part of the OpenAPI document, SPEC, is registered by ``rewards.proxies.init_app``)."""

from __future__ import annotations

from flask import jsonify

from forum.api import api_bp, require_user
from forum.api.openapi_kit import DATETIME, ApiSpec, array, get, nullable, obj, ref
from forum.api.serializers import iso
from forum.errors import PermissionDenied
from rewards.proxies.models import CommissionEntry, CommissionStatement
from rewards.proxies.services import commission, settlement
from rewards.proxies.views import sees_dashboard

ENTRIES_SHOWN = 50


def serialize_entry(entry: CommissionEntry) -> dict:
    return {
        "id": entry.id,
        "rule": entry.rule,
        "rule_label": entry.rule_label,
        "source": entry.source,
        "amount_fen": entry.amount_fen,
        "tribe": entry.tribe.slug if entry.tribe is not None else None,
        "note": entry.note,
        "statement_id": entry.statement_id,
        "created_at": iso(entry.created_at),
    }


def serialize_statement(statement: CommissionStatement) -> dict:
    return {
        "id": statement.id,
        "month": statement.month,
        "status": statement.status,
        "total_fen": statement.total_fen,
        "entry_count": statement.entry_count,
        "approved_at": iso(statement.approved_at) if statement.approved_at else None,
        "paid_at": iso(statement.paid_at) if statement.paid_at else None,
    }


@api_bp.get("/me/commission")
def api_my_commission():
    user = require_user()
    if not sees_dashboard(user):
        raise PermissionDenied("只有服务代理可以查看服务酬金")
    earned = commission.earnings(user.id)
    return jsonify({
        "total_fen": earned.total_fen,
        "pending_fen": earned.pending_fen,
        "entries": [serialize_entry(e) for e in commission.entries(user.id, ENTRIES_SHOWN)],
        "statements": [serialize_statement(s) for s in settlement.statements_of(user.id)],
    })


# --- OpenAPI ---------------------------------------------------------------------------------

FEN = {"type": "integer", "description": "money in fen (1/100 yuan), never a float"}

SCHEMAS: dict = {
    "CommissionEntry": obj({
        "id": {"type": "integer"},
        "rule": {"type": "string", "enum": ["accepted_answer", "ticket_resolved", "reversal"]},
        "rule_label": {"type": "string"},
        "source": {"type": "string", "description": "what earned it, e.g. post:12/0, ticket:7"},
        "amount_fen": FEN | {"description": "fen; negative for a compensating entry"},
        "tribe": nullable({"type": "string", "description": "tribe slug"}),
        "note": {"type": "string"},
        "statement_id": nullable({"type": "integer"}),
        "created_at": DATETIME,
    }),
    "CommissionStatement": obj({
        "id": {"type": "integer"},
        "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$",
                  "description": "Asia/Shanghai month"},
        "status": {"type": "string", "enum": ["draft", "approved", "paid"]},
        "total_fen": FEN | {"description": "the sum of the statement's entries, in fen"},
        "entry_count": {"type": "integer", "minimum": 0},
        "approved_at": nullable(DATETIME),
        "paid_at": nullable(DATETIME),
    }),
    "MyCommission": obj({
        "total_fen": FEN | {"description": "everything earned, net of reversals"},
        "pending_fen": FEN | {"description": "not yet in an approved or paid statement"},
        "entries": array(ref("CommissionEntry")),
        "statements": array(ref("CommissionStatement")),
    }),
}

PATHS: dict = {
    "/me/commission": {"get": get(
        "My service commission (服务酬金)", "rewards", "getMyCommission", auth="auth",
        ok=(200, "MyCommission", "Totals, the latest 50 entries and the monthly statements"),
        errors=(403,),
        description="For service proxies (active, suspended or retired). 403 for users "
                    "who never were a proxy.")},
}

SPEC = ApiSpec(tag="rewards", description="points (积分), check-in, leaderboards, badges and "
               "the redemption store", paths=PATHS, schemas=SCHEMAS)
