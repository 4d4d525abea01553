"""An overview of what matches a query: how many articles and stories, over which dates, from whom.

What a batch of searches reports per query (``newsindex batch``): the figures
a journalist checks first, read from columns like timelines and facets, not
from the stored articles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Sequence

from ..search.results import Hit
from ..store.schema import UNDATED, from_micros


@dataclass(frozen=True)
class Overview:
    """What matches one query: counts, the date range, the top sources and the best hit."""

    query: str
    total: int
    #: Distinct stories among the matches (an article in no story counts as its own).
    stories: int
    first: datetime | None
    last: datetime | None
    #: The most frequent sources among all matches, with their counts.
    sources: list[tuple[str, int]] = field(default_factory=list)
    best: Hit | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query, "total": self.total, "stories": self.stories,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "sources": dict(self.sources),
            "best": self.best.to_dict() if self.best else None,
        }


def date_range(reader: Any, docnums: Sequence[int]) -> tuple[datetime | None, datetime | None]:
    """The first and last publication time among the documents (None, None when none is dated)."""
    dates = reader.column_reader("published")
    dated = [m for m in (dates[d] for d in docnums) if m != UNDATED]
    if not dated:
        return None, None
    return from_micros(min(dated)), from_micros(max(dated))
