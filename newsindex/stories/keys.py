"""The keys articles are found by: their rows in the story store.

An article is stored under each of its *keys* (the words it samples and the
key of its whole bag of words, :meth:`~newsindex.stories.store.StoryStore._keys`);
the store's ``keys`` table holds, per key and per period of 2^21 seconds (24
days), the articles of that key published in that period (:func:`posting`:
the time within the period and the article's number). A candidate lookup
reads the rows of an article's keys within the span a pair can score in
(:data:`~newsindex.stories.pairs.WINDOW` either side).

Grouping a whole collection from scratch does not read the table back: it
links whole blocks of articles at once, finding the same candidates in memory
by a join of their keys (:mod:`newsindex.stories.batch`), and writes the rows
in large batches.
"""

from __future__ import annotations

import struct
from collections import Counter
from typing import Iterable, NamedTuple, Sequence

from .pairs import UNDATED

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


def capped_shares(keyed_rows: Iterable[tuple[int, Sequence[Sequence[int]]]], exact: int) -> dict[int, int]:
    """The articles a lookup that reads past :data:`LOOKUP_CAP` postings finds: num -> keys shared.

    ``keyed_rows`` are the lookup's keys ascending, each with its rows as the
    store reads them (the undated articles first, then period by period);
    ``exact``, the key of the whole bag of words, counts :data:`SAMPLE_SIZE`.
    The lookup stops after the row that takes it past the cap, as the store's
    (:meth:`~newsindex.stories.store.StoryStore._candidates`) does.
    """
    shared: Counter[int] = Counter()
    read = 0
    for key, rows in keyed_rows:
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
