"""Passwords (issue 17): change, forgotten-password links, and what both revoke.

Changing or resetting a password bumps ``User.session_version``: the session cookie names the
version it was signed in with (``User.get_id``, checked by forum/auth.py) and every API token
remembers the version it was issued under (``user_for_token``), so every other session and
every token stops working at once; the tokens are also marked revoked.

A reset link carries a random token of which only the SHA-256 is stored, with an expiry and
the moment it was used: it works once, before it expires. It is e-mailed when SMTP is
configured (forum/mail.py) to the address on the account, or issued by an administrator
(``issue_admin_reset``, on the audit log through ``events.password_reset_issued``).
``request_reset`` behaves the same whether or not the account exists.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from forum import events, mail, permissions
from forum.errors import PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import ApiToken, User, utcnow
from forum.models.accounts import PasswordReset
from forum.services.accounts import PASSWORD_MIN, get_user_by_username

PASSWORD_MAX = 128
SAME_AS_CURRENT = "新密码不能与当前密码相同"
EMAIL_MATCHES_MAX = 5  # accounts sharing one address (a family) each get their own link
REQUEST_ANSWER = "如果该账号存在并绑定了邮箱，重置密码的链接已发送到该邮箱，{minutes} 分钟内有效。"
NO_MAIL_ANSWER = ("本站暂未开通邮件找回密码。请联系客服或管理员核实身份后为你生成重置链接；"
                  "我们不会询问你的密码。")

LinkFor = Callable[[str], str]  # token → the absolute URL of the reset page


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_password_errors(user: User | None, new: str, confirm: str | None = None
                        ) -> dict[str, str]:
    """Field errors (Chinese) for a new password, empty when it is acceptable."""
    new = new or ""
    if len(new) < PASSWORD_MIN:
        return {"new_password": f"新密码至少 {PASSWORD_MIN} 位"}
    if len(new) > PASSWORD_MAX:
        return {"new_password": f"新密码最多 {PASSWORD_MAX} 位"}
    if "\x00" in new:
        return {"new_password": "新密码包含无效字符"}
    if user is not None and (new.strip().lower() == user.username.lower()):
        return {"new_password": "新密码不能与用户名相同"}
    if user is not None and user.check_password(new):
        return {"new_password": SAME_AS_CURRENT}
    if confirm is not None and confirm != new:
        return {"new_password_confirm": "两次输入的新密码不一致"}
    return {}


def _set_password(user: User, new: str) -> None:
    """The new password, a new session version, every token revoked, every open link used."""
    now = utcnow()
    user.set_password(new)
    user.session_version = (user.session_version or 0) + 1
    db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == user.id,
                                                 ApiToken.revoked_at.is_(None))
                       .values(revoked_at=now))
    db.session.execute(sa.update(PasswordReset).where(PasswordReset.user_id == user.id,
                                                      PasswordReset.used_at.is_(None))
                       .values(used_at=now))


def change_password(user: User, current: str, new: str, confirm: str | None = None) -> None:
    """Change ``user``'s password; raises ValidationError (per field) and changes nothing
    when the current password is wrong or the new one is not acceptable."""
    errors = new_password_errors(user, new, confirm)
    if not user.check_password(current or ""):
        if errors.get("new_password") == SAME_AS_CURRENT:
            del errors["new_password"]  # with a wrong current password it would confirm a guess
        errors = {"current_password": "当前密码不正确", **errors}
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)
    _set_password(user, new)
    events.commit()


# --- reset links --------------------------------------------------------------------------


def _issue(user: User, channel: str, lifetime: timedelta, issued_by: User | None) -> str:
    token = secrets.token_urlsafe(32)
    reset = PasswordReset(user_id=user.id, token_hash=_hash(token), channel=channel,
                          issued_by_id=issued_by.id if issued_by else None,
                          created_at=utcnow(), expires_at=utcnow() + lifetime)
    db.session.add(reset)
    db.session.flush()
    events.emit(events.password_reset_issued, reset_id=reset.id, user_id=user.id,
                channel=channel, issued_by_id=reset.issued_by_id)
    return token


def _accounts_for(identifier: str) -> list[User]:
    identifier = (identifier or "").strip()
    if not identifier or "\x00" in identifier or len(identifier) > 254:
        return []
    if "@" in identifier:
        return list(db.session.scalars(
            sa.select(User).where(sa.func.lower(User.email) == identifier.lower(),
                                  User.is_active_account.is_(True))
            .order_by(User.id).limit(EMAIL_MATCHES_MAX)))
    user = get_user_by_username(identifier)
    return [user] if user is not None and user.is_active_account else []


def request_reset(identifier: str, link_for: LinkFor) -> str:
    """Mail a reset link to the account named by username or e-mail, if it exists and has an
    address and mail is configured. The answer (returned) is the same in every case."""
    if not mail.configured():
        return NO_MAIL_ANSWER
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    for user in _accounts_for(identifier):
        if not user.email:
            continue
        token = _issue(user, "email", timedelta(minutes=minutes), None)
        mail.send_after_commit(user.email, "互助社区：重置密码", _mail_body(user, link_for(token),
                                                                     minutes))
    events.commit()
    return REQUEST_ANSWER.format(minutes=minutes)


def _mail_body(user: User, link: str, minutes: int) -> str:
    return (f"{user.display_name}（@{user.username}）你好：\n\n"
            f"有人为你的互助社区账号申请了重置密码。如果是你本人，请在 {minutes} 分钟内打开下面的"
            f"链接设置新密码（链接只能使用一次）：\n\n{link}\n\n"
            "如果不是你本人申请，请忽略本邮件，你的密码不会改变。\n")


def issue_admin_reset(actor: User, user: User, link_for: LinkFor) -> str:
    """An administrator's reset link for ``user`` (to pass on after checking who asks);
    returns the link. On the audit log via ``events.password_reset_issued``."""
    if not permissions.is_admin(actor):
        raise PermissionDenied("只有管理员可以生成重置密码链接")
    hours = current_app.config["PASSWORD_RESET_ADMIN_HOURS"]
    token = _issue(user, "admin", timedelta(hours=hours), actor)
    current_app.logger.warning("audit: admin %s (id %s) issued a password reset link for %s "
                               "(id %s)", actor.username, actor.id, user.username, user.id)
    events.commit()
    return link_for(token)


_LINK_PROBLEMS = {"重置链接无效": "invalid", "重置链接已使用": "used", "重置链接已过期": "expired",
                  "该账号已停用": "inactive"}


def link_problem(err: ValidationError) -> str | None:
    """Why a reset link was refused: invalid, used, expired or inactive (None: not the link)."""
    return _LINK_PROBLEMS.get(err.fields.get("token", ""))


def reset_for_token(token: str, *, lock: bool = False) -> PasswordReset:
    """The open reset behind ``token``; ValidationError saying why the link cannot be used."""
    token = (token or "").strip()
    reset = None
    if token and len(token) <= 100 and "\x00" not in token:
        stmt = sa.select(PasswordReset).where(PasswordReset.token_hash == _hash(token))
        reset = db.session.scalar(stmt.with_for_update() if lock else stmt)
    if reset is None:
        raise ValidationError("重置链接无效，请重新申请", {"token": "重置链接无效"})
    if reset.used_at is not None:
        raise ValidationError("该重置链接已经使用过或已失效，请重新申请",
                              {"token": "重置链接已使用"})
    if reset.expires_at <= utcnow():
        raise ValidationError("该重置链接已过期，请重新申请", {"token": "重置链接已过期"})
    if not reset.user.is_active_account:
        raise ValidationError("该账号已停用", {"token": "该账号已停用"})
    return reset


def complete_reset(token: str, new: str, confirm: str | None = None) -> User:
    """Set a new password through a reset link; the link (and every other open one) is used
    up, every session and token of the account is revoked. Nothing changes on an error."""
    reset = reset_for_token(token, lock=True)
    user = reset.user
    errors = new_password_errors(user, new, confirm)
    if errors:
        raise ValidationError("新密码不符合要求", errors)
    _set_password(user, new)
    events.commit()
    return user
