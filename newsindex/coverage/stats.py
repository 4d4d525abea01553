"""Collection statistics: how many articles, over which dates, from which sources.

Kept as a plain value that can be merged (:meth:`IndexStats.merge`), so that
an index split into shards later reports the statistics of the whole.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..store.columns import column
from ..store.schema import FACETS, UNDATED, facet_values, from_micros


@dataclass
class IndexStats:
    """Counts that add up across shards."""

    articles: int = 0
    dated: int = 0
    first: datetime | None = None
    last: datetime | None = None
    sources: Counter[str] = field(default_factory=Counter)
    size_bytes: int = 0

    def merge(self, other: "IndexStats") -> "IndexStats":
        """The statistics of two disjoint collections taken together."""
        firsts = [d for d in (self.first, other.first) if d]
        lasts = [d for d in (self.last, other.last) if d]
        return IndexStats(
            articles=self.articles + other.articles,
            dated=self.dated + other.dated,
            first=min(firsts) if firsts else None,
            last=max(lasts) if lasts else None,
            sources=self.sources + other.sources,
            size_bytes=self.size_bytes + other.size_bytes,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "articles": self.articles,
            "dated": self.dated,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "sources": dict(self.sources.most_common()),
            "size_bytes": self.size_bytes,
        }


def collect_stats(reader: Any, directory: Path) -> IndexStats:
    """Read the statistics of one index from its Whoosh reader and directory.

    Columns are read rather than stored fields, so this costs a pass over a
    few numbers per article, not a load of every article.
    """
    stats = IndexStats(articles=reader.doc_count())
    if stats.articles:
        sources = column(reader, FACETS["source"][0])
        for docnum in reader.all_doc_ids():
            stats.sources.update(facet_values(sources(docnum)))
        dates = reader.column_reader("published")
        dated = [dates[d] for d in reader.all_doc_ids() if dates[d] != UNDATED]
        if dated:
            stats.dated = len(dated)
            stats.first = from_micros(min(dated))
            stats.last = from_micros(max(dated))
    stats.size_bytes = files_size(directory)
    return stats


def files_size(directory: Path) -> int:
    """Bytes of the files directly in ``directory`` (an index's files; not its sub-folders)."""
    return sum(p.stat().st_size for p in directory.iterdir() if p.is_file())
