"""Did-you-mean for a search without results: the closest corrected query.

A window of the query (2–4 characters, not itself a known word) is replaced by a known word
that sounds the same (a pinyin input slip: 流两 → 流量, both liu liang) or, less likely,
differs from it in exactly one character (宽代 → 宽带). Known words: the telecom dictionary
and the synonym list first, then jieba's common words. The correction is offered only when
it finds something.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from search.analysis import _HAN_RUN_RE, dictionary_words, fold, segmenter
from search.services.synonyms import synonym_map

COMMON_WORD_FREQ = 200  # jieba words at least this frequent count as known (~20k words)
SAME_SOUND = 100.0  # a word that sounds the same beats a one-character edit
SIZES = (4, 3, 2)
TRIED = 3  # corrections searched for, most likely first (each is a search)
_index: dict[str, list[tuple[float, str]]] | None = None
_index_lock = threading.Lock()


def _masks(word: str):
    for i in range(len(word)):
        yield word[:i] + "\x00" + word[i + 1:]


def _sound(word: str) -> str:
    from pypinyin import lazy_pinyin

    return "\x00" + " ".join(lazy_pinyin(word))  # apart from the one-edit masks


def _known_index() -> dict[str, list[tuple[float, str]]]:
    """one-edit mask ("流\\0") or sound ("\\0liu liang") → [(priority, word)], best first;
    built once per process (~1 s), on the first search without results."""
    global _index
    if _index is None:
        with _index_lock:
            if _index is None:
                freq = segmenter().FREQ
                words: dict[str, float] = {}
                for word, count in freq.items():
                    if count >= COMMON_WORD_FREQ and len(word) in SIZES and \
                            _HAN_RUN_RE.fullmatch(word):
                        words[word] = float(count)
                for word in dictionary_words():  # the telecom terms beat any common word
                    if len(word) in SIZES and _HAN_RUN_RE.fullmatch(word):
                        words[word] = 1e12
                index: dict[str, list[tuple[float, str]]] = {}
                for word, priority in words.items():
                    for mask in _masks(word):
                        index.setdefault(mask, []).append((priority, word))
                    index.setdefault(_sound(word), []).append((priority * SAME_SOUND, word))
                for bucket in index.values():
                    bucket.sort(reverse=True)
                _index = index
    return _index


def _is_known(word: str, synonyms: dict) -> bool:
    return word in synonyms or bool(segmenter().FREQ.get(word))


def corrections(text: str) -> list[str]:
    """Corrected versions of ``text``, most likely first (one window replaced in each)."""
    folded = fold(text)
    synonyms = synonym_map()
    index = _known_index()
    found: list[tuple[float, str]] = []
    for size in SIZES:
        for start in range(len(folded) - size + 1):
            window = folded[start:start + size]
            if not _HAN_RUN_RE.fullmatch(window) or _is_known(window, synonyms):
                continue
            candidates = [c for key in (_sound(window), *_masks(window))
                          for c in index.get(key, ())]
            candidates += [(1e12, t) for t in synonyms if len(t) == size and t != window
                           and sum(a != b for a, b in zip(t, window, strict=True)) == 1]
            for priority, word in candidates:
                found.append((priority * size, folded[:start] + word + folded[start + size:]))
    found.sort(key=lambda item: -item[0])
    return list(dict.fromkeys(text for _, text in found))[:5]


def did_you_mean(text: str, finds: Callable[[str], bool]) -> str | None:
    """The first correction of ``text`` that ``finds`` results for (the caller's search,
    with every word, for its viewer and filters)."""
    for corrected in corrections(text)[:TRIED]:
        if finds(corrected):
            return corrected
    return None
