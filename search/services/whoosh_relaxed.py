"""whoosh's relaxed search (at least ``min_match`` of the groups) inside a bounded candidate
set: an Or over every word would score every document of its commonest word (tens of
thousands at 100k posts, in pure Python), and a phrase of two common words scans their
whole intersection for positions before it yields its first match.

A document matching ``min_match`` of ``n`` groups matches at least one of any ``n - min_match
+ 1`` groups, so the candidates are the documents of that many of the *rarest* groups
(fewest documents; an alternative of several words counts by its rarest word), which is
exact (search/services/term_stats.py chooses them). When those hold more than
``term_stats.pool_size()`` documents, the rarest groups that fit are taken (at least the
rarest one, its best documents by BM25, that many): a partial match is expected to contain
the query's most distinctive words.

Each word's posting list is then walked once along the sorted candidates (skipping, with
its BM25 score and positions there); a group matches a candidate when one of its
alternatives does (a phrase: its words at consecutive positions). A candidate's score is the
sum of its matched words' scores (document boosts included), and hits rank by how many
groups match, then by that score.
"""

from __future__ import annotations

from whoosh.query import And, Phrase, Term

from search.services import term_stats
from search.services.base import Hit, HitPage

FIELD = "text"


def _alternatives(group_query) -> list:
    return list(getattr(group_query, "subqueries", None) or [group_query])


def _terms(alt) -> list[Term]:
    """The words of an alternative as scored terms (a phrase's boost on each word)."""
    if isinstance(alt, Phrase):
        return [Term(alt.fieldname, w, boost=alt.boost) for w in alt.words]
    if isinstance(alt, Term):
        return [alt]
    return [t for t in alt.subqueries if isinstance(t, Term)] if isinstance(alt, And) else []


def _frequency(searcher, alt) -> int:
    return min((searcher.doc_frequency(t.fieldname, t.text) for t in _terms(alt)), default=0)


def group_frequency(searcher, group_query) -> int:
    """An upper bound of the documents a group matches."""
    return sum(_frequency(searcher, alt) for alt in _alternatives(group_query))


def candidates(searcher, group_queries: list, min_match: int, cap: int) -> set[int]:
    frequencies = [group_frequency(searcher, q) for q in group_queries]
    chosen = term_stats.candidate_groups(frequencies, min_match, cap)
    found: set[int] = set()
    if sum(frequencies[i] for i in chosen) <= cap:
        for i in chosen:
            for alt in _alternatives(group_queries[i]):
                terms = _terms(alt)
                if terms:  # the documents of its rarest word (a superset, checked later)
                    rarest = min(terms, key=lambda t: searcher.doc_frequency(t.fieldname, t.text))
                    found.update(rarest.matcher(searcher).all_ids())
        return found
    # even the rarest group is common: the best documents of each of its alternatives' rarest
    # words (top-N by BM25 skips most of the list)
    for alt in _alternatives(group_queries[chosen[0]]):
        terms = _terms(alt)
        if terms:
            rarest = min(terms, key=lambda t: searcher.doc_frequency(t.fieldname, t.text))
            results = searcher.search(rarest, limit=cap, terms=False)
            found.update(results.docnum(n) for n in range(results.scored_length()))
    return found


def _postings(searcher, term: Term, docnums: list[int], positions: bool) -> dict:
    """docnum → (score, positions) for the sorted ``docnums`` holding ``term``."""
    out: dict[int, tuple[float, frozenset]] = {}
    matcher = term.matcher(searcher)
    for docnum in docnums:
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                break
        if matcher.id() == docnum:
            where = frozenset(matcher.value_as("positions")) if positions else frozenset()
            out[docnum] = (matcher.score(), where)
    return out


def _phrase_at(hits: list[tuple[float, frozenset]]) -> bool:
    first, *rest = [positions for _, positions in hits]
    return any(all(p + i in later for i, later in enumerate(rest, 1)) for p in first)


def relaxed_search(searcher, group_queries: list, allowed: set | None, mask: set | None,
                   min_match: int, offset: int, limit: int, coordinate: bool,
                   key_of) -> HitPage:
    """``allowed``: the documents the filters let through (None: all)."""
    docnums = candidates(searcher, group_queries, min_match,
                         term_stats.pool_size(offset + limit))
    if mask:
        docnums -= mask
    if allowed is not None:
        docnums &= allowed
    wanted = sorted(docnums)
    postings: dict[tuple[str, bool], dict] = {}

    def of(term: Term, positions: bool) -> dict:
        """Unboosted (a boost only scales the score): one walk per word."""
        key = (term.text, positions)
        if key not in postings:
            postings[key] = _postings(searcher, Term(term.fieldname, term.text), wanted,
                                      positions)
        return postings[key]

    counts = dict.fromkeys(wanted, 0)
    scores = dict.fromkeys(wanted, 0.0)
    for group in group_queries:
        best: dict[int, float] = {}
        for alt in _alternatives(group):
            terms = _terms(alt)
            if not terms:
                continue
            phrase = isinstance(alt, Phrase)
            lists = [of(t, phrase) for t in terms]
            for docnum in set(lists[0]).intersection(*lists[1:]):
                found = [found_in[docnum] for found_in in lists]
                if phrase and not _phrase_at(found):
                    continue
                score = sum(s * t.boost for (s, _), t in zip(found, terms, strict=True))
                best[docnum] = max(best.get(docnum, 0.0), score)
        for docnum, score in best.items():
            counts[docnum] += 1
            scores[docnum] += score
    kept = [d for d in wanted if counts[d] >= min_match]
    if coordinate:
        kept.sort(key=lambda d: (-counts[d], -scores[d], d))
    else:
        kept.sort(key=lambda d: (-scores[d], d))
    hits = []
    for docnum in kept[offset:offset + limit]:
        kind, _, object_id = key_of(docnum).partition(":")
        hits.append(Hit(kind, int(object_id), float(scores[docnum]), counts[docnum]))
    return HitPage(hits, len(kept))
