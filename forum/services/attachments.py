"""Image attachments (issue 8 §1): check, re-encode, store, claim, serve.

An upload is accepted only if Pillow recognises it as PNG, JPEG, GIF or WebP by its content
(never by its name), is within the size and pixel limits, and re-encodes cleanly. The stored
file is the re-encoded image — EXIF (GPS position, camera serial …) and any bytes appended
to the image are gone — plus a thumbnail. Names are random; the files live in
``<instance>/uploads/<first two characters>/``.

A post or message shows an image with Markdown ``![…](/uploads/<name>)``. When it is
published, the images its author uploaded are *claimed* by it (forum/handlers.py); from then
on the image is visible exactly to those who may see the post or the conversation, and a
soft-deleted post hides its images without deleting them.
"""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from forum import permissions
from forum.errors import NotFound, ValidationError
from forum.extensions import db
from forum.models import Post, User
from forum.models.attachments import Attachment
from forum.models.messages import ConversationParticipant, Message

# Pillow format → (content type, extension)
FORMATS = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
THUMB_SIZE = (320, 320)
MAX_PIXELS = 40_000_000  # a 5 MB PNG can claim gigapixels (decompression bomb)
UPLOAD_URL_RE = re.compile(r"/uploads/([0-9a-f]{32}\.(?:png|jpg|gif|webp))")
IMAGE_MARKDOWN_RE = re.compile(r"!\[[^\]]*\]\(")


def upload_dir() -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / "uploads"


def max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES", 5 * 1024 * 1024))


def _path(name: str) -> Path:
    return upload_dir() / name[:2] / name


def store_image(uploader: User, data: bytes) -> Attachment:
    """Validate and store an uploaded image; raises ValidationError saying why not."""
    limit = max_bytes()
    if not data:
        raise ValidationError("没有收到图片文件", {"file": "请选择一张图片"})
    if len(data) > limit:
        raise ValidationError(f"图片太大了：最大 {limit // (1024 * 1024)} MB",
                              {"file": "图片太大"})
    image = _open_image(data)
    content_type, ext = FORMATS[image.format]
    stem = secrets.token_hex(16)
    name, thumb_name = f"{stem}.{ext}", f"{stem}_t.{ext if ext != 'gif' else 'png'}"
    clean, thumb = _reencode(image), _thumbnail(image)
    folder = upload_dir() / stem[:2]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(clean)
    (folder / thumb_name).write_bytes(thumb)
    attachment = Attachment(name=name, uploader_id=uploader.id, content_type=content_type,
                            byte_size=len(clean), width=image.width, height=image.height,
                            thumb_name=thumb_name)
    db.session.add(attachment)
    db.session.commit()
    return attachment


def load_image(data: bytes) -> Image.Image:
    """An upload checked as ``store_image`` checks it (size, format by content, pixels),
    opened; for other pipelines (avatars, forum/services/profiles.py). ValidationError if not."""
    limit = max_bytes()
    if not data:
        raise ValidationError("没有收到图片文件", {"file": "请选择一张图片"})
    if len(data) > limit:
        raise ValidationError(f"图片太大了：最大 {limit // (1024 * 1024)} MB",
                              {"file": "图片太大"})
    return _open_image(data)


def _open_image(data: bytes) -> Image.Image:
    refusal = ValidationError("只能上传 PNG、JPEG、GIF 或 WebP 图片（文件内容不是有效图片）",
                              {"file": "不是有效的图片"})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise refusal
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError("图片尺寸太大", {"file": "图片尺寸太大"})
            probe.verify()  # structure check; the image must be reopened afterwards
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise refusal from exc
    return image


def _reencode(image: Image.Image) -> bytes:
    """The image without metadata: pixels only (EXIF orientation applied first)."""
    out = io.BytesIO()
    animated = getattr(image, "n_frames", 1) > 1 and image.format in ("GIF", "WEBP")
    if animated:
        image.save(out, format=image.format, save_all=True, exif=b"")
        return out.getvalue()
    upright = ImageOps.exif_transpose(image)
    if image.format == "JPEG":
        upright.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
    elif image.format == "WEBP":
        upright.save(out, format="WEBP", quality=88)
    else:
        upright.save(out, format=image.format, optimize=image.format == "PNG")
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    thumb = ImageOps.exif_transpose(image).copy()
    thumb.thumbnail(THUMB_SIZE)
    out = io.BytesIO()
    if image.format == "JPEG":
        thumb.convert("RGB").save(out, format="JPEG", quality=82)
    elif image.format == "WEBP":
        thumb.save(out, format="WEBP", quality=82)
    else:  # PNG, and a GIF's first frame
        thumb.save(out, format="PNG")
    return out.getvalue()


def image_markdown(attachment: Attachment) -> str:
    return f"![图片](/uploads/{attachment.name})"


def count_images(text: str) -> int:
    return len(IMAGE_MARKDOWN_RE.findall(text or ""))


def _referenced(text: str) -> list[str]:
    return sorted(set(UPLOAD_URL_RE.findall(text or "")))


def claim_for_post(post_id: int) -> int:
    """Attach the author's unclaimed images that the post shows; returns how many."""
    post = db.session.get(Post, post_id)
    names = _referenced(post.body) if post else []
    if not names:
        return 0
    result = db.session.execute(
        sa.update(Attachment)
        .where(Attachment.name.in_(names), Attachment.uploader_id == post.author_id,
               Attachment.post_id.is_(None), Attachment.message_id.is_(None))
        .values(post_id=post.id))
    db.session.commit()
    return result.rowcount


def claim_for_message(message_id: int) -> int:
    message = db.session.get(Message, message_id)
    names = _referenced(message.body) if message else []
    if not names:
        return 0
    result = db.session.execute(
        sa.update(Attachment)
        .where(Attachment.name.in_(names), Attachment.uploader_id == message.sender_id,
               Attachment.post_id.is_(None), Attachment.message_id.is_(None))
        .values(message_id=message.id))
    db.session.commit()
    return result.rowcount


def file_for_viewer(name: str, viewer: User | None, thumb: bool = False) -> tuple[Path, str,
                                                                                   bool]:
    """(path, content type, public) of an image the viewer may see; NotFound otherwise —
    also for images of hidden, cold-handled or deleted posts, as if they never existed."""
    attachment = db.session.scalar(sa.select(Attachment).where(Attachment.name == name))
    if attachment is None or not _may_see(attachment, viewer):
        raise NotFound("图片不存在或已被删除")
    public = attachment.post_id is not None and _post_is_public(attachment.post_id)
    filename = attachment.thumb_name if thumb else attachment.name
    content_type = "image/png" if thumb and filename.endswith(".png") else attachment.content_type
    return _path(filename), content_type, public


def _post_is_public(post_id: int) -> bool:
    post = db.session.get(Post, post_id)
    return permissions.can_view_post(None, post) and permissions.can_view_topic(None, post.topic)


def _may_see(attachment: Attachment, viewer: User | None) -> bool:
    if attachment.post_id is not None:
        post = db.session.get(Post, attachment.post_id)
        return (post is not None and post.deleted_at is None
                and permissions.can_view_topic(viewer, post.topic)
                and permissions.can_view_post(viewer, post))
    if viewer is None:
        return False
    if attachment.message_id is not None:
        message = db.session.get(Message, attachment.message_id)
        return message is not None and db.session.scalar(
            sa.select(sa.func.count()).select_from(ConversationParticipant).where(
                ConversationParticipant.conversation_id == message.conversation_id,
                ConversationParticipant.user_id == viewer.id)) > 0
    return attachment.uploader_id == viewer.id  # not yet published: its uploader only
