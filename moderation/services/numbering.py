"""Ticket numbers: GD + Asia/Shanghai date + per-day sequence (GD20261122-0001), unique
even when many tickets are opened at once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from forum.errors import Conflict
from forum.extensions import db
from forum.models import utcnow
from forum.templating import SHANGHAI
from moderation.models import TicketCounter


def next_number(now: datetime | None = None) -> str:
    """GD + Asia/Shanghai date + per-day sequence, e.g. GD20261122-0001.

    The counter row is bumped with an atomic UPDATE (concurrent transactions queue on its row
    lock); the day's first ticket inserts it in a savepoint and, if another transaction won
    that race, retries the UPDATE.
    """
    day = (now or utcnow()).astimezone(SHANGHAI).strftime("%Y%m%d")
    for _attempt in range(5):
        bumped = db.session.execute(
            sa.update(TicketCounter).where(TicketCounter.day == day)
            .values(last=TicketCounter.last + 1).execution_options(synchronize_session=False))
        if bumped.rowcount == 1:
            seq = db.session.scalar(sa.select(TicketCounter.last).where(TicketCounter.day == day))
            return f"GD{day}-{seq:04d}"
        try:
            with db.session.begin_nested():
                db.session.execute(sa.insert(TicketCounter).values(day=day, last=1))
            return f"GD{day}-0001"
        except sa.exc.IntegrityError:
            continue
    raise Conflict("工单号生成繁忙，请重试")
