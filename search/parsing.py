"""Query parsing for both search backends: the searcher's text as groups of alternatives.

``parse_query(text, synonyms)`` cuts the query precisely (``search.analysis``), expands
synonyms and returns groups of alternatives (a term, or a phrase of terms); every group must
match, and the relaxed search's ``loose_groups`` split the words finer. The user's query
never reaches a query parser, so no character is syntax (AND, *, ", ( …).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from search.analysis import (
    _HAN_RUN_RE,
    _SYNTAX_RE,
    MAX_TOKEN_CHARS,
    STOPWORDS,
    _bigrams,
    _cut,
    fold,
    segmenter,
)

MAX_QUERY_CHARS = 100
MAX_GROUPS = 12


# --- queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alternative:
    """One way a group can match: a single term, a phrase of adjacent terms, or (not
    ``adjacent``) several terms anywhere in the document."""

    tokens: tuple[str, ...]
    surface: str  # the text to highlight
    adjacent: bool = True
    # The searcher's own words weigh 1; words a synonym group adds weigh less, so 宽带 ranks
    # posts about 宽带 above posts that only say 网络.
    weight: float = 1.0


@dataclass(frozen=True)
class Group:
    alternatives: tuple[Alternative, ...]


@dataclass
class ParsedQuery:
    text: str  # what was searched for (after truncation), for display
    groups: list[Group] = field(default_factory=list)
    truncated: bool = False
    # Lone characters of a query that has real words (改 in 改套餐): not required, but a
    # document containing them ranks higher.
    optional: list[Alternative] = field(default_factory=list)
    # The relaxed search's groups: the same words, split finer (see _add_words).
    loose_groups: list[Group] = field(default_factory=list)

    def loosened(self) -> ParsedQuery:
        return replace(self, groups=self.loose_groups)

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def highlight_terms(self) -> list[str]:
        """What to mark in a snippet, longest first: each alternative as written and its
        words — not the lone characters of a phrase (用 of 流量 用 超), which would light up
        every sentence."""
        terms: set[str] = set()
        for group in self.groups:
            for alt in group.alternatives:
                terms.add(alt.surface)
                terms.update(t for t in alt.tokens if len(t) > 1)
        return sorted((t for t in terms if t), key=lambda t: (-len(t), t))


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def clean_query(raw: str | None) -> tuple[str, bool]:
    """Control characters removed, whitespace collapsed, cut to MAX_QUERY_CHARS."""
    text = _CONTROL_RE.sub(" ", raw or "")
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        return text[:MAX_QUERY_CHARS].strip(), True
    return text, False


APART_WEIGHT = 0.6


def word_alternatives(word: str, loose: bool = True) -> list[Alternative]:
    """A word of three or more characters also matches by the parts of its next-best cut:
    the query 宽带报修 finds "宽带断网怎么报修" (宽带 and 报修 anywhere), 国际漫游 finds
    "国际漫游费" (cut 国际/漫游费), 网速慢 finds "网速太慢". When every part is a single
    character they must stay together (莫名 其 妙 as a phrase). A synonym the searcher did
    not type is meant as written: its parts must be adjacent (``loose=False``)."""
    alternatives = [Alternative((word,), word)]
    if len(word) >= 3 and not word.isascii():
        parts = tuple(p for p in _next_best_cut(word) if p not in STOPWORDS)
        if len(parts) > 1:
            apart = loose and any(len(p) >= 2 for p in parts)
            # the whole word (or its parts side by side) ranks above parts found apart
            alternatives.append(Alternative(parts, word, adjacent=not apart,
                                            weight=APART_WEIGHT if apart else 1.0))
    return alternatives


def _next_best_cut(word: str) -> list[str]:
    """jieba's best cut of ``word`` when the whole word is not allowed as one piece."""
    tokenizer = segmenter()
    n = len(word)
    dag = tokenizer.get_DAG(word)
    dag[0] = [end for end in dag[0] if end != n - 1] or [0]
    route: dict = {}
    tokenizer.calc(word, dag, route)
    parts, i = [], 0
    while i < n:
        end = route[i][1] + 1
        parts.append(word[i:end])
        i = end
    return parts


SYNONYM_WEIGHT = 0.5


def term_alternatives(term: str, own: bool = False) -> list[Alternative]:
    """A synonym as a term (one word, see word_alternatives) or a phrase (several words).
    ``own``: the searcher typed this one (full weight, and its parts may be apart)."""
    folded = fold(term)
    tokens = tuple(t for t, _ in _cut(folded) if t not in STOPWORDS)
    if not tokens:
        return []
    if len(tokens) == 1:
        alternatives = word_alternatives(tokens[0], loose=own)
    else:
        alternatives = [Alternative(tokens=tokens, surface=folded.replace(" ", ""))]
    if own:
        return alternatives
    return [replace(a, weight=a.weight * SYNONYM_WEIGHT) for a in alternatives]


def parse_query(raw: str | None, synonyms: dict[str, tuple[str, ...]] | None = None
                ) -> ParsedQuery:
    """Groups of alternatives that must all match; ``synonyms`` maps a folded term to every
    term of its synonym groups (itself included)."""
    text, truncated = clean_query(raw)
    parsed = ParsedQuery(text=text, truncated=truncated)
    synonyms = synonyms or {}
    longest = max((len(t) for t in synonyms), default=0)
    strong: list[Group] = []
    weak: list[Group] = []
    loose: list[Group] = []
    for chunk in _SYNTAX_RE.sub(" ", fold(text)).replace("_", " ").split():
        rest_start = 0
        i = 0
        while i < len(chunk):
            match = None
            for size in range(min(longest, len(chunk) - i), 1, -1):
                if chunk[i:i + size] in synonyms:
                    match = chunk[i:i + size]
                    break
            if match is None:
                i += 1
                continue
            _add_words(chunk[rest_start:i], strong, weak, loose)
            alts = tuple(unique_alternatives(
                alt for term in (match, *synonyms[match])
                for alt in term_alternatives(term, own=term == match)))
            if alts:
                strong.append(Group(alts))
                loose.append(Group(alts))
                parts = [a for a in word_alternatives(match) if not a.adjacent]
                if parts:  # 宽带提速 (a synonym of 宽带升级) also by 宽带, 提速
                    loose.extend(_part_groups(parts[0].tokens))
            i += len(match)
            rest_start = i
        _add_words(chunk[rest_start:], strong, weak, loose)
    parsed.groups = _distinct(strong or weak)
    parsed.loose_groups = _distinct(loose if strong else weak)
    if strong:
        parsed.optional = unique_alternatives(a for g in weak for a in g.alternatives)
    return parsed


def _part_groups(parts: tuple[str, ...]) -> list[Group]:
    """A compound's parts as groups of their own; a one-character part (号 of 手机号) would
    count as much as a real word in the coordination ranking, so it is left out."""
    return [Group(tuple(word_alternatives(p))) for p in parts if len(p) > 1]


def _distinct(groups: list[Group]) -> list[Group]:
    return list(dict.fromkeys(groups))[:MAX_GROUPS]


def _add_words(segment: str, strong: list[Group], weak: list[Group], loose: list[Group]
               ) -> None:
    """Words of ``segment`` as groups: each word a term; runs of single characters (words
    the dictionary does not know, 没到账 → 没 到 账) a phrase, or their character bigrams
    anywhere; a lone character next to a word is asked for side by side with it (老用户 →
    老 用户; 丢 of 手机卡丢了 stays with 手机卡); any other lone character is weak — used
    only when the query has nothing better.

    ``loose``: the same words for the relaxed search, each its own group so documents can
    match some of them: a word without the lone character next to it, a compound by its
    parts (宽带提速 → 宽带, 提速)."""
    if not segment:
        return
    pieces: list[list] = []  # [tokens, first position, last position]
    for word, position in _cut(segment):
        if word in STOPWORDS or len(word) > MAX_TOKEN_CHARS:
            continue
        last = pieces[-1] if pieces else None
        if (len(word) == 1 and last is not None and len(last[0][-1]) == 1
                and last[2] == position - 1):
            last[0].append(word)
            last[2] = position
        else:
            pieces.append([[word], position, position])
    attached: dict[int, list[Alternative]] = {}
    for i, (tokens, first, last) in enumerate(pieces):
        if len(tokens) != 1 or len(tokens[0]) != 1:
            continue
        char = tokens[0]
        after = pieces[i + 1] if i + 1 < len(pieces) else None
        before = pieces[i - 1] if i > 0 else None
        if after is not None and after[1] == last + 1 and len(after[0][0]) > 1:
            attached.setdefault(i + 1, []).append(
                Alternative((char, after[0][0]), char + after[0][0]))
        elif before is not None and before[2] == first - 1 and len(before[0][-1]) > 1:
            attached.setdefault(i - 1, []).append(
                Alternative((before[0][-1], char), before[0][-1] + char))
        else:
            weak.append(Group((Alternative((char,), char),)))
    for i, (tokens, _, _) in enumerate(pieces):
        if len(tokens) == 1 and len(tokens[0]) > 1:
            word_alts = word_alternatives(tokens[0])
            if i in attached:
                strong.append(Group(tuple(attached[i])))
                loose.append(Group((*word_alts, *attached[i])))
                continue
            strong.append(Group(tuple(word_alts)))
            apart = [a for a in word_alts if not a.adjacent]
            if apart:
                loose.extend(_part_groups(apart[0].tokens))
            else:
                loose.append(Group(tuple(word_alts)))
        elif len(tokens) > 1:
            run = "".join(tokens)
            alternatives = [Alternative(tuple(tokens), run)]
            grams = tuple(_bigrams([run])) if _HAN_RUN_RE.fullmatch(run) else ()
            if len(grams) > 1:
                alternatives.append(Alternative(grams, run, adjacent=False,
                                                weight=APART_WEIGHT))
            strong.append(Group(tuple(alternatives)))
            loose.append(Group(tuple(alternatives)))


def unique_alternatives(items: Iterable[Alternative]) -> list[Alternative]:
    """Without repeats; of two alternatives with the same tokens the first (heavier) stays."""
    seen: dict[tuple, Alternative] = {}
    for alt in items:
        seen.setdefault((alt.tokens, alt.adjacent), alt)
    return list(seen.values())
