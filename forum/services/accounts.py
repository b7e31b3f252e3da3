"""Accounts: registration, login, roles, API tokens, verification, follows."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa

from forum import events
from forum.errors import Conflict, NotFound, PermissionDenied, Unauthorized, ValidationError
from forum.extensions import db
from forum.models import ROLE_NAMES, ApiToken, Follow, Role, User, utcnow
from forum.pagination import Page, paginate
from forum.rendering import USERNAME_RE

PASSWORD_MIN = 8
DISPLAY_NAME_MAX = 40


def validate_registration(username: str, display_name: str, password: str) -> dict[str, str]:
    """Field errors in Chinese, empty when the input is acceptable."""
    errors: dict[str, str] = {}
    if not USERNAME_RE.match(username or ""):
        errors["username"] = "用户名须为 3–20 个字母、数字、下划线或汉字"
    elif get_user_by_username(username) is not None:
        errors["username"] = "该用户名已被注册"
    if not (display_name or "").strip():
        errors["display_name"] = "请填写昵称"
    elif "\x00" in display_name:
        errors["display_name"] = "昵称包含无效字符"
    elif len(display_name.strip()) > DISPLAY_NAME_MAX:
        errors["display_name"] = f"昵称最多 {DISPLAY_NAME_MAX} 个字"
    if len(password or "") < PASSWORD_MIN:
        errors["password"] = f"密码至少 {PASSWORD_MIN} 位"
    return errors


def ensure_roles() -> dict[str, Role]:
    existing = {r.name: r for r in db.session.scalars(sa.select(Role))}
    for name in ROLE_NAMES:
        if name not in existing:
            existing[name] = Role(name=name)
            db.session.add(existing[name])
    return existing


def register_user(
    username: str, display_name: str, password: str, roles: list[str] | tuple[str, ...] = ("customer",)
) -> User:
    """Create an account; raises ValidationError with per-field messages."""
    username = (username or "").strip()
    errors = validate_registration(username, display_name, password)
    if errors:
        raise ValidationError("注册信息有误", errors)
    unknown = set(roles) - set(ROLE_NAMES)
    if unknown:
        raise ValidationError(f"未知角色：{', '.join(sorted(unknown))}", {"role": "未知角色"})
    all_roles = ensure_roles()
    user = User(username=username, display_name=display_name.strip())
    user.set_password(password)
    user.roles = [all_roles[name] for name in roles]
    db.session.add(user)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:  # a concurrent registration took the name
        db.session.rollback()
        raise ValidationError("注册信息有误", {"username": "该用户名已被注册"}) from None
    events.emit(events.user_registered, user_id=user.id, username=user.username)
    events.commit()
    return user


def authenticate(username: str, password: str) -> User:
    user = get_user_by_username((username or "").strip())
    if user is None or not user.check_password(password or ""):
        raise Unauthorized("用户名或密码错误")
    if not user.is_active:
        raise PermissionDenied("该账号已停用")
    return user


def get_user_by_username(username: str) -> User | None:
    if not username or "\x00" in username:  # PostgreSQL cannot compare NUL characters
        return None
    return db.session.scalar(sa.select(User).where(User.username == username))


def get_user_or_404(username: str) -> User:
    user = get_user_by_username(username)
    if user is None:
        raise NotFound("用户不存在")
    return user


def set_roles(user: User, roles: list[str], actor: User | None = None) -> User:
    """Replace a user's roles. With ``actor`` (a page or API request) only admins may, and an
    admin cannot drop their own admin role (nobody would be left to give it back)."""
    unknown = set(roles) - set(ROLE_NAMES)
    if unknown:
        raise ValidationError(f"未知角色：{', '.join(sorted(unknown))}")
    if actor is not None:
        if "admin" not in actor.role_names:
            raise PermissionDenied("只有管理员可以修改角色")
        if actor.id == user.id and "admin" not in roles:
            raise ValidationError("不能移除自己的管理员角色", {"roles": "不能移除自己的管理员角色"})
    all_roles = ensure_roles()
    user.roles = [all_roles[name] for name in roles]
    events.commit()
    return user


def list_users(page: int, per_page: int, query: str = "") -> Page:
    """Users for the admin list, oldest first; ``query`` matches username or display name."""
    stmt = sa.select(User).order_by(User.id)
    query = (query or "").strip()
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(sa.or_(User.username.ilike(pattern, escape="\\"),
                                 User.display_name.ilike(pattern, escape="\\")))
    return paginate(stmt, page, per_page)


def set_verified(actor: User, user: User, verified: bool) -> User:
    """加V is granted by admins only."""
    if "admin" not in actor.role_names:
        raise PermissionDenied("只有管理员可以设置加V认证")
    user.is_verified = verified
    events.commit()
    return user


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str = "api") -> str:
    """Create a bearer token; the plain value is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_hash_token(token), name=name[:60],
                            session_version=user.session_version or 0))
    events.commit()
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == _hash_token(token),
                                  ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.is_active:
        return None
    if row.session_version != (row.user.session_version or 0):
        return None  # issued before the password last changed
    return row.user


def token_name(token: str) -> str | None:
    """The name a token was given (also once revoked), or None for an unknown token."""
    return db.session.scalar(sa.select(ApiToken.name)
                             .where(ApiToken.token_hash == _hash_token(token)))


def list_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id.desc())
    ))


def revoke_token(user: User, token_id: int) -> None:
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound("令牌不存在")
    row.revoked_at = utcnow()
    events.commit()


def is_following(follower: User | None, followed: User) -> bool:
    if follower is None or not getattr(follower, "is_authenticated", False):
        return False
    return db.session.get(Follow, (follower.id, followed.id)) is not None


def set_following(follower: User, followed: User, follow: bool) -> bool:
    """Follow or unfollow; idempotent. Returns whether ``follower`` now follows ``followed``."""
    if follower.id == followed.id:
        raise Conflict("不能关注自己")
    existing = db.session.get(Follow, (follower.id, followed.id))
    if follow and existing is None:
        db.session.add(Follow(follower_id=follower.id, followed_id=followed.id))
        try:
            db.session.flush()
        except sa.exc.IntegrityError:  # a double click raced us; the follow exists
            db.session.rollback()
            return True
        _adjust_follow_counts(follower.id, followed.id, +1)
    elif not follow and existing is not None:
        db.session.expunge(existing)
        gone = db.session.execute(sa.delete(Follow).where(
            Follow.follower_id == follower.id, Follow.followed_id == followed.id)).rowcount
        if gone != 1:  # a concurrent unfollow removed it and moved the counts
            db.session.rollback()
            return False
        _adjust_follow_counts(follower.id, followed.id, -1)
    else:
        return follow
    events.emit(events.user_followed, follower_id=follower.id, followed_id=followed.id,
                following=follow)
    events.commit()
    return follow


def toggle_follow(follower: User, followed: User) -> bool:
    return set_following(follower, followed, not is_following(follower, followed))


def _adjust_follow_counts(follower_id: int, followed_id: int, delta: int) -> None:
    # Counter updates in SQL so concurrent follows cannot lose an increment.
    db.session.execute(sa.update(User).where(User.id == follower_id)
                       .values(following_count=User.following_count + delta))
    db.session.execute(sa.update(User).where(User.id == followed_id)
                       .values(follower_count=User.follower_count + delta))
    db.session.expire_all()


def followers(user: User, limit: int = 50) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(Follow, Follow.follower_id == User.id)
        .where(Follow.followed_id == user.id).order_by(Follow.created_at.desc()).limit(limit)
    ))


def following(user: User, limit: int = 50) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(Follow, Follow.followed_id == User.id)
        .where(Follow.follower_id == user.id).order_by(Follow.created_at.desc()).limit(limit)
    ))


def resolve_user(user_or_username: User | str) -> User:
    """A User, given one or a username; NotFound for unknown names."""
    if isinstance(user_or_username, User):
        return user_or_username
    name = (user_or_username or "").strip()
    user = None
    if name and "\x00" not in name:  # PostgreSQL cannot compare NUL characters
        user = db.session.scalar(sa.select(User).where(User.username == name))
    if user is None:
        raise NotFound("用户不存在")
    return user


def resolve_user_by_id(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    return user
