"""Candidate word variants mined from the site's own text, for moderators to approve.

``flask search mine-variants`` finds them in every visible topic and reply
(search/services/variant_mining.py: phrases jieba splits, such as 没返 or 偷流量, joined by
their mutual information; context vectors from positive PMI and TruncatedSVD; two terms are a
candidate when their contexts are alike, they share a character and no synonym group joins
them yet). The candidates go to a file in the
instance directory; the synonym page lists them, and a moderator's click adds the pair as a
group. Until then a candidate changes nothing: only the synonym list widens queries.
"""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from forum.extensions import db
from forum.models import VISIBLE, Post, Topic
from search.services import variant_mining
from search.services.documents import html_to_text
from search.services.synonyms import synonym_map

FILE_NAME = "search_variant_candidates.tsv"


def candidates_path() -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / FILE_NAME


def mine(texts, min_count: int = variant_mining.MIN_COUNT) -> list[tuple[str, str, float]]:
    """(word, variant, similarity) pairs no synonym group joins yet, most similar first
    (search/services/variant_mining.py)."""
    return variant_mining.mine(texts, synonym_map(), min_count)


def site_texts() -> list[str]:
    """Every visible topic title and post body (the public text anyone can search)."""
    rows = db.session.execute(
        sa.select(Topic.title, Post.body, Post.is_first).join(Post, Post.topic_id == Topic.id)
        .where(Topic.deleted_at.is_(None), Topic.visibility == VISIBLE,
               Post.deleted_at.is_(None), Post.visibility == VISIBLE)).all()
    texts = [r.title for r in rows if r.is_first]
    texts += [html_to_text(r.body) if "<" in r.body else r.body for r in rows]
    return texts


def save_candidates(found: list[tuple[str, str, float]]) -> Path:
    path = candidates_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t")
        writer.writerows(found)
    return path


def pending_candidates() -> list[tuple[str, str, float]]:
    """The mined pairs no synonym group joins yet (approved ones drop out)."""
    path = candidates_path()
    if not path.exists():
        return []
    joined = synonym_map()
    out = []
    with open(path, encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) == 3 and row[1] not in joined.get(row[0], ()):
                out.append((row[0], row[1], float(row[2])))
    return out
