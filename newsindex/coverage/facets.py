"""Facets: the most frequent sources, topics, places or authors among *all* matching articles.

Counted from columns, so a facet over thousands of matches reads numbers,
not stored articles; and each article's values are read from the column
once per index state (:class:`FacetCounter`), so the next query that matches
the same article counts a small integer instead of decoding its values again.
"""

from __future__ import annotations

from array import array
from collections import Counter
from typing import Any, Callable, Iterable, Sequence

from ..errors import NewsIndexError
from ..store.columns import column as read_column
from ..store.schema import FACETS, facet_values
from .counting import story_value_counts

#: The code of a document whose facet values are not read yet.
_UNREAD = -1

#: Facet name -> value -> [how many matching articles have it, where it was first seen: (the
#: article's place in its collection's order, the value's place in the article)].
Counts = dict[str, dict[str, list]]


class FacetCounter:
    """Facet counts over one index state.

    For each facet, every document gets the code of its combination of
    values (most articles share a handful: one source, a topic or two), read
    from the column the first time the document is counted; a count is then
    a tally of codes, spread over the values of each combination at the end.
    Reset it when the index changes.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        #: Each facet's column, opened once (opening one reads its table of offsets: ~10 ms on Reuters-21578).
        self._columns: dict[str, Callable[[int], Any]] = {}
        self._codes: dict[str, array[int]] = {}
        self._combinations: dict[str, list[list[str]]] = {}
        self._known: dict[str, dict[bytes, int]] = {}

    def counts(self, reader: Any, docnums: Sequence[int], names: Iterable[str], top: int = 10) -> dict[str, list[tuple[str, int]]]:
        """The ``top`` values of each facet among the matching articles, with their counts."""
        return {name: self._count(reader, docnums, name).most_common(top) for name in check_facets(names)}

    def values(self, reader: Any, docnums: Sequence[int], names: Iterable[str], order: Any) -> Counts:
        """Every value of each facet among the matching articles (``docnums``, ascending), with its
        count and where it was first seen, ``order[docnum]`` being the article's place in its
        collection's order: so the counts of a collection's shards merge (:func:`merge_counts`)
        into one index's, ties in the order ``Counter.most_common`` gives them there."""
        counts: Counts = {}
        for name in check_facets(names):
            codes, combinations = self._coded(reader, docnums, name), self._combinations[name]
            first: dict[int, int] = {}
            for docnum in docnums:
                first.setdefault(codes[docnum], docnum)
            values: dict[str, list] = {}
            for code, count in Counter(map(codes.__getitem__, docnums)).items():
                for place, value in enumerate(combinations[code]):
                    _add(values, value, count, (order[first[code]], place))
            counts[name] = values
        return counts

    def story_counts(
        self, reader: Any, docnums: Sequence[int], names: Iterable[str], stories: Sequence[int], top: int = 10,
    ) -> dict[str, list[tuple[str, int]]]:
        """The ``top`` values of each facet among the matching articles, each counted once per story
        (``stories[docnum]`` is a document's story code): a story counts once for each value any of
        its matching articles has (see :mod:`newsindex.coverage.counting`)."""
        return {name: story_value_counts(docnums, stories, self.value_of(reader, name), top) for name in check_facets(names)}

    def value_of(self, reader: Any, name: str) -> Callable[[int], list[str]]:
        """The values of facet ``name`` of a document (read from the column the first time it is asked)."""
        codes, combinations = self._coded(reader, (), name), self._combinations[name]

        def of(docnum: int) -> list[str]:
            if codes[docnum] == _UNREAD:
                self._coded(reader, (docnum,), name)
            return combinations[codes[docnum]]

        return of

    def _coded(self, reader: Any, docnums: Sequence[int], name: str) -> array[int]:
        """The codes of the facet's value combinations, read for these documents if not yet."""
        if name not in self._codes:
            self._codes[name] = array("l", [_UNREAD]) * reader.doc_count_all()
            self._combinations[name], self._known[name] = [], {}
        codes, combinations, known = self._codes[name], self._combinations[name], self._known[name]
        for docnum in docnums:
            if codes[docnum] == _UNREAD:
                if name not in self._columns:
                    self._columns[name] = read_column(reader, FACETS[name][0])
                raw = self._columns[name](docnum)
                if raw not in known:
                    known[raw] = len(combinations)
                    combinations.append(facet_values(raw))
                codes[docnum] = known[raw]
        return codes

    def _count(self, reader: Any, docnums: Sequence[int], name: str) -> Counter[str]:
        codes, combinations = self._coded(reader, docnums, name), self._combinations[name]
        counter: Counter[str] = Counter()
        for code, count in Counter(map(codes.__getitem__, docnums)).items():
            for value in combinations[code]:
                counter[value] += count
        return counter


def check_facets(names: Iterable[str]) -> list[str]:
    """The facet names, as a list; an unknown one is the library's own error naming the known ones."""
    names = list(names)
    unknown = [n for n in names if n not in FACETS]
    if unknown:
        raise NewsIndexError(f"unknown facet {unknown[0]!r}; choose from {', '.join(FACETS)}")
    return names


def merge_counts(a: Counts, b: Counts) -> Counts:
    """The counts of two disjoint sets of articles together (first seen: the earlier of the two)."""
    merged: Counts = {name: {value: list(entry) for value, entry in values.items()} for name, values in a.items()}
    for name, values in b.items():
        into = merged.setdefault(name, {})
        for value, (count, first) in values.items():
            _add(into, value, count, first)
    return merged


def _add(values: dict[str, list], value: str, count: int, seen: tuple[int, int]) -> None:
    """Count ``value`` ``count`` more times, first seen at ``seen`` or earlier."""
    entry = values.get(value)
    if entry is None:
        values[value] = [count, seen]
    else:
        entry[0] += count
        entry[1] = min(entry[1], seen)


def top_values(counts: Counts, top: int) -> dict[str, list[tuple[str, int]]]:
    """The ``top`` values of each facet, most frequent first; equal counts in the order first seen
    (as ``Counter.most_common`` orders them)."""
    return {
        name: [(value, entry[0]) for value, entry in sorted(values.items(), key=lambda item: (-item[1][0], item[1][1]))[:top]]
        for name, values in counts.items()
    }
