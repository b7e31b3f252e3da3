"""Services of the scorer: the keyword library and scoring (see the submodules).

The interface other code uses::

    from moderation.scoring.services import score_text, score_post, negative_threshold
"""

from moderation.scoring.services.engine import KeywordEntry, KeywordLibrary, ScoreResult
from moderation.scoring.services.scoring import (
    forget_model,
    live_post_ids,
    model,
    negative_threshold,
    post_ids_of,
    post_text,
    rescore_all,
    rescore_missing,
    rescore_posts,
    score_post,
    score_text,
    unscored_post_ids,
)

__all__ = [
    "KeywordEntry", "KeywordLibrary", "ScoreResult", "forget_model", "live_post_ids", "model",
    "negative_threshold", "post_ids_of", "post_text", "rescore_all", "rescore_missing",
    "rescore_posts", "score_post", "score_text",
    "unscored_post_ids",
]
