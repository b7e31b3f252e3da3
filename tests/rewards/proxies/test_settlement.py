"""Monthly settlement: totals, freezing, CSV, the ``flask settle`` command."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from forum.errors import Conflict, PermissionDenied, ValidationError
from forum.extensions import db
from forum.money import yuan
from rewards.proxies.models import CommissionEntry, CommissionStatement
from rewards.proxies.services import commission, settlement
from rewards.proxies.services.common import month_bounds, month_of, parse_month


@pytest.fixture
def proxy(make_user, make_proxy, make_tribe):
    return make_proxy(make_user("laowang", display_name="流量达人老王"), [make_tribe()])


def _entry(proxy_id, source, fen, when=None):
    assert commission.record(proxy_id, "accepted_answer", source, fen, note=f"测试 {source}")
    entry = db.session.scalars(sa.select(CommissionEntry).where(CommissionEntry.source == source)).one()
    if when is not None:  # back-date (created_at is not guarded: only money and keys are)
        entry.created_at = when
        db.session.commit()
    return entry


def _statement(proxy_id, month):
    return db.session.scalars(sa.select(CommissionStatement).where(
        CommissionStatement.proxy_id == proxy_id, CommissionStatement.month == month)).one()


def test_yuan_uses_integer_arithmetic():
    assert yuan(0) == "0.00"
    assert yuan(5) == "0.05"
    assert yuan(200) == "2.00"
    assert yuan(123456789) == "1,234,567.89"
    assert yuan(123456789, grouped=False) == "1234567.89"  # CSV cells
    assert yuan(-205) == "-2.05"
    with pytest.raises(TypeError):
        yuan(2.0)


def test_months_follow_asia_shanghai():
    # 2026-10-31 16:30 UTC is 2026-11-01 00:30 in Beijing
    assert month_of(datetime(2026, 10, 31, 16, 30, tzinfo=UTC)) == "2026-11"
    start, end = month_bounds("2026-12")
    assert start == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    for bad in ("2026-13", "2026-1", "26-11", "", "2026/11"):
        with pytest.raises(ValidationError):
            parse_month(bad)


@time_machine.travel(datetime(2026, 12, 5, 4, 0, tzinfo=UTC), tick=False)
def test_statement_total_is_the_sum_of_its_entries_of_that_month(proxy, make_user):
    _entry(proxy.id, "post:1/0", 200, datetime(2026, 11, 1, 1, 0, tzinfo=UTC))
    _entry(proxy.id, "post:2/0", 500, datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    _entry(proxy.id, "post:3/0", -200, datetime(2026, 11, 30, 15, 59, tzinfo=UTC))  # 23:59 Beijing
    _entry(proxy.id, "post:4/0", 333, datetime(2026, 11, 30, 16, 0, tzinfo=UTC))  # December
    report = settlement.settle_month("2026-11")
    assert (report.created, report.refreshed) == (1, 0)
    statement = _statement(proxy.id, "2026-11")
    entries = settlement.statement_entries(statement)
    assert [e.amount_fen for e in entries] == [200, 500, -200]
    assert statement.total_fen == sum(e.amount_fen for e in entries) == 500
    assert statement.entry_count == 3 and statement.status == "draft"
    # running it again is harmless; a later November entry joins the draft
    _entry(proxy.id, "post:5/0", 1, datetime(2026, 11, 15, tzinfo=UTC))
    assert settlement.settle_month("2026-11").refreshed == 1
    db.session.refresh(statement)
    assert statement.total_fen == 501 and statement.entry_count == 4
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommissionStatement)) == 1
    with pytest.raises(ValidationError):
        settlement.settle_month("2027-01")  # the future


def test_an_approved_statement_cannot_change(proxy, admin):
    _entry(proxy.id, "post:1/0", 200)
    month = month_of(datetime.now(UTC))
    settlement.settle_month(month)
    statement = _statement(proxy.id, month)
    with pytest.raises(PermissionDenied):
        settlement.approve(proxy, statement)
    settlement.approve(admin, statement)
    assert statement.status == "approved" and statement.total_fen == 200

    _entry(proxy.id, "post:2/0", 500)
    report = settlement.settle_month(month)
    assert report.frozen == 1
    db.session.refresh(statement)
    assert statement.total_fen == 200 and statement.entry_count == 1
    with pytest.raises(Conflict):
        settlement.refresh_draft(statement)
    with pytest.raises(Conflict):
        settlement.approve(admin, statement)
    # the database refuses too, whoever tries
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.update(CommissionStatement).values(total_fen=1)
                           .where(CommissionStatement.id == statement.id))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.update(CommissionEntry).values(statement_id=statement.id)
                           .where(CommissionEntry.source == "post:2/0"))
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.update(CommissionEntry).values(amount_fen=1))
    db.session.rollback()

    settlement.mark_paid(admin, statement)
    assert statement.status == "paid"
    with pytest.raises(Conflict):
        settlement.mark_paid(admin, statement)
    assert commission.earnings(proxy.id).pending_fen == 500
    assert commission.earnings(proxy.id).paid_fen == 200


def test_csv_has_a_bom_yuan_amounts_and_the_total(proxy):
    _entry(proxy.id, "post:1/0", 200)
    _entry(proxy.id, "post:2/0", 5)
    _entry(proxy.id, "post:3/0", -200)
    month = month_of(datetime.now(UTC))
    settlement.settle_month(month)
    statement = _statement(proxy.id, month)
    text = settlement.statement_csv(statement)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][0] == "结算单" and rows[0][9] == "金额（元）"
    assert [r[9] for r in rows[1:-1]] == ["2.00", "0.05", "-2.00"]
    assert all(r[2] == "laowang" and r[3] == "流量达人老王" and r[1] == month for r in rows[1:])
    assert rows[-1][6] == "合计" and rows[-1][9] == "0.05" and rows[-1][7] == "3 条"


def test_settle_command_is_idempotent_and_validates_the_month(app, proxy):
    _entry(proxy.id, "post:1/0", 200)
    month = month_of(datetime.now(UTC))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["settle", "--month", month])
    assert first.exit_code == 0 and "新建草稿 1 份" in first.output
    second = runner.invoke(args=["settle", "--month", month])
    assert second.exit_code == 0 and "更新草稿 1 份" in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommissionStatement)) == 1
    bad = runner.invoke(args=["settle", "--month", "2026-13"])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output


@time_machine.travel(datetime(2026, 11, 30, 17, 0, tzinfo=UTC), tick=False)  # Dec 1st, Beijing
def test_the_monthly_task_settles_the_previous_shanghai_month(proxy):
    from forum.jobs import BEAT_SCHEDULE
    from rewards.proxies import tasks

    _entry(proxy.id, "post:1/0", 200, datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    assert "proxies.settle_previous_month" in BEAT_SCHEDULE
    assert tasks.settle_previous_month.run().startswith("2026-11")
    assert _statement(proxy.id, "2026-11").total_fen == 200


def test_a_commission_after_the_month_was_paid_goes_to_next_months_statement(
        client, proxy, admin):
    from tests.conftest import login

    with time_machine.travel(datetime(2026, 11, 20, 4, 0, tzinfo=UTC), tick=False):
        _entry(proxy.id, "post:1/0", 200)
        settlement.settle_month("2026-11")
        statement = _statement(proxy.id, "2026-11")
        settlement.approve(admin, statement)
        settlement.mark_paid(admin, statement)
        late = _entry(proxy.id, "post:2/0", 500)
        report = settlement.settle_month("2026-11")
        assert report.frozen == 1 and report.carried == 1 and report.carried_fen == 500
        assert "将计入 2026-12 的结算单" in report.summary() and "¥5.00" in report.summary()
        assert settlement.settles_in(proxy.id, [late]) == {late.id: "2026-12"}
        login(client, "laowang")
        page = client.get("/proxies/").get_data(as_text=True)
        assert "待结算 · 计入 2026-12 结算单" in page
    with time_machine.travel(datetime(2027, 1, 2, 4, 0, tzinfo=UTC), tick=False):
        settlement.settle_month("2026-12")
        december = _statement(proxy.id, "2026-12")
        assert [e.amount_fen for e in settlement.statement_entries(december)] == [500]
