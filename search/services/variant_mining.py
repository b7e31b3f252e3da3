"""Mining candidate word variants from a body of text (search/services/variants.py stores
them for moderators; nothing here changes a query).

1. **Phrases** (word2phrase): jieba cuts words it does not know into single characters
   (没返 → 没 返, 偷跑 → 偷 跑), and customers say the same thing with a character and a word
   (偷流量 = 偷 + 流量). Two adjacent tokens, one of them a single character, become one
   phrase token when they occur together at least ``MIN_COUNT`` times and far more often
   than chance (pointwise mutual information ≥ ``PHRASE_MIN_PMI``).
2. **Context vectors**: each word's or phrase's neighbours within ``WINDOW`` positions are
   counted, weighted by positive PMI and reduced with scikit-learn's TruncatedSVD.
3. **Candidates**: two terms whose vectors are close (cosine ≥ ``MIN_SIMILARITY``) and that
   share a character (variants usually do: 扣费 / 扣钱, 登不上 / 登录不了, 没返 / 返还), neither
   a part of the other (a word is already found by its parts), not already in one group.

Deterministic (fixed SVD seed), a few seconds for the demo's 1,600 posts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

from search.analysis import _HAN_RUN_RE, STOPWORDS, _cut, fold

WINDOW = 3
MIN_COUNT = 3  # a word or phrase seen fewer times has no reliable context
DIMENSIONS = 64
MIN_SIMILARITY = 0.55
MAX_CANDIDATES = 150
PHRASE_MIN_PMI = 3.0  # natural log: together ≥ 20× more often than by chance
PHRASE_MAX_CHARS = 4
_BREAK = None  # a stop word or a number: no phrase and no context across it
# Words the dictionary tags as places, names, times or numbers are never variants of one
# another (湖南 / 湖北, 上午 / 下午, 三天 / 两天), however alike their contexts.
NAME_TAGS = frozenset({"ns", "nr", "nrt", "nrfg", "nt", "t", "m", "mq", "q", "tg"})
NUMERALS = frozenset("零二三四五六七八九十百千万两几")  # 一 is in 一直, 一样 …
_tags: dict[str, str] | None = None


def dictionary_tags() -> dict[str, str]:
    """jieba's main dictionary: word → part-of-speech tag (read once)."""
    global _tags
    if _tags is None:
        import jieba

        path = Path(jieba.__file__).with_name("dict.txt")
        tags = {}
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) == 3:
                    tags[parts[0]] = parts[2]
        _tags = tags
    return _tags


def is_name_like(word: str) -> bool:
    """A place, name, time or quantity (by the dictionary's tag, or a phrase with a
    numeral: 三点多, 两百多)."""
    return dictionary_tags().get(word) in NAME_TAGS or bool(NUMERALS & set(word))


def token_runs(text: str) -> list[str | None]:
    """Words of ``text`` in order; ``None`` where a stop word, number or punctuation was."""
    out: list[str | None] = []
    last = -1
    for word, position in _cut(fold(text)):
        if position != last + 1 and out and out[-1] is not _BREAK:
            out.append(_BREAK)  # punctuation between
        last = position
        out.append(_BREAK if word in STOPWORDS or word.isdigit() else word)
    return out


_HAN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def _is_han(word: str) -> bool:
    return bool(_HAN_RE.fullmatch(word))


def find_phrases(sentences: list[list[str | None]], min_count: int = MIN_COUNT
                 ) -> set[tuple[str, str]]:
    """Adjacent pairs (one a single character) that form a phrase (see the docstring)."""
    counts: Counter = Counter(w for s in sentences for w in s if w is not _BREAK)
    pairs: Counter = Counter()
    for s in sentences:
        for a, b in zip(s, s[1:], strict=False):
            if (a is not _BREAK and b is not _BREAK and (len(a) == 1 or len(b) == 1)
                    and len(a) + len(b) <= PHRASE_MAX_CHARS and _is_han(a) and _is_han(b)):
                pairs[(a, b)] += 1
    total = sum(counts.values()) or 1
    return {pair for pair, n in pairs.items()
            if n >= min_count
            and math.log(n * total / (counts[pair[0]] * counts[pair[1]])) >= PHRASE_MIN_PMI}


def merge_phrases(sentence: list[str | None], phrases: set[tuple[str, str]]
                  ) -> list[str | None]:
    out: list[str | None] = []
    i = 0
    while i < len(sentence):
        if i + 1 < len(sentence) and (sentence[i], sentence[i + 1]) in phrases:
            out.append(sentence[i] + sentence[i + 1])
            i += 2
        else:
            out.append(sentence[i])
            i += 1
    return out


def mine(texts, joined: dict[str, tuple[str, ...]] | None = None,
         min_count: int = MIN_COUNT) -> list[tuple[str, str, float]]:
    """(term, variant, similarity) pairs, most similar first; ``joined``: the synonym map
    (pairs it already joins are left out)."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from sklearn.decomposition import TruncatedSVD

    joined = joined or {}
    sentences = [token_runs(t) for t in texts]
    phrases = find_phrases(sentences, min_count)
    sentences = [merge_phrases(s, phrases) for s in sentences]
    counts = Counter(w for s in sentences for w in s if w is not _BREAK)
    vocab = sorted(w for w, c in counts.items()
                   if c >= min_count and len(w) >= 2 and _HAN_RUN_RE.search(w)
                   and not is_name_like(w))
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
    # only pairs sharing a character are compared: by character, not all pairs
    by_char: dict[str, list[int]] = {}
    for i, word in enumerate(vocab):
        for char in set(word):
            by_char.setdefault(char, []).append(i)
    compared: set[tuple[int, int]] = set()
    for members in by_char.values():
        if len(members) < 2 or len(members) > len(vocab) // 4 + 50:
            continue  # a character in a quarter of the words says nothing
        compared.update((a, b) for n, a in enumerate(members) for b in members[n + 1:])
    if not compared:
        return []
    left, right = (np.array(side) for side in zip(*sorted(compared), strict=True))
    norms = np.linalg.norm(vectors, axis=1) + 1e-12
    scores = (vectors[left] * vectors[right]).sum(axis=1) / (norms[left] * norms[right])
    found = []
    for i, j, score in zip(left.tolist(), right.tolist(), scores.tolist(), strict=True):
        word, other = vocab[i], vocab[j]
        if score < MIN_SIMILARITY or word in other or other in word:
            continue  # a part of the other is already found by its parts
        if other in joined.get(word, ()):
            continue
        found.append((word, other, round(float(score), 3)))
    found.sort(key=lambda item: (-item[2], item[0], item[1]))
    return found[:MAX_CANDIDATES]
