"""Stock Whoosh, configured the way its documentation shows a user.

The baseline newsindex is built on: same library, but the textbook schema
(``StemmingAnalyzer``: Whoosh's Porter stemmer and stop-word list, text
stored in the fields), the default ``ix.writer()`` and the default
``MultifieldParser`` over title and body. Dates are searched with the
parser's own range syntax, ``published:[19870301 TO 19870315]``, which takes
whole days at both ends.

The coverage timeline is Whoosh's own grouping, ``searcher.search(q,
groupedby=..., maptype=sorting.Count, scored=False)``, over the sortable date
column the textbook schema already has; facets are not measured, because that
schema has no topic or place field (see :attr:`StockWhoosh.coverage_gaps`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable

import whoosh
from whoosh import index as windex
from whoosh import query as wq
from whoosh import sorting
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import DATETIME, ID, TEXT, Schema
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup

from newsindex import Article

from ..querymix import Query, render_clause
from .base import Engine, Weekly


@dataclass(frozen=True)
class WhooshQuery:
    """QueryParser text plus the search options a user would pass."""

    text: str
    operator: str
    sort_by_date: bool


def schema() -> Schema:
    """The schema from the brief: what a Whoosh user writes for title/body/date articles."""
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        published=DATETIME(sortable=True),
    )


#: Whoosh keeps a DATETIME in its column as microseconds since ``datetime.min``
#: (0001-01-01, a Monday), so whole weeks counted from it are ISO weeks.
WEEK_MICROS = 7 * 86_400 * 1_000_000


def week_number(column_value: int) -> int:
    """The week of a ``published`` column value (0 is the column's default: no date)."""
    return column_value // WEEK_MICROS


def week_label(number: int) -> str:
    """The week's Monday as ``YYYY-MM-DD``."""
    return (datetime.min + timedelta(weeks=number)).date().isoformat()


#: Group by week: the sortable date column's value, translated to its week number.
WEEKS = sorting.TranslateFacet(week_number, sorting.FieldFacet("published"))


def to_whoosh(query: Query) -> WhooshQuery:
    """Whoosh QueryParser syntax; juxtaposed clauses take the parser group (AND or OR)."""
    parts = [render_clause(c) for c in query.clauses]
    if query.dates is not None:
        since = query.dates.since.strftime("%Y%m%d")
        until = " " + query.dates.until.strftime("%Y%m%d") if query.dates.until else ""
        parts.append(f"published:[{since} TO{until}]")  # "[a TO]" is open-ended; "[a TO ]" fails
    return WhooshQuery(" ".join(parts), query.operator, query.sort == "date")


class StockWhoosh(Engine):
    name = "whoosh"
    stemmer = "porter"
    drops_stop_words = True
    setup = (
        "Whoosh schema id ID(stored, unique), title/body TEXT(StemmingAnalyzer(), stored=True), "
        "published DATETIME(sortable=True); default ix.writer(); MultifieldParser(title, body), "
        "AndGroup (OrGroup for bags of words); default BM25F; len(results) for the total"
    )
    coverage_setup = (
        "searcher.search(q, groupedby=TranslateFacet(week, FieldFacet(\"published\")), maptype=Count, "
        "scored=False), and the same over Every() for the week's articles"
    )
    coverage_gaps = {
        "facets": "the textbook schema has no topic or place field; counting them would need new"
                  " KEYWORD fields (with term vectors, for FieldFacet(allow_overlap=True)), i.e. another"
                  " stock build than the one measured above",
    }

    @classmethod
    def version(cls) -> str:
        return whoosh.versionstring()

    def build(self, articles: Iterable[Article]) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        ix = windex.create_in(str(self.directory), schema())
        writer = ix.writer()
        count = 0
        for article in articles:
            doc = {"id": article.id, "title": article.title, "body": article.body}
            if article.published is not None:
                doc["published"] = article.published.astimezone(timezone.utc).replace(tzinfo=None)
            writer.add_document(**doc)
            count += 1
        writer.commit()
        ix.close()
        return count

    def open(self) -> None:
        self._ix = windex.open_dir(str(self.directory))
        self._searcher = self._ix.searcher()
        self._parsers = {
            "and": MultifieldParser(["title", "body"], self._ix.schema, group=AndGroup),
            "or": MultifieldParser(["title", "body"], self._ix.schema, group=OrGroup),
        }

    def translate(self, query: Query) -> WhooshQuery:
        return to_whoosh(query)

    def _query(self, native: WhooshQuery) -> wq.Query:
        return self._parsers[native.operator].parse(native.text)

    def search(self, native: WhooshQuery, limit: int = 10) -> tuple[int, list[str]]:
        q = self._query(native)
        if native.sort_by_date:
            results = self._searcher.search(q, limit=limit, sortedby="published", reverse=True)
        else:
            results = self._searcher.search(q, limit=limit)
        return len(results), [hit["id"] for hit in results]

    def full_count(self, native: WhooshQuery) -> int:
        return sum(1 for _ in self._searcher.docs_for_query(self._query(native)))

    def _per_week(self, q: wq.Query) -> dict[int, int]:
        """Matching documents per week number, every match visited (no scoring, no top-N pruning)."""
        found = self._searcher.search(q, groupedby={"week": WEEKS}, maptype=sorting.Count, scored=False)
        return found.groups("week")

    def timeline(self, native: WhooshQuery) -> Weekly:
        matched = self._per_week(self._query(native))
        everything = self._per_week(wq.Every())
        return {week_label(week): (n, everything[week]) for week, n in sorted(matched.items()) if week}

    def close(self) -> None:
        if getattr(self, "_searcher", None) is not None:
            self._searcher.close()
            self._ix.close()
            self._searcher = None
