"""Profile editing (issue 17): display name (with a change limit), e-mail for reset links,
a short bio shown on the profile and as the signature under posts, self-declared tags from a
fixed list (for later group screening), and an avatar cropped to a square.

The avatar goes through the attachments pipeline's checks (forum/services/attachments.py:
format by content, size and pixel limits), is cropped to its centre square, scaled and
re-encoded without metadata, and stored as ``<instance>/uploads/avatars/<random>.png|jpg``;
avatars are public like display names.
"""

from __future__ import annotations

import io
import re
import secrets
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from PIL import Image, ImageOps

from forum import events, uow
from forum.errors import ValidationError
from forum.extensions import db
from forum.models import User, utcnow
from forum.models.accounts import UserSelfTag
from forum.services import attachments
from forum.services.accounts import DISPLAY_NAME_MAX

BIO_MAX = 120
EMAIL_MAX = 254
AVATAR_SIZE = 256
AVATAR_NAME_RE = re.compile(r"^[0-9a-f]{32}\.(?:png|jpg)$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Self-declared tags (自选标签): a fixed list, so screening can rely on the values.
_CHINA = ZoneInfo("Asia/Shanghai")  # times shown to users
SELF_TAGS = ("学生", "上班族", "老年用户", "家庭用户", "商户", "政企客户")


def self_tags(user: User) -> list[str]:
    found = set(db.session.scalars(sa.select(UserSelfTag.tag)
                                   .where(UserSelfTag.user_id == user.id)))
    return [tag for tag in SELF_TAGS if tag in found]


def users_with_tag(tag: str) -> sa.Select:
    """The users who declared ``tag`` (for group screening)."""
    return sa.select(User).join(UserSelfTag, UserSelfTag.user_id == User.id).where(
        UserSelfTag.tag == tag)


def next_name_change(user: User):
    """When ``user`` may change the display name again, or None when they may now."""
    days = int(current_app.config.get("DISPLAY_NAME_CHANGE_DAYS", 30))
    if user.display_name_changed_at is None or days <= 0:
        return None
    due = user.display_name_changed_at + timedelta(days=days)
    return due if due > utcnow() else None


def _clean_bio(bio: str) -> str:
    return " ".join((bio or "").split())  # one line: it is shown under every post


def profile_errors(user: User, *, display_name: str | None = None, bio: str | None = None,
                   email: str | None = None, tags: list[str] | None = None) -> dict[str, str]:
    """Field errors (Chinese) for the given changes; None means "leave unchanged"."""
    errors: dict[str, str] = {}
    if display_name is not None:
        name = display_name.strip()
        if not name:
            errors["display_name"] = "请填写昵称"
        elif "\x00" in name:
            errors["display_name"] = "昵称包含无效字符"
        elif len(name) > DISPLAY_NAME_MAX:
            errors["display_name"] = f"昵称最多 {DISPLAY_NAME_MAX} 个字"
        elif name != user.display_name and (due := next_name_change(user)) is not None:
            days = current_app.config["DISPLAY_NAME_CHANGE_DAYS"]
            local = due.astimezone(_CHINA).strftime("%Y-%m-%d %H:%M")
            errors["display_name"] = f"昵称每 {days} 天只能修改一次，{local} 后可再次修改"
    if bio is not None:
        if "\x00" in bio:
            errors["bio"] = "签名包含无效字符"
        elif len(_clean_bio(bio)) > BIO_MAX:
            errors["bio"] = f"签名最多 {BIO_MAX} 个字"
    if email is not None:
        address = email.strip()
        if address and (len(address) > EMAIL_MAX or not EMAIL_RE.match(address)
                        or "\x00" in address):
            errors["email"] = "邮箱格式不正确"
    if tags is not None:
        unknown = [t for t in tags if t not in SELF_TAGS]
        if unknown:
            errors["tags"] = f"未知标签：{'、'.join(unknown[:3])}（可选：{'、'.join(SELF_TAGS)}）"
    return errors


def update_profile(user: User, *, display_name: str | None = None, bio: str | None = None,
                   email: str | None = None, tags: list[str] | None = None) -> User:
    """Apply the given changes (None = unchanged) all together, or none of them with a
    ValidationError naming each bad field."""
    errors = profile_errors(user, display_name=display_name, bio=bio, email=email, tags=tags)
    if errors:
        raise ValidationError("资料未保存，请修改标出的内容", errors)
    if display_name is not None and display_name.strip() != user.display_name:
        user.display_name = display_name.strip()
        user.display_name_changed_at = utcnow()
    if bio is not None:
        user.bio = _clean_bio(bio)
    if email is not None:
        user.email = email.strip() or None
    if tags is not None:
        db.session.execute(sa.delete(UserSelfTag).where(UserSelfTag.user_id == user.id))
        for tag in dict.fromkeys(tags):
            db.session.add(UserSelfTag(user_id=user.id, tag=tag))
    events.commit()
    return user


# --- avatars -----------------------------------------------------------------------------


def avatar_dir() -> Path:
    return attachments.upload_dir() / "avatars"


def avatar_path(name: str) -> Path | None:
    return avatar_dir() / name if AVATAR_NAME_RE.match(name or "") else None


def _square(image: Image.Image) -> tuple[bytes, str]:
    image.seek(0)  # an animated GIF or WebP keeps its first frame
    upright = ImageOps.exif_transpose(image)
    has_alpha = upright.mode in ("RGBA", "LA", "P") and (
        upright.mode != "P" or "transparency" in upright.info)
    upright = upright.convert("RGBA" if has_alpha else "RGB")
    square = ImageOps.fit(upright, (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if has_alpha:
        square.save(out, format="PNG", optimize=True)
        return out.getvalue(), "png"
    square.save(out, format="JPEG", quality=88, optimize=True)
    return out.getvalue(), "jpg"


def set_avatar(user: User, data: bytes) -> User:
    """Replace ``user``'s avatar with the uploaded image cropped to a square; on a file that
    is not an acceptable image, ValidationError and nothing changes."""
    image = attachments.load_image(data)
    payload, ext = _square(image)
    name = f"{secrets.token_hex(16)}.{ext}"
    folder = avatar_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(payload)
    old = user.avatar_name
    user.avatar_name = name
    if old:
        uow.on_commit(lambda: _remove_file(old))
    events.commit()
    return user


def remove_avatar(user: User) -> User:
    old = user.avatar_name
    user.avatar_name = None
    if old:
        uow.on_commit(lambda: _remove_file(old))
    events.commit()
    return user


def _remove_file(name: str) -> None:
    path = avatar_path(name)
    if path is not None:
        path.unlink(missing_ok=True)

