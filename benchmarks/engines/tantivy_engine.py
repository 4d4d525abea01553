"""tantivy (the Rust search library, through its Python binding), as its README shows it.

Title and body are stored text fields with the ``en_stem`` tokenizer (lower
case plus the Snowball English stemmer, no stop words) and positions;
``published`` is an indexed fast date field, so it can be filtered and
sorted on. The writer is the default ``index.writer()``, which uses several
threads: the report gives CPU time next to wall time for that reason.

The coverage timeline is tantivy's ``date_histogram`` aggregation over that
fast date field; facets are not measured (see :attr:`Tantivy.coverage_gaps`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from newsindex import Article

from ..querymix import Query, render_clause
from .base import Engine, Weekly

try:  # tantivy is optional: the suite notes its absence instead of failing
    import tantivy
except ImportError:  # pragma: no cover - depends on the environment
    tantivy = None


@dataclass(frozen=True)
class TantivyQuery:
    """tantivy query-parser text plus the search options."""

    text: str
    conjunction: bool
    sort_by_date: bool


#: Weekly buckets: tantivy's fixed 7-day buckets count from the Unix epoch, a Thursday; 3 days back is a Monday.
WEEKS = {"weeks": {"date_histogram": {"field": "published", "fixed_interval": "7d", "offset": "-3d"}}}


def _rfc3339(value: Any) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_tantivy(query: Query) -> TantivyQuery:
    """tantivy query syntax; ``conjunction`` makes juxtaposed clauses all required."""
    parts = [render_clause(c, negation="-") for c in query.clauses]
    if query.dates is not None:
        if query.dates.end is None:
            parts.append(f"published:>={_rfc3339(query.dates.start)}")
        else:
            parts.append(f"published:[{_rfc3339(query.dates.start)} TO {_rfc3339(query.dates.end)}}}")
    return TantivyQuery(" ".join(parts), query.operator == "and", query.sort == "date")


class Tantivy(Engine):
    name = "tantivy"
    stemmer = "snowball"
    setup = (
        "tantivy schema id (raw, stored), title/body text (en_stem = Snowball, stored, positions), "
        "published date (indexed, fast); default index.writer() (multi-threaded); "
        "parse_query over title+body; search(count=True)"
    )
    coverage_setup = (
        "searcher.aggregate(q, date_histogram published fixed_interval 7d offset -3d), "
        "and the same over all_query() for the week's articles"
    )
    coverage_gaps = {
        "facets": "the schema measured above has no topic or place field; counting them would need"
                  " multi-valued raw fast text fields (for a terms aggregation), i.e. another build",
    }

    @classmethod
    def available(cls) -> str | None:
        return None if tantivy is not None else "the tantivy package is not installed (pip install tantivy)"

    @classmethod
    def version(cls) -> str:
        return getattr(tantivy, "__version__", "") if tantivy is not None else ""

    def _schema(self) -> Any:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
        builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
        builder.add_date_field("published", indexed=True, fast=True)
        return builder.build()

    def build(self, articles: Iterable[Article]) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self._schema(), path=str(self.directory))
        writer = index.writer()
        count = 0
        for article in articles:
            fields: dict[str, Any] = {"id": article.id, "title": article.title, "body": article.body}
            if article.published is not None:
                fields["published"] = article.published
            writer.add_document(tantivy.Document(**fields))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        return count

    def open(self) -> None:
        self._index = tantivy.Index.open(str(self.directory))
        self._index.reload()
        self._searcher = self._index.searcher()

    def translate(self, query: Query) -> TantivyQuery:
        return to_tantivy(query)

    def _query(self, native: TantivyQuery) -> Any:
        return self._index.parse_query(native.text, ["title", "body"], conjunction_by_default=native.conjunction)

    def search(self, native: TantivyQuery, limit: int = 10) -> tuple[int, list[str]]:
        q = self._query(native)
        if native.sort_by_date:
            result = self._searcher.search(q, limit=limit, count=True, order_by_field="published")
        else:
            result = self._searcher.search(q, limit=limit, count=True)
        doc = self._searcher.doc
        return result.count, [doc(address)["id"][0] for _key, address in result.hits]

    def _per_week(self, q: Any) -> dict[str, int]:
        """Matching documents per week (its Monday), the weeks with none left out."""
        buckets = self._searcher.aggregate(q, WEEKS)["weeks"]["buckets"]
        return {b["key_as_string"][:10]: int(b["doc_count"]) for b in buckets if b["doc_count"]}

    def timeline(self, native: TantivyQuery) -> Weekly:
        matched = self._per_week(self._query(native))
        everything = self._per_week(tantivy.Query.all_query())
        return {week: (n, everything[week]) for week, n in sorted(matched.items())}

    def close(self) -> None:
        self._searcher = None
        self._index = None
