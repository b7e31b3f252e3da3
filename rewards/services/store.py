"""The redemption store (积分兑换, PRODUCT §2.3).

Redeeming is one transaction of conditional updates, so it is right under concurrency on
both databases without a read-then-write:

1. the user's rewards lock is taken (their reward_accounts row, ``FOR UPDATE`` on
   PostgreSQL; on SQLite the first write takes the database's write lock): one user's
   redemptions and awards run one at a time, so the per-user limit counted from the user's
   orders is exact;
2. ``UPDATE users SET points = points - price WHERE id = … AND points >= price`` — debits
   the balance or finds it too small;
3. ``UPDATE reward_items SET stock = stock - 1 WHERE id = … AND stock > 0 AND active`` —
   never oversold;
4. the order and its ledger entry (rule "redeem", source = the order) are written.

Any refusal rolls the whole transaction back, so nothing is debited. Refusals are 409s with
the codes ``insufficient_points``, ``out_of_stock``, ``limit_reached``.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from forum import uow
from forum.errors import Conflict, NotFound, ValidationError
from forum.extensions import db
from forum.models import User, utcnow
from forum.pagination import Page, paginate
from rewards.models import (
    ORDER_CANCELLED,
    ORDER_FULFILLED,
    ORDER_PENDING,
    REDEEM,
    REFUND,
    LedgerEntry,
    RewardItem,
    RewardOrder,
)
from rewards.services.ledger import Award, award_many, lock_user

NAME_MAX = 60
DESCRIPTION_MAX = 500
PRICE_MAX = 10_000_000
STOCK_MAX = 1_000_000


# Mainland China mobile numbers: 11 digits, 1 then 3–9 (an optional +86 / 86 is dropped).
MOBILE_RE = re.compile(r"1[3-9]\d{9}")
PHONE_MESSAGE = "请填写正确的手机号：11 位数字，以 13–19 开头，例如 13800138000"


def clean_phone(value: object) -> str:
    """The mainland mobile number in ``value`` (spaces and dashes allowed), or ValidationError."""
    text = re.sub(r"[\s-]", "", value) if isinstance(value, str) else ""
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not MOBILE_RE.fullmatch(text):
        raise ValidationError(PHONE_MESSAGE if text else "请填写要充值的手机号",
                              {"phone": PHONE_MESSAGE if text else "请填写要充值的手机号"})
    return text


class RedeemRefused(Conflict):
    """409 with a specific code the app can act on."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def catalogue(*, include_inactive: bool = False) -> list[RewardItem]:
    query = sa.select(RewardItem).order_by(RewardItem.price, RewardItem.id)
    if not include_inactive:
        query = query.where(RewardItem.active.is_(True))
    return list(db.session.scalars(query))


def get_item_or_404(item_id: int, *, include_inactive: bool = False) -> RewardItem:
    item = db.session.get(RewardItem, item_id) if 0 < item_id < 2**31 else None
    if item is None or (not item.active and not include_inactive):
        raise NotFound("兑换商品不存在或已下架")
    return item


def redeemed_count(user_id: int, item_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(RewardOrder).where(
        RewardOrder.user_id == user_id, RewardOrder.item_id == item_id,
        RewardOrder.status != ORDER_CANCELLED)) or 0


def redeem(user: User, item_id: int, phone: object = None) -> RewardOrder:
    """Exchange points for one item; see the module docstring for how it stays atomic.
    An item that ``needs_phone`` (流量包, 话费) takes the mobile number to credit; it is
    checked before anything is debited."""
    item = get_item_or_404(item_id)
    phone = clean_phone(phone) if item.needs_phone else None
    price, limit = item.price, item.per_user_limit
    users = User.__table__
    with uow.savepoint():  # a refusal undoes the debit and the stock taken
        lock_user(user.id)  # the same lock order as every award: account row, then user row
        if limit and redeemed_count(user.id, item.id) >= limit:
            raise RedeemRefused("limit_reached", f"每人限兑 {limit} 次，你已达到上限")
        debited = db.session.execute(
            users.update().where(users.c.id == user.id, users.c.points >= price)
            .values(points=users.c.points - price)).rowcount
        if not debited:
            raise RedeemRefused("insufficient_points", f"积分不足：兑换需要 {price} 积分")
        items = RewardItem.__table__
        taken = db.session.execute(
            items.update().where(items.c.id == item.id, items.c.stock > 0,
                                 items.c.active.is_(True))
            .values(stock=items.c.stock - 1)).rowcount
        if not taken:
            raise RedeemRefused("out_of_stock", "该商品已兑完")
        order = RewardOrder(user_id=user.id, item_id=item.id, price=price, phone=phone,
                            status=ORDER_PENDING, created_at=utcnow())
        db.session.add(order)
        db.session.flush()
        # The balance was debited above by the conditional UPDATE; the entry records it.
        done = award_many([Award(user.id, REDEEM, "order", order.id, amount=-price)],
                          notify=False, balance_applied=True)
        if not done:  # the order id is new, so this cannot happen; never leave a silent gap
            raise Conflict("兑换记录写入失败，请重试")
    db.session.expire(user)
    return order


def my_orders(user_id: int, page: int, per_page: int = 20) -> Page:
    query = (sa.select(RewardOrder).where(RewardOrder.user_id == user_id)
             .order_by(RewardOrder.created_at.desc(), RewardOrder.id.desc()))
    return paginate(query, page, per_page)


def all_orders(status: str | None, page: int, per_page: int = 30) -> Page:
    query = sa.select(RewardOrder).order_by(RewardOrder.created_at.desc(), RewardOrder.id.desc())
    if status:
        query = query.where(RewardOrder.status == status)
    return paginate(query, page, per_page)


def get_order_or_404(order_id: int) -> RewardOrder:
    order = db.session.get(RewardOrder, order_id) if 0 < order_id < 2**31 else None
    if order is None:
        raise NotFound("订单不存在")
    return order


def fulfil_order(actor: User, order: RewardOrder) -> RewardOrder:
    """Mark a pending order as handed over (发放)."""
    if order.status != ORDER_PENDING:
        raise Conflict("只有待发放的订单可以标记为已发放")
    order.status, order.handled_at, order.handled_by_id = ORDER_FULFILLED, utcnow(), actor.id
    db.session.flush()
    return order


def cancel_order(actor: User, order: RewardOrder) -> RewardOrder:
    """Cancel a pending order: the points come back (a refund entry) and so does the stock."""
    orders = RewardOrder.__table__
    changed = db.session.execute(
        orders.update().where(orders.c.id == order.id, orders.c.status == ORDER_PENDING)
        .values(status=ORDER_CANCELLED, handled_at=utcnow(), handled_by_id=actor.id)).rowcount
    if not changed:
        raise Conflict("只有待发放的订单可以取消")
    lock_user(order.user_id)
    award_many([Award(order.user_id, REFUND, "order", order.id, amount=order.price)],
               notify=False)
    items = RewardItem.__table__
    db.session.execute(items.update().where(items.c.id == order.item_id)
                       .values(stock=items.c.stock + 1))
    db.session.flush()
    db.session.refresh(order)
    return order


def order_entry(order_id: int) -> LedgerEntry | None:
    return db.session.scalar(sa.select(LedgerEntry).where(
        LedgerEntry.source_kind == "order", LedgerEntry.source_id == order_id,
        LedgerEntry.rule_code == REDEEM))


# --- catalogue admin -------------------------------------------------------------------------


def _int_field(value: object, field: str, label: str, low: int, high: int, errors: dict) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        errors[field] = f"{label}必须是整数"
    elif value < low:
        errors[field] = f"{label}不能小于 {low}"
    elif value > high:
        errors[field] = f"{label}不能大于 {high}"


def save_item(*, name: str, description: str, price: object, stock: object,
              per_user_limit: object, active: bool, item: RewardItem | None = None,
              needs_phone: bool | None = None) -> RewardItem:
    """Create or edit a catalogue item. Prices ≥ 1, stock and limit ≥ 0 (limit 0: none)."""
    errors: dict[str, str] = {}
    name, description = (name or "").strip(), (description or "").strip()
    if not name:
        errors["name"] = "请填写名称"
    elif len(name) > NAME_MAX:
        errors["name"] = f"名称最多 {NAME_MAX} 个字"
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"说明最多 {DESCRIPTION_MAX} 个字"
    _int_field(price, "price", "价格", 1, PRICE_MAX, errors)
    _int_field(stock, "stock", "库存", 0, STOCK_MAX, errors)
    _int_field(per_user_limit, "per_user_limit", "每人限兑", 0, STOCK_MAX, errors)
    if errors:
        raise ValidationError("商品信息有误", errors)
    if item is None:
        item = RewardItem(created_at=utcnow())
        db.session.add(item)
    item.name, item.description, item.price = name, description, price
    item.stock, item.per_user_limit, item.active = stock, per_user_limit, bool(active)
    if needs_phone is not None:
        item.needs_phone = bool(needs_phone)
    db.session.flush()
    return item
