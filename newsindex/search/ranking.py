"""How hits are scored: BM25F over title and body, and optional pseudo-relevance feedback.

Three pieces, each measured on Cranfield (1,400 abstracts, 225 questions run as
bags of words, nDCG@10 with gain 2**grade - 1 and MAP at depth 1,000; see
``benchmarks/relevance.py``) before it was adopted:

* :func:`weighting` -- BM25 with K1 = 1.2 and B = 0.75, the values of Robertson
  and Zaragoza and of Lucene, Elasticsearch and Whoosh. No other value from the
  coarse grid K1 in {0.9, 1.2, 1.5, 2.0} x B in {0.3, 0.5, 0.75, 0.9} moved
  either measure by more than 0.006, and no single pair won on both halves of
  the questions, so the textbook values stay.

* :func:`combine_fields` -- a word looked up in the title and the body is scored
  once, by BM25F (Robertson, Zaragoza and Taylor 2004; Lucene's
  ``CombinedFieldQuery``): its weighted frequencies in both fields are added
  *before* BM25 saturates them, and the document's length is the weighted sum
  of its field lengths. Whoosh's own ``BM25F`` scores each field separately and
  adds the scores, so a word that is in the headline and the body counts twice
  with two saturations and two idfs, and long headlines weigh as much as the
  body. Combined: nDCG@10 0.363 -> 0.365, MAP 0.306 -> 0.316 alone, and it is
  the base on which feedback gains most (below). The title keeps the weight
  the schema gives it (``TITLE_BOOST``): its postings already carry it.

* :func:`expand` -- pseudo-relevance feedback (RM3; Lavrenko and Croft 2001,
  Abdul-Jaleel et al. 2004): the top documents of a first search are taken to
  be relevant, the words most probable in them (weighted by the documents'
  scores) are added to the query with weights proportional to that
  probability, and the search is run again. The expansion only re-orders: the
  expanded query still requires the original one, so the set of matches, the
  total, date filters and NOT clauses are exactly those of the query as typed.
  On Cranfield with :func:`combine_fields`: 5 documents, 10 words gave nDCG@10
  0.395, MAP 0.355 (with Whoosh's per-field scores the same feedback gave only
  0.376 / 0.325). It costs a second search and reading the feedback documents,
  and on a short news query it can drift towards the topic of the top stories,
  so it is an option (``feedback=True``), not the default.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from math import log
from typing import Callable, Iterable

from whoosh import collectors, matching
from whoosh import query as wq
from whoosh.scoring import BM25F
from whoosh.searching import SearchContext, Searcher

from ..ingest.article import Article
from ..store.schema import from_stored
from ..text.analysis import Analysis, unmarked

#: BM25's term-frequency saturation: the standard value (see the module docstring).
K1 = 1.2

#: BM25's document-length normalisation: the standard value (see the module docstring).
B = 0.75

#: Documents of the first search that feedback reads: RM3's usual range is 5 to 10;
#: 5 was better than 3 and 10 on both halves of Cranfield's questions.
FEEDBACK_DOCS = 5

#: Words feedback adds: 10, as Anserini's and Terrier's defaults.
FEEDBACK_TERMS = 10

#: The weight of the most probable feedback word, relative to a word of the query (1.0).
FEEDBACK_WEIGHT = 1.0

#: The full-text fields a word is searched in by default, scored together by BM25F.
TEXT_FIELDS = ("title", "body")


def weighting() -> BM25F:
    """The searcher's weighting: BM25 with the standard K1 and B.

    It scores every single-field term (``title:x``, phrases, prefixes) as
    Whoosh's ``BM25F`` does, and gives :class:`CombinedFields` its K1 and B.
    """
    return BM25F(B=B, K1=K1)


class CombinedFields(wq.Or):
    """One word in several fields, scored once by BM25F rather than once per field.

    It matches what the ``Or`` of its ``Term`` children matches (so counts,
    highlighting and ``docs_for_query`` are unchanged); only the score differs.
    For the document ``d`` and the word ``t``::

        tf  = sum over fields f of tf(t, d, f) * boost(f)    (postings already carry the boost)
        dl  = sum over fields f of len(d, f) * boost(f)
        avg = sum over fields f of avg_len(f) * boost(f)
        score = idf(t) * tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / avg))

    with Whoosh's idf, ``log(N / (df + 1)) + 1``, and ``df`` the largest of the
    word's document frequencies in the fields (the union is not stored; Lucene's
    ``CombinedFieldQuery`` makes the same approximation). Under any weighting
    other than BM25F it scores as a plain ``Or``.
    """

    def matcher(self, searcher: Searcher, context: SearchContext | None = None) -> matching.Matcher:
        model = context.weighting if context is not None else searcher.weighting
        if not isinstance(model, BM25F):
            return super().matcher(searcher, context)
        reader = searcher.reader()
        parent = searcher.get_parent()
        terms = [t for t in self.subqueries if isinstance(t, wq.Term)]
        postings = [
            reader.postings(t.fieldname, t.text) for t in terms if (t.fieldname, t.text) in reader
        ]
        if not postings:
            return matching.NullMatcher()
        boosts = {t.fieldname: searcher.schema[t.fieldname].format.field_boost for t in terms}
        average = sum(parent.avg_field_length(f) * boost for f, boost in boosts.items()) or 1.0
        df = max(parent.doc_frequency(t.fieldname, t.text) for t in terms)
        idf = log(parent.doc_count_all() / (df + 1)) + 1
        k1, b = model.K1, model.B

        def score(docnum: int, freq: float) -> float:
            # ``or 0``: whoosh3 returns None, not the default, for a field that is empty in the document.
            length = sum((reader.doc_field_length(docnum, f, 0) or 0) * boost for f, boost in boosts.items())
            return idf * freq * (k1 + 1) / (freq + k1 * (1 - b + b * length / average))

        union = postings[0]
        for other in postings[1:]:
            union = matching.UnionMatcher(union, other)
        return _BM25FMatcher(union, score, idf * (k1 + 1), self.boost)


class _BM25FMatcher(matching.WrappingMatcher):
    """Walks the union of a word's postings in its fields; scores each document by BM25F.

    The union's ``weight()`` is the sum of the word's boosted frequencies in
    the fields where the current document has it, which is BM25F's ``tf``.
    Block-quality skipping is not offered (the fields' own block maxima do not
    bound the combined score), but ``max_quality`` gives the bound that BM25
    approaches as ``tf`` grows, ``idf * (K1 + 1)``, which is all a collector
    needs to stop early safely.
    """

    def __init__(
        self, child: matching.Matcher, score: Callable[[int, float], float], bound: float, boost: float = 1.0
    ) -> None:
        super().__init__(child, boost)
        self._score = score
        self._bound = bound

    def _replacement(self, newchild: matching.Matcher) -> "_BM25FMatcher":
        return _BM25FMatcher(newchild, self._score, self._bound, self.boost)

    def copy(self) -> "_BM25FMatcher":
        return _BM25FMatcher(self.child.copy(), self._score, self._bound, self.boost)

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return self._bound * self.boost

    def block_quality(self) -> float:
        return self._bound * self.boost

    def replace(self, minquality: float = 0) -> matching.Matcher:
        # The children are raw postings without a scorer, so they cannot bound
        # scores themselves: prune on the whole word's bound, or not at all.
        if not self.is_active() or (minquality and self.max_quality() < minquality):
            return matching.NullMatcher()
        return self

    def score(self) -> float:
        return self._score(self.child.id(), self.child.weight()) * self.boost


def exact_top(limit: int | None) -> collectors.TopCollector:
    """A collector of the true top ``limit`` hits by score, visiting every match.

    Whoosh's default collector periodically "replaces" matchers by cheaper
    ones that skip documents which, by the sub-matchers' score bounds, cannot
    reach the top. That makes its count of matches too low, and with an
    AND-MAYBE query (feedback's) it dropped real top hits: on Cranfield, 18 of
    the first 20 questions got another top 10. Ranking must not depend on
    such shortcuts, so replacement and block-quality skipping are off.
    """
    return collectors.TopCollector(limit=limit, usequality=False, replace=0)


def combine_fields(query: wq.Query) -> wq.Query:
    """``query`` with every word searched in several fields turned into a :class:`CombinedFields`.

    The query parser writes a word without a field as ``Or([Term("title", w),
    Term("body", w)])``; that is what is rewritten, wherever it is in the tree
    (inside AND, NOT, date filters). Phrases, prefixes and single-field terms
    are left as they are.
    """
    if isinstance(query, wq.Or) and not isinstance(query, CombinedFields) and _same_word(query.subqueries):
        return CombinedFields(list(query.subqueries), boost=query.boost)
    return query.apply(combine_fields)


def _same_word(queries: Iterable[wq.Query]) -> bool:
    items = list(queries)
    return (
        len(items) > 1
        and all(type(q) is wq.Term and q.boost == 1.0 for q in items)
        and len({q.text for q in items}) == 1  # type: ignore[attr-defined]
        and len({q.fieldname for q in items}) == len(items)  # type: ignore[attr-defined]
    )


def expand(
    searcher: Searcher,
    query: wq.Query,
    analysis_of: Callable[[str], Analysis],
    docs: int = FEEDBACK_DOCS,
    terms: int = FEEDBACK_TERMS,
    weight: float = FEEDBACK_WEIGHT,
    top: Callable[[wq.Query, int], Iterable] | None = None,  # type: ignore[type-arg]
) -> wq.Query:
    """``query`` re-weighted by pseudo-relevance feedback (RM3) from its top ``docs`` hits.

    Each word ``w`` of the top documents gets ``P(w|R) = sum over d of
    tf(w, d) / len(d) * score(d) / sum of scores`` (its share of each
    document's words, weighted by how well the document answered the query);
    the ``terms`` most probable words, other than stop words and tokens that
    are not alphabetic (numbers, parts of codes), are added in title and body,
    the most probable with ``weight`` and the others in proportion. Words come
    from the stored article, analysed as it was indexed (``analysis_of`` its
    language: stemmed, marked), so they are index terms. The result is ``AndMaybe(query, expansion)``: it matches
    exactly what ``query`` matches. With no hits, ``query`` is returned as it is.
    ``top(query, n)`` finds the first search's hits (with ``docnum`` and
    ``score``); by default Whoosh's matchers under :func:`exact_top`.
    """
    if top is None:
        collector = exact_top(docs)
        searcher.search_with_collector(query, collector)
        first = collector.results()
    else:
        first = top(query, docs)
    best = [(from_stored(searcher.stored_fields(hit.docnum)["article"]), hit.score or 0.0) for hit in first]
    return feedback(query, best, analysis_of, terms, weight)


def feedback(
    query: wq.Query,
    best: list[tuple[Article, float]],
    analysis_of: Callable[[str], Analysis],
    terms: int = FEEDBACK_TERMS,
    weight: float = FEEDBACK_WEIGHT,
) -> wq.Query:
    """RM3 of :func:`expand` from the first search's ``best`` articles and their scores, best first.

    Apart so that a collection of shards, whose best articles come from
    several indexes, expands a query exactly as one index does.
    """
    total = sum(score for _, score in best)
    if not best or total <= 0:
        return query
    stopped: set[str] = set()
    relevance: dict[str, float] = defaultdict(float)
    for article, score in best:
        analysis = analysis_of(article.language)
        stopped |= analysis.stop_terms
        text = "\n".join(getattr(article, f) for f in TEXT_FIELDS)
        counts = Counter(token.text for token in analysis.analyzer(text))
        length = sum(counts.values()) or 1
        for word, count in counts.items():
            relevance[word] += count / length * score / total
    candidates = sorted(
        ((p, w) for w, p in relevance.items() if unmarked(w).isalpha() and w not in stopped),
        key=lambda item: (-item[0], item[1]),
    )[:terms]
    if not candidates:
        return query
    top_p = candidates[0][0]
    expansion = [
        CombinedFields([wq.Term(f, w) for f in TEXT_FIELDS], boost=weight * p / top_p) for p, w in candidates
    ]
    return wq.AndMaybe(query, wq.Or(expansion))
