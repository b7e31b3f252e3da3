"""Monthly settlement (PRODUCT §2.5): one statement per proxy per Asia/Shanghai month.

``settle_month(month)`` creates or refreshes a **draft** for every active proxy and every
proxy with unsettled entries: the draft takes the proxy's entries that belong to no
statement and were written before the month ended (normally that month's; a straggler from
an earlier month that was settled early lands in the next statement), and its total is the
SUM of its entries computed by the database. Running it again is harmless (idempotent).

draft → approved → paid. Once approved a statement is **frozen**: the service refuses to
refresh or re-approve it, and database triggers (migration 0006) refuse any UPDATE that
would change its total, its entries or its status other than approved → paid.
CSV export: UTF-8 with BOM (Excel), amounts in yuan with two decimals from integer fen.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import User, utcnow
from forum.money import yuan
from forum.pagination import Page, paginate
from forum.templating import local_time
from rewards.proxies.models import (
    ACTIVE,
    APPROVED,
    DRAFT,
    PAID,
    STATEMENT_STATUSES,
    CommissionEntry,
    CommissionStatement,
    ProxyProfile,
)
from rewards.proxies.services.common import (
    can_manage,
    current_month,
    month_bounds,
    month_of,
    next_month,
)


@dataclass
class SettleReport:
    month: str
    created: int = 0
    refreshed: int = 0
    frozen: int = 0
    carried: int = 0  # entries of proxies whose statement is frozen: they wait for a later one
    carried_fen: int = 0

    def summary(self) -> str:
        text = (f"{self.month}: 新建草稿 {self.created} 份，更新草稿 {self.refreshed} 份，"
                f"已审核未改动 {self.frozen} 份")
        if self.carried:
            text += (f"；审核之后新增的 {self.carried} 笔酬金（¥{yuan(self.carried_fen)}）"
                     f"不会改动已审核的结算单，将计入 {next_month(self.month)} 的结算单")
        return text


def get_statement_or_404(statement_id: int) -> CommissionStatement:
    statement = (db.session.get(CommissionStatement, statement_id)
                 if 0 < statement_id <= 2**31 - 1 else None)
    if statement is None:
        raise NotFound("结算单不存在")
    return statement


def _statement_for(proxy_id: int, month: str) -> tuple[CommissionStatement, bool]:
    stmt = (sa.select(CommissionStatement)
            .where(CommissionStatement.proxy_id == proxy_id, CommissionStatement.month == month)
            .with_for_update())
    statement = db.session.scalars(stmt).first()
    if statement is not None:
        return statement, False
    statement = CommissionStatement(proxy_id=proxy_id, month=month, status=DRAFT)
    try:
        with db.session.begin_nested():
            db.session.add(statement)
            db.session.flush()
    except sa.exc.IntegrityError:  # another settle run created it
        return db.session.scalars(stmt).one(), False
    return statement, True


def _recount(statement: CommissionStatement) -> None:
    total, count = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(CommissionEntry.amount_fen), 0), sa.func.count())
        .where(CommissionEntry.statement_id == statement.id)).one()
    statement.total_fen = int(total)
    statement.entry_count = int(count)
    statement.updated_at = utcnow()


def refresh_draft(statement: CommissionStatement) -> CommissionStatement:
    """Attach the proxy's unsettled entries up to the month's end and recount. Frozen → 409."""
    if statement.is_frozen:
        raise Conflict("已审核或已支付的结算单不能再修改")
    _, end = month_bounds(statement.month)
    db.session.execute(
        sa.update(CommissionEntry)
        .where(CommissionEntry.proxy_id == statement.proxy_id,
               CommissionEntry.statement_id.is_(None), CommissionEntry.created_at < end)
        .values(statement_id=statement.id).execution_options(synchronize_session=False))
    _recount(statement)
    return statement


def settle_month(month: str, now: datetime | None = None) -> SettleReport:
    """Create or refresh the drafts of ``month`` for all proxies (idempotent)."""
    if month > current_month(now or datetime.now(UTC)):
        raise ValidationError("不能结算未来的月份", {"month": "不能结算未来的月份"})
    _, end = month_bounds(month)
    unsettled = sa.select(CommissionEntry.proxy_id).where(
        CommissionEntry.statement_id.is_(None), CommissionEntry.created_at < end)
    active = sa.select(ProxyProfile.user_id).where(ProxyProfile.status == ACTIVE)
    proxy_ids = sorted(set(db.session.scalars(unsettled.distinct()))
                       | set(db.session.scalars(active)))
    report = SettleReport(month)
    for proxy_id in proxy_ids:
        statement, created = _statement_for(proxy_id, month)
        if statement.is_frozen:
            report.frozen += 1
            count, fen = db.session.execute(
                sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(CommissionEntry.amount_fen), 0))
                .where(CommissionEntry.proxy_id == proxy_id,
                       CommissionEntry.statement_id.is_(None),
                       CommissionEntry.created_at < end)).one()
            report.carried += int(count)
            report.carried_fen += int(fen)
        else:
            refresh_draft(statement)
            if created:
                report.created += 1
            else:
                report.refreshed += 1
        db.session.commit()
    return report


def settles_in(proxy_id: int, entries: list[CommissionEntry]) -> dict[int, str]:
    """For each unsettled entry, the month whose statement will take it: its own month, or
    the first later month whose statement is not approved or paid yet (an entry written
    after its month's statement was approved waits for the next one)."""
    frozen = set(db.session.scalars(
        sa.select(CommissionStatement.month)
        .where(CommissionStatement.proxy_id == proxy_id,
               CommissionStatement.status.in_((APPROVED, PAID)))))
    months: dict[int, str] = {}
    for entry in entries:
        if entry.statement_id is not None:
            continue
        month = month_of(entry.created_at)
        while month in frozen:
            month = next_month(month)
        months[entry.id] = month
    return months


def _require_admin(actor: User) -> None:
    if not can_manage(actor):
        raise PermissionDenied("只有管理员可以处理结算单")


def approve(actor: User, statement: CommissionStatement) -> CommissionStatement:
    """draft → approved: the statement is frozen from now on."""
    _require_admin(actor)
    db.session.refresh(statement, with_for_update=True)
    if statement.status != DRAFT:
        raise Conflict(f"只有草稿可以审核（当前：{statement.status_label}）")
    _recount(statement)  # the frozen total is the sum of its entries, by construction
    statement.status = APPROVED
    statement.approved_at = utcnow()
    statement.approved_by_id = actor.id
    db.session.commit()
    return statement


def mark_paid(actor: User, statement: CommissionStatement) -> CommissionStatement:
    """approved → paid."""
    _require_admin(actor)
    db.session.refresh(statement, with_for_update=True)
    if statement.status != APPROVED:
        raise Conflict(f"只有已审核的结算单可以标记为已支付（当前：{statement.status_label}）")
    statement.status = PAID
    statement.paid_at = statement.updated_at = utcnow()
    statement.paid_by_id = actor.id
    db.session.commit()
    return statement


def statement_entries(statement: CommissionStatement) -> list[CommissionEntry]:
    return list(db.session.scalars(sa.select(CommissionEntry)
                                   .where(CommissionEntry.statement_id == statement.id)
                                   .options(joinedload(CommissionEntry.tribe))
                                   .order_by(CommissionEntry.created_at, CommissionEntry.id)))


def list_statements(page: int, per_page: int, month: str = "", status: str = "",
                    proxy_id: int | None = None) -> Page:
    stmt = (sa.select(CommissionStatement)
            .options(joinedload(CommissionStatement.proxy).lazyload(User.roles))
            .order_by(CommissionStatement.month.desc(), CommissionStatement.proxy_id))
    if month:
        stmt = stmt.where(CommissionStatement.month == month)
    if status in STATEMENT_STATUSES:
        stmt = stmt.where(CommissionStatement.status == status)
    if proxy_id is not None:
        stmt = stmt.where(CommissionStatement.proxy_id == proxy_id)
    return paginate(stmt, page, per_page)


def statements_of(proxy_id: int, limit: int = 24) -> list[CommissionStatement]:
    return list(db.session.scalars(sa.select(CommissionStatement)
                                   .where(CommissionStatement.proxy_id == proxy_id)
                                   .order_by(CommissionStatement.month.desc()).limit(limit)))


# --- CSV -------------------------------------------------------------------------------------

CSV_HEADER = ("结算单", "月份", "用户名", "昵称", "明细编号", "时间（北京时间）", "类型", "来源",
              "部落", "金额（元）", "备注")


def _cell(text: str) -> str:
    # A cell starting with = + - @ would be a formula in Excel (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def statement_csv(statement: CommissionStatement) -> str:
    """The statement as CSV text starting with a BOM; a last line holds the total."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    proxy = statement.proxy
    number = f"S{statement.id:06d}"
    for entry in statement_entries(statement):
        writer.writerow((number, statement.month, _cell(proxy.username), _cell(proxy.display_name),
                         entry.id, local_time(entry.created_at, "%Y-%m-%d %H:%M:%S"),
                         entry.rule_label, entry.source, entry.tribe.name if entry.tribe else "",
                         yuan(entry.amount_fen, grouped=False), _cell(entry.note)))
    writer.writerow((number, statement.month, _cell(proxy.username), _cell(proxy.display_name),
                     "", "", "合计", f"{statement.entry_count} 条", "",
                     yuan(statement.total_fen, grouped=False), statement.status_label))
    return out.getvalue()


