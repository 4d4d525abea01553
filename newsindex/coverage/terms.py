"""Significant terms: what the matching articles are about, compared with the whole index.

Words and two-word phrases much more frequent among the matches than in the
index, ranked by Dunning's log-likelihood (G²), which stays sound for rare
words where a plain ratio of frequencies would not.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Sequence, TypeVar

from whoosh import query as wq

from ..ingest.article import Article
from ..store.schema import from_stored
from ..text.analysis import Analysis, unmarked


@dataclass(frozen=True)
class Term:
    """A word or two-word phrase that is more frequent among matching articles than in the index.

    ``score`` is Dunning's log-likelihood (G²) of the difference; ``in_results``
    and ``in_index`` are how many articles contain it in each.
    """

    text: str
    score: float
    in_results: int
    in_index: int

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.text, "score": self.score, "in_results": self.in_results, "in_index": self.in_index}


def log_likelihood(a: int, n: int, b: int, m: int) -> float:
    """Dunning's G² for a term in ``a`` of ``n`` result articles and ``b`` of ``m`` index articles.

    Why G² rather than raw counts or chi-squared: it stays reliable for the
    rare words that characterise a topic (Dunning 1993, "Accurate methods for
    the statistics of surprise and coincidence").
    """
    total = a + b
    e1 = n * total / (n + m)
    e2 = m * total / (n + m)
    g2 = 0.0
    if a:
        g2 += a * math.log(a / e1)
    if b:
        g2 += b * math.log(b / e2)
    return 2.0 * g2


#: Matching articles analysed at most: an even sample of a larger result set.
SAMPLE = 2000

T = TypeVar("T")


def significant_terms(
    searcher: Any,
    analysis_of: Callable[[str], Analysis],
    docnums: Sequence[int],
    count: Callable[[wq.Query], int],
    top: int = 20,
    sample: int = SAMPLE,
    matched: int | None = None,
) -> list[Term]:
    """Words and two-word phrases over-represented among the matching articles.

    The articles (at most ``sample`` of them, evenly spread over the result
    set) are analysed again from their stored text, each in its language
    (``analysis_of`` a language code), without that language's stop words;
    each stem is shown as the word form most often seen. A word's count in the whole index is its
    document frequency; a phrase's is the number of articles its phrase query
    matches, computed only for the most promising phrases, by ``count`` (the
    search stage's evaluator: Whoosh's own phrase matchers took about 0.2 s a
    phrase on Reuters-21578, 20 s for the 100 phrases weighed per call).

    Counting stories, ``docnums`` holds one article per matching story and
    ``matched`` is how many matching articles they stand for: a term's
    ``in_results`` is then the stories that have it, so forty copies of one
    report weigh as one, and the rest of the index, the background rate,
    leaves out the matching articles (a term's matching articles estimated
    from its stories, at the results' average number of articles a story).
    """
    reader = searcher.reader()
    articles = [from_stored(searcher.stored_fields(d)["article"]) for d in even_sample(docnums, sample)]

    def word_frequency(stem: str) -> int:
        return max(reader.doc_frequency("body", stem), reader.doc_frequency("title", stem))

    def phrase_frequency(first: str, second: str) -> int:
        return count(phrase_query(first, second))

    return significant(articles, len(docnums), reader.doc_count(), word_frequency, phrase_frequency,
                       analysis_of, top, matched)


def even_sample(items: Sequence[T], sample: int = SAMPLE) -> Sequence[T]:
    """At most ``sample`` of ``items``, evenly spread over them (every n-th, from the first)."""
    step = max(1, len(items) // sample)
    return items[::step][:sample]


def phrase_query(first: str, second: str) -> wq.Query:
    """The two-word phrase in title or body, as significant phrases are counted."""
    return wq.Or([wq.Phrase(f, [first, second]) for f in ("title", "body")])


def significant(
    articles: Sequence[Article],
    results_total: int,
    total: int,
    word_frequency: Callable[[str], int],
    phrase_frequency: Callable[[str, str], int],
    analysis_of: Callable[[str], Analysis],
    top: int = 20,
    matched: int | None = None,
) -> list[Term]:
    """The terms of :func:`significant_terms` from an even sample of the ``results_total`` matching
    ``articles`` among ``total`` indexed ones; the index-wide counts come from ``word_frequency``
    (a stem's largest document frequency in title or body) and ``phrase_frequency``, so that a
    collection of shards passes its sums and gets one index's answer. ``matched``: the matching
    articles, when the ``results_total`` are stories (see :func:`significant_terms`)."""
    if not articles:
        return []
    n = len(articles)
    words: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    surface: dict[str, Counter[str]] = {}
    for article in articles:
        analysis = analysis_of(article.language)
        stop_words = analysis.stop_words
        seen_words: set[str] = set()
        seen_pairs: set[tuple[str, str]] = set()
        previous = None
        for token in analysis.analyzer(f"{article.title}\n{article.body}", keeporiginal=True):
            stem, original = token.text, token.original.lower()
            word = unmarked(stem)
            if original in stop_words or not word.isalpha() or len(word) < 2:
                previous = None
                continue
            surface.setdefault(stem, Counter())[original] += 1
            seen_words.add(stem)
            if previous is not None:
                seen_pairs.add((previous, stem))
            previous = stem
        words.update(seen_words)
        pairs.update(seen_pairs)

    matched = matched if matched is not None else results_total
    rest_total = max(total - matched, 1)

    def scaled(a: int) -> int:
        return round(a * results_total / n)

    def scored(text: str, a: int, df: int) -> Term | None:
        # Scale the sample's count to the whole result set; compare with the rest of the index.
        a_all = scaled(a)
        rest = max(df - round(a_all * matched / results_total), 0)
        if a_all / results_total <= rest / rest_total:
            return None
        return Term(text, log_likelihood(a_all, results_total, rest, rest_total), a_all, df)

    def shown(stem: str) -> str:
        return surface[stem].most_common(1)[0][0]

    def word(stem: str, a: int) -> Term | None:
        return scored(shown(stem), a, max(word_frequency(stem), a))

    def phrase(first: str, second: str, a: int) -> Term | None:
        return scored(f"{shown(first)} {shown(second)}", a, max(phrase_frequency(first, second), a))

    candidates: list[tuple[int, Callable[[], Term | None]]] = [
        (a, lambda stem=stem, a=a: word(stem, a)) for stem, a in words.items()
    ] + [
        (a, lambda p=p, a=a: phrase(*p, a)) for p, a in pairs.most_common(top * 5) if a >= 3
    ]
    return _best(candidates, top, lambda a: log_likelihood(scaled(a), results_total, 0, rest_total))


def _best(
    candidates: list[tuple[int, Callable[[], Term | None]]], top: int, bound: Callable[[int], float]
) -> list[Term]:
    """The ``top`` best-scoring candidates, scoring only those that can still make it.

    A candidate's score needs its count in the whole index (a lookup for a
    word, a phrase search for a pair), but it can be no higher than
    ``bound(a)``, its score if no article outside the results had it (G²
    falls as that count grows). So candidates are taken by that bound, best
    first, and the rest are skipped once the bound falls below the
    ``top``-th score found: on Reuters-21578 that leaves a few hundred
    lookups of the ~18,000 words a result set of 1,500 articles holds. The
    answer, ties and order included, is that of scoring every candidate.
    """
    order = sorted(range(len(candidates)), key=lambda i: -bound(candidates[i][0]))
    found: list[tuple[float, int, Term]] = []
    kth: list[float] = []  # the best ``top`` scores so far, as a min-heap
    for i in order:
        a, score_it = candidates[i]
        if len(kth) == top and bound(a) < kth[0]:
            break
        term = score_it()
        if term is None:
            continue
        found.append((-term.score, i, term))
        if len(kth) < top:
            heapq.heappush(kth, term.score)
        elif term.score > kth[0]:
            heapq.heapreplace(kth, term.score)
    return [term for _, _, term in sorted(found)[:top]]
