"""Fast batch writing: each batch of ``NewsIndex.add`` becomes one Whoosh segment, built in bulk, on two cores.

Why this exists: Whoosh's ``SegmentWriter`` analyses each document into Token
objects, pushes every posting as a tuple into an external-sort pool (pickled
to run files when it fills), merge-sorts them all at commit and hands them to
the codec one call per posting. For news text that was most of the indexing
time. :class:`BatchWriter` keeps Whoosh's on-disk format (the W3 codec's
files, a segment per commit, Whoosh's table of contents) and changes only how
a batch gets there:

* documents are buffered for the batch (``NewsIndex.add`` commits every
  ``commit_every`` articles, so memory is bounded by the batch, not by the
  collection) and indexed ``chunk`` at a time as they come;
* newsindex's text fields are analysed with word caches
  (:class:`~newsindex.text.analysis.WordTerms`) that live for the whole run, and
  postings are kept per (field, term) in plain lists;
* each term's posting list is encoded at once into W3 blocks (what
  ``W3PostingsWriter`` writes a posting at a time), and the term table and
  the columns are written in bulk (see :class:`_Encoder` for the two byte-level
  choices that make the postings smaller: both read back by any Whoosh);
* with two cores, a helper process (forked once per run) indexes the field
  with the most text (the body: about half of the work) while the parent does
  the other fields, the stored articles and the columns; the helper gets that
  field's values as documents are buffered, and at commit hands the longest
  posting lists back to the parent, raw, to encode while it encodes the rest
  (the share is adjusted batch after batch so neither waits for the other).
  Every field is encoded whole by one process, so the segment is the one a
  single process writes; there is one segment per batch;
* small segments (a run's last batch, runs of a few articles) are merged once
  there are :data:`MERGE_COUNT` of them, so that they do not pile up.

The result is an ordinary W3 segment committed with Whoosh's own table of
contents: ``whoosh.index.open_dir`` opens it and plain Whoosh searches it.
Crash safety is Whoosh's: nothing is visible before the new TOC is renamed
into place; an abandoned segment's files are removed at once (after a kill, by
the next commit). A helper that fails is replaced by the parent doing its
field. Schemas with fields this module does not write (term vectors, spelling
fields) make :func:`supports` false, and a stock Whoosh writer is used.
"""

from __future__ import annotations

import gc
import struct
import time
import zlib
from array import array
from collections import defaultdict
from itertools import accumulate, chain, repeat
from operator import add, sub
from pickle import dumps
from typing import Any, Sequence

from whoosh import formats
from whoosh.analysis import IDTokenizer
from whoosh.codec.whoosh3 import (
    COMPRESSION_MIN_SIZE,
    LENGTHS_COLUMN,
    STORED_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
)
from whoosh.columns import VarBytesColumn
from whoosh.fields import KEYWORD, NUMERIC, UnknownFieldError
from whoosh.filedb.filetables import HashWriter, OrderedHashWriter, _pointer
from whoosh.index import TOC, LockError
from whoosh.system import pack_int, pack_uint, pack_ushort
from whoosh.util.filelock import try_for
from whoosh.util.numeric import length_to_byte
from whoosh.util.numlists import GrowableArray
from whoosh.writing import IndexingError, SegmentWriter

from . import processes
from .checksums import commit_toc
from ..text.analysis import LanguageWords, analysis_signature, word_terms
from ..text.stems import StemTable
from .postings import read_postings
from .schema import LANGUAGE_KEY
from .processes import can_fork, cpu_count

#: Batches smaller than this are written by one process: starting the second
#: costs more than it saves.
PARALLEL_MIN_DOCS = 1_000

#: Small segments (a run's last, short batch; runs of a few articles) are merged once there
#: are this many of them under MERGE_BELOW documents, so that they do not pile up.
MERGE_COUNT = 4
MERGE_BELOW = 5_000

_TERMINFO = struct.Struct("!BfIBBfIIqi")  # W3TermInfo's fields, then the postings' offset and length
_RECORD_HEADER = struct.Struct("!ii")  # HashWriter: key length, value length
_CRC_HASH = 1  # HashWriter hash type 1 (crc32); readers take the type from the file


def supports(schema) -> bool:  # type: ignore[no-untyped-def]
    """Whether :class:`BatchWriter` can write every field of ``schema``."""
    for _name, field in schema.items():
        if field.vector or field.separate_spelling():
            return False
        if field.indexed and not isinstance(field.format, formats.Format):
            return False
    return True


class AnalysisCaches:
    """Word caches (one per analyzer and language) that outlive one batch's writer, so later batches start warm."""

    def __init__(self) -> None:
        self._caches: dict[tuple[str, ...], LanguageWords | None] = {}

    def for_analyzer(self, analyzer: object) -> LanguageWords | None:
        key = tuple(analysis_signature(analyzer))  # type: ignore[arg-type]
        if key not in self._caches:
            words = word_terms(analyzer)
            self._caches[key] = LanguageWords(analyzer, words) if words is not None else None
        return self._caches[key]


def learned_stems(plans: list["_FieldPlan"]) -> list[tuple[str, dict[str, str]]]:
    """The stems NLTK gave the fields' word caches since the last call, per language (for :class:`StemTable`)."""
    caches = {id(plan.words): plan.words for plan in plans if plan.words is not None}
    return [found for words in caches.values() for found in words.take_learned()]


# -- what to do with each field -------------------------------------------------

#: How a field's value becomes postings (see _FieldPlan).
_TEXT, _ID, _REPEATED, _OTHER, _NONE = range(5)


class _FieldPlan:
    """How one schema field is indexed, stored and put in a column.

    ``kind`` says how a value becomes postings: ``_TEXT``, newsindex's own
    analyzers on a positions field (word caches, see :class:`WordTerms`);
    ``_ID``, a whole-value ID field (the value is the one term); ``_REPEATED``,
    a keyword or numeric field, whose few distinct values go through Whoosh's
    ``field.index`` once each; ``_OTHER``, ``field.index`` every time;
    ``_NONE``, not indexed.
    """

    __slots__ = ("name", "field", "kind", "words", "boost", "scorable", "stored", "column", "fixedsize")

    def __init__(self, name: str, field, words: LanguageWords | None) -> None:  # type: ignore[no-untyped-def]
        self.name = name
        self.field = field
        self.words = None
        if not field.indexed:
            self.kind = _NONE
        elif words is not None and type(field.format) is formats.Positions:
            self.kind = _TEXT
            self.words = words
        elif type(field.format) is formats.Existence and type(field.analyzer) is IDTokenizer:
            self.kind = _ID
        elif isinstance(field, (KEYWORD, NUMERIC)):
            self.kind = _REPEATED
        else:
            self.kind = _OTHER
        self.boost = field.format.field_boost if field.indexed else 1.0
        self.scorable = field.scorable
        self.stored = field.stored
        self.column = field.column_type
        self.fixedsize = field.format.fixed_value_size() if field.indexed else 0


def _plans(schema, caches: AnalysisCaches) -> list[_FieldPlan]:  # type: ignore[no-untyped-def]
    plans = []
    for name, field in schema.items():
        analyzer = getattr(field, "analyzer", None)
        words = caches.for_analyzer(analyzer) if analyzer is not None and field.indexed else None
        plans.append(_FieldPlan(name, field, words))
    return plans


def _child_fields(plans: list[_FieldPlan], docs: Sequence[dict]) -> set[str]:
    """The field a second process should do: the text field with the most text in this batch."""
    sizes = {}
    for plan in plans:
        if plan.kind == _TEXT:
            name = plan.name
            sizes[name] = sum(len(value) for value in (doc.get(name) for doc in docs) if value.__class__ is str)
    if not sizes or max(sizes.values()) == 0:
        return set()
    return {max(sizes, key=sizes.__getitem__)}


# -- analysis and encoded postings ------------------------------------------------


class _EncodedField:
    """The encoded posting lists of one field, terms in byte order.

    ``blob`` holds every term's posting list as W3 writes it (the header, then
    blocks, the last one's length negated); term ``i`` is
    ``blob[offsets[i]:offsets[i + 1]]``. The other arrays are its term info.
    """

    __slots__ = ("terms", "blob", "offsets", "df", "weight", "maxweight", "minlen", "maxlen", "minid", "maxid")

    def __init__(self) -> None:
        self.terms: list[bytes] = []
        self.blob = b""
        self.offsets = array("q")
        self.df = array("I")
        self.weight = array("d")
        self.maxweight = array("d")
        self.minlen = bytearray()
        self.maxlen = bytearray()
        self.minid = array("I")
        self.maxid = array("I")

    def __getstate__(self):  # type: ignore[no-untyped-def]
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state) -> None:  # type: ignore[no-untyped-def]
        for name, value in state.items():
            setattr(self, name, value)


class _Part:
    """What one process contributes to a segment (picklable, to come back from the child)."""

    def __init__(self, per_document: bool) -> None:
        self.per_document = per_document
        self.fields: dict[str, _EncodedField] = {}
        self.lengths: dict[str, bytearray] = {}  # field -> length byte per document
        self.totals: dict[str, int] = {}  # field -> sum of its lengths
        self.stored: list[bytes | None] = []  # per document: pickled, compressed stored fields
        self.columns: dict[str, list] = {}  # field -> column value per document (None: none)


class _Float32(dict):
    """weight -> the weight as the float32 a W3 block keeps it (``array("f")``)."""

    def __missing__(self, weight: float) -> float:
        value = self[weight] = array("f", (weight,))[0]
        return value


class _Encoder:
    """Encodes whole posting lists into W3 blocks: the blocks ``W3PostingsWriter`` writes a posting at a time.

    Two differences in the bytes, both read by any Whoosh (a block is
    unpickled whatever its protocol; a positions value is unpickled after its
    count, see :func:`_positions_value`): a block worth compressing is pickled
    with protocol 4 rather than 2, and positions values are 5 bytes shorter.
    Protocol 2 spells each positions value (a ``bytes``) as a call to
    ``_codecs.encode`` on a latin-1 string, protocol 4 stores the bytes as
    they are: such blocks are a third smaller before compression and about
    half the size after it, and pickling and compressing them takes about
    half the time. Blocks too small to compress are protocol 2, as Whoosh's.
    """

    def __init__(self, codec: W3Codec) -> None:
        self.blocklimit = codec._blocklimit
        self.level = codec._compression

    def encode(self, plan: _FieldPlan, acc: dict, text: bool, lengths: bytearray | None) -> _EncodedField:
        """Encode ``acc`` (term -> (docnums, weights or, for text, frequencies, values))."""
        out = _EncodedField()
        if text:
            order = sorted(acc)  # text sorts as its UTF-8 bytes do (code point order)
            out.terms = [term.encode("utf-8") for term in order]
        else:
            order = out.terms = sorted(acc)
        fixed = plan.fixedsize
        variable = fixed is None or fixed < 0
        boost = plan.boost if text else None
        blocklimit = self.blocklimit
        level = self.level
        f32 = _Float32()
        compress = zlib.compress
        minsize = COMPRESSION_MIN_SIZE
        magic = WHOOSH3_HEADER_MAGIC
        pieces: list[bytes] = []
        append = pieces.append
        pos = 0
        offsets = out.offsets
        df_a, w_a, mw_a = out.df, out.weight, out.maxweight
        minlen_a, maxlen_a, minid_a, maxid_a = out.minlen, out.maxlen, out.minid, out.maxid
        lenget = lengths.__getitem__ if lengths is not None else None
        for key in order:
            ids, weights, values = acc[key]
            n = len(ids)
            offsets.append(pos)
            append(magic)
            pos += 4
            if n == 1:  # most terms: one posting, one small block
                docnum = ids[0]
                w = weights[0] * boost if boost is not None else weights[0]
                w32 = f32[w]
                value = values[0]
                if variable:
                    vmini = (value,) if value else ()
                elif fixed == 0:
                    vmini = None
                else:
                    vmini = value
                data = dumps(((docnum,), None if w32 == 1.0 else w32, vmini), 2)
                comp = 0
                if len(data) >= minsize:
                    data = compress(dumps(((docnum,), None if w32 == 1.0 else w32, vmini), 4), level)
                    comp = level
                lb = lenget(docnum) if lenget is not None else 0
                info = dumps((1, docnum, w, comp, lb, lb), 2)
                size = len(info) + len(data)
                append(pack_int(-size))
                append(info)
                append(data)
                pos += 4 + size
                df_a.append(1)
                w_a.append(w32)
                mw_a.append(w)
                minlen_a.append(lb)
                maxlen_a.append(lb)
                minid_a.append(docnum)
                maxid_a.append(docnum)
                continue
            if boost is not None:  # text fields keep frequencies: the weight is frequency x field boost
                weights = [f * boost for f in weights]
            total = 0.0
            maxw = 0
            minlb = 0
            maxlb = 0
            start = 0
            while True:
                end = start + blocklimit
                if start == 0 and n <= blocklimit:
                    bids, bw, bv = ids, weights, values
                else:
                    bids = ids[start:end]
                    bw = weights[start:end]
                    bv = values[start:end]
                count = len(bids)
                last = end >= n
                # ids: delta-coded, the first one from zero
                idt = tuple(map(sub, bids, [0] + bids[:-1]))
                wa = array("f", bw)
                w0 = wa[0]
                if wa.count(w0) == count:
                    wmini = None if w0 == 1.0 else w0
                else:
                    wmini = tuple(wa)
                total += sum(wa)
                bmax = max(bw)
                if bmax > maxw:
                    maxw = bmax
                # W3PostingsWriter drops empty values, then keeps a tuple (variable size),
                # nothing (no values) or the values joined (fixed size)
                if variable:
                    vmini = tuple(bv) if all(bv) else tuple(v for v in bv if v)
                elif fixed == 0:
                    vmini = None
                else:
                    vmini = b"".join(bv)
                data = dumps((idt, wmini, vmini), 4)
                if len(data) >= minsize:
                    data = compress(data, level)
                    comp = level
                else:
                    data = dumps((idt, wmini, vmini), 2)
                    comp = 0
                if lenget is not None:
                    lbs = list(map(lenget, bids))
                    bminlb = min(lbs)
                    bmaxlb = max(lbs)
                    if not minlb or (bminlb and bminlb < minlb):
                        minlb = bminlb
                    if bmaxlb > maxlb:
                        maxlb = bmaxlb
                else:
                    bminlb = bmaxlb = 0
                info = dumps((count, bids[-1], bmax, comp, bminlb, bmaxlb), 2)
                size = len(info) + len(data)
                append(pack_int(-size if last else size))
                append(info)
                append(data)
                pos += 4 + size
                if last:
                    break
                start = end
            df_a.append(n)
            w_a.append(total)
            mw_a.append(maxw)
            minlen_a.append(minlb)
            maxlen_a.append(maxlb)
            minid_a.append(ids[0])
            maxid_a.append(ids[-1])
        offsets.append(pos)
        out.blob = b"".join(pieces)
        return out


def _positions_value(positions: list[int]) -> bytes:
    """What ``Positions.encode`` makes of ``positions``, in fewer bytes.

    Whoosh writes the count, then the position deltas pickled with protocol 2
    (``\\x80\\x02]q\\x00K\\x05a.``); ``Positions.decode_positions`` unpickles
    whatever follows the count. Here the pickle is protocol 1 without the
    list's memo entry (``]K\\x05a.``): the same list for any reader, five bytes
    fewer per posting, which the index and its compression notice.
    """
    pickled = dumps([positions[0], *map(sub, positions[1:], positions)], 1)
    return pack_uint(len(positions)) + b"]" + pickled[3:]  # drop "]q\x00": the list and its memo entry


class _SinglePositions(dict):
    """position -> :func:`_positions_value` of ``[position]`` (most postings of news text are one occurrence)."""

    def __missing__(self, pos: int) -> bytes:
        value = self[pos] = _positions_value([pos])
        return value


class _Builder:
    """Indexes documents into per-term posting lists, then encodes them: one process's share of a batch.

    ``index`` names the indexed fields it does; with ``per_document`` it also
    keeps each document's stored fields and column values. :meth:`add` takes
    documents in order (numbered from 0 in the batch), :meth:`finish` encodes.
    What it does to a document is what ``SegmentWriter.add_document`` does,
    field by field in name order, except that postings go into per-term lists
    instead of a sorting pool, to be encoded a whole list at a time.
    """

    def __init__(self, plans: list[_FieldPlan], codec: W3Codec, index: set[str], per_document: bool = True) -> None:
        self.codec = codec
        self.per_document = per_document
        self.plans = {plan.name: plan for plan in plans}
        self.kinds = {plan.name: plan.kind if plan.name in index else _NONE for plan in plans}
        self.indexed = {name for name, kind in self.kinds.items() if kind != _NONE}
        self.acc: dict[str, dict] = {name: {} for name, kind in self.kinds.items() if kind != _NONE}
        self.repeated: dict[str, dict] = {name: {} for name, kind in self.kinds.items() if kind == _REPEATED}
        self.wanted = None if per_document else sorted(self.acc)  # without per-document work: these fields only
        self.lengths: dict[str, list[int]] = defaultdict(list)  # field -> [(docnum, length byte)...] flattened
        self.totals: dict[str, int] = defaultdict(int)
        self.stored: list[bytes | None] = []
        self.columns: dict[str, dict[int, Any]] = defaultdict(dict)
        self.singles = _SinglePositions()
        self.count = 0

    def add(self, docs: Sequence[dict]) -> None:
        collecting = gc.isenabled()
        gc.disable()  # millions of lists and tuples, no cycles: the collector would only rescan the heap
        try:
            self._add(docs)
        finally:
            if collecting:
                gc.enable()

    def _add(self, docs: Sequence[dict]) -> None:
        plans = self.plans
        kinds = self.kinds
        acc = self.acc
        repeated = self.repeated
        lengths = self.lengths
        totals = self.totals
        per_document = self.per_document
        stored_out = self.stored
        cols = self.columns
        singles = self.singles
        value_of = _positions_value
        stored_level = getattr(getattr(STORED_COLUMN, "_child", None), "_level", 3)
        compress = zlib.compress
        wanted = self.wanted
        for docnum, fields in enumerate(docs, self.count):
            stored: dict[str, Any] = {}
            language = fields.get(LANGUAGE_KEY)
            for name in sorted(fields) if wanted is None else wanted:
                value = fields.get(name)
                if value is None or name == LANGUAGE_KEY:
                    continue
                plan = plans[name]
                kind = kinds[name]
                length = 0
                if kind == _TEXT and value.__class__ is str:
                    terms = plan.words.of(language).terms(value)
                    if terms:
                        length = len(terms)
                        postings = acc[name]
                        seen: dict[str, Any] = {}
                        for position, term in enumerate(terms):
                            first = seen.get(term)
                            if first is None:
                                seen[term] = position
                            elif first.__class__ is int:
                                seen[term] = [first, position]
                            else:
                                first.append(position)
                        get = postings.get
                        for term, where in seen.items():
                            entry = get(term)
                            if where.__class__ is int:
                                if entry is None:
                                    postings[term] = ([docnum], [1], [singles[where]])
                                else:
                                    d, f, v = entry
                                    d.append(docnum)
                                    f.append(1)
                                    v.append(singles[where])
                            elif entry is None:
                                postings[term] = ([docnum], [len(where)], [value_of(where)])
                            else:
                                d, f, v = entry
                                d.append(docnum)
                                f.append(len(where))
                                v.append(value_of(where))
                elif kind == _ID and value.__class__ is str:
                    # Existence format, IDTokenizer: the whole value is the one term; weight = field boost
                    tbytes = value.encode("utf-8")
                    length = 1
                    postings = acc[name]
                    entry = postings.get(tbytes)
                    if entry is None:
                        postings[tbytes] = ([docnum], [plan.boost * 1.0], [b""])
                    else:
                        entry[0].append(docnum)
                        entry[1].append(plan.boost * 1.0)
                        entry[2].append(b"")
                elif kind != _NONE:
                    if kind == _REPEATED:
                        seen_values = repeated[name]
                        key = (value.__class__, value)
                        try:
                            items = seen_values.get(key)
                        except TypeError:  # unhashable (a list of values)
                            items = None
                            seen_values = None
                        if items is None:
                            items = list(plan.field.index(value))
                            if seen_values is not None and len(seen_values) < 10_000:
                                seen_values[key] = items
                    else:
                        items = plan.field.index(value)
                    postings = acc[name]
                    for tbytes, freq, weight, vbytes in items:
                        length += freq
                        if kind == _TEXT:  # a list of words in a text field: kept as the fast path keeps them
                            tbytes = tbytes.decode("utf-8")
                            weight = freq
                        else:
                            weight = weight * 1.0
                        entry = postings.get(tbytes)
                        if entry is None:
                            postings[tbytes] = ([docnum], [weight], [vbytes or b""])
                        else:
                            entry[0].append(docnum)
                            entry[1].append(weight)
                            entry[2].append(vbytes or b"")
                if length and plan.scorable:
                    column = lengths[name]
                    column.append(docnum)
                    column.append(length_to_byte(length))
                    totals[name] += length
                if per_document:
                    if plan.stored:
                        stored[name] = value
                    if plan.column is not None:
                        cols[name][docnum] = plan.field.to_column_value(value)
            if per_document:
                stored_out.append(compress(dumps(stored, 2), stored_level) if stored else None)
        self.count += len(docs)

    def finish(self) -> _Part:
        """Encode what was added; the builder is spent."""
        collecting = gc.isenabled()
        gc.disable()
        try:
            part = _Part(self.per_document)
            count = self.count
            for name in self.lengths:
                part.lengths[name] = self.length_column(name)
            part.totals = dict(self.totals)
            part.stored = self.stored
            for name, values in self.columns.items():
                column_values = part.columns[name] = [None] * count
                for docnum, value in values.items():
                    column_values[docnum] = value
            encoder = _Encoder(self.codec)
            for name, postings in self.acc.items():
                if postings:
                    part.fields[name] = encoder.encode(
                        self.plans[name], postings, self.kinds[name] == _TEXT, part.lengths.get(name)
                    )
            self.acc = {}
            return part
        finally:
            if collecting:
                gc.enable()


    def length_column(self, name: str) -> bytearray:
        """The length byte of field ``name`` for each document added."""
        column = bytearray(self.count)
        flat = self.lengths.get(name, ())
        for docnum, lb in zip(flat[0::2], flat[1::2]):
            column[docnum] = lb
        return column

    def handover(self, name: str, share: float) -> dict:
        """Take out the terms of field ``name`` with the longest posting lists, ``share`` of its postings.

        They are the costliest to encode (many blocks to pickle and compress) and
        the cheapest to send (a few lists): another process can encode them.
        """
        postings = self.acc.get(name) or {}
        total = sum(map(len, (entry[0] for entry in postings.values())))
        goal = share * total
        taken: dict = {}
        if goal <= 0:
            return taken
        moved = 0
        for term in sorted(postings, key=lambda t: len(postings[t][0]), reverse=True):
            if moved >= goal:
                break
            entry = taken[term] = postings.pop(term)
            moved += len(entry[0])
        return taken


def build_part(plans: list[_FieldPlan], docs: Sequence[dict], codec: W3Codec, index: set[str],
               per_document: bool = True) -> _Part:
    """Index and encode ``docs`` in one go (see :class:`_Builder`)."""
    builder = _Builder(plans, codec, index, per_document)
    builder.add(docs)
    return builder.finish()


# -- writing the segment ------------------------------------------------------------------


class _TermTable(OrderedHashWriter):
    """Whoosh's ordered hash file of term infos (the ``.trm`` file), filled a field at a time."""

    def __init__(self, dbfile) -> None:  # type: ignore[no-untyped-def]
        # The file records its hash function and readers follow it: crc32 costs far less than md5.
        HashWriter.__init__(self, dbfile, hashtype=_CRC_HASH)
        self.index = GrowableArray("H")
        self.lastkey = b""
        self._positions: list[int] = []

    def add_all(self, keys: list[bytes], values: list[bytes]) -> None:  # type: ignore[override]
        """Add records whose keys are in increasing order (and above every key added before)."""
        if not keys:
            return
        if keys[0] <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{keys[0]!r}")
        dbfile = self.dbfile
        sizes = list(map(add, map(len, keys), map(len, values)))
        positions = list(accumulate(map(add, sizes, repeat(_RECORD_HEADER.size)), initial=dbfile.tell()))
        positions.pop()
        heads = map(_RECORD_HEADER.pack, map(len, keys), map(len, values))
        dbfile.write(b"".join(chain.from_iterable(zip(heads, keys, values))))
        buckets = self.buckets
        for h, p in zip(map(zlib.crc32, keys), positions):
            buckets[h & 255].append((h, p))
        self._positions.extend(positions)
        self.lastkey = keys[-1]

    def _write_hashes(self) -> None:
        # HashWriter._write_hashes, writing each table at once rather than a slot at a time.
        dbfile = self.dbfile
        pack = _pointer.pack
        empty = (0, 0)
        for entries in self.buckets:
            pos = dbfile.tell()
            numslots = 2 * len(entries)
            self.directory.append((pos, numslots))
            table = [empty] * numslots
            for hashval, position in entries:
                slot = (hashval >> 8) % numslots
                while table[slot] != empty:
                    slot = (slot + 1) % numslots
                table[slot] = (hashval, position)
            if table:
                dbfile.write(b"".join([pack(h, p) for h, p in table]))

    def close(self):  # type: ignore[no-untyped-def]
        positions = self._positions
        top = positions[-1] if positions else 0
        # The type GrowableArray("H") would have grown to with these numbers.
        code = "H" if top < 2**16 else "i" if top < 2**31 else "I" if top < 2**32 else "q"
        self.index.array = array(code, positions)
        return super().close()


class _SegmentFiles:
    """The files of a new segment, written part by part: postings and columns as parts come, the term table last.

    The posting lists of a field can go anywhere in the ``.pst`` file (each
    term info says where), so a part's fields are written as soon as it is
    ready; the ``.trm`` table needs every field's terms in field order, so it
    is written by :meth:`close`.
    """

    def __init__(self, storage, segment, schema, doccount: int) -> None:  # type: ignore[no-untyped-def]
        self.storage = storage
        self.segment = segment
        self.schema = schema
        self.doccount = doccount
        self.postfile = segment.create_file(storage, W3Codec.POSTS_EXT)
        self.base = 0
        self.terms: dict[str, list[tuple[list[bytes], list[bytes]]]] = defaultdict(list)  # field -> [(terms, infos)]
        self.fieldlengths: dict[str, int] = defaultdict(int)
        self.stored_written = False
        self.columns_written: set[str] = set()

    def add(self, part: _Part) -> None:
        """Write a part's posting lists and columns."""
        for name, enc in part.fields.items():
            self.add_terms(name, enc)
        if part.per_document:
            # Stored fields: already pickled and compressed as STORED_COLUMN does: written as plain bytes.
            self._column("_stored", VarBytesColumn.Writer, part.stored)
            self.stored_written = True
        for name, lengths in part.lengths.items():
            self._column(f"_{name}_len", LENGTHS_COLUMN.writer, [lb or None for lb in lengths])
            self.fieldlengths[name] += part.totals[name]
        for name, values in part.columns.items():
            self._column(name, self.schema[name].column_type.writer, values)

    def add_terms(self, name: str, enc: _EncodedField) -> None:
        """Write posting lists of field ``name`` (a field may come in several pieces, no term in two)."""
        count = len(enc.terms)
        offsets = enc.offsets
        starts = map(add, offsets[:-1], repeat(self.base, count))
        sizes = map(sub, offsets[1:], offsets[:-1])
        infos = list(map(
            _TERMINFO.pack, repeat(0, count), enc.weight, enc.df, enc.minlen, enc.maxlen,
            enc.maxweight, enc.minid, enc.maxid, starts, sizes,
        ))
        self.postfile.write(enc.blob)
        self.base += len(enc.blob)
        self.terms[name].append((enc.terms, infos))

    def forget(self, name: str) -> None:
        """Drop what was written of field ``name`` (its posting lists stay in the file, unreferenced)."""
        self.terms.pop(name, None)

    def _column(self, name: str, writer_of, values) -> None:  # type: ignore[no-untyped-def]
        self.columns_written.add(name)
        f = self.storage.create_file(W3Codec.column_filename(self.segment, name))
        try:
            writer = writer_of(f)
            add_value = writer.add
            for docnum, value in enumerate(values):
                if value is not None:
                    add_value(docnum, value)
            writer.finish(self.doccount)
        finally:
            f.close()

    def close(self) -> None:
        """Write the term table and close the postings; the segment's files are then complete."""
        try:
            if not self.stored_written:
                self._column("_stored", VarBytesColumn.Writer, [])
            # Every column in every segment, empty where no article of the batch has a value (a
            # batch of feed items without places): Whoosh's MultiReader leaves a segment without
            # the column out and reads its documents in the segment before, past its end.
            for name, field in self.schema.items():
                if field.column_type is not None and name not in self.columns_written:
                    self._column(name, field.column_type.writer, [])
            table = _TermTable(self.segment.create_file(self.storage, W3Codec.TERMS_EXT))
            try:
                fieldmap = table.extras["fieldmap"] = {}
                for fieldid, name in enumerate(sorted(self.terms)):
                    fieldmap[name] = fieldid
                    pieces = self.terms[name]
                    if len(pieces) == 1:
                        terms, infos = pieces[0]
                    else:  # each piece is in term order, no term is in two: sort the records by term
                        terms, infos = zip(*sorted(chain.from_iterable(zip(t, i) for t, i in pieces)))
                    table.add_all(list(map(pack_ushort(fieldid).__add__, terms)), list(infos))
            finally:
                table.close()
        finally:
            self.postfile.close()
        self.segment._fieldlengths = self.fieldlengths

    def abandon(self) -> None:
        try:
            self.postfile.close()
        except Exception:  # noqa: BLE001 - the files are being thrown away
            pass


# -- merging small segments ---------------------------------------------------------


def _merged_part(storage, schema, plans: list[_FieldPlan], segments: list) -> tuple[_Part, int]:  # type: ignore[no-untyped-def]
    """The documents still live in ``segments``, renumbered in order, as one part (postings re-encoded)."""
    from whoosh.reading import SegmentReader
    from whoosh.util.numeric import byte_to_length

    by_name = {plan.name: plan for plan in plans}
    part = _Part(per_document=True)
    acc: dict[str, dict] = defaultdict(dict)
    lengths: dict[str, list] = defaultdict(list)
    totals: dict[str, int] = defaultdict(int)
    columns: dict[str, list] = defaultdict(list)
    stored: list = []
    count = 0
    collecting = gc.isenabled()
    gc.disable()
    try:
        for segment in segments:
            reader = SegmentReader(storage, schema, segment)
            try:
                n = segment.doc_count_all()
                live = [not segment.is_deleted(d) for d in range(n)]
                newnum = [None] * n
                for old, alive in enumerate(live):
                    if alive:
                        newnum[old] = count
                        count += 1
                perdoc = reader._perdoc
                raw = perdoc.column_reader("_stored", VarBytesColumn()) if perdoc.has_column("_stored") else None
                stored.extend((raw[d] or None) if raw is not None else None for d in range(n) if live[d])
                alive = sum(live)
                fieldlengths = getattr(segment, "_fieldlengths", None) or {}
                for plan in plans:
                    name = plan.name
                    if plan.column is not None:
                        if perdoc.has_column(name):
                            column = perdoc.column_reader(name, plan.column)
                            columns[name].extend(column[d] for d in range(n) if live[d])
                        else:
                            columns[name].extend([None] * alive)
                    if plan.scorable:
                        if perdoc.has_column(f"_{name}_len"):
                            column = perdoc.column_reader(f"_{name}_len", LENGTHS_COLUMN)
                            old_bytes = [column[d] for d in range(n)]
                            lengths[name].extend(b for b, keep in zip(old_bytes, live) if keep)
                            # Deleted documents' lengths are known only by their one-byte encodings.
                            gone = sum(byte_to_length(b) for b, keep in zip(old_bytes, live) if not keep)
                            totals[name] += fieldlengths.get(name, 0) - gone
                        else:
                            lengths[name].extend([0] * alive)
                terms = reader._terms
                for (name, tbytes), info in terms.items():
                    plan = by_name.get(name)
                    if plan is None or plan.kind == _NONE:
                        continue
                    # The term's info is at hand: terms.matcher() would look it up again in the table.
                    matcher = terms._codec.postings_reader(terms._postfile, info, plan.field.format, term=(name, tbytes))
                    ids, weights, values = read_postings(matcher, values=True)
                    values = [value or b"" for value in values]
                    keep = [(newnum[i], w, v) for i, w, v in zip(ids, weights, values) if newnum[i] is not None]
                    if not keep:
                        continue
                    entry = acc[name].get(tbytes)
                    if entry is None:
                        entry = acc[name][tbytes] = ([], [], [])
                    entry[0].extend(k[0] for k in keep)
                    entry[1].extend(k[1] for k in keep)
                    entry[2].extend(k[2] for k in keep)
            finally:
                reader.close()
        part.stored = stored
        for name, values in columns.items():
            if any(value is not None for value in values):
                part.columns[name] = values
        for name, values in lengths.items():
            if any(values):
                part.lengths[name] = bytearray(values)
                part.totals[name] = totals[name]
        encoder = _Encoder(W3Codec())
        for name, postings in acc.items():
            part.fields[name] = encoder.encode(by_name[name], postings, False, part.lengths.get(name))
        return part, count
    finally:
        if collecting:
            gc.enable()


def _merge_small(storage, indexname, schema, plans: list[_FieldPlan], segments: list) -> list:  # type: ignore[no-untyped-def]
    """``segments`` with the small ones merged into one, once there are MERGE_COUNT of them."""
    small = [segment for segment in segments if segment.doc_count_all() < MERGE_BELOW]
    if len(small) < MERGE_COUNT:
        return segments
    part, count = _merged_part(storage, schema, plans, small)
    codec = W3Codec()
    segment = codec.new_segment(storage, indexname)
    files = _SegmentFiles(storage, segment, schema, count)
    try:
        files.add(part)
        files.close()
        segment.set_doc_count(count)
        segment.create_compound_file(storage)
    except BaseException:
        files.abandon()
        for name in segment.list_files(storage):
            try:
                storage.delete_file(name)
            except OSError:
                pass
        raise
    merged = [s for s in segments if s not in small]
    return [*merged, segment] if count else merged


# -- the second process ---------------------------------------------------------------


def _helper_main(inbox, outbox, parent_ends, plans, codec, fields) -> None:  # type: ignore[no-untyped-def]
    """The helper's loop: index the documents' ``fields`` as they come; at each end of batch, send the part."""
    processes.enter(parent_ends)
    (name,) = fields
    builder = _Builder(plans, codec, fields, per_document=False)
    failure: BaseException | None = None
    while True:
        try:
            message = inbox.recv()
        except (EOFError, OSError):
            return
        try:
            if message[0] == "docs":
                if failure is None:
                    builder.add([{name: value, LANGUAGE_KEY: language} for value, language in message[1]])
            elif message[0] == "end":  # ("end", share): hand over share of the postings raw, encode the rest
                if failure is None:
                    share = message[1]
                    if share > 0:
                        collecting = gc.isenabled()
                        gc.disable()
                        try:
                            outbox.send(("raw", builder.handover(name, share), builder.length_column(name)))
                        finally:
                            if collecting:
                                gc.enable()
                    outbox.send(("ok", builder.finish(), learned_stems(plans)))
                else:
                    outbox.send(("error", failure))
                builder = _Builder(plans, codec, fields, per_document=False)
                failure = None
        except Exception as exc:  # noqa: BLE001 - reported to the parent at the end of the batch
            failure = processes.portable(exc)


class _HelperFailed(Exception):
    """The helper process could not do its part; the parent does it instead."""


class _Helper:
    """A forked process that indexes one field of every batch while the parent does the rest.

    The parent sends it that field's values as documents are buffered, so it
    works while the parent is still preparing documents and indexing its own
    fields; at commit it returns the field's encoded posting lists. The pipe
    to it is made as large as the system allows (1 MB on Linux), so the
    parent is rarely kept waiting by a send.
    """

    def __init__(self, plans: list[_FieldPlan], codec: W3Codec, field: str) -> None:
        self.field = field
        self._process, self._outbox, self._inbox = processes.start(
            _helper_main, (plans, codec, {field}), "newsindex-indexer"
        )

    def send(self, values: list) -> None:
        try:
            self._outbox.send(("docs", values))
        except (OSError, ValueError) as exc:
            raise _HelperFailed("the indexing helper process is gone") from exc

    def end(self, share: float) -> None:
        """End the batch: the helper hands over ``share`` of its postings raw (a "raw" message), then its part."""
        try:
            self._outbox.send(("end", share))
        except (OSError, ValueError) as exc:
            raise _HelperFailed("the indexing helper process is gone") from exc

    def receive(self) -> tuple:
        """The next message: ("raw", postings, lengths) or ("ok", part)."""
        try:
            message = self._inbox.recv()
        except (EOFError, OSError, ValueError) as exc:
            raise _HelperFailed(f"the indexing helper process ended (exit code {self._process.exitcode})") from exc
        except Exception as exc:  # noqa: BLE001 - a message that does not unpickle
            raise _HelperFailed("the indexing helper process sent nonsense") from exc
        if message[0] == "error":
            raise _HelperFailed("the indexing helper process failed") from message[1]
        return message

    def stop(self) -> None:
        processes.stop(self._process, self._outbox, self._inbox)


class IndexingSession:
    """What the batch writers of one indexing run share: word caches, and the helper process.

    The caller (``NewsIndex.add``) keeps one for a run and lends it to each
    batch's :class:`BatchWriter`, so later batches start with warm caches and
    the same helper; :meth:`close` ends the helper. ``procs`` is how many
    processes may index (default: two where there are two cores and ``fork``,
    else one). The helper is started when a batch reaches ``parallel_min``
    documents: smaller runs are done in one process. Documents go to the
    indexers ``chunk`` at a time.
    """

    def __init__(self, procs: int | None = None, parallel_min: int | None = None, chunk: int = 256) -> None:
        self.caches = AnalysisCaches()
        if procs is None:
            procs = min(2, cpu_count()) if can_fork() else 1
        self.procs = procs
        self.parallel_min = PARALLEL_MIN_DOCS if parallel_min is None else parallel_min
        self.chunk = chunk
        self.helper: _Helper | None = None
        self.broken = False
        #: Share of the helper's postings (its longest lists) that the parent encodes: the helper's
        #: field is usually more work than all the others together. Adjusted batch after batch.
        self.share = 0.5

    def may_start_helper(self) -> bool:
        """Whether a batch should wait for ``parallel_min`` documents to see if a helper is worth it."""
        return self.helper is None and not self.broken and self.procs > 1

    def start_helper(self, plans: list[_FieldPlan], codec: W3Codec, docs: Sequence[dict]) -> _Helper | None:
        fields = _child_fields(plans, docs)
        if fields:
            try:
                self.helper = _Helper(plans, codec, next(iter(fields)))
            except OSError:  # no fork here (resources, a sandbox): one process it is
                self.broken = True
        return self.helper

    def rebalance(self, waited_raw: float, waited_part: float) -> None:
        """Move encoding work towards the process that waited for the other at the end of the batch."""
        if waited_raw > 0.05 or waited_part > 0.05:  # the parent waited for the helper
            self.share = min(0.9, self.share + 0.1)
        else:  # the helper's part was there: the parent is the slower one
            self.share = max(0.0, self.share - 0.05)

    def helper_failed(self) -> None:
        """The helper failed or its batch was abandoned: stop it, and index in one process from now on."""
        self.broken = True
        self.close()

    def close(self) -> None:
        helper, self.helper = self.helper, None
        if helper is not None:
            helper.stop()


# -- the writer -------------------------------------------------------------------------


def committed(writer: SegmentWriter) -> bool:
    """Whether the writer's commit has reached its commit point: its TOC renamed into place.

    An interruption (Ctrl-C) can land after that and before ``commit`` returns;
    the batch is then in the index, and cancelling must not remove its files.
    """
    return writer.storage.file_exists(TOC._filename(writer.indexname, writer.generation))



class BatchWriter(SegmentWriter):
    """A Whoosh writer that buffers the documents of a batch and writes them as one segment at commit.

    It takes the index's write lock, deletes (``delete_document``,
    ``delete_by_term``, ``update_document``) and commits as Whoosh's
    ``SegmentWriter`` does; ``add_document`` buffers, and ``commit`` builds
    the segment (see the module's docstring). ``session`` carries the word
    caches and the helper process from one batch's writer to the next.
    Documents may not use Whoosh's ``_boost``/``_stored_`` keywords.
    """

    def __init__(self, ix, session: IndexingSession | None = None,  # type: ignore[no-untyped-def]
                 timeout: float = 0.0, delay: float = 0.1) -> None:
        self.writelock = ix.lock("WRITELOCK")
        if not try_for(self.writelock.acquire, timeout=timeout, delay=delay):
            raise LockError
        try:
            self.codec = W3Codec()
            self.storage = ix.storage
            self.indexname = ix.indexname
            info = ix._read_toc()
            self.generation = info.generation + 1
            self.schema = info.schema
            self.segments = info.segments
            self.docnum = self.docbase = 0
            self._setup_doc_offsets()
        except BaseException:
            self.writelock.release()
            raise
        self.session = session if session is not None else IndexingSession(procs=1)
        self.is_closed = False
        self._added = False
        self._docs: list[dict] = []
        self._plans: list[_FieldPlan] | None = None
        self._builder: _Builder | None = None  # this process's share, once it is known
        self._fed = 0  # documents given to the indexers so far
        self._helper: _Helper | None = None
        self._files: _SegmentFiles | None = None
        #: (language, word -> stem) that NLTK gave this batch's word caches, kept at commit.
        self._stems: list[tuple[str, dict[str, str]]] = []
        self._searcher = None
        self.newsegment = None
        self.merge = True
        self.optimize = False
        self.mergetype = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {len(self._docs)} documents buffered>"

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        schema = self.schema
        for name in fields:
            if name == LANGUAGE_KEY:
                continue
            if name.startswith("_"):
                raise IndexingError(f"{type(self).__name__} does not take the {name!r} keyword")
            if name not in schema:
                raise UnknownFieldError(f"No field named {name!r} in {schema}")
        self._docs.append(fields)
        self._added = True
        self.docnum += 1
        if len(self._docs) - self._fed >= self.session.chunk:
            self._advance()

    def _advance(self, final: bool = False) -> None:
        """Index the documents buffered since the last time (the helper gets its field of them)."""
        if self._builder is None and not self._start(final):
            return
        docs = self._docs[self._fed:]
        self._fed = len(self._docs)
        if self._helper is not None:
            name = self._helper.field
            try:
                self._helper.send([(doc.get(name), doc.get(LANGUAGE_KEY)) for doc in docs])
            except _HelperFailed:  # its field is done here at commit
                self._drop_helper()
        self._builder.add(docs)

    def _start(self, final: bool) -> bool:
        """Decide who indexes what in this batch; False to wait (a helper may yet be worth starting)."""
        session = self.session
        plans = self._plans_now()
        if session.may_start_helper():
            if len(self._docs) >= session.parallel_min:
                session.start_helper(plans, self.codec, self._docs)
            elif not final:
                return False
        self._helper = session.helper
        theirs = {self._helper.field} if self._helper is not None else set()
        indexed = {plan.name for plan in plans if plan.kind != _NONE}
        self._builder = _Builder(plans, self.codec, indexed - theirs)
        return True

    def _plans_now(self) -> list[_FieldPlan]:
        if self._plans is None:
            self._plans = _plans(self.schema, self.session.caches)
        return self._plans

    def _drop_helper(self) -> None:
        self._helper = None
        self.session.helper_failed()

    def add_reader(self, reader) -> None:  # type: ignore[no-untyped-def]
        raise IndexingError(f"{type(self).__name__} does not merge readers")

    def doc_count(self) -> int:
        return len(self._docs)

    def _build(self, docs: list[dict]):  # type: ignore[no-untyped-def]
        """Write ``docs`` as a new segment; return it."""
        self._advance(final=True)
        builder, self._builder = self._builder, None
        helper = self._helper
        storage = self.storage
        segment = self.newsegment = self.codec.new_segment(storage, self.indexname)
        files = self._files = _SegmentFiles(storage, segment, self.schema, len(docs))
        files.add(builder.finish())
        plans = self._plans_now()
        rest = {plan.name for plan in plans if plan.kind != _NONE} - builder.indexed  # the helper's field
        if rest and helper is not None:
            try:
                self._collect(helper, files)
                rest = set()
            except _HelperFailed:  # whatever went wrong there, its field is done here instead
                files.forget(helper.field)
                self._drop_helper()
        if rest:
            files.add(build_part(plans, docs, self.codec, rest, per_document=False))
        files.close()
        self._files = None
        segment.set_doc_count(len(docs))
        segment.create_compound_file(storage)
        return segment

    def _collect(self, helper: _Helper, files: _SegmentFiles) -> None:
        """Take the helper's part: encode the postings it hands over raw while it encodes the rest."""
        session = self.session
        name = helper.field
        asked = time.monotonic()
        helper.end(session.share)
        message = helper.receive()
        waited_raw = time.monotonic() - asked
        if message[0] == "raw":
            _, postings, lengths = message
            collecting = gc.isenabled()
            gc.disable()
            try:
                plan = next(plan for plan in self._plans_now() if plan.name == name)
                files.add_terms(name, _Encoder(self.codec).encode(plan, postings, True, lengths))
                del postings
            finally:
                if collecting:
                    gc.enable()
            asked = time.monotonic()
            message = helper.receive()
        files.add(message[1])
        self._stems += message[2]
        session.rebalance(waited_raw, time.monotonic() - asked)

    def commit(self, mergetype=None, optimize=None, merge=None) -> None:  # type: ignore[no-untyped-def]
        self._check_state()
        try:
            segments = list(self.segments)
            if self._docs:
                segments.append(self._build(self._docs))
            if merge is not False and self.merge:
                segments = _merge_small(self.storage, self.indexname, self.schema, self._plans_now(), segments)
            self._keep_stems()
            self._commit_toc(segments)
        except BaseException:
            self._abandon()
            raise
        self._finish()

    def _commit_toc(self, segments: list) -> None:  # type: ignore[type-arg]
        # Whoosh's commit point, with a checksum of every file of the new generation written first.
        commit_toc(self.storage, self.indexname, TOC(self.schema, segments, self.generation), segments)

    def _keep_stems(self) -> None:
        """Add the stems NLTK gave this batch to the index's :class:`StemTable` (before the commit point:
        a stem kept for a batch that then fails to commit is still the word's stem)."""
        folder = getattr(self.storage, "folder", None)
        if folder is None:
            return
        by_language: dict[str, dict[str, str]] = {}
        for language, stems in [*self._stems, *learned_stems(self._plans_now())]:
            by_language.setdefault(language, {}).update(stems)
        for language, stems in by_language.items():
            table = StemTable(folder, language)
            try:
                table.add(stems)
            finally:
                table.close()

    def cancel(self) -> None:
        self._check_state()
        self._abandon()

    def _abandon(self) -> None:
        """Drop the buffer and a half-written segment's files, end the helper's batch, release the lock."""
        try:
            if self._files is not None:
                self._files.abandon()
                self._files = None
            if self._helper is not None:
                # Its state for this batch is of no use: end it (a run being abandoned ends it).
                self._drop_helper()
            segment = self.newsegment
            if segment is not None and not committed(self):
                for name in segment.list_files(self.storage):
                    try:
                        self.storage.delete_file(name)
                    except OSError:
                        pass  # the next commit's clean-up removes it
        finally:
            self._finish()

    def _finish(self) -> None:
        if self._searcher is not None:
            self._searcher._orig_close()
            self._searcher = None
        self._docs = []
        self._helper = None
        if self.writelock:
            self.writelock.release()
            self.writelock = None
        self.is_closed = True

    def _cleanup_on_error(self) -> None:
        self._abandon()
