"""The idea fund (金点子基金): deposits by admins, grants to ideas, in fen.

The ledger ``idea_fund_entries`` is append-only (deposits positive, grants negative); the
single ``idea_fund`` row caches its sum. A grant takes money with one conditional UPDATE
(``balance = balance - amount WHERE balance >= amount``) in the same transaction as its
ledger entry: concurrent grants queue on the row lock that UPDATE takes, and the one that
would overdraw matches no row and is refused — the balance never goes negative (the CHECK
constraint would refuse it anyway). One grant per idea (unique key ``grant:idea:<id>``).

Callers commit (grants happen inside a state transition's unit of work).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from forum.errors import Conflict, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import User, utcnow
from forum.money import yuan
from forum.pagination import Page, paginate
from forum.permissions import is_admin
from ideas.models import DEPOSIT, GRANT, Idea, IdeaFund, IdeaFundEntry
from ideas.services.access import require_employee

FUND_ID = 1
AMOUNT_MAX = 100_000_000_00  # 1 亿元 in fen: a typo guard
NOTE_MAX = 200


def parse_yuan(text: str | None, field: str = "amount") -> int:
    """'1,234.5' yuan → 123450 fen; a ValidationError naming ``field`` otherwise."""
    raw = (text or "").strip().replace(",", "").replace("，", "")
    try:
        whole, _, frac = raw.partition(".")
        if not raw or not whole.isdigit() or (frac and (not frac.isdigit() or len(frac) > 2)):
            raise ValueError
        fen = int(whole) * 100 + int((frac + "00")[:2] or 0)
    except ValueError:
        raise ValidationError("金额有误", {field: "请输入金额（元），最多两位小数"}) from None
    return check_amount(fen, field)


def check_amount(fen: int, field: str = "amount") -> int:
    if isinstance(fen, bool) or not isinstance(fen, int) or fen <= 0:
        raise ValidationError("金额有误", {field: "金额必须大于 0"})
    if fen > AMOUNT_MAX:
        raise ValidationError("金额有误", {field: f"金额不能超过 {yuan(AMOUNT_MAX)} 元"})
    return fen


def _ensure_fund() -> None:
    """The fund row exists (the migration creates it; tests truncate it)."""
    if db.session.get(IdeaFund, FUND_ID) is None:
        try:
            with db.session.begin_nested():
                db.session.add(IdeaFund(id=FUND_ID, balance=0))
        except IntegrityError:
            pass  # created concurrently


def balance() -> int:
    return db.session.scalar(sa.select(IdeaFund.balance).where(IdeaFund.id == FUND_ID)) or 0


def deposit(admin: User, amount: int, note: str = "") -> IdeaFundEntry:
    """Add money to the fund (admins only)."""
    require_employee(admin)
    if not is_admin(admin):
        raise PermissionDenied("只有管理员可以向基金注资")
    amount = check_amount(amount)
    note = (note or "").strip()
    if len(note) > NOTE_MAX or "\x00" in note:
        raise ValidationError("备注有误", {"note": f"备注最多 {NOTE_MAX} 个字"})
    _ensure_fund()
    db.session.execute(sa.update(IdeaFund).where(IdeaFund.id == FUND_ID)
                       .values(balance=IdeaFund.balance + amount))
    entry = IdeaFundEntry(kind=DEPOSIT, amount=amount, by_id=admin.id, note=note or "注资",
                          created_at=utcnow())
    db.session.add(entry)
    db.session.flush()
    return entry


def grant(actor: User, idea: Idea, amount: int, round_id: int | None = None,
          note: str = "") -> IdeaFundEntry:
    """Take ``amount`` fen from the fund for ``idea`` (caller commits). 409 when the balance
    is short or the idea was already granted; then the whole transaction is rolled back."""
    amount = check_amount(amount)
    _ensure_fund()
    taken = db.session.execute(
        sa.update(IdeaFund)
        .where(IdeaFund.id == FUND_ID, IdeaFund.balance >= amount)
        .values(balance=IdeaFund.balance - amount))
    if taken.rowcount != 1:
        db.session.rollback()  # nothing of the caller's unit of work may stay half done
        raise Conflict(f"基金余额不足：需要 {yuan(amount)} 元，当前余额 {yuan(balance())} 元")
    entry = IdeaFundEntry(kind=GRANT, amount=-amount, key=f"grant:idea:{idea.id}",
                          idea_id=idea.id, round_id=round_id, by_id=actor.id,
                          note=note or f"资助金点子 #{idea.id}", created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        db.session.rollback()
        raise Conflict("这个点子已经获得过资助") from None
    idea.fund_amount = amount
    return entry


def ledger(user: User, page: int, per_page: int = 30) -> Page:
    """The fund's entries, newest first (every employee may read it)."""
    require_employee(user)
    return paginate(sa.select(IdeaFundEntry).order_by(IdeaFundEntry.id.desc()), page, per_page)


def totals() -> dict[str, int]:
    deposits = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(IdeaFundEntry.amount), 0))
                                 .where(IdeaFundEntry.kind == DEPOSIT))
    grants = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(IdeaFundEntry.amount), 0))
                               .where(IdeaFundEntry.kind == GRANT))
    return {"deposits": int(deposits), "grants": -int(grants), "balance": balance()}
