"""Facets: the most frequent sources, topics, places or authors among *all* matching articles.

Counted from columns, so a facet over thousands of matches reads numbers,
not stored articles.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Sequence

from ..errors import NewsIndexError
from ..store.schema import FACETS, facet_values


def facet_counts(reader: Any, docnums: Sequence[int], names: Iterable[str], top: int = 10) -> dict[str, list[tuple[str, int]]]:
    """The ``top`` values of each facet among the matching articles, with their counts."""
    names = list(names)
    unknown = [n for n in names if n not in FACETS]
    if unknown:
        raise NewsIndexError(f"unknown facet {unknown[0]!r}; choose from {', '.join(FACETS)}")
    counts: dict[str, list[tuple[str, int]]] = {}
    for name in names:
        column = reader.column_reader(FACETS[name][0])
        counter: Counter[str] = Counter()
        for docnum in docnums:
            counter.update(facet_values(column[docnum]))
        counts[name] = counter.most_common(top)
    return counts
