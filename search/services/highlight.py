"""Highlighted snippets cut from the original text (not the segmented text the engines hold).

The text is the one the viewer may see (PII-masked for others), HTML-escaped here; every
occurrence of a query word or synonym is wrapped in <mark>. Matching is on folded text
(lower case, half-width), which keeps the length, so offsets map back one to one.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from markupsafe import Markup, escape

from search.analysis import fold

SNIPPET_CHARS = 120
LEAD_CHARS = 24  # context shown before the first highlighted word


def _pattern(terms: list[str]) -> re.Pattern | None:
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms))


def find_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    pattern = _pattern(terms)
    if pattern is None or not text:
        return []
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(fold(text)):
        start, end = match.span()
        if spans and spans[-1][1] == start:  # 宽带 + 报修 side by side: one mark
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out, pos = [], start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        out.append(str(escape(text[pos:a])))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        pos = b
    out.append(str(escape(text[pos:end])))
    return "".join(out)


def highlight_all(text: str, terms: list[str]) -> Markup:
    """The whole (short) text with every match marked — for titles."""
    return Markup(_marked(text, find_spans(text, terms), 0, len(text)))


def snippet(text: str, terms: list[str], size: int = SNIPPET_CHARS) -> Markup:
    """About ``size`` characters around the densest cluster of matches, marked."""
    text = " ".join((text or "").split())
    spans = find_spans(text, terms)
    if len(text) <= size:
        return Markup(_marked(text, spans, 0, len(text)))
    if not spans:
        return Markup(_marked(text, [], 0, size) + "…")
    starts = [a for a, _ in spans]
    best_start, best_count = spans[0][0], 0
    for a, _ in spans:  # the window beginning at each match: which holds the most?
        count = bisect_left(starts, a + size - LEAD_CHARS) - bisect_left(starts, a)
        if count > best_count:
            best_start, best_count = a, count
    start = max(0, min(best_start - LEAD_CHARS, len(text) - size))
    end = min(len(text), start + size)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return Markup(prefix + _marked(text, spans, start, end) + suffix)
