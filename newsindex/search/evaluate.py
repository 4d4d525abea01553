"""Exact, fast query evaluation: set operations over cached postings instead of Whoosh's matcher tree.

Why: Whoosh answers a query by walking a tree of matchers one document at a
time (``IntersectionMatcher.skip_to``, ``UnionMatcher.next``, block decoding,
a scorer call and a collector call per document), several Python calls per
posting per query. Here a term's postings in a segment are decoded once into
a dict ``docnum -> weight`` (kept in a bounded LRU cache), and a query is
answered with set operations, which run in C, plus one arithmetic pass over
the documents that actually match. Positions are read only for the documents
a phrase has to check (the blocks holding none of them are not even
decompressed), kept as bit masks so that a phrase check is a shift and an AND;
a very common word of a phrase ("of") is only looked up in those documents.

The answer is Whoosh's, exactly: the same matches, the same total, the same
scores to the last bit and the same order. That is why the code follows
Whoosh so closely:

* scores use the very float expressions of ``whoosh.scoring.BM25FScorer``
  and :class:`newsindex.search.ranking.CombinedFields`, with the document-length part
  computed once per document (the same sub-expression, so the same value);
* sums of scores are added in the order Whoosh's matcher tree adds them:
  AND and OR build a Huffman-like tree of two-way matchers weighted by each
  clause's ``estimate_size`` in the segment (``whoosh.util.make_weighted_tree``),
  phrases a halving tree, and an OR of three or more clauses in a segment of at
  most 5,000 documents is Whoosh's ``ArrayUnionMatcher``, which adds its
  clauses left to right from 0 (and, unscored, counts 1);
* ties are broken as ``TopCollector`` breaks them (lower document number
  first), and date order is ``SortingCollector``'s on the ``published`` column
  (undated last, then document number).

The node types the query parser and :mod:`newsindex.search.ranking` produce are
evaluated here (Term, CombinedFields, And, Or, AndNot, AndMaybe, Every,
Phrase, SpanNear2 of terms, Prefix, Wildcard, DateFilter, DayRange); any other
sub-query is answered by Whoosh's own matcher for that sub-query, so the result
is exact for every query. Nothing here caches results: every search evaluates
its query again, only postings and per-term statistics are reused.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, insort
from collections import OrderedDict
from copy import copy
from math import log
from typing import AbstractSet, Any, Callable, Iterator, Literal

from whoosh import query as wq
from whoosh.matching import FilterMatcher
from whoosh.query.spans import SpanNear2
from whoosh.scoring import BM25F, BM25FScorer, WeightScorer
from whoosh.searching import Searcher

from ..store.postings import read_postings
from .query import DateFilter, DayRange, InLanguage, published_micros
from .ranking import CombinedFields
from .statistics import Statistics
from ..store.schema import UNDATED

Sort = Literal["relevance", "date", "date-asc"]

#: Memory the postings cache may hold (estimated), in MiB: decoded postings of
#: the terms searched most recently, and positions of the phrases' terms. The
#: benchmark's 68 queries take about 10 MiB on Reuters-21578 and 190 MiB on 25
#: times as many articles; per segment there are also norm arrays (8 bytes per
#: document and field searched), outside this budget.
CACHE_MB = 256

#: Bytes one cached posting takes (dict slot, docnum object; weights are shared floats).
_POSTING_BYTES = 70
#: Bytes a posting's positions take once loaded (raw value, its bit mask or tuple, dict slots).
_POSITIONS_BYTES = 200

#: A phrase word with more documents in a segment than both of these (the second times
#: the rarest word's) is looked up only in the candidates the other words leave.
_SPARSE_DF = 2048
_SPARSE_RATIO = 4

#: Whoosh's ``Or`` chooses its matcher by these (``whoosh.query.compound.Or._matcher``).
_OR_TOO_MANY_CLAUSES = wq.Or.TOO_MANY_CLAUSES
_OR_ARRAY_MAX_DOCS = 5000


# -- the cache ---------------------------------------------------------------


class PostingsCache:
    """A least-recently-used map with a memory budget: what was searched lately stays decoded."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[Any, tuple[Any, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Any) -> Any:
        item = self._items.get(key)
        if item is None:
            return None
        self._items.move_to_end(key)
        return item[0]

    def put(self, key: Any, value: Any, size: int) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self.bytes -= old[1]
        self._items[key] = (value, size)
        self.bytes += size
        self._evict()

    def grow(self, key: Any, extra: int) -> None:
        """Count ``extra`` more bytes for an entry that grew (positions loaded)."""
        item = self._items.get(key)
        if item is not None:
            self._items[key] = (item[0], item[1] + extra)
            self.bytes += extra
            self._evict()

    def _evict(self) -> None:
        while self.bytes > self.max_bytes and len(self._items) > 1:
            _, (_, size) = self._items.popitem(last=False)
            self.bytes -= size


class _Postings:
    """One term's postings in one segment: ``docnum -> weight``."""

    __slots__ = ("tf", "keys", "normed")

    def __init__(self, tf: dict[int, float]) -> None:
        self.tf = tf
        self.keys = tf.keys()
        #: Which norm arrays already hold a value for every document of this term.
        self.normed: set[Any] = set()


class _Positions:
    """A term's positions in one segment, for the documents phrases have asked about.

    Read block by block for those documents only (a phrase checks the few
    documents its words share, and a word like "of" has postings in most
    documents), and kept: ``masks[d]`` is the positions as the bits of an int
    (bit ``p`` set if the word is at ``p``; 0 if the word is not in ``d``),
    ``lists[d]`` the ascending positions (for proximity), ``weights[d]`` the
    posting's weight where the word is in ``d``.
    """

    __slots__ = ("masks", "lists", "weights")

    def __init__(self) -> None:
        self.masks: dict[int, int] = {}
        self.lists: dict[int, tuple[int, ...]] = {}
        self.weights: dict[int, float] = {}


# -- reading postings through Whoosh ----------------------------------------------


def _leaf(matcher: Any, reader: Any) -> tuple[Any, AbstractSet[int] | None]:
    """The codec's matcher under ``reader.postings()``'s deletion filter, and the deleted documents."""
    if isinstance(matcher, FilterMatcher):
        deleted = getattr(reader, "deleted_docs_set", None)
        if deleted is None:
            deleted = frozenset(d for d in range(reader.doc_count_all()) if reader.is_deleted(d))
        return matcher.child, deleted
    return matcher, None


def _read(reader: Any, fieldname: str, btext: bytes, intern: dict[float, float]) -> tuple[list, list]:
    """(docnums, weights) of a term in a segment, deleted documents left out.

    Read a block at a time (:func:`~newsindex.store.postings.read_postings`). Equal
    weights become one float object (``intern``): postings hold few values.
    """
    matcher, deleted = _leaf(reader.postings(fieldname, btext), reader)
    ids, weights, _ = read_postings(matcher)
    weights = [intern.setdefault(w, w) for w in weights]
    if deleted:
        kept = [i for i, d in enumerate(ids) if d not in deleted]
        ids = [ids[i] for i in kept]
        weights = [weights[i] for i in kept]
    return ids, weights


def _read_some(reader: Any, fieldname: str, btext: bytes, docs: list[int]) -> Iterator[tuple[int, float, Any]]:
    """(docnum, weight, value) of a term for those of ``docs`` (ascending) that have it.

    Blocks holding none of ``docs`` are passed over on their header (the
    block's last document number), without being decompressed.
    """
    matcher, deleted = _leaf(reader.postings(fieldname, btext), reader)
    wanted = [d for d in docs if not deleted or d not in deleted]
    if all(hasattr(matcher, a) for a in ("_read_ids", "_read_weights", "_read_values", "_next_block")):
        i, n = 0, len(wanted)
        while i < n and matcher.is_active():
            last = matcher.block_max_id()
            if wanted[i] <= last:
                j = i
                while j < n and wanted[j] <= last:
                    j += 1
                matcher._read_ids()
                where = {d: k for k, d in enumerate(matcher._ids)}
                found = [(d, where[d]) for d in wanted[i:j] if d in where]
                if found:
                    matcher._read_weights()
                    matcher._read_values()
                    weights, values = matcher._weights, matcher._values
                    for d, k in found:
                        yield d, weights[k], values[k]
                i = j
            matcher._next_block()
    else:
        for d in wanted:
            if not matcher.is_active():
                break
            matcher.skip_to(d)
            if matcher.is_active() and matcher.id() == d:
                yield d, matcher.weight(), matcher.value()


# -- per segment state ------------------------------------------------------------


class _Segment:
    """One leaf searcher of the index, its cached statistics and document-length norms."""

    def __init__(self, ev: "Evaluator", searcher: Searcher, offset: int, number: int) -> None:
        self.ev = ev
        self.searcher = searcher
        self.reader = searcher.reader()
        self.offset = offset
        self.number = number
        self.doc_count_all = searcher.doc_count_all()
        self.schema = searcher.schema
        self._df: dict[tuple[str, bytes], int] = {}
        self._present: dict[tuple[str, bytes], bool] = {}
        #: Norm arrays: ``K1 * ((1 - B) + B * length / average)`` per document, -1 until computed.
        self._norms: dict[Any, array] = {}
        self._all: frozenset[int] | None = None
        self._by_date: tuple[list[int], list[int]] | None = None

    # statistics (Whoosh's numbers, cached: they cannot change while the searcher lives)

    def doc_frequency(self, fieldname: str, btext: bytes) -> int:
        key = (fieldname, btext)
        df = self._df.get(key)
        if df is None:
            df = self._df[key] = self.reader.doc_frequency(fieldname, btext)
        return df

    def has_term(self, fieldname: str, btext: bytes) -> bool:
        key = (fieldname, btext)
        found = self._present.get(key)
        if found is None:
            found = self._present[key] = key in self.reader
        return found

    # postings

    def postings(self, fieldname: str, btext: bytes) -> _Postings:
        cache = self.ev.cache
        key = (self.number, fieldname, btext)
        found = cache.get(key)
        if found is None:
            ids, weights = _read(self.reader, fieldname, btext, self.ev.intern)
            tf = dict(zip(ids, weights))
            found = _Postings(tf)
            cache.put(key, found, 200 + _POSTING_BYTES * len(tf))
        return found

    def positions(self, fieldname: str, btext: bytes, docs: AbstractSet[int]) -> _Positions:
        """The term's positions entry, with every one of ``docs`` looked up."""
        cache = self.ev.cache
        key = (self.number, "@", fieldname, btext)
        found = cache.get(key)
        if found is None:
            found = _Positions()
            cache.put(key, found, 200)
        masks = found.masks
        missing = sorted(d for d in docs if d not in masks)
        if missing:
            decode = self.schema[fieldname].format.decode_positions
            intern = self.ev.intern
            for d, weight, value in _read_some(self.reader, fieldname, btext, missing):
                mask = 0
                for p in decode(value):
                    mask |= 1 << p
                masks[d] = mask
                found.weights[d] = intern.setdefault(weight, weight)
            for d in missing:
                if d not in masks:
                    masks[d] = 0
            cache.grow(key, _POSITIONS_BYTES * len(missing))
        return found

    def position_lists(self, fieldname: str, btext: bytes, docs: AbstractSet[int]) -> dict[int, tuple[int, ...]]:
        """Ascending positions of the term in each of ``docs`` (empty where it is not)."""
        entry = self.positions(fieldname, btext, docs)
        lists, masks = entry.lists, entry.masks
        for d in docs:
            if d not in lists:
                mask, found_at = masks[d], []
                while mask:
                    low = mask & -mask
                    found_at.append(low.bit_length() - 1)
                    mask ^= low
                lists[d] = tuple(found_at)
        return lists

    def combined(self, terms: list[tuple[str, bytes]]) -> _Postings:
        """The union of a word's postings in several fields, weights added as ``UnionMatcher`` adds them."""
        cache = self.ev.cache
        key = (self.number, "+", tuple(terms))
        found = cache.get(key)
        if found is None:
            # The fields' own postings are read, not cached: only the union is searched.
            tf: dict[int, float] = {}
            for fieldname, btext in terms:
                cached = cache.get((self.number, fieldname, btext))
                part = cached.tf.items() if cached else zip(*_read(self.reader, fieldname, btext, self.ev.intern))
                if not tf:
                    tf = dict(part)
                    continue
                for d, w in part:
                    tf[d] = tf[d] + w if d in tf else w
            found = _Postings(tf)
            cache.put(key, found, 200 + _POSTING_BYTES * len(tf))
        return found

    def norms(self, key: Any, postings: _Postings, compute: Callable[[int], float]) -> array:
        """The norm array ``key``, with a value for every document of ``postings``."""
        norms = self._norms.get(key)
        if norms is None:
            norms = self._norms[key] = array("d", [-1.0]) * self.doc_count_all
        if key not in postings.normed:
            for d in postings.tf:
                if norms[d] < 0:
                    norms[d] = compute(d)
            postings.normed.add(key)
        return norms

    def norms_for(self, key: Any, docs: AbstractSet[int], compute: Callable[[int], float]) -> array:
        """The norm array ``key``, with a value for every one of ``docs``."""
        norms = self._norms.get(key)
        if norms is None:
            norms = self._norms[key] = array("d", [-1.0]) * self.doc_count_all
        for d in docs:
            if norms[d] < 0:
                norms[d] = compute(d)
        return norms

    # documents

    def all_docs(self) -> frozenset[int]:
        if self._all is None:
            self._all = frozenset(self.reader.all_doc_ids())
        return self._all

    def published(self) -> array:
        return published_micros(self.reader)

    def dated_between(self, low: int, high: int) -> set[int]:
        """Undeleted documents published in ``[low, high)`` (a sorted index of the column, built once)."""
        if self._by_date is None:
            micros = self.published()
            order = sorted(self.all_docs(), key=micros.__getitem__)
            self._by_date = (order, [micros[d] for d in order])
        order, keys = self._by_date
        return set(order[bisect_left(keys, low) : bisect_left(keys, high)])


# -- evaluation nodes ---------------------------------------------------------------
#
# A node is one sub-query compiled for one segment. ``docs()`` is the set of its
# matching documents (segment numbers); ``scores(docs)`` their scores, for any
# ``docs`` within ``docs()``, as a fresh dict the caller may change.


class _Node:
    __slots__ = ()

    def docs(self) -> AbstractSet[int]:
        raise NotImplementedError

    def scores(self, docs: AbstractSet[int]) -> dict[int, float]:
        raise NotImplementedError


class _Empty(_Node):
    __slots__ = ()
    _none: frozenset[int] = frozenset()

    def docs(self) -> AbstractSet[int]:
        return self._none

    def scores(self, docs: AbstractSet[int]) -> dict[int, float]:
        return {}


_EMPTY = _Empty()


class _Constant(_Node):
    """Documents that all score the same (``Every``, a date range alone, an unscored OR)."""

    __slots__ = ("_docs", "_value")

    def __init__(self, docs: AbstractSet[int], value: float) -> None:
        self._docs = docs
        self._value = value

    def docs(self) -> AbstractSet[int]:
        return self._docs

    def scores(self, docs: AbstractSet[int]) -> dict[int, float]:
        return dict.fromkeys(docs, self._value)


class _BM25Term(_Node):
    """A term in one field, scored as ``whoosh.scoring.BM25FScorer`` scores it."""

    __slots__ = ("_p", "_idf", "_k1p1", "_norms", "_boost")

    def __init__(self, postings: _Postings, idf: float, k1: float, norms: array, boost: float) -> None:
        self._p = postings
        self._idf = idf
        self._k1p1 = k1 + 1
        self._norms = norms
        self._boost = boost

    def docs(self) -> AbstractSet[int]:
        return self._p.keys

    def scores(self, docs: AbstractSet[int]) -> dict[int, float]:
        # bm25(): idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))), the norm being the right term.
        idf, k1p1, norms, tf = self._idf, self._k1p1, self._norms, self._p.tf
        if docs is self._p.keys:
            found = {d: idf * ((w * k1p1) / (w + norms[d])) for d, w in tf.items()}
        else:
            found = {d: idf * (((w := tf[d]) * k1p1) / (w + norms[d])) for d in docs}
        if self._boost != 1.0:
            boost = self._boost
            return {d: s * boost for d, s in found.items()}
        return found


class _WeightTerm(_Node):
    """A term in a field Whoosh does not score (keywords, ids): the score is the posting's weight."""

    __slots__ = ("_p", "_boost")

    def __init__(self, postings: _Postings, boost: float) -> None:
        self._p = postings
        self._boost = boost

    def docs(self) -> AbstractSet[int]:
        return self._p.keys

    def scores(self, docs: AbstractSet[int]) -> dict[int, float]:
        tf = self._p.tf
        if self._boost != 1.0:
            boost = self._boost
            return {d: tf[d] * boost for d in docs}
        return {d: tf[d] for d in docs}


class _Combined(_BM25Term):
    """A word in several fields scored once by BM25F (:class:`newsindex.search.ranking.CombinedFields`).

    The same parts as a single-field term; only the order of the float operations
    differs, as it does between ``CombinedFields`` and Whoosh's scorer, so that
    scores stay equal to the last bit.
    """

    __slots__ = ()

    def scores(self, docs: AbstractSet[int]) -> dict[int, float]:
        # CombinedFields: idf * freq * (k1 + 1) / (freq + k1 * (1 - b + b * length / average)) * boost
        idf, k1p1, norms, tf, boost = self._idf, self._k1p1, self._norms, self._p.tf, self._boost
        if docs is self._p.keys:
            return {d: idf * f * k1p1 / (f + norms[d]) * boost for d, f in tf.items()}
        return {d: idf * (f := tf[d]) * k1p1 / (f + norms[d]) * boost for d in docs}


class _Binary(_Node):
    """A node of two sides, scored ``a + b`` where both match: the trees of AND and OR.

    Those trees are as deep as a query is long (``make_weighted_tree`` joins an
    AND of 1,000 words into a chain 1,000 deep), so they are walked with a
    list of pending work, never by recursion: no query can exhaust Python's
    stack, and the sums are still added in the tree's order, the same floats
    as Whoosh's.
    """

    __slots__ = ("_a", "_b", "_docs")

    def __init__(self, a: _Node, b: _Node) -> None:
        self._a, self._b = a, b

    def sides(self, docs: AbstractSet[int]) -> tuple[AbstractSet[int], AbstractSet[int]]:
        """The documents each side is asked to score when this node scores ``docs``."""
        raise NotImplementedError

    def join(self, sa: dict[int, float], sb: dict[int, float]) -> dict[int, float]:
        """This node's scores from its sides' (``sa`` may be changed)."""
        raise NotImplementedError

    def scores(self, docs: AbstractSet[int]) -> dict[int, float]:
        # Post-order with a stack. The side that is itself a tree goes first, so along a chain
        # at most one side's scores wait per level (a leaf's are made when they are needed).
        work: list[tuple[_Node, AbstractSet[int], int]] = [(self, docs, 0)]
        done: list[dict[int, float]] = []
        while work:
            node, want, state = work.pop()
            if state:  # both sides are done: state 1 if ``a`` went first, 2 if ``b`` did
                last, first = done.pop(), done.pop()
                sa, sb = (first, last) if state == 1 else (last, first)
                done.append(node.join(sa, sb))  # type: ignore[attr-defined]
            elif isinstance(node, _Binary):
                adocs, bdocs = node.sides(want)
                b_first = isinstance(node._b, _Binary) and not isinstance(node._a, _Binary)
                work.append((node, want, 2 if b_first else 1))
                if b_first:
                    work += [(node._a, adocs, 0), (node._b, bdocs, 0)]
                else:
                    work += [(node._b, bdocs, 0), (node._a, adocs, 0)]
            else:
                done.append(node.scores(want) if want else {})
        return done[0]


class _Union(_Binary):
    """``UnionMatcher``: either side; where both match, ``a + b``."""

    __slots__ = ()

    def __init__(self, a: _Node, b: _Node) -> None:
        super().__init__(a, b)
        self._docs = a.docs() | b.docs()

    def docs(self) -> AbstractSet[int]:
        return self._docs

    def sides(self, docs: AbstractSet[int]) -> tuple[AbstractSet[int], AbstractSet[int]]:
        adocs, bdocs = self._a.docs(), self._b.docs()
        if docs is not self._docs:
            adocs, bdocs = adocs & docs, bdocs & docs
        return adocs, bdocs

    def join(self, sa: dict[int, float], sb: dict[int, float]) -> dict[int, float]:
        both = sa.keys() & sb.keys()
        found = {**sb, **sa}
        for d in both:
            found[d] = sa[d] + sb[d]
        return found


class _Intersection(_Binary):
    """``IntersectionMatcher``: both sides; ``a + b``."""

    __slots__ = ()

    def __init__(self, a: _Node, b: _Node) -> None:
        super().__init__(a, b)
        self._docs: AbstractSet[int] | None = None

    def docs(self) -> AbstractSet[int]:
        # Worked out when first asked (a phrase's tree never is: its positions decide), bottom
        # up with a stack of the intersections still to do, for the same reason as scores().
        work: list[_Intersection] = [self]
        while work:
            node = work[-1]
            if node._docs is not None:
                work.pop()
                continue
            pending = [side for side in (node._a, node._b) if isinstance(side, _Intersection) and side._docs is None]
            if pending:
                work += pending
            else:
                node._docs = node._a.docs() & node._b.docs()
                work.pop()
        assert self._docs is not None
        return self._docs

    def sides(self, docs: AbstractSet[int]) -> tuple[AbstractSet[int], AbstractSet[int]]:
        return docs, docs

    def join(self, sa: dict[int, float], sb: dict[int, float]) -> dict[int, float]:
        return {d: s + sb[d] for d, s in sa.items()}


class _AndNot(_Node):
    """``AndNotMatcher``: ``a``'s documents not in ``b``, scored by ``a``."""

    __slots__ = ("_a", "_docs")

    def __init__(self, a: _Node, b: _Node) -> None:
        self._a = a
        self._docs = a.docs() - b.docs()

    def docs(self) -> AbstractSet[int]:
        return self._docs

    def scores(self, docs: AbstractSet[int]) -> dict[int, float]:
        return self._a.scores(docs)


class _AndMaybe(_Node):
    """``AndMaybeMatcher``: ``a``'s documents; ``a + b`` where ``b`` matches too."""

    __slots__ = ("_a", "_b")

    def __init__(self, a: _Node, b: _Node) -> None:
        self._a, self._b = a, b

    def docs(self) -> AbstractSet[int]:
        return self._a.docs()

    def scores(self, docs: AbstractSet[int]) -> dict[int, float]:
        found = self._a.scores(docs)
        both = self._b.docs() & docs
        if both:
            for d, s in self._b.scores(both).items():
                found[d] = found[d] + s
        return found


class _ArrayUnion(_Node):
    """``ArrayUnionMatcher`` (an OR of 3+ clauses in a small segment): ``0 + a*boost + b*boost + ...``."""

    __slots__ = ("_parts", "_boost", "_scored", "_docs")

    def __init__(self, parts: list[_Node], boost: float, scored: bool) -> None:
        self._parts = parts
        self._boost = boost
        self._scored = scored
        docs: set[int] = set()
        for part in parts:
            docs |= part.docs()
        self._docs = docs

    def docs(self) -> AbstractSet[int]:
        return self._docs

    def scores(self, docs: AbstractSet[int]) -> dict[int, float]:
        if not self._scored:
            return dict.fromkeys(docs, 1.0)
        found = dict.fromkeys(docs, 0.0)
        boost = self._boost
        whole = docs is self._docs
        for part in self._parts:
            pdocs = part.docs() if whole else part.docs() & docs
            if pdocs:
                for d, s in part.scores(pdocs).items():
                    found[d] += s * boost
        return found


class _Boost(_Node):
    """``WrappingMatcher(m, boost)``: the child's scores times ``boost``."""

    __slots__ = ("_child", "_boost")

    def __init__(self, child: _Node, boost: float) -> None:
        self._child = child
        self._boost = boost

    def docs(self) -> AbstractSet[int]:
        return self._child.docs()

    def scores(self, docs: AbstractSet[int]) -> dict[int, float]:
        boost = self._boost
        return {d: s * boost for d, s in self._child.scores(docs).items()}


class _Filtered(_Node):
    """A child's documents restricted to a subset (a date filter, a positional check); its scores."""

    __slots__ = ("_child", "_docs")

    def __init__(self, child: _Node, docs: AbstractSet[int]) -> None:
        self._child = child
        self._docs = docs

    def docs(self) -> AbstractSet[int]:
        return self._docs

    def scores(self, docs: AbstractSet[int]) -> dict[int, float]:
        return self._child.scores(docs)


class _Whoosh(_Node):
    """Any other sub-query, answered by Whoosh's own matcher for it (read once, document by document)."""

    __slots__ = ("_found",)

    def __init__(self, matcher: Any, scored: bool) -> None:
        found: dict[int, float | None] = {}
        while matcher.is_active():
            found[matcher.id()] = matcher.score() if scored else None
            matcher.next()
        self._found = found

    def docs(self) -> AbstractSet[int]:
        return self._found.keys()

    def scores(self, docs: AbstractSet[int]) -> dict[int, float]:
        found = self._found
        return {d: found[d] for d in docs}  # type: ignore[misc]


# -- compiling a query for one segment ----------------------------------------------------


class _Context:
    """What Whoosh's ``SearchContext`` says to the matchers being built (the parts that change them)."""

    __slots__ = ("needs_current", "weighted")

    def __init__(self, needs_current: bool, weighted: bool) -> None:
        self.needs_current = needs_current
        self.weighted = weighted


_TOP = _Context(False, True)
_BOOLEAN = _Context(False, False)


def _weighted_tree(pairs: list[tuple[int, _Node]], make: Callable[[_Node, _Node], _Node]) -> _Node:
    """``whoosh.util.make_weighted_tree``: join the two lightest until one is left.

    Whoosh sorts ``(weight, matcher)`` pairs; matchers never compare as less
    than each other, so that is a stable sort by weight, and ``insort`` puts a
    joined pair after those of equal weight.
    """
    items = sorted(pairs, key=_first)
    while len(items) > 1:
        a = items.pop(0)
        b = items.pop(0)
        insort(items, (a[0] + b[0], make(a[1], b[1])), key=_first)
    return items[0][1]


def _first(pair: tuple[int, _Node]) -> int:
    return pair[0]


def _binary_tree(nodes: list[_Node], make: Callable[[_Node, _Node], _Node]) -> _Node:
    """``whoosh.util.make_binary_tree``: halves, recursively."""
    if len(nodes) == 1:
        return nodes[0]
    half = len(nodes) // 2
    return make(_binary_tree(nodes[:half], make), _binary_tree(nodes[half:], make))


class Evaluator:
    """Answers queries on one Whoosh searcher exactly as its matchers would, much faster.

    Holds the postings cache and per-segment statistics of that searcher;
    make a new one when the searcher changes (the index was written).
    """

    def __init__(self, searcher: Searcher, cache_mb: float = CACHE_MB) -> None:
        self.searcher = searcher
        self.weighting = searcher.weighting
        self.cache = PostingsCache(int(cache_mb * 2**20))
        #: Equal weights share one float object (postings hold few distinct weights).
        self.intern: dict[float, float] = {}
        self._segments = [
            _Segment(self, leaf, offset, number) for number, (leaf, offset) in enumerate(searcher.leaf_searchers())
        ]
        #: Where collection statistics come from: the index's own searcher, or (see :meth:`scored_with`)
        #: the figures of a whole collection of indexes.
        self._parent: Any = searcher.get_parent()
        self._collection: Statistics | None = None
        #: How each term is scored (by segment, field, term), and the index-wide statistics of
        #: CombinedFields queries (idf, average lengths) by their terms: both follow ``_parent``.
        self._scorers: dict[tuple[int, str, bytes], tuple | None] = {}
        self._stats: dict[Any, tuple] = {}

    def scored_with(self, statistics: Statistics) -> "Evaluator":
        """This evaluator scoring with ``statistics`` (a collection's) instead of its index's own.

        The view shares the postings cache and the per-segment state (postings,
        norms, date columns: none of them depend on the statistics); only idf
        and average lengths come from ``statistics``. Made per search, cheaply.
        """
        view = copy(self)
        view._parent = view._collection = statistics
        view._scorers = {}
        view._stats = {}
        return view

    def _scorer(self, seg: _Segment, fieldname: str, btext: bytes) -> tuple | None:
        """("bm25", idf, K1, B, avgfl) or ("weight",) for how Whoosh scores this term; None if otherwise."""
        key = (seg.number, fieldname, btext)
        if key in self._scorers:
            return self._scorers[key]
        if self._collection is not None:
            found = self._collection.scorer(self.weighting, seg.schema, fieldname, btext)
        else:
            made = self.weighting.scorer(seg.searcher, fieldname, btext)
            if type(made) is BM25FScorer:
                found = ("bm25", made.idf, made.K1, made.B, made.avgfl)
            elif type(made) is WeightScorer:
                found = ("weight",)
            else:
                found = None
        self._scorers[key] = found
        return found

    # -- searching -------------------------------------------------------------

    def top(self, q: wq.Query, sort: Sort = "relevance", limit: int | None = 10) -> "TopDocs":
        """The top ``limit`` matches of ``q`` in ``sort`` order (all if None), and the exact total.

        ``relevance``: ``ranking.exact_top(limit)``'s answer (score, then lower
        document number); ``date``/``date-asc``: the ``SortingCollector``'s on
        the ``published`` column, undated articles last, each hit still with
        its relevance score (worked out for the hits kept, not for every match).
        """
        relevance = sort == "relevance"
        if limit is not None and limit < 1:
            raise ValueError("limit must be at least 1 (or None for all)")
        total = 0
        best: list[tuple[Any, int]] = []
        for seg in self._segments:
            node = self._compile(q, seg, _TOP, relevance)
            docs = node.docs()
            if not docs:
                continue
            total += len(docs)
            offset = seg.offset
            if relevance:
                scores = node.scores(docs)
                if limit is not None and len(scores) > limit:
                    floor = sorted(scores.values(), reverse=True)[limit - 1]
                    best.extend((s, -offset - d) for d, s in scores.items() if s >= floor)
                else:
                    best.extend((s, -offset - d) for d, s in scores.items())
            else:
                micros = seg.published()
                if sort == "date":
                    keyed = [(-micros[d], offset + d) for d in docs]
                else:
                    keyed = [(micros[d] if micros[d] != UNDATED else 2**63, offset + d) for d in docs]
                if limit is not None and len(keyed) > limit:
                    keyed.sort()
                    del keyed[limit:]
                scores = self._compile(q, seg, _TOP, True).scores({docnum - offset for _, docnum in keyed})
                best.extend((key, docnum, scores[docnum - offset]) for key, docnum in keyed)
        if relevance:
            best.sort(reverse=True)
            items: list[tuple[float | None, int]] = [(s, -negdoc) for s, negdoc in best[:limit]]
        else:
            best.sort()
            items = [(score, docnum) for _, docnum, score in best[:limit]]
        return TopDocs(self.searcher, items, total)

    def matches(self, q: wq.Query) -> list[int]:
        """Every document ``q`` matches, ascending (what ``searcher.docs_for_query`` gives, sorted)."""
        found: list[int] = []
        for seg in self._segments:
            offset = seg.offset
            found.extend(sorted(offset + d for d in self._compile(q, seg, _TOP, False).docs()))
        return found

    def match_set(self, q: wq.Query) -> set[int]:
        """Every document ``q`` matches, as a set: for callers that test membership, not order
        (sorting the postings of a common word costs more than finding them)."""
        found: set[int] = set()
        for seg in self._segments:
            docs = self._compile(q, seg, _TOP, False).docs()
            found.update(docs if not seg.offset else (seg.offset + d for d in docs))
        return found

    # -- compiling ---------------------------------------------------------------

    def _compile(self, q: wq.Query, seg: _Segment, ctx: _Context, scored: bool) -> _Node:
        """``q`` for one segment; ``scored``: whether scores will be asked for (else only matches)."""
        kind = type(q)
        if kind is wq.Term and not q.minquality:
            return self._term(seg, q.fieldname, q.text, q.boost)
        if kind is CombinedFields:
            return self._combined(q, seg, ctx, scored)
        if kind is wq.And:
            return self._and(q, seg, ctx, scored)
        if kind is wq.Or and q.matcher_type == wq.Or.AUTO_MATCHER and not q.scale:
            return self._or(q, q.subqueries, q.boost, seg, ctx, scored)
        if kind is wq.AndNot:
            a = self._compile(q.a, seg, ctx, scored)
            if not a.docs():
                return _EMPTY
            return _AndNot(a, self._compile(q.b, seg, _BOOLEAN, False))
        if kind is wq.AndMaybe:
            return _AndMaybe(self._compile(q.a, seg, ctx, scored), self._compile(q.b, seg, ctx, scored))
        if kind is DateFilter:
            child = self._compile(q.child, seg, ctx, scored)
            low, high = q.days.micros()
            micros = seg.published()
            return _Filtered(child, {d for d in child.docs() if low <= micros[d] < high})
        if kind is DayRange and not ctx.needs_current:
            # ConstantScoreQuery over the day terms: the matches, each scored the boost.
            low, high = q.micros()
            return _Constant(seg.dated_between(low, high), q.boost or 1.0)
        if kind is InLanguage:
            return _Constant(self._compile(q.child, seg, _BOOLEAN, False).docs(), 0.0)
        if kind is wq.Every and q.fieldname in (None, "", "*"):
            return _Constant(seg.all_docs(), q.boost or 1.0)
        if kind is wq.Phrase:
            return self._phrase(q, seg, scored)
        if kind is SpanNear2 and all(type(t) is wq.Term and not t.minquality for t in q.qs):
            return self._near([(t.fieldname, t.text, t.boost) for t in q.qs], q.slop, q.ordered, q.mindist, seg, scored)
        if kind in (wq.Prefix, wq.Wildcard) and q.text not in ("", "*"):
            return self._multiterm(q, seg, ctx, scored)
        return self._whoosh(q, seg, ctx, scored)

    def _whoosh(self, q: wq.Query, seg: _Segment, ctx: _Context, scored: bool) -> _Node:
        context = self.searcher.context(
            needs_current=ctx.needs_current, weighting=self.weighting if ctx.weighted else None
        )
        return _Whoosh(q.matcher(seg.searcher, context), scored and ctx.weighted)

    def _btext(self, seg: _Segment, fieldname: str, text: Any) -> bytes | None:
        """The term's bytes as ``Term.matcher`` computes them; None if the field or value is impossible."""
        if fieldname not in seg.schema:
            return None
        try:
            return seg.schema[fieldname].to_bytes(text)
        except ValueError:
            return None

    def _term(self, seg: _Segment, fieldname: str, text: Any, boost: float) -> _Node:
        btext = self._btext(seg, fieldname, text)
        if btext is None or not seg.has_term(fieldname, btext):
            return _EMPTY
        how = self._scorer(seg, fieldname, btext)
        if how is None:
            return self._whoosh(wq.Term(fieldname, text, boost=boost), seg, _TOP, True)
        postings = seg.postings(fieldname, btext)
        if how[0] == "weight":
            return _WeightTerm(postings, boost)
        _, idf, k1, b, avgfl = how

        def norm(d: int) -> float:
            return k1 * ((1 - b) + b * seg.reader.doc_field_length(d, fieldname, 1) / avgfl)

        norms = seg.norms((fieldname, k1, b, avgfl), postings, norm)
        return _BM25Term(postings, idf, k1, norms, boost)

    def _estimate(self, q: wq.Query, seg: _Segment) -> int:
        """``q.estimate_size(segment reader)``, with document frequencies cached."""
        kind = type(q)
        if kind is wq.Term:
            btext = self._btext(seg, q.fieldname, q.text)
            return 0 if btext is None else seg.doc_frequency(q.fieldname, btext)
        if kind is wq.And:
            return min(self._estimate(s, seg) for s in q.subqueries)
        if kind in (wq.Or, CombinedFields, wq.AndNot, wq.AndMaybe):
            return min(sum(self._estimate(s, seg) for s in q.subqueries), seg.reader.doc_count())
        if kind is wq.Phrase:
            return min(self._estimate(wq.Term(q.fieldname, w), seg) for w in q.words)
        if kind is SpanNear2:
            return min(self._estimate(s, seg) for s in q.qs)
        if kind is DateFilter:
            return self._estimate(q.child, seg)
        return q.estimate_size(seg.reader)

    def _and(self, q: wq.And, seg: _Segment, ctx: _Context, scored: bool) -> _Node:
        subs = q.subqueries
        if not subs:
            return _EMPTY
        if len(subs) == 1:
            return self._compile(subs[0], seg, ctx, scored)
        nodes = [(0 - self._estimate(s, seg), self._compile(s, seg, ctx, scored)) for s in subs]
        if any(not node.docs() for _, node in nodes):
            return _EMPTY
        tree = _weighted_tree(nodes, _Intersection)
        return _Boost(tree, q.boost) if q.boost != 1.0 else tree

    def _or(
        self, q: wq.Query, subs: Any, boost: float, seg: _Segment, ctx: _Context, scored: bool
    ) -> _Node:
        if not subs:
            return _EMPTY
        if len(subs) == 1:
            return self._compile(subs[0], seg, ctx, scored)
        if len(subs) < _OR_TOO_MANY_CLAUSES and (
            ctx.needs_current or len(subs) == 2 or seg.doc_count_all > _OR_ARRAY_MAX_DOCS
        ):
            tree = _weighted_tree(
                [(self._estimate(s, seg), self._compile(s, seg, ctx, scored)) for s in subs], _Union
            )
            return _Boost(tree, boost) if boost != 1.0 else tree
        return _ArrayUnion([self._compile(s, seg, ctx, scored) for s in subs], boost, ctx.weighted)

    def _combined(self, q: CombinedFields, seg: _Segment, ctx: _Context, scored: bool) -> _Node:
        terms = q.subqueries
        if not all(type(t) is wq.Term for t in terms) or not isinstance(self.weighting, BM25F):
            return self._whoosh(q, seg, ctx, scored)
        if not ctx.weighted:  # CombinedFields scores as a plain Or then
            return self._or(q, terms, q.boost, seg, ctx, scored)
        present = []
        for t in terms:
            btext = self._btext(seg, t.fieldname, t.text)
            if btext is not None and seg.has_term(t.fieldname, btext):
                present.append((t.fieldname, btext))
        if not present:
            return _EMPTY
        postings = seg.combined(present)
        stats = self._combined_stats(q)
        idf, k1, b, average, boosts = stats
        reader = seg.reader

        def norm(d: int) -> float:
            length = sum((reader.doc_field_length(d, f, 0) or 0) * boost for f, boost in boosts)
            return k1 * (1 - b + b * length / average)

        norms = seg.norms(("+", boosts, k1, b, average), postings, norm)
        return _Combined(postings, idf, k1, norms, q.boost)

    def _combined_stats(self, q: CombinedFields) -> tuple:
        """CombinedFields' idf, K1, B, average weighted length and field boosts (index-wide numbers)."""
        key = ("combined", tuple((t.fieldname, t.text) for t in q.subqueries))
        found = self._stats.get(key)
        if found is None:
            parent, schema = self._parent, self.searcher.schema
            boosts = {t.fieldname: schema[t.fieldname].format.field_boost for t in q.subqueries}
            average = sum(parent.avg_field_length(f) * boost for f, boost in boosts.items()) or 1.0
            df = max(parent.doc_frequency(t.fieldname, t.text) for t in q.subqueries)
            idf = log(parent.doc_count_all() / (df + 1)) + 1
            found = self._stats[key] = (idf, self.weighting.K1, self.weighting.B, average, tuple(boosts.items()))
        return found

    def _phrase(self, q: wq.Phrase, seg: _Segment, scored: bool) -> _Node:
        fieldname = q.fieldname
        if fieldname not in seg.schema:
            return _EMPTY
        fmt = seg.schema[fieldname].format
        if not fmt or not fmt.supports("positions") or fmt.supports("characters"):
            return self._whoosh(q, seg, _TOP, scored)
        # Phrase.matcher: a SpanNear2 of the words' terms, ordered, each next to the one before.
        node = self._near([(fieldname, w, 1.0) for w in q.words], q.slop, True, 1, seg, scored)
        return _Boost(node, q.boost) if q.boost != 1.0 and scored else node

    def _near(
        self,
        words: list[tuple[str, Any, float]],
        slop: int,
        ordered: bool,
        mindist: int,
        seg: _Segment,
        scored: bool,
    ) -> _Node:
        """SpanNear2 of terms: their common documents where the positions fit; scores added as a halving tree.

        The candidates are the documents of the rarer words; a word with many
        more documents than the rarest (``of`` in "bank of england") is only
        looked up in those candidates, with its positions, never read whole.
        """
        terms = []
        for fieldname, text, boost in words:
            fmt = seg.schema[fieldname].format if fieldname in seg.schema else None
            btext = self._btext(seg, fieldname, text)
            how = self._scorer(seg, fieldname, btext) if btext is not None and seg.has_term(fieldname, btext) else None
            if not fmt or not fmt.supports("positions") or fmt.supports("characters") or (
                how is None and btext is not None and seg.has_term(fieldname, btext)
            ):
                spans = SpanNear2([wq.Term(f, t, boost=b) for f, t, b in words], slop=slop, ordered=ordered,
                                  mindist=mindist)
                return self._whoosh(spans, seg, _TOP, scored)
            if how is None:  # a word the segment does not have
                return _EMPTY
            terms.append((fieldname, btext, boost, how, seg.doc_frequency(fieldname, btext)))
        rarest = min(df for *_, df in terms)
        whole = [t for t in terms if t[4] <= max(_SPARSE_DF, _SPARSE_RATIO * rarest)]
        candidates: AbstractSet[int] | None = None
        for fieldname, btext, *_ in sorted(whole, key=lambda t: t[4]):
            docs = seg.postings(fieldname, btext).keys
            candidates = docs if candidates is None else candidates & docs
            if not candidates:
                return _EMPTY
        assert candidates is not None
        found = [seg.positions(fieldname, btext, candidates) for fieldname, btext, *_ in terms]
        if ordered and slop == 1 and mindist == 1:
            # A phrase: word i at p + i for some p; with positions as bit masks, m0 & (m1 >> 1) & ... != 0.
            masks = [entry.masks for entry in found]
            if len(masks) == 2:
                first, second = masks
                kept = {d for d in candidates if first[d] & (second[d] >> 1)}
            else:
                kept = {d for d in candidates if _adjacent([m[d] for m in masks])}
        else:
            lists = [seg.position_lists(fieldname, btext, candidates) for fieldname, btext, *_ in terms]
            kept = {d for d in candidates if _spans_fit([pos[d] for pos in lists], slop, ordered, mindist)}
        if not kept:
            return _EMPTY
        nodes: list[_Node] = []
        for (fieldname, btext, boost, how, _), entry in zip(terms, found):
            if any(t[0] == fieldname and t[1] == btext for t in whole):
                nodes.append(self._term(seg, fieldname, btext, boost))
            else:
                nodes.append(self._sparse_term(seg, fieldname, how, entry.weights, kept, boost))
        return _Filtered(_binary_tree(nodes, _Intersection), kept)

    def _sparse_term(
        self, seg: _Segment, fieldname: str, how: tuple, weights: dict[int, float], docs: AbstractSet[int],
        boost: float,
    ) -> _Node:
        """A term scored only in ``docs`` (all of which have it), from the weights its positions came with."""
        postings = _Postings(weights)
        if how[0] == "weight":
            return _WeightTerm(postings, boost)
        _, idf, k1, b, avgfl = how

        def norm(d: int) -> float:
            return k1 * ((1 - b) + b * seg.reader.doc_field_length(d, fieldname, 1) / avgfl)

        return _BM25Term(postings, idf, k1, seg.norms_for((fieldname, k1, b, avgfl), docs, norm), boost)

    def _multiterm(self, q: wq.Query, seg: _Segment, ctx: _Context, scored: bool) -> _Node:
        """Prefix/Wildcard: ``MultiTerm.matcher``, an Or of the expanded terms (unweighted if constantscore)."""
        words = [w for w in q._btexts(seg.reader) if w]
        if not words:
            return _EMPTY
        terms = [wq.Term(q.fieldname, w, boost=q.boost) for w in words]
        if len(terms) == 1:
            return self._compile(terms[0], seg, ctx, scored)
        inner = _Context(ctx.needs_current, False) if q.constantscore else ctx
        return self._or(wq.Or(terms), terms, 1.0, seg, inner, scored)


def _adjacent(masks: list[int]) -> bool:
    """Whether the words, as position bit masks, occur one right after the other (some p: word i at p + i)."""
    found = masks[0]
    for i in range(1, len(masks)):
        found &= masks[i] >> i
        if not found:
            return False
    return True


def _spans_fit(lists: list[tuple[int, ...]], slop: int, ordered: bool, mindist: int) -> bool:
    """``SpanNear2Matcher._get_spans`` on plain positions: whether any span fits.

    A span is (start, end); each next word must lie within ``slop`` of the
    span built so far, at a distance of at least ``mindist``, and (if
    ``ordered``) not before its start; the span then grows to cover it.
    """
    aspans = [(p, p) for p in lists[0]]
    i = 1
    while i < len(lists) and aspans:
        bspans = lists[i]
        spans = set()
        for astart, aend in aspans:
            j = bisect_left(bspans, astart if ordered else max(0, astart - slop))
            while j < len(bspans):
                q = bspans[j]
                j += 1
                if q < astart - slop or (ordered and astart > q):
                    continue
                if q > aend + slop:
                    break
                if astart <= q <= aend:
                    dist = 0
                elif aend < q:
                    dist = q - aend
                else:
                    dist = astart - q
                if mindist <= dist <= slop:
                    spans.add((min(astart, q), max(aend, q)))
        aspans = sorted(spans)
        i += 1
    return i == len(lists) and bool(aspans)


# -- results ---------------------------------------------------------------------------


class FoundDoc:
    """One hit: its document number, score (None when sorted by date) and stored fields on demand."""

    __slots__ = ("docnum", "score", "rank", "_searcher", "_fields")

    def __init__(self, searcher: Searcher, docnum: int, score: float | None, rank: int) -> None:
        self.docnum = docnum
        self.score = score
        self.rank = rank
        self._searcher = searcher
        self._fields: dict[str, Any] | None = None

    def fields(self) -> dict[str, Any]:
        if self._fields is None:
            self._fields = self._searcher.stored_fields(self.docnum)
        return self._fields

    def __getitem__(self, name: str) -> Any:
        return self.fields()[name]

    def __repr__(self) -> str:
        return f"FoundDoc(docnum={self.docnum}, score={self.score!r})"


class TopDocs:
    """The top hits of a search and the exact number of matches (``len()``), like Whoosh's ``Results``."""

    def __init__(self, searcher: Searcher, items: list[tuple[float | None, int]], total: int) -> None:
        self._searcher = searcher
        self.items = items
        self.total = total

    def __len__(self) -> int:
        return self.total

    def _hit(self, rank: int) -> FoundDoc:
        score, docnum = self.items[rank]
        return FoundDoc(self._searcher, docnum, score, rank)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self._hit(i) for i in range(*index.indices(len(self.items)))]
        return self._hit(range(len(self.items))[index])

    def __iter__(self) -> Iterator[FoundDoc]:
        return (self._hit(i) for i in range(len(self.items)))

    def scored_length(self) -> int:
        """How many hits were kept (at most the limit asked for)."""
        return len(self.items)

    def docnums(self) -> list[int]:
        return [docnum for _, docnum in self.items]
