"""The keys articles are found by: their rows in the story store, and a window of them in memory.

An article is stored under each of its *keys* (the words it samples and the
key of its whole bag of words, :meth:`~newsindex.stories.store.StoryStore._keys`);
the store's ``keys`` table holds, per key and per period of 2^21 seconds (24
days), the articles of that key published in that period (:func:`posting`:
the time within the period and the article's number). A candidate lookup
reads the rows of an article's keys within the span a pair can score in
(:data:`~newsindex.stories.pairs.WINDOW` either side).

Grouping a whole collection from scratch links every article in the order of
time. Reading the table back for each article was most of that pass's cost
(an SQL query and a Python loop over every posting of its keys, ~40% of the
time), so :class:`KeyWindow` keeps the keys of the articles of the last span
in memory instead, finds the same candidates there (same rows, same order,
same cap) and hands the rows to the store to write in large batches. Memory
is bounded by the articles within one span, not by the collection.
"""

from __future__ import annotations

import struct
from collections import Counter, deque
from itertools import chain
from typing import NamedTuple, Sequence

from .pairs import UNDATED, WINDOW

#: A key's articles are kept per period of 2^21 seconds (24 days).
PERIOD_BITS = 21
PERIOD_MASK = (1 << PERIOD_BITS) - 1
UNDATED_PERIOD = UNDATED >> PERIOD_BITS
#: One article of a key's row: its ``t`` within the period (low 16 bits, high 8 bits) and its num.
_POSTING = struct.Struct("<HBI")
postings_of = _POSTING.iter_unpack
#: Keys (unsigned 32-bit hashes) are stored less this, as signed 32-bit integers (4 bytes in SQLite).
KEY_BIAS = 1 << 31

#: Words sampled per article to find candidates; a candidate has two of them (or the whole bag of words).
SAMPLE_SIZE = 16
#: Postings read at most per candidate lookup (a guard against a word every article samples).
LOOKUP_CAP = 50_000


class Part(NamedTuple):
    """A part of a collection grouped from scratch: the articles from ``start`` (a (t, num) place in
    the order of time; None: the first) to before ``end`` (None: to the last)."""

    start: tuple[int, int] | None
    end: tuple[int, int] | None


class Linked(NamedTuple):
    """What linking a part found: its links (a < b, score) and the rows of its articles' keys."""

    edges: list[tuple[int, int, float]]
    rows: list[tuple[int, int, bytes]]


def posting(t: int, num: int) -> bytes:
    """An article's entry in a key's row of period ``t >> PERIOD_BITS``."""
    offset = t & PERIOD_MASK
    return _POSTING.pack(offset & 0xFFFF, offset >> 16, num)


def without(row: bytes, num: int) -> bytes:
    """A key's row with the article ``num`` taken out."""
    size = _POSTING.size
    return b"".join(row[i : i + size] for i in range(0, len(row), size) if _POSTING.unpack_from(row, i)[2] != num)


class KeyWindow:
    """The keys of the articles of the last span, in memory, while a collection is linked in the order of time.

    :meth:`candidates` answers what the store's lookup in its ``keys`` table
    would (:meth:`~newsindex.stories.store.StoryStore._candidates`), given that
    every article linked before was :meth:`add`-ed, undated ones first, then
    dated ones by time. A dated article only finds articles at most
    :data:`WINDOW` earlier, so older ones are dropped as time moves on;
    undated articles (found by every article) stay. :meth:`rows` hands over
    what was added, as rows for the ``keys`` table, to be written in batches.
    """

    def __init__(self) -> None:
        #: key -> (times, nums) of the dated articles within the span, in the order of time.
        self._dated: dict[int, tuple[deque[int], deque[int]]] = {}
        self._undated: dict[int, list[int]] = {}
        self._latest = UNDATED
        self._swept = UNDATED
        #: (key, period) -> postings added since :meth:`rows` was last called.
        self._unwritten: dict[tuple[int, int], bytearray] = {}

    def add(self, keys: Sequence[int], t: int, num: int) -> None:
        """Store an article under its keys (articles come undated first, then in the order of time)."""
        if t < self._latest:
            raise ValueError("articles must be added in the order of time")
        self._latest = t
        entry = posting(t, num)
        period = t >> PERIOD_BITS
        unwritten = self._unwritten
        for key in keys:
            row = unwritten.get((key, period))
            if row is None:
                unwritten[(key, period)] = bytearray(entry)
            else:
                row += entry
        if t == UNDATED:
            for key in keys:
                self._undated.setdefault(key, []).append(num)
            return
        for key in keys:
            found = self._dated.get(key)
            if found is None:
                self._dated[key] = (deque((t,)), deque((num,)))
            else:
                found[0].append(t)
                found[1].append(num)
        if t - self._swept > WINDOW:
            self._sweep(t - WINDOW)

    def _sweep(self, low: int) -> None:
        """Drop every key's articles older than ``low`` (those of keys not looked up since would stay)."""
        for key in list(self._dated):
            times, nums = self._dated[key]
            while times and times[0] < low:
                times.popleft()
                nums.popleft()
            if not times:
                del self._dated[key]
        self._swept = low + WINDOW

    def candidates(self, keys: Sequence[int], exact: int, t: int) -> dict[int, int]:
        """Articles added that share keys with these, within the span a pair can score in: num -> keys
        shared (``exact``, the key of the whole bag of words, counts as many as a sample).

        The store's rows are read key by key (ascending), and within a key
        period by period (the undated one first); the lookup stops after the
        row that takes it past :data:`LOOKUP_CAP` postings. So it is here.
        Most lookups read far fewer postings than that (about 70 on
        Reuters-21578): they are counted in one go, in the same order.
        """
        low = UNDATED if t == UNDATED else t - WINDOW
        rows: list[Sequence[int]] = []
        exact_rows: list[Sequence[int]] = []
        undated_of, dated_of = self._undated.get, self._dated.get
        for key in sorted(keys):
            found = dated_of(key)
            if found:
                times, nums = found
                while times and times[0] < low:  # the span only moves on: what is older is never found again
                    times.popleft()
                    nums.popleft()
            undated = undated_of(key)
            if key == exact:
                exact_rows += [row for row in (undated, found and found[1]) if row]
                rows += exact_rows
            else:
                if undated:
                    rows.append(undated)
                if found and found[1]:
                    rows.append(found[1])
        if sum(map(len, rows)) > LOOKUP_CAP:
            return self._capped(keys, exact)
        shared = Counter(chain.from_iterable(rows))
        for row in exact_rows:
            for num in row:
                shared[num] += SAMPLE_SIZE - 1
        return shared

    def _capped(self, keys: Sequence[int], exact: int) -> dict[int, int]:
        """:meth:`candidates` of a lookup that reads past :data:`LOOKUP_CAP` postings (the span is swept already)."""
        shared: Counter[int] = Counter()
        read = 0
        for key in sorted(keys):
            rows: list[Sequence[int]] = []
            undated = self._undated.get(key)
            if undated:
                rows.append(undated)
            found = self._dated.get(key)
            if found and found[1]:
                rows.extend(_by_period(*found))
            weight = SAMPLE_SIZE if key == exact else 1
            for row in rows:
                if weight == 1:
                    shared.update(row)
                else:
                    for num in row:
                        shared[num] += weight
                read += len(row)
                if read > LOOKUP_CAP:
                    return shared
        return shared

    def rows(self) -> list[tuple[int, int, bytes]]:
        """The postings added since last asked, as (stored key, period, postings) rows to append to the table."""
        unwritten, self._unwritten = self._unwritten, {}
        return [(key - KEY_BIAS, period, bytes(row)) for (key, period), row in unwritten.items()]


def _by_period(times: deque[int], nums: deque[int]) -> list[Sequence[int]]:
    """A key's dated articles cut into one row per period (most often they are all in one)."""
    if times[0] >> PERIOD_BITS == times[-1] >> PERIOD_BITS:
        return [nums]
    rows: list[list[int]] = []
    current = None
    for t, num in zip(times, nums):
        period = t >> PERIOD_BITS
        if period != current:
            rows.append([])
            current = period
        rows[-1].append(num)
    return rows
