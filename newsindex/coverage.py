"""How much coverage a query got, when, from whom, and what it is about.

Everything here counts *all* matching articles, not a page of hits: the
matching document numbers come from one pass of the query, and the counts
from columns (dates, sources, topics, places, authors), so a timeline or a
facet count over thousands of articles reads numbers, not stored articles.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Literal, Sequence

from whoosh import query as wq

from .schema import FACETS, UNDATED, facet_values, from_micros, from_stored

Granularity = Literal["day", "week", "month", "year"]
GRANULARITIES: tuple[str, ...] = ("day", "week", "month", "year")


@dataclass(frozen=True)
class Period:
    """One bar of a timeline: matching articles, and all articles, published in [start, end)."""

    start: datetime
    end: datetime
    count: int
    total: int

    @property
    def share(self) -> float:
        """The matching articles' share of all articles of the period (0 when it has none)."""
        return self.count / self.total if self.total else 0.0

    @property
    def label(self) -> str:
        return self.start.date().isoformat()

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.label, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "count": self.count, "total": self.total, "share": self.share}


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


def period_start(moment: datetime, by: Granularity) -> datetime:
    """The start of the period of ``moment`` (weeks start on Monday, as ISO 8601 says)."""
    day = datetime(moment.year, moment.month, moment.day, tzinfo=timezone.utc)
    if by == "day":
        return day
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def next_period(start: datetime, by: Granularity) -> datetime:
    if by == "day":
        return start + timedelta(days=1)
    if by == "week":
        return start + timedelta(days=7)
    if by == "month":
        return start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start.replace(year=start.year + 1)


def period_totals(reader: Any, by: Granularity) -> Counter[datetime]:
    """How many articles were published in each period: one pass over the date column.

    It does not depend on the query, so a caller keeps it until the index changes.
    """
    dates = reader.column_reader("published")
    return Counter(period_start(from_micros(m), by) for m in (dates[d] for d in reader.all_doc_ids()) if m != UNDATED)


def timeline(reader: Any, docnums: Iterable[int], by: Granularity, totals: Counter[datetime]) -> list[Period]:
    """Matching articles per period over the whole matching range, empty periods included.

    Each period also carries the number of all articles published in it
    (``totals``, from :func:`period_totals`), so a caller can show the share
    of coverage rather than raw counts (news volume itself varies from week
    to week).
    """
    dates = reader.column_reader("published")
    matched = Counter(period_start(from_micros(m), by) for m in (dates[d] for d in docnums) if m != UNDATED)
    if not matched:
        return []
    periods = []
    start, last = min(matched), max(matched)
    while start <= last:
        end = next_period(start, by)
        periods.append(Period(start, end, matched[start], totals[start]))
        start = end
    return periods


def facet_counts(reader: Any, docnums: Sequence[int], names: Iterable[str], top: int = 10) -> dict[str, list[tuple[str, int]]]:
    """The ``top`` values of each facet among the matching articles, with their counts."""
    counts: dict[str, list[tuple[str, int]]] = {}
    for name in names:
        column = reader.column_reader(FACETS[name][0])
        counter: Counter[str] = Counter()
        for docnum in docnums:
            counter.update(facet_values(column[docnum]))
        counts[name] = counter.most_common(top)
    return counts


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


def significant_terms(
    searcher: Any,
    analyzer: Any,
    stop_words: frozenset[str],
    docnums: Sequence[int],
    top: int = 20,
    sample: int = 2000,
) -> list[Term]:
    """Words and two-word phrases over-represented among the matching articles.

    The articles (at most ``sample`` of them, evenly spread over the result
    set) are analysed again from their stored text; each stem is shown as the
    word form most often seen. A word's count in the whole index is its
    document frequency; a phrase's is the number of articles its phrase query
    matches, computed only for the most promising phrases.
    """
    if not docnums:
        return []
    step = max(1, len(docnums) // sample)
    chosen = docnums[::step][:sample]
    n = len(chosen)
    words: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    surface: dict[str, Counter[str]] = {}
    for docnum in chosen:
        article = from_stored(searcher.stored_fields(docnum)["article"])
        seen_words: set[str] = set()
        seen_pairs: set[tuple[str, str]] = set()
        previous = None
        for token in analyzer(f"{article.title}\n{article.body}", keeporiginal=True):
            stem, original = token.text, token.original.lower()
            if original in stop_words or not stem.isalpha() or len(stem) < 2:
                previous = None
                continue
            surface.setdefault(stem, Counter())[original] += 1
            seen_words.add(stem)
            if previous is not None:
                seen_pairs.add((previous, stem))
            previous = stem
        words.update(seen_words)
        pairs.update(seen_pairs)
    reader = searcher.reader()
    total = reader.doc_count()
    results_total = len(docnums)

    def scored(text: str, a: int, df: int) -> Term | None:
        # Scale the sample's count to the whole result set; compare with the rest of the index.
        a_all = round(a * results_total / n)
        rest = max(df - a_all, 0)
        if a_all / results_total <= rest / max(total - results_total, 1):
            return None
        return Term(text, log_likelihood(a_all, results_total, rest, max(total - results_total, 1)), a_all, df)

    def shown(stem: str) -> str:
        return surface[stem].most_common(1)[0][0]

    candidates = []
    for stem, a in words.items():
        df = max(reader.doc_frequency("body", stem), reader.doc_frequency("title", stem), a)
        term = scored(shown(stem), a, df)
        if term:
            candidates.append(term)
    frequent_pairs = [p for p, a in pairs.most_common(top * 5) if a >= 3]
    for first, second in frequent_pairs:
        phrase = wq.Or([wq.Phrase(f, [first, second]) for f in ("title", "body")])
        df = max(sum(1 for _ in searcher.docs_for_query(phrase)), pairs[(first, second)])
        term = scored(f"{shown(first)} {shown(second)}", pairs[(first, second)], df)
        if term:
            candidates.append(term)
    candidates.sort(key=lambda t: t.score, reverse=True)
    return candidates[:top]
