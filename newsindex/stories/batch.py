"""Linking a part of a grouping from scratch in batch: whole blocks of articles at a time, with numpy.

Grouping a collection from scratch links every article in the order of time
(:meth:`~newsindex.stories.store.StoryStore._link_part`). Article by article in
Python that was 0.59 ms of CPU an article on Reuters-21578, half of all the
grouping: the weights of its words, its 16 sampled keys, the lookup of the
articles sharing two of them and a cosine for each such candidate (5.8 an
article). Here a block of :data:`BLOCK` articles does each step at once:

- the stored words of the block are decoded into flat arrays (vocabulary ids,
  counts, marks, row offsets) and weighed as
  :meth:`~newsindex.stories.store.StoryStore._vector` weighs them (the same
  products of the same factors, logarithms by :mod:`math`);
- the keys: the :data:`~newsindex.stories.keys.SAMPLE_SIZE` smallest
  ``-ln(u) / w`` of each row's eligible words (one sort of the block, ties in
  the words' order as :func:`heapq.nsmallest` breaks them) and the key of the
  whole bag of words;
- the candidates: a sorted join of the (key, place in the order of time)
  postings of the block with those of the articles still in the span a pair
  can score in (:class:`_Pool`: undated ones always), counting the keys each
  pair shares as :meth:`~newsindex.stories.store.StoryStore._candidates`
  counts them;
- a cosine for every candidate pair, from a join of the two rows' words.

What is exact and what is a filter: the keys and the candidates are the
same integers the article-by-article path finds (a row whose keys need the
rarest words added, or whose exact key is one of its samples, and a lookup
past :data:`~newsindex.stories.keys.LOOKUP_CAP`, go through that path's own
code). The batch cosine is only a filter: numpy sums in another order, so it
may differ from :func:`~newsindex.stories.pairs.pair_score`'s in the last
bits, and a pair is turned away only when it is below the score the pair
needs by :data:`MARGIN` (a millionth of it, against rounding errors of about
1e-15 and the 5e-10 of rounding to 9 decimals; a pair with a correction
is judged by the better of its cosine and its cosine with figures aside,
which ``pair_score`` also takes). Every pair that may reach its score is
scored by ``pair_score`` itself, on vectors of the same floats as
``_vector``'s (the block's weights are its products, in its order;
:func:`~newsindex.stories.store._weighed` makes the rest). So edges, scores,
keys and stories are those of the article-by-article path, bit for bit, and
the rules of a pair stay in :mod:`~newsindex.stories.pairs`.

Memory is bounded by a block and the articles of the span before it (the
pool), not by the part; the pairs of a block are compared
:data:`PAIR_WORDS` words at a time.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from typing import Any, Callable, Sequence

import numpy as np

from .counted import FIGURE_MARK
from .keys import KEY_BIAS, LOOKUP_CAP, PERIOD_BITS, PERIOD_MASK, SAMPLE_SIZE, capped_shares
from .pairs import CORRECTION, DECAY, EDGE, TABLE, TABLE_COSINE, UNDATED, WINDOW, Telling, pair_score
from .vectors import MIN_COLLECTION

#: An article as pair_score takes it, from (num, t, flags, hashes, weights, marks).
Teller = Callable[[int, int, int, list[int], list[float], bytes], Telling]

#: Articles linked at once.
BLOCK = 4096
#: Words of candidate pairs looked up at once (bounds the memory of the cosines: ~40 bytes a word).
PAIR_WORDS = 1 << 20
#: A pair is scored by pair_score unless its batch cosine is below what it needs by this share.
MARGIN = 1e-6

#: A posting as the ``keys`` table stores it (:func:`~newsindex.stories.keys.posting`): <HBI.
_POSTING = np.dtype([("low", "<u2"), ("high", "u1"), ("num", "<u4")])


class _Rows:
    """Articles as flat arrays: their nums, times and flags, and their words (vocabulary
    ids ascending, weights, marks) row after row, ``offsets`` marking where each row starts."""

    def __init__(self, nums: np.ndarray, ts: np.ndarray, flags: np.ndarray,
                 offsets: np.ndarray, ids: np.ndarray, weights: np.ndarray, marks: np.ndarray,
                 keys: np.ndarray, key_rows: np.ndarray, weighted: np.ndarray) -> None:
        self.nums, self.ts, self.flags = nums, ts, flags
        self.offsets, self.ids, self.weights, self.marks = offsets, ids, weights, marks
        #: The keys of each row (``key_rows``: whose), and the key each row weighs SAMPLE_SIZE (-1: none).
        self.keys, self.key_rows, self.weighted = keys, key_rows, weighted

    def __len__(self) -> int:
        return len(self.nums)

    def then(self, other: "_Rows") -> "_Rows":
        """These rows followed by ``other``'s."""
        return _Rows(
            np.concatenate([self.nums, other.nums]), np.concatenate([self.ts, other.ts]),
            np.concatenate([self.flags, other.flags]),
            np.concatenate([self.offsets[:-1], other.offsets + self.offsets[-1]]),
            np.concatenate([self.ids, other.ids]), np.concatenate([self.weights, other.weights]),
            np.concatenate([self.marks, other.marks]), np.concatenate([self.keys, other.keys]),
            np.concatenate([self.key_rows, other.key_rows + len(self)]),
            np.concatenate([self.weighted, other.weighted]),
        )

    def taken(self, keep: np.ndarray) -> "_Rows":
        """The rows ``keep`` (a mask), in order."""
        lengths = np.diff(self.offsets)
        words = np.repeat(keep, lengths)
        renumber = np.cumsum(keep) - 1
        key_kept = keep[self.key_rows]
        offsets = np.zeros(int(keep.sum()) + 1, np.int64)
        np.cumsum(lengths[keep], out=offsets[1:])
        return _Rows(
            self.nums[keep], self.ts[keep], self.flags[keep],
            offsets, self.ids[words], self.weights[words], self.marks[words],
            self.keys[key_kept], renumber[self.key_rows[key_kept]], self.weighted[keep],
        )


def _empty() -> _Rows:
    none = np.zeros(0, np.int64)
    return _Rows(none, none, none, np.zeros(1, np.int64), none, np.zeros(0), np.zeros(0, np.uint8),
                 none, none, none)


def _ranges(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every index of the ranges ``starts[k] .. ends[k]`` (exclusive), and the k of each."""
    lengths = ends - starts
    owner = np.repeat(np.arange(len(starts)), lengths)
    before = np.cumsum(lengths) - lengths
    return np.arange(int(lengths.sum())) - np.repeat(before - starts, lengths), owner


class BatchLinker:
    """Links a part of a grouping from scratch block by block (see the module's doc).

    ``store`` is the :class:`~newsindex.stories.store.StoryStore` (its reference frequencies and
    vocabulary loaded), which hands over what this module does not import from it (it imports this
    module): the tables its ``_vector`` weighs by (``tf``, ``factor``, the sketch's ``mask``), its
    key rule (the most articles an eligible word is in, the fewest words sampled) and ``tell``,
    which makes an article of a block as its pairs are scored."""

    def __init__(self, store: Any, tf: Sequence[float], factor: Sequence[float], mask: int,
                 limit: float, key_min: int, tell: Teller) -> None:
        assert store._reference is not None
        self._store = store
        self._mask = mask
        self._key_min = key_min
        self._tell = tell
        self._tf = np.array(tf)
        self._factor = np.array(factor)
        self._reference = np.frombuffer(store._reference, dtype=np.dtype(store._reference.typecode))
        self._n = float(max(store._reference_n, MIN_COLLECTION))
        self._limit = limit
        self._vocabulary = np.zeros(0, np.int64)
        #: -ln(u) of each vocabulary id's word (NaN: not worked out yet), as weighted_sample draws it.
        self._draw = np.zeros(0)
        #: The articles a lookup may find: undated ones, and dated ones of the span before the block.
        self._pool = _empty()

    # -- a block's words and keys ---------------------------------------------

    def _decoded(self, blobs: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Row offsets, vocabulary ids, counts and marks of stored ``terms`` blobs (the layout of
        :func:`~newsindex.stories.store._encode_terms`), all rows in flat arrays."""
        raws = list(map(zlib.decompress, blobs))
        sizes = [int.from_bytes(raw[:4], "little") for raw in raws]
        gaps = np.frombuffer(b"".join([raw[4 : 4 + 4 * n] for raw, n in zip(raws, sizes)]), "<u4")
        counts = np.frombuffer(b"".join([raw[4 + 4 * n : 4 + 5 * n] for raw, n in zip(raws, sizes)]), np.uint8)
        marks = np.frombuffer(b"".join([raw[4 + 5 * n : 4 + 6 * n] for raw, n in zip(raws, sizes)]), np.uint8)
        offsets = np.zeros(len(raws) + 1, np.int64)
        np.cumsum(sizes, out=offsets[1:])
        running = np.zeros(len(gaps) + 1, np.int64)
        np.cumsum(gaps, out=running[1:])
        ids = running[1:] - np.repeat(running[offsets[:-1]], sizes)  # the gaps start again in each row
        return offsets, ids, counts, marks

    def _hashes(self, ids: np.ndarray) -> np.ndarray:
        store = self._store
        if len(ids) and int(ids.max()) >= len(store._vocabulary) and not store._in_transaction:
            store._load_vocabulary()  # a reader's: words were committed since it was read
        if len(self._vocabulary) < len(store._vocabulary):
            self._vocabulary = np.array(store._vocabulary, dtype=np.int64)
            self._draw = np.concatenate([self._draw, np.full(len(self._vocabulary) - len(self._draw), np.nan)])
        return self._vocabulary[ids]

    def _rows(self, rows: Sequence[tuple[int, int, int, bytes]], linked: bool) -> _Rows:
        """A block of articles (num, t, flags, terms) in the order of time, weighed and keyed.
        ``linked=False``: articles of the span before a part, only to be found; as
        :meth:`~newsindex.stories.store.StoryStore._link_part` takes them in, those without
        words are found by the key of their (empty) bag of words."""
        nums, ts, flags, blobs = zip(*rows)
        offsets, ids, counts, marks = self._decoded(blobs)
        hashes = self._hashes(ids)
        row_of = np.repeat(np.arange(len(rows)), np.diff(offsets))
        frequency = self._reference[hashes & self._mask]
        distinct, which = np.unique(frequency, return_inverse=True)
        n = self._n
        idf = np.array([math.log(1.0 + n / (count or 1)) for count in distinct.tolist()])[which]
        weights = self._tf[counts] * idf * self._factor[marks]  # (tf * idf) * factor, as _vector multiplies
        keys, key_rows, weighted = self._keys(rows, offsets, ids, hashes, counts, weights, frequency, row_of, linked)
        return _Rows(np.array(nums, np.int64), np.array(ts, np.int64), np.array(flags, np.int64),
                     offsets, ids, weights, marks, keys, key_rows, weighted)

    def _keys(self, rows: Sequence[tuple[int, int, int, bytes]], offsets: np.ndarray, ids: np.ndarray,
              hashes: np.ndarray, counts: np.ndarray, weights: np.ndarray, frequency: np.ndarray,
              row_of: np.ndarray, linked: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The keys of each row (keys, whose row) and the key each row weighs SAMPLE_SIZE: what
        :meth:`~newsindex.stories.store.StoryStore._keys` gives, the sample found by one sort of the block."""
        count = len(rows)
        eligible = frequency <= self._limit
        by_store = np.bincount(row_of, weights=eligible, minlength=count) < self._key_min  # the rarest are added
        # The draw of each eligible word, worked out with math.log as weighted_sample does (once a word).
        drawn = ids[eligible & ~by_store[row_of]]
        draw = self._draw
        new = np.unique(drawn[np.isnan(draw[drawn])])
        draw[new] = [-math.log((h + 0.5) / 4294967296.0) for h in self._vocabulary[new].tolist()]
        picked = np.flatnonzero(eligible & ~by_store[row_of] & (weights > 0))
        rank = draw[ids[picked]] / weights[picked]
        picked = picked[np.lexsort((picked, rank, row_of[picked]))]  # by row, rank, then the words' order
        picked_rows = row_of[picked]
        place = np.arange(len(picked)) - np.searchsorted(picked_rows, picked_rows)
        sample = picked[place < SAMPLE_SIZE]
        sample_rows = row_of[sample]
        exact = self._exact_keys(offsets, hashes, counts, row_of)
        # A row whose exact key is one of its samples keeps it once, and weighs its last sample: its own code.
        by_store[sample_rows[hashes[sample] == exact[sample_rows]]] = True
        kept = ~by_store[sample_rows]
        keys = [hashes[sample[kept]], exact[~by_store]]
        key_rows = [sample_rows[kept], np.flatnonzero(~by_store)]
        weighted = np.where(by_store, -1, exact)
        store = self._store
        for row in np.flatnonzero(by_store).tolist():
            num, t, flags, blob = rows[row]
            decoded = store._hashed(blob)
            vector = store._vector(blob, decoded)[0]
            if not vector and linked:
                continue  # an article without words is not linked (_link)
            found = store._keys(vector, decoded[0], decoded[1])
            keys.append(np.array(found, np.int64))
            key_rows.append(np.full(len(found), row))
            weighted[row] = found[-1]
        return np.concatenate(keys), np.concatenate(key_rows), weighted

    @staticmethod
    def _exact_keys(offsets: np.ndarray, hashes: np.ndarray, counts: np.ndarray, row_of: np.ndarray) -> np.ndarray:
        """The key of each row's exact bag of words (:func:`~newsindex.stories.store._exact_key`:
        its hashes ascending, 32-bit little-endian, then their counts, hashed)."""
        order = np.lexsort((hashes, row_of))
        words = hashes[order].astype("<u4").tobytes()
        tallies = counts[order].tobytes()
        bounds = offsets.tolist()
        blake2b, from_bytes = hashlib.blake2b, int.from_bytes
        return np.array([
            from_bytes(blake2b(words[4 * start : 4 * end] + tallies[start:end], digest_size=4).digest(), "little")
            for start, end in zip(bounds, bounds[1:])
        ], np.int64)

    # -- linking ---------------------------------------------------------------

    def add(self, rows: Sequence[tuple[int, int, int, bytes]]) -> None:
        """Take in articles of the span before the part (in the order of time): found, not linked."""
        block = self._rows(rows, linked=False)
        self._pool = self._pool.then(block)
        self._forget(int(block.ts[-1]))

    def link(self, rows: Sequence[tuple[int, int, int, bytes]],
             write: Callable[[list[tuple[int, int, bytes]]], object]) -> list[tuple[int, int, float]]:
        """Link a block of the part's articles (num, t, flags, terms) in the order of time: hand the
        rows of their keys to ``write`` and return their links (a < b, score)."""
        block = self._rows(rows, linked=True)
        pool = self._pool = self._pool.then(block)
        first = len(pool) - len(block)
        pairs = self._candidates(pool, first)
        edges = self._scored(pool, pairs)
        write(self._key_rows(block))
        self._forget(int(block.ts[-1]))
        return edges

    def _forget(self, latest: int) -> None:
        """Drop the dated articles no later article can find (older than ``latest`` less WINDOW)."""
        ts = self._pool.ts
        keep = (ts == UNDATED) | (ts >= latest - WINDOW)
        if not keep.all():
            self._pool = self._pool.taken(keep)

    def _candidates(self, pool: _Rows, first: int) -> tuple[np.ndarray, np.ndarray]:
        """The candidate pairs (later row, earlier row) of the rows from ``first`` on: what
        :meth:`~newsindex.stories.store.StoryStore._link`'s lookup finds, counted and filtered as it does."""
        keys, owners, ts = pool.keys, pool.key_rows, pool.ts
        order = np.lexsort((owners, keys))
        keys, owners = keys[order], owners[order]
        dated = np.unique(ts[ts != UNDATED])
        step = np.where(ts == UNDATED, 0, np.searchsorted(dated, ts) + 1)  # undated first, then by time
        code = (keys.astype(np.uint64) << np.uint64(32)) | step[owners].astype(np.uint64)
        asking = np.flatnonzero(owners >= first)
        row, key = owners[asking], keys[asking].astype(np.uint64) << np.uint64(32)
        start = np.searchsorted(code, key)
        undated_end = np.searchsorted(code, key | np.uint64(1))
        t = ts[row]
        low = np.searchsorted(code, key | (np.searchsorted(dated, t - WINDOW) + 1).astype(np.uint64))
        own = asking  # a row finds the articles before it: those of a key's rows up to its own posting
        undated = t == UNDATED
        undated_end = np.where(undated, own, undated_end)
        low = np.where(undated, own, low)
        read = np.bincount(row - first, weights=(undated_end - start) + (own - low), minlength=len(pool) - first)
        capped = read > LOOKUP_CAP
        fast = ~capped[row - first]
        found_u, of_u = _ranges(start[fast], undated_end[fast])
        found_d, of_d = _ranges(low[fast], own[fast])
        asker = np.concatenate([row[fast][of_u], row[fast][of_d]])
        other = owners[np.concatenate([found_u, found_d])]
        heavy = keys[asking[fast]] == pool.weighted[row[fast]]
        weight = np.where(np.concatenate([heavy[of_u], heavy[of_d]]), SAMPLE_SIZE, 1)
        size = len(pool)
        pair, which = np.unique(asker * size + other, return_inverse=True)
        shared = np.bincount(which, weights=weight)
        later, earlier = pair // size, pair % size
        correcting = (pool.flags & CORRECTION) != 0
        # A correction of a short notice may share one sampled word only: a pair with one is found on one.
        keep = (shared >= 2) | correcting[later] | correcting[earlier]
        later, earlier = later[keep], earlier[keep]
        if capped.any():
            more = [self._capped(pool, int(r) + first, code, keys, owners, dated, correcting)
                    for r in np.flatnonzero(capped).tolist()]
            later = np.concatenate([later, *(m[0] for m in more)])
            earlier = np.concatenate([earlier, *(m[1] for m in more)])
        return later, earlier

    def _capped(self, pool: _Rows, row: int, code: np.ndarray, keys: np.ndarray, owners: np.ndarray,
                dated: np.ndarray, correcting: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The candidates of a row whose lookup reads past LOOKUP_CAP postings: read key by key
        (ascending), the undated articles first, then period by period, up to the row that passes it
        (:func:`~newsindex.stories.keys.capped_shares`)."""
        t = int(pool.ts[row])
        nums, periods = pool.nums, pool.ts >> PERIOD_BITS

        def rows_of(key: int) -> list[Sequence[int]]:
            base = np.uint64(key) << np.uint64(32)
            start = int(np.searchsorted(code, base))
            end = int(np.searchsorted(code, base | np.uint64(0xFFFFFFFF), side="right"))
            own = start + int(np.searchsorted(owners[start:end], row))  # the articles before it
            if t == UNDATED:
                found = [nums[owners[start:own]].tolist()]
            else:
                undated_end = int(np.searchsorted(code, base | np.uint64(1)))
                low = int(np.searchsorted(code, base | np.uint64(np.searchsorted(dated, t - WINDOW) + 1)))
                earlier = owners[low:own]
                cuts = np.flatnonzero(np.diff(periods[earlier])) + 1
                found = [nums[owners[start:undated_end]].tolist(), *(nums[p].tolist() for p in np.split(earlier, cuts))]
            return [row_nums for row_nums in found if row_nums]

        mine = sorted(pool.keys[pool.key_rows == row].tolist())
        shared = capped_shares(((key, rows_of(key)) for key in mine), int(pool.weighted[row]))
        shared.pop(int(nums[row]), None)
        place = {n: i for i, n in enumerate(nums.tolist())}
        earlier = [place[n] for n, count in shared.items() if count >= 2 or correcting[row] or correcting[place[n]]]
        return np.full(len(earlier), row, np.int64), np.array(earlier, np.int64)

    def _scored(self, pool: _Rows, pairs: tuple[np.ndarray, np.ndarray]) -> list[tuple[int, int, float]]:
        """Score the candidate pairs that may reach the score they need (see the module's doc)."""
        later, earlier = pairs
        if not len(later):
            return []
        lengths = np.diff(pool.offsets)
        word_rows = np.repeat(np.arange(len(pool)), lengths)
        squares = pool.weights * pool.weights
        figure = (pool.marks & FIGURE_MARK) != 0
        norm2 = np.bincount(word_rows, weights=squares, minlength=len(pool))
        # A correction is also scored with the figures of either side aside (pairs._cosine_without).
        plain2 = np.bincount(word_rows, weights=np.where(figure, 0.0, squares), minlength=len(pool))
        words = (word_rows.astype(np.uint64) << np.uint64(32)) | pool.ids.astype(np.uint64)
        ts, flags = pool.ts, pool.flags
        both = flags[later] | flags[earlier]
        apart = np.abs(ts[later] - ts[earlier])
        dated = (ts[later] != UNDATED) & (ts[earlier] != UNDATED)
        needed = np.where(both & TABLE, TABLE_COSINE, np.where(dated, EDGE * (1.0 + apart / DECAY), EDGE))
        possible = needed <= 1.0 + 1e-9
        correction = (both & CORRECTION) != 0
        dot, dot_plain, short_less, long_less = (np.zeros(len(later)) for _ in range(4))
        # Each pair's shorter row looked up in the longer one, a bounded number of words at a time.
        short = np.where(lengths[later] <= lengths[earlier], later, earlier)
        long = np.where(lengths[later] <= lengths[earlier], earlier, later)
        todo = np.flatnonzero(possible) if len(words) else np.zeros(0, np.int64)
        spans = np.cumsum(lengths[short[todo]])
        start = 0
        while start < len(todo):
            end = max(int(np.searchsorted(spans, spans[start] - lengths[short[todo[start]]] + PAIR_WORDS, side="right")), start + 1)
            chunk = todo[start:end]
            found, of = _ranges(pool.offsets[short[chunk]], pool.offsets[short[chunk] + 1])
            wanted = (long[chunk][of].astype(np.uint64) << np.uint64(32)) | pool.ids[found].astype(np.uint64)
            at = np.minimum(np.searchsorted(words, wanted), len(words) - 1)
            hit = words[at] == wanted
            found, at, of = found[hit], at[hit], of[hit]
            x, y, x_figure, y_figure = pool.weights[found], pool.weights[at], figure[found], figure[at]
            dot[chunk] = np.bincount(of, weights=x * y, minlength=len(chunk))
            # With figures aside: the shared words neither marks a figure, and each side's squared norm
            # less its words the other side marks a figure.
            dot_plain[chunk] = np.bincount(of, weights=np.where(x_figure | y_figure, 0.0, x * y), minlength=len(chunk))
            short_less[chunk] = np.bincount(of, weights=np.where(~x_figure & y_figure, x * x, 0.0), minlength=len(chunk))
            long_less[chunk] = np.bincount(of, weights=np.where(x_figure & ~y_figure, y * y, 0.0), minlength=len(chunk))
            start = end
        cosine = dot / np.sqrt(norm2[later] * norm2[earlier])
        short2, long2 = plain2[short] - short_less, plain2[long] - long_less
        # Where figures are nearly all of a side, the difference above is not precise: such a pair is scored.
        sure = (short2 > 1e-3 * norm2[short]) & (long2 > 1e-3 * norm2[long])
        plain_cosine = np.where(sure, dot_plain / np.sqrt(np.where(sure, short2 * long2, 1.0)), np.inf)
        best = np.where(correction, np.maximum(cosine, plain_cosine), cosine)
        scored = np.flatnonzero(possible & (best >= needed * (1.0 - MARGIN)))
        vectors: dict[int, Telling] = {}
        edges = []
        nums = pool.nums
        for a, b in zip(later[scored].tolist(), earlier[scored].tolist()):
            score = pair_score(self._telling(pool, a, vectors), self._telling(pool, b, vectors))
            if score != 0.0:
                x, y = int(nums[a]), int(nums[b])
                edges.append((min(x, y), max(x, y), score))
        return edges

    def _telling(self, pool: _Rows, row: int, vectors: dict[int, Telling]) -> Telling:
        """A pool row as pair_score takes it (kept for the block). Its weights are the products
        _vector makes, in its order, so the same floats; the rest is the store's own code."""
        found = vectors.get(row)
        if found is None:
            start, end = pool.offsets[row], pool.offsets[row + 1]
            found = vectors[row] = self._tell(
                int(pool.nums[row]), int(pool.ts[row]), int(pool.flags[row]), self._vocabulary[pool.ids[start:end]].tolist(),
                pool.weights[start:end].tolist(), pool.marks[start:end].tobytes())
        return found

    @staticmethod
    def _key_rows(block: _Rows) -> list[tuple[int, int, bytes]]:
        """The block's keys as rows of the ``keys`` table (stored key, period, postings in the order of time)."""
        if not len(block.keys):
            return []
        t = block.ts[block.key_rows]
        period = t >> PERIOD_BITS
        order = np.lexsort((block.key_rows, period, block.keys))
        keys, period, t = block.keys[order], period[order], t[order]
        postings = np.empty(len(order), _POSTING)
        offset = t & PERIOD_MASK
        postings["low"], postings["high"], postings["num"] = offset & 0xFFFF, offset >> 16, block.nums[block.key_rows[order]]
        data = postings.tobytes()
        size = _POSTING.itemsize
        cuts = np.flatnonzero((np.diff(keys) != 0) | (np.diff(period) != 0)) + 1
        bounds = [0, *cuts.tolist(), len(order)]
        firsts = bounds[:-1]
        return [(key - KEY_BIAS, p, data[size * s : size * e])
                for key, p, s, e in zip(keys[firsts].tolist(), period[firsts].tolist(), firsts, bounds[1:])]
