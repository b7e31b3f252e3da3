"""Image uploads through the API (the app channel): same checks as the composer's."""

from __future__ import annotations

from flask import jsonify

from forum.api import api_bp, require_user
from forum.services import attachments
from forum.views.attachments import read_upload, upload_json


@api_bp.post("/uploads")
def upload_image():
    user = require_user()
    attachment = attachments.store_image(user, read_upload())
    return jsonify(upload_json(attachment)), 201
