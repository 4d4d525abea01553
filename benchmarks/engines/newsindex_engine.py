"""newsindex through its public API only: ``NewsIndex.create/add/open/search``.

What is measured is what a user of the library gets, including the work
newsindex does beyond the peers: it also indexes source, topics, places and
authors, stores the whole article, hashes it for incremental updates,
groups articles into stories as it indexes, and loads every hit's stored
article. Snippets are made only when a hit's ``snippet`` is read; the benchmark
reads ids only, as it does for every engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import newsindex
from newsindex import Article, NewsIndex

from ..querymix import Query, render_clause
from .base import Engine, FacetCounts, Weekly


@dataclass(frozen=True)
class NewsIndexQuery:
    """newsindex query text plus the search() options."""

    text: str
    operator: str
    sort: str


def to_newsindex(query: Query) -> NewsIndexQuery:
    """newsindex query language; a date range becomes ``date:since..until`` (whole days)."""
    parts = [render_clause(c) for c in query.clauses]
    if query.dates is not None:
        until = query.dates.until.isoformat() if query.dates.until else ""
        parts.append(f"date:{query.dates.since.isoformat()}..{until}")
    return NewsIndexQuery(" ".join(parts), query.operator, "date" if query.sort == "date" else "relevance")


class NewsIndexEngine(Engine):
    name = "newsindex"
    stemmer = "snowball"
    setup = (
        "NewsIndex.create() + add(articles) (Snowball stems, stop words indexed, title boost 2, "
        "also source/topics/places/authors); search(text, limit=10, sort, operator), stored article per hit"
    )
    coverage_setup = (
        "ix.timeline(text, by=\"week\", operator) (matches and all articles per week, empty weeks "
        "included) and ix.facets(text, [\"topic\", \"place\"], top=10, operator), from columns"
    )
    coverage_gaps: dict[str, str] = {}
    #: Whether ranking uses pseudo-relevance feedback (``search(feedback=True)``).
    feedback = False

    @classmethod
    def version(cls) -> str:
        return newsindex.__version__

    def build(self, articles: Iterable[Article]) -> int:
        with NewsIndex.create(self.directory, overwrite=True) as ix:
            summary = ix.add(articles)
        if summary.failed:
            raise RuntimeError(f"newsindex rejected {len(summary.failed)} articles: {summary.failed[0]}")
        return summary.added + summary.updated + summary.unchanged

    def open(self) -> None:
        self._ix = NewsIndex.open(self.directory)

    def translate(self, query: Query) -> NewsIndexQuery:
        return to_newsindex(query)

    def search(self, native: NewsIndexQuery, limit: int = 10) -> tuple[int, list[str]]:
        results = self._ix.search(native.text, limit=limit, sort=native.sort, operator=native.operator)  # type: ignore[arg-type]
        return results.total, [hit.id for hit in results]

    def rank(self, native: NewsIndexQuery, depth: int) -> list[str]:
        """The ranking search() returns, through ``ids()``: the same collector, no 1,000 snippets per question."""
        if native.sort != "relevance":
            return self.search(native, depth)[1]
        return self._ix.ids(native.text, depth, native.operator, feedback=self.feedback)  # type: ignore[arg-type]

    def timeline(self, native: NewsIndexQuery) -> Weekly:
        periods = self._ix.timeline(native.text, by="week", operator=native.operator)  # type: ignore[arg-type]
        return {p.label: (p.count, p.total) for p in periods if p.count}

    def facets(self, native: NewsIndexQuery, names: Sequence[str], top: int) -> FacetCounts:
        return self._ix.facets(native.text, names, top=top, operator=native.operator)  # type: ignore[arg-type]

    def full_count(self, native: NewsIndexQuery) -> int:
        """Every match listed by ``count()`` (not the top-N path search() takes).

        Not Whoosh's ``docs_for_query``: its NOT skips the check on the first
        match when the excluded word's first document comes earlier, so it
        counts ``title:dividend NOT split`` one too many (350 for 349; FTS5 and
        tantivy say 349).
        """
        return self._ix.count(native.text, native.operator)  # type: ignore[arg-type]

    def close(self) -> None:
        if getattr(self, "_ix", None) is not None:
            self._ix.close()
            self._ix = None


class NewsIndexFeedback(NewsIndexEngine):
    """newsindex ranking with its pseudo-relevance feedback option; run for ranking quality only."""

    name = "newsindex+feedback"
    setup = NewsIndexEngine.setup + "; search(..., feedback=True): RM3 feedback from the top 5 hits"
    feedback = True
