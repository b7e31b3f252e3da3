"""Commission (服务酬金, PRODUCT §2.5): admin-set rules in fen and the append-only ledger.

- ``accepted_answer`` (default 200 fen): a reply is accepted in a tribe its author is
  assigned to, while the author is an active proxy.
- ``ticket_resolved`` (default 500 fen): a ticket is rated ≥ 4 (event ``ticket_rated``) and
  the proxy sent a customer-visible reply on it (``responder_ids``); the proxy must be
  active and, when the ticket has a tribe, assigned to it.

Entries are idempotent through the unique key (rule, source, proxy): the same event
delivered twice (or concurrently) writes one row. When the accepted mark moves away from a
reply (another reply accepted, or the reply removed) a compensating ``reversal`` entry of
the opposite amount is written. Sources carry a generation number (``post:12/0``,
``post:12/1`` …) so a reply accepted again after a reversal earns again, exactly once per
acceptance. Amounts are Python ints end to end.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa

from forum.errors import PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import User, utcnow
from rewards.proxies.models import (
    DEFAULT_RULES,
    RULE_ACCEPTED_ANSWER,
    RULE_REVERSAL,
    RULE_TICKET_RESOLVED,
    CommissionEntry,
    CommissionRule,
    CommissionStatement,
)
from rewards.proxies.services.common import can_manage
from rewards.proxies.services.lifecycle import active_proxy_in_tribe

log = logging.getLogger(__name__)

AMOUNT_MAX_FEN = 10_000_000  # ¥100,000 per unit of work: anything above is a typo
SATISFACTION_MIN = 4


# --- rules -----------------------------------------------------------------------------------


def ensure_rules() -> dict[str, CommissionRule]:
    """The rules, with the defaults created on first use."""
    rules = {r.code: r for r in db.session.scalars(sa.select(CommissionRule))}
    missing = [code for code in DEFAULT_RULES if code not in rules]
    if missing:
        for code in missing:
            label, amount = DEFAULT_RULES[code]
            db.session.add(CommissionRule(code=code, label=label, amount_fen=amount))
        try:
            with db.session.begin_nested():
                db.session.flush()
        except sa.exc.IntegrityError:  # created concurrently
            pass
        rules = {r.code: r for r in db.session.scalars(sa.select(CommissionRule))}
    return rules


def list_rules() -> list[CommissionRule]:
    rules = ensure_rules()
    db.session.commit()
    return [rules[code] for code in DEFAULT_RULES]


def parse_fen(value: object) -> int:
    """A non-negative whole number of fen; strings of digits are accepted (forms)."""
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit():
            raise ValueError("金额应为不小于 0 的整数（单位：分）")
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("金额应为不小于 0 的整数（单位：分）")
    if value < 0:
        raise ValueError("金额不能为负数")
    if value > AMOUNT_MAX_FEN:
        raise ValueError(f"金额不能超过 {AMOUNT_MAX_FEN} 分")
    return value


def update_rule(actor: User, code: str, amount: object, is_active: bool = True) -> CommissionRule:
    """Admins set a rule's amount in fen (non-negative integer) and switch it on or off."""
    if not can_manage(actor):
        raise PermissionDenied("只有管理员可以修改酬金规则")
    rules = ensure_rules()
    if code not in rules:
        raise ValidationError("未知的酬金规则", {"code": "未知的酬金规则"})
    try:
        fen = parse_fen(amount)
    except ValueError as err:
        raise ValidationError(str(err), {"amount_fen": str(err)}) from None
    rule = rules[code]
    rule.amount_fen = fen
    rule.is_active = bool(is_active)
    rule.updated_at = utcnow()
    rule.updated_by_id = actor.id
    db.session.commit()
    return rule


# --- the ledger ------------------------------------------------------------------------------


def record(proxy_id: int, rule: str, source: str, amount_fen: int, tribe_id: int | None = None,
           note: str = "") -> bool:
    """Write one entry unless (rule, source, proxy) exists; True if written. Commits."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise TypeError("commission amounts are integer fen")
    entry = CommissionEntry(proxy_id=proxy_id, rule=rule, source=source, amount_fen=amount_fen,
                            tribe_id=tribe_id, note=note[:200])
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except sa.exc.IntegrityError:  # delivered before (the database's unique key says so)
        db.session.commit()
        return False
    db.session.commit()
    return True


def _post_generation(proxy_id: int, post_id: int) -> tuple[int, int]:
    """(reversals so far, net fen) of a proxy's accepted-answer entries for one reply."""
    prefix = f"post:{post_id}/"
    rows = db.session.execute(
        sa.select(CommissionEntry.rule, CommissionEntry.amount_fen)
        .where(CommissionEntry.proxy_id == proxy_id,
               CommissionEntry.rule.in_((RULE_ACCEPTED_ANSWER, RULE_REVERSAL)),
               CommissionEntry.source.startswith(prefix, autoescape=True))).all()
    reversals = sum(1 for rule, _ in rows if rule == RULE_REVERSAL)
    return reversals, sum(amount for _, amount in rows)


def award_accepted_answer(post_id: int, author_id: int, tribe_id: int, topic_id: int) -> bool:
    """Pay the reply's author if they are an active proxy assigned to the tribe."""
    rule = ensure_rules()[RULE_ACCEPTED_ANSWER]
    if not rule.is_active or not active_proxy_in_tribe(author_id, tribe_id):
        db.session.commit()
        return False
    generation, net = _post_generation(author_id, post_id)
    if net > 0:  # this acceptance is already paid (redelivery)
        db.session.commit()
        return False
    return record(author_id, RULE_ACCEPTED_ANSWER, f"post:{post_id}/{generation}",
                  rule.amount_fen, tribe_id, note=f"帖子 #{topic_id} 的最佳答案")


def reverse_accepted_answer(post_id: int, reason: str = "最佳答案被取消") -> int:
    """Compensate whatever a reply's acceptance earned (any proxy); returns entries written."""
    proxies = db.session.scalars(
        sa.select(CommissionEntry.proxy_id).distinct()
        .where(CommissionEntry.rule == RULE_ACCEPTED_ANSWER,
               CommissionEntry.source.startswith(f"post:{post_id}/", autoescape=True))).all()
    written = 0
    for proxy_id in proxies:
        generation, net = _post_generation(proxy_id, post_id)
        if net > 0 and record(proxy_id, RULE_REVERSAL, f"post:{post_id}/{generation}", -net,
                              note=reason):
            written += 1
    db.session.commit()
    return written


def award_ticket(ticket_id: int, tribe_id: int | None, responder_ids, score: int) -> int:
    """Pay each active proxy who replied on a ticket rated ≥ 4; returns entries written."""
    if not isinstance(score, int) or score < SATISFACTION_MIN:
        return 0
    rule = ensure_rules()[RULE_TICKET_RESOLVED]
    db.session.commit()
    if not rule.is_active:
        return 0
    written = 0
    for proxy_id in sorted({int(r) for r in responder_ids or ()}):
        if active_proxy_in_tribe(proxy_id, tribe_id) and record(
                proxy_id, RULE_TICKET_RESOLVED, f"ticket:{ticket_id}", rule.amount_fen,
                tribe_id, note=f"工单 #{ticket_id} 满意度 {score}"):
            written += 1
    return written


# --- reading ---------------------------------------------------------------------------------


@dataclass
class Earnings:
    total_fen: int  # everything ever earned (net of reversals)
    pending_fen: int  # not yet in an approved or paid statement
    paid_fen: int


def earnings(proxy_id: int) -> Earnings:
    """Sums in SQL (integers); pending = not settled into an approved/paid statement."""
    frozen = (sa.select(CommissionStatement.id)
              .where(CommissionStatement.proxy_id == proxy_id,
                     CommissionStatement.status.in_(("approved", "paid"))))
    paid = (sa.select(CommissionStatement.id)
            .where(CommissionStatement.proxy_id == proxy_id, CommissionStatement.status == "paid"))
    base = sa.select(sa.func.coalesce(sa.func.sum(CommissionEntry.amount_fen), 0)).where(
        CommissionEntry.proxy_id == proxy_id)
    total = int(db.session.scalar(base))
    pending = int(db.session.scalar(base.where(sa.or_(CommissionEntry.statement_id.is_(None),
                                                      CommissionEntry.statement_id.not_in(frozen)))))
    paid_fen = int(db.session.scalar(base.where(CommissionEntry.statement_id.in_(paid))))
    return Earnings(total, pending, paid_fen)


def entries(proxy_id: int, limit: int = 50) -> list[CommissionEntry]:
    return list(db.session.scalars(sa.select(CommissionEntry)
                                   .where(CommissionEntry.proxy_id == proxy_id)
                                   .order_by(CommissionEntry.id.desc()).limit(limit)))
