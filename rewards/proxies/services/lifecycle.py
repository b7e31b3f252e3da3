"""Candidates, staff ratings and the proxy lifecycle (PRODUCT §2.4).

candidate → invited → active → suspended/retired, every step recorded (who, when, why) in
``ProxyStatusChange``. Allowed steps are in ``TRANSITIONS``; anything else is a 409 naming
the allowed ones. Who may take a step:

- an admin invites (candidate/retired → invited), withdraws an invitation (invited →
  candidate), suspends, reinstates (suspended → active) and retires;
- only the invited user accepts (invited → active) or declines (invited → candidate).

Becoming active gives the core role ``proxy`` and the 服务代理 badge ('proxy'); suspension
and retirement take the role (and the badge) away. Tribes are assigned by admins; commission
is earned only in assigned tribes while active.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import Role, Tribe, User, user_roles, utcnow
from forum.pagination import Page
from forum.services.accounts import ensure_roles
from forum.services.notifications import notify
from rewards.proxies.models import (
    ACTIVE,
    CANDIDATE,
    INVITED,
    RETIRED,
    STATUS_LABELS,
    STATUSES,
    SUSPENDED,
    ProxyProfile,
    ProxyStatusChange,
    proxy_tribes,
)
from rewards.proxies.services.common import can_manage, can_rate
from rewards.proxies.services.influence import factors_for
from rewards.services import badges

log = logging.getLogger(__name__)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    CANDIDATE: (INVITED,),
    INVITED: (ACTIVE, CANDIDATE),
    ACTIVE: (SUSPENDED, RETIRED),
    SUSPENDED: (ACTIVE, RETIRED),
    RETIRED: (INVITED,),
}
# Steps an admin takes on the admin page (the invited user's own answer is separate).
ADMIN_ACTIONS = {
    INVITED: "邀请",
    CANDIDATE: "撤回邀请",
    ACTIVE: "恢复",
    SUSPENDED: "暂停",
    RETIRED: "退出",
}
RATING_FIELDS = {
    "rating_cooperation": "合作意向",
    "rating_communication": "沟通能力",
    "rating_pr": "公关能力",
}
REASON_MAX = 200
BADGE_CODE = "proxy"


# --- lookups ---------------------------------------------------------------------------------


def get_profile(user_id: int) -> ProxyProfile | None:
    return db.session.get(ProxyProfile, user_id)


def status_of(user_id: int) -> str:
    profile = get_profile(user_id)
    return profile.status if profile is not None else CANDIDATE


def ensure_profile(user: User, lock: bool = False) -> ProxyProfile:
    """The user's profile, created as a candidate on first use (row-locked when ``lock``)."""
    stmt = sa.select(ProxyProfile).where(ProxyProfile.user_id == user.id)
    if lock:
        stmt = stmt.with_for_update()
    profile = db.session.scalars(stmt).first()
    if profile is None:
        profile = ProxyProfile(user_id=user.id, status=CANDIDATE)
        db.session.add(profile)
        try:
            with db.session.begin_nested():
                db.session.flush()
        except sa.exc.IntegrityError:  # created concurrently
            profile = db.session.scalars(stmt).one()
    return profile


def is_active_proxy(user_id: int) -> bool:
    return status_of(user_id) == ACTIVE


def assigned_tribe_ids(user_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(proxy_tribes.c.tribe_id)
                                  .where(proxy_tribes.c.user_id == user_id)))


def active_proxy_in_tribe(user_id: int, tribe_id: int | None) -> bool:
    """An active proxy assigned to ``tribe_id`` (any tribe when ``tribe_id`` is None)."""
    if not is_active_proxy(user_id):
        return False
    return tribe_id is None or tribe_id in assigned_tribe_ids(user_id)


def history(user_id: int) -> list[ProxyStatusChange]:
    return list(db.session.scalars(sa.select(ProxyStatusChange)
                                   .where(ProxyStatusChange.user_id == user_id)
                                   .order_by(ProxyStatusChange.id.desc())))


def get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id) if 0 < user_id <= 2**31 - 1 else None
    if user is None:
        raise NotFound("用户不存在")
    return user


@dataclass
class CandidateRow:
    user: User
    profile: ProxyProfile | None
    posts: int
    followers: int
    accepted: int

    @property
    def status(self) -> str:
        return self.profile.status if self.profile is not None else CANDIDATE

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


STAFF_ROLES = ("employee", "admin")  # a community moderator who is a customer stays a candidate


def list_candidates(page: int, per_page: int, status: str = "",
                    include_staff: bool = False) -> Page:
    """Active customer accounts ranked by influence (highest first) with evaluation indicators.

    ``status`` filters by lifecycle status ('candidate' includes users never touched).
    Employees and administrators are listed only once they are in the programme (invited,
    active …) or when ``include_staff`` asks for them."""

    stmt = (sa.select(User, ProxyProfile)
            .outerjoin(ProxyProfile, ProxyProfile.user_id == User.id)
            .where(User.is_active_account.is_(True))
            .options(lazyload(User.roles))
            .order_by(User.influence.desc(), User.id))
    if not include_staff:
        staff = (sa.select(user_roles.c.user_id).join(Role, Role.id == user_roles.c.role_id)
                 .where(Role.name.in_(STAFF_ROLES)))
        stmt = stmt.where(sa.or_(User.id.not_in(staff),
                                 sa.and_(ProxyProfile.status.is_not(None),
                                         ProxyProfile.status != CANDIDATE)))
    if status in STATUSES:
        if status == CANDIDATE:
            stmt = stmt.where(sa.or_(ProxyProfile.status.is_(None), ProxyProfile.status == CANDIDATE))
        else:
            stmt = stmt.where(ProxyProfile.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    indicators = factors_for(user.id for user, _ in rows)
    items = [CandidateRow(user, profile, **{k: indicators[user.id][k]
                                              for k in ("posts", "followers", "accepted")})
             for user, profile in rows]
    return Page(items=items, page=page, per_page=per_page, total=total or 0)


def list_proxies(statuses: Iterable[str] = (ACTIVE,)) -> list[ProxyProfile]:
    return list(db.session.scalars(sa.select(ProxyProfile)
                                   .where(ProxyProfile.status.in_(list(statuses)))
                                   .order_by(ProxyProfile.user_id)))


# --- ratings ---------------------------------------------------------------------------------


def parse_rating(value: object) -> int | None:
    """1–5, or None for "not rated" (empty input); anything else is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValueError("评分应为 1–5 的整数")
    return value


def rate(actor: User, user: User, ratings: dict[str, object]) -> ProxyProfile:
    """Staff (moderators, admins) rate 合作意向/沟通能力/公关能力 from 1 to 5."""
    if not can_rate(actor):
        raise PermissionDenied("只有版主和管理员可以评分")
    parsed: dict[str, int | None] = {}
    errors: dict[str, str] = {}
    for name, label in RATING_FIELDS.items():
        try:
            parsed[name] = parse_rating(ratings.get(name))
        except ValueError:
            errors[name] = f"{label}应为 1–5 的整数"
    if errors:
        raise ValidationError("评分有误：每项为 1–5 的整数", errors)
    profile = ensure_profile(user)
    for name, value in parsed.items():
        setattr(profile, name, value)
    profile.rated_by_id = actor.id
    profile.rated_at = profile.updated_at = utcnow()
    db.session.commit()
    return profile


# --- lifecycle -------------------------------------------------------------------------------


def _labels(statuses: Iterable[str]) -> str:
    return "、".join(STATUS_LABELS[s] for s in statuses) or "无"


def _step(actor: User | None, user: User, to_status: str, reason: str,
          by_user_self: bool) -> ProxyProfile:
    if to_status not in STATUSES:
        raise ValidationError("未知的状态", {"status": "未知的状态"})
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError(f"原因最多 {REASON_MAX} 个字", {"reason": f"最多 {REASON_MAX} 个字"})
    profile = ensure_profile(user, lock=True)
    current = profile.status
    allowed = TRANSITIONS[current]
    if by_user_self and current != INVITED:
        raise Conflict("你目前没有待处理的服务代理邀请")
    if to_status not in allowed:
        raise Conflict(f"不能从「{STATUS_LABELS[current]}」变为「{STATUS_LABELS[to_status]}」；"
                       f"当前允许：{_labels(allowed)}")
    if current == INVITED and to_status == ACTIVE and not by_user_self:
        raise PermissionDenied("邀请只能由被邀请的用户本人接受")
    profile.status = to_status
    profile.updated_at = utcnow()
    db.session.add(ProxyStatusChange(user_id=user.id, from_status=current, to_status=to_status,
                                     actor_id=actor.id if actor else None, reason=reason))
    _sync_role(user, to_status)
    if to_status == INVITED:
        notify(user.id, "proxy_invited", {"actor_id": actor.id if actor else None,
                                          "invitation": profile.updated_at.isoformat()})
    db.session.commit()
    _sync_badge(user.id, to_status)
    return profile


def _sync_role(user: User, status: str) -> None:
    roles = ensure_roles()
    has = any(role.name == "proxy" for role in user.roles)
    if status == ACTIVE and not has:
        user.roles = [*user.roles, roles["proxy"]]
    elif status in (SUSPENDED, RETIRED) and has:
        user.roles = [role for role in user.roles if role.name != "proxy"]


def _sync_badge(user_id: int, status: str) -> None:
    """The 服务代理 badge follows the status; a badge missing from the catalogue is logged
    by ``award_badge`` and the status change still stands."""
    if status == ACTIVE:
        badges.award_badge(user_id, BADGE_CODE)
    elif status in (SUSPENDED, RETIRED):
        badges.revoke_badge(user_id, BADGE_CODE)


def transition(actor: User, user: User, to_status: str, reason: str = "") -> ProxyProfile:
    """An admin's lifecycle step (invite, withdraw, suspend, reinstate, retire)."""
    if not can_manage(actor):
        raise PermissionDenied("只有管理员可以变更服务代理状态")
    return _step(actor, user, to_status, reason, by_user_self=False)


def respond_to_invitation(user: User, accept: bool, reason: str = "") -> ProxyProfile:
    """The invited user accepts (→ active) or declines (→ candidate) for themselves."""
    return _step(user, user, ACTIVE if accept else CANDIDATE,
                 reason or ("接受邀请" if accept else "婉拒邀请"), by_user_self=True)


def pending_invitation(user: User) -> ProxyProfile | None:
    profile = get_profile(user.id)
    return profile if profile is not None and profile.status == INVITED else None


def set_tribes(actor: User, user: User, tribe_ids: Iterable[int]) -> ProxyProfile:
    """Admins assign the tribes a proxy answers in (and earns commission in)."""
    if not can_manage(actor):
        raise PermissionDenied("只有管理员可以分配部落")
    ids = {int(t) for t in tribe_ids}
    tribes = list(db.session.scalars(sa.select(Tribe).where(Tribe.id.in_(ids)))) if ids else []
    if len(tribes) != len(ids):
        raise ValidationError("有部落不存在", {"tribes": "有部落不存在"})
    profile = ensure_profile(user)
    profile.tribes = tribes
    profile.updated_at = utcnow()
    db.session.commit()
    return profile
