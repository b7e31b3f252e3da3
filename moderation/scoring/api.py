"""POST /api/v1/moderation/score: score a text on demand (moderators), on the core's api
blueprint; its OpenAPI description is added to the shared document below."""

from __future__ import annotations

from flask import jsonify

from forum.api import api_bp, json_body, openapi, read_fields, require_user
from forum.errors import PermissionDenied, ValidationError
from forum.models import User
from forum.permissions import moderates_something
from moderation.scoring.demands import DEMANDS
from moderation.scoring.services import score_text

TEXT_MAX = 5000


def can_score(user: User | None) -> bool:
    """Site moderators, admins and moderators of any tribe."""
    return moderates_something(user)


def check_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError("文本有误", {"text": "请提供要评分的文本"})
    if len(text) > TEXT_MAX:
        raise ValidationError("文本有误", {"text": f"文本最多 {TEXT_MAX} 个字"})
    return text


@api_bp.post("/moderation/score")
def api_moderation_score():
    user = require_user()
    if not can_score(user):
        raise PermissionDenied("只有版主和管理员可以使用评分接口")
    fields = read_fields(json_body(), required={"text": "string"})
    result = score_text(check_text(fields["text"]))
    return jsonify({"score": result.score, "negative": result.negative,
                    "keywords": list(result.keywords), "demand": result.demand,
                    "relevance": result.relevance, "sentiment": result.sentiment})


# --- OpenAPI ---------------------------------------------------------------------------------

SCHEMAS: dict = {
    "ScoreRequest": openapi.obj({
        "text": {"type": "string", "minLength": 1, "maxLength": TEXT_MAX,
                 "description": f"the text to score, 1–{TEXT_MAX} characters after trimming"},
    }),
    "ScoreResult": openapi.obj({
        "score": {"type": "integer", "minimum": 0, "maximum": 100,
                  "description": "negativity score, higher is more negative"},
        "negative": {"type": "boolean", "description": "score ≥ the configured threshold "
                     "(MODERATION_NEGATIVE_THRESHOLD): the post would enter the queue"},
        "keywords": openapi.array({"type": "string", "description": "matched terms of the "
                                   "keyword library, negative signals first"}),
        "demand": {"type": "string", "enum": list(DEMANDS),
                   "description": "suggested demand class (群体诉求)"},
        "relevance": {"type": "integer", "minimum": 0, "maximum": 100,
                      "description": "business relevance from business keywords"},
        "sentiment": {"type": "integer", "minimum": 0, "maximum": 100,
                      "description": "sentiment index: negativity of the wording alone"},
    }),
}
PATHS: dict = {
    "/moderation/score": {"post": openapi.op(
        "Score a text for negativity", "moderation", "scoreText", auth=openapi.AUTH,
        body="ScoreRequest", ok=(200, "ScoreResult", "The score and its parts"),
        errors=(403, 422),
        description="Moderators only (site moderators, admins, tribe moderators): 403 for "
                    "others. Uses the live keyword library. 422 for an empty or over-long "
                    "text.")},
}
