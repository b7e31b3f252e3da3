"""Image uploads (POST /uploads, for the composer: button, paste, drag-drop) and serving."""

from __future__ import annotations

from flask import current_app, jsonify, request, send_file
from flask_login import current_user, login_required

from forum.errors import ValidationError
from forum.services import attachments
from forum.views import bp
from forum.views.helpers import current_actor


def read_upload() -> bytes:
    """The uploaded file's bytes (form field ``file``); bodies over MAX_CONTENT_LENGTH were
    already refused with 413, the image limit itself is checked by the service."""
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("没有收到图片文件", {"file": "请选择一张图片"})
    return upload.read(attachments.max_bytes() + 1)


def upload_json(attachment) -> dict:
    return {
        "id": attachment.id,
        "url": f"/uploads/{attachment.name}",
        "thumb_url": f"/uploads/{attachment.name}/thumb",
        "markdown": attachments.image_markdown(attachment),
        "width": attachment.width,
        "height": attachment.height,
        "content_type": attachment.content_type,
    }


@bp.route("/uploads", methods=["POST"])
@login_required
def upload_image():
    # JSON in and out (fetch from static/js/uploads.js, CSRF token in X-CSRFToken).
    attachment = attachments.store_image(current_actor(), read_upload())
    return jsonify(upload_json(attachment)), 201


@bp.route("/uploads/<name>")
def uploaded_image(name: str):
    return _send(name, thumb=False)


@bp.route("/uploads/<name>/thumb")
def uploaded_thumbnail(name: str):
    return _send(name, thumb=True)


def _send(name: str, thumb: bool):
    viewer = current_user._get_current_object() if current_user.is_authenticated else None
    path, content_type, public = attachments.file_for_viewer(name, viewer, thumb=thumb)
    response = send_file(path, mimetype=content_type, max_age=86400 if public else 0,
                         conditional=True)
    response.headers["Content-Disposition"] = "inline"
    # An image never runs anything; the policy makes sure nothing in it could.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if not public:
        response.headers["Cache-Control"] = "private, no-store"
    current_app.logger.debug("served upload %s", name)
    return response
