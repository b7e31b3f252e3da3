"""whoosh's relaxed search (at least ``min_match`` of the groups) inside a bounded candidate
set: an Or over every word would score every document of its commonest word (tens of
thousands at 100k posts, in pure Python).

A document matching ``min_match`` of ``n`` groups matches at least one of any ``n - min_match
+ 1`` groups, so the candidates are the documents of that many of the *rarest* groups
(fewest documents), which is exact. When those hold more than ``CANDIDATES`` documents, the
rarest groups that fit are taken (at least the rarest one, its best ``CANDIDATES`` documents
by BM25): a partial match is expected to contain the query's most distinctive words. Each
candidate is then checked against the filters and every group by skipping along their
posting lists; its score is the sum of the matched groups' BM25 scores (document boosts
included), so ranking is by how many groups match, then BM25.
"""

from __future__ import annotations

from whoosh.query import And

from search.services.base import Hit, HitPage
from search.services.term_stats import CANDIDATES, candidate_groups


def group_frequency(searcher, group_query) -> int:
    """An upper bound of the documents a group (an Or of terms, phrases, Ands) matches."""
    total = 0
    for alt in getattr(group_query, "subqueries", [group_query]):
        terms = list(alt.iter_all_terms()) if hasattr(alt, "iter_all_terms") else []
        frequencies = [searcher.doc_frequency(f, t) for f, t in terms]
        total += min(frequencies) if frequencies else 0
    return total


def candidates(searcher, group_queries: list, min_match: int) -> set[int]:
    frequencies = [group_frequency(searcher, q) for q in group_queries]
    chosen = [group_queries[i] for i in candidate_groups(frequencies, min_match, CANDIDATES)]
    if sum(frequencies[group_queries.index(q)] for q in chosen) <= CANDIDATES:
        found: set[int] = set()
        for q in chosen:
            found.update(q.matcher(searcher).all_ids())
        return found
    # even the rarest group is common: its best documents
    results = searcher.search(chosen[0], limit=CANDIDATES, terms=False)
    return {results.docnum(n) for n in range(results.scored_length())}


def _walk(matcher_query, searcher, docnums: list[int]):
    """(docnum, score) of the sorted ``docnums`` the query matches, by skipping along."""
    matcher = matcher_query.matcher(searcher)
    for docnum in docnums:
        if not matcher.is_active():
            return
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                return
        if matcher.id() == docnum:
            yield docnum, matcher.score()


def relaxed_search(searcher, group_queries: list, narrowing: list, mask: set | None,
                   min_match: int, offset: int, limit: int, coordinate: bool,
                   key_of) -> HitPage:
    docnums = candidates(searcher, group_queries, min_match)
    if mask:
        docnums -= mask
    wanted = sorted(docnums)
    if narrowing and wanted:
        wanted = [d for d, _ in _walk(And(narrowing), searcher, wanted)]
    counts = dict.fromkeys(wanted, 0)
    scores = dict.fromkeys(wanted, 0.0)
    for q in group_queries:
        for docnum, score in _walk(q, searcher, wanted):
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
