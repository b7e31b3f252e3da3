"""Candidate word variants mined from the site's own text, for moderators to approve.

``flask search mine-variants`` trains word vectors on every visible topic and reply: each
word's context (the words within WINDOW positions) counted, weighted by positive pointwise
mutual information and reduced with scikit-learn's TruncatedSVD. Two words are a candidate
when their vectors are close, they share a character (variants usually do: 扣费 / 扣钱,
登不上 / 登录不了) and no synonym group joins them yet. The candidates go to a file in the
instance directory; the synonym page lists them, and a moderator's click adds the pair as a
group. Until then a candidate changes nothing: only the synonym list widens queries.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from forum.extensions import db
from forum.models import VISIBLE, Post, Topic
from search.analysis import _HAN_RUN_RE, STOPWORDS, _cut, fold
from search.services.documents import html_to_text
from search.services.synonyms import synonym_map

WINDOW = 3
MIN_COUNT = 3  # a word seen fewer times has no reliable context
DIMENSIONS = 64
MIN_SIMILARITY = 0.55
MAX_CANDIDATES = 100
FILE_NAME = "search_variant_candidates.tsv"


def candidates_path() -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / FILE_NAME


def _sentences(texts) -> list[list[str]]:
    return [[w for w, _ in _cut(fold(t)) if w not in STOPWORDS and not w.isdigit()]
            for t in texts]


def mine(texts, min_count: int = MIN_COUNT) -> list[tuple[str, str, float]]:
    """(word, variant, similarity) pairs, most similar first."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from sklearn.decomposition import TruncatedSVD
    from sklearn.metrics.pairwise import cosine_similarity

    sentences = _sentences(texts)
    counts = Counter(w for s in sentences for w in s)
    vocab = sorted(w for w, c in counts.items()
                   if c >= min_count and len(w) >= 2 and _HAN_RUN_RE.search(w))
    if len(vocab) < 3:
        return []
    index = {w: i for i, w in enumerate(vocab)}
    pairs: Counter = Counter()
    for words in sentences:
        for i, word in enumerate(words):
            if word not in index:
                continue
            for other in words[max(0, i - WINDOW):i] + words[i + 1:i + 1 + WINDOW]:
                if other in index and other != word:
                    pairs[(index[word], index[other])] += 1
    if not pairs:
        return []
    rows, cols, values = zip(*((r, c, v) for (r, c), v in pairs.items()), strict=True)
    matrix = coo_matrix((values, (rows, cols)), shape=(len(vocab), len(vocab))).tocsr()
    total = matrix.sum()
    row_sums = np.asarray(matrix.sum(axis=1)).ravel()
    col_sums = np.asarray(matrix.sum(axis=0)).ravel()
    coo = matrix.tocoo()
    pmi = np.log(coo.data * total / (row_sums[coo.row] * col_sums[coo.col]))
    ppmi = coo_matrix((np.maximum(pmi, 0), (coo.row, coo.col)), shape=matrix.shape).tocsr()
    dims = max(2, min(DIMENSIONS, len(vocab) - 1))
    vectors = TruncatedSVD(n_components=dims, random_state=0).fit_transform(ppmi)
    similarity = cosine_similarity(vectors)
    joined = synonym_map()
    found = []
    for i, word in enumerate(vocab):
        for j in range(i + 1, len(vocab)):
            other = vocab[j]
            score = float(similarity[i, j])
            if score < MIN_SIMILARITY or not set(word) & set(other):
                continue
            if word in other or other in word or other in joined.get(word, ()):
                continue  # a part of the other (already found by its parts), or grouped
            found.append((word, other, round(score, 3)))
    found.sort(key=lambda item: -item[2])
    return found[:MAX_CANDIDATES]


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
