"""Stories: near-duplicates and close retellings of one event, grouped as articles arrive.

An article joins the story of the most similar earlier article that passes
every check below, or starts a new story whose id is its own id. Grouping
is incremental and never compares an article with every other one:

1. **Candidates (LSH).** Each article is reduced to a weighted sample of 16
   of its content words (:func:`newsindex.stories.vectors.weighted_sample`: a
   bottom-k MinHash in which a word is drawn in proportion to its TF-IDF
   weight), drawn among words no more frequent than 1% of the articles, plus
   one key for its exact bag of words. The keys go into an SQL table of one
   row per key and 24-day period, which lists the articles (date and number)
   that have the key: the candidates of a new article are the stored articles
   sharing a key with it *and published within two days of it*, so a lookup
   reads one or two short rows per key however large the collection is.
   The 8 candidates sharing most keys (at least two, unless the article is
   too short to have 8 keys) are verified.
2. **Verification.** TF-IDF cosine of the content words (the same score as
   "similar articles") of at least 0.5 (0.9 when either text is a table,
   i.e. 40% or more of its words are figures: price and rate tables share
   most of their numbers from one hour to the next).
3. **Different names in the same template.** Wire services send thousands of
   templated items ("X sets quarterly payout", "Y raises crude postings 50
   cts"); two of them about different companies share everything but the
   name. Such a pair is refused when *each* side has a word the other lacks
   that carries 10% or more of its weight (two different names in the same
   slot) -- unless one of them is a correction ("corrected", "correction"),
   which is exactly a repeat with a changed figure.
4. **No chaining.** The story's first article must be within the same two
   days and must itself be close (cosine 0.4, no conflicting names), so a
   daily series ("Fed adds reserves...") cannot grow one story a day forever.

The thresholds were set on Reuters-21578 (repeated and corrected wire
stories, series of templated notices and market tables) and the two seed
articles (a report and a rewrite of it, cosine about 0.6); see
``tests/test_stories.py`` for the cases that pin them. On all of Reuters-21578
this makes 2,027 stories of two or more articles (4,370 articles; the
largest has 6), about four in five of them right by eye; what still goes
wrong is mostly templates differing on one side only (two fund payouts, one
naming its fund "High-Yield") and the same morning's reports of neighbouring
markets. Grouping costs about 0.47 ms an article (a third of it the text
analysis; 0.46 ms on average over Reuters x25, 539,450 articles) and the
store about 0.37 KB an article, the sketch included (4 MB in memory, 0.3 MB
on disk), the same at x25.

Document frequencies come from a fixed-size counting sketch (2^20 counters,
4 MB, persisted with the store), updated article by article, so their memory
does not grow with the vocabulary, and **the stories depend only on the order
in which articles arrive, not on where the batches are cut**: assigning in one
batch or in many gives the same stories.

An article's words are stored as numbers in the store's vocabulary (a word
is numbered when it is first seen), about 1.6 bytes a word (a 32-bit hash and
a count would take 5); the vocabulary takes 4 bytes a word on disk and about
100 in the writer's memory (58,541 words for Reuters-21578). The words of the
last 8,192 stored articles used are kept decoded, since candidates are recent.

The store is one SQLite file in the index directory (:data:`FILE_NAME`),
written in transactions that follow the index's: call :meth:`StoryStore.commit`
right after each Whoosh commit and :meth:`StoryStore.rollback` when a batch is
cancelled. If a crash falls between the two commits, :meth:`StoryStore.sync`
repairs the difference; :attr:`StoryStore.marker` (written by ``commit``)
tells when that is needed.

Shards: each shard keeps its own store and its own stories (an article's
story is found within its shard). :class:`StoryStats` of shards add up
(:meth:`StoryStats.merge`). To merge two shards' stores into one, replay the
smaller shard's articles (read back from its index), in published order,
through :meth:`StoryStore.assign` of the larger one: linear, since each
article costs one candidate lookup, and the replay rebuilds stories, sizes
and the sketch (two sketches would also merge by adding them counter by
counter, which is what the replay amounts to).
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import sqlite3
import struct
import sys
import zlib
from array import array
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from itertools import filterfalse, islice
from operator import itemgetter, mul
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence, TypeVar

from ..ingest.article import Article
from ..errors import NewsIndexError
from .vectors import MIN_COLLECTION, ContentWords, term_hash, tf_weight, weighted_sample

#: The store's file in the index directory.
FILE_NAME = "stories.sqlite"
#: Bumped when the tables or the grouping change so that old stores must be rebuilt.
FORMAT = 2

#: Cosine an article needs with an earlier one to join its story.
THRESHOLD = 0.5
#: Cosine it needs with the story's first article (against chaining).
FOUNDER_THRESHOLD = 0.4
#: Cosine needed when either article is a table (see :data:`TABLE_SHARE`).
TABLE_THRESHOLD = 0.9
#: Share of an article's words that are figures from which it counts as a table.
TABLE_SHARE = 0.4
#: A word one side lacks that carries this share of the other's squared weight is a "name".
CONFLICT = 0.1
#: Articles more than this many seconds apart (both dated) are never one story.
WINDOW = 2 * 86_400

#: Words sampled per article, and how rare a word must be to be sampled.
SAMPLE_SIZE = 16
KEY_DF_SHARE = 0.01
KEY_DF_MIN = 20
#: An article with fewer eligible words samples its rarest ones, at least this many.
KEY_MIN = 4
#: Candidates verified per article (those sharing most keys). On Reuters-21578 the
#: story an article joins is that of its first candidate 92% of the time and of one
#: of its first eight 99.5% of the time.
VERIFY = 8
#: Articles read per key for an undated article (no date range to narrow the lookup).
UNDATED_CAP = 200
#: Articles counted at most per date range of a candidate lookup (a guard; never reached on Reuters).
LOOKUP_CAP = 20_000

#: Words whose hash is kept between articles (the cache is emptied when it is full).
HASH_CACHE = 1_000_000
#: Stored articles whose words are kept decoded between articles. Candidates are recent
#: articles: on Reuters-21578, 99.99% of them are among the last 4,096 assigned.
STORED_CACHE = 8192

#: The ``t`` of an undated article (seconds since 1970 otherwise).
UNDATED = -(2**62)

_SKETCH_BITS = 20
_SKETCH_MASK = (1 << _SKETCH_BITS) - 1
_PART_BITS = 14
_PART_SIZE = 1 << _PART_BITS
_PARTS = 1 << (_SKETCH_BITS - _PART_BITS)
#: Words per stored part of the vocabulary.
_WORDS_PART_BITS = 12
_WORDS_PART_SIZE = 1 << _WORDS_PART_BITS

#: A key's articles are kept per period of 2^21 seconds (24 days): a date range
#: reads one or two rows per key, and a row holds a few articles, not one.
_PERIOD_BITS = 21
_PERIOD_MASK = (1 << _PERIOD_BITS) - 1
_UNDATED_PERIOD = UNDATED >> _PERIOD_BITS
#: One article of a key's row: its ``t`` within the period (low 16 bits, high 8 bits) and its num.
_POSTING = struct.Struct("<HBI")
_postings = _POSTING.iter_unpack
#: Keys (unsigned 32-bit hashes) are stored less this, as signed 32-bit integers: SQLite
#: stores those in 4 bytes (hashes from 2^31 up would take 6), and they sort as the hashes do.
_KEY_BIAS = 1 << 31

_TABLE = 1
_CORRECTION = 2
_DIGIT = re.compile(r"\d").search

#: Stems that mark a correction notice, per language (Snowball stems of "corrected",
#: "correction", "corrects"). Only English is known; in other languages a correction
#: that changes a name or a figure may start a story of its own.
CORRECTION_STEMS: Mapping[str, frozenset[str]] = MappingProxyType({"english": frozenset({"correct"})})

# articles: ``terms`` are its words (:func:`_encode_terms`), ``digest`` 64 bits of its content
# hash. stories: ``name`` is NULL while it is the id of the story's first article (``num``), as
# for most; it is written when that article goes and the story lives on, or when that id was
# taken. A story is its first article and those that joined it (``articles_joined``). keys: a
# key's articles in one period (:data:`_POSTING` each). sketch, words: the document frequencies
# and the vocabulary, in parts rewritten when they change.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    num INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    digest BLOB NOT NULL,
    story INTEGER NOT NULL,
    t INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    terms BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_joined ON articles (story) WHERE story != num;
CREATE TABLE IF NOT EXISTS stories (
    num INTEGER PRIMARY KEY,
    t INTEGER NOT NULL,
    size INTEGER NOT NULL,
    name TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS stories_name ON stories (name) WHERE name IS NOT NULL;
CREATE TABLE IF NOT EXISTS keys (
    key INTEGER NOT NULL,
    period INTEGER NOT NULL,
    postings BLOB NOT NULL,
    PRIMARY KEY (key, period)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sketch (part INTEGER PRIMARY KEY, counts BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS words (part INTEGER PRIMARY KEY, hashes BLOB NOT NULL);
"""

#: The name of story ``s``.
_NAME = "coalesce(s.name, (SELECT f.id FROM articles f WHERE f.num = s.num))"
#: The articles of story ?1: its first one, then those that joined it.
_MEMBERS = (
    "SELECT {columns} FROM articles WHERE num = ?1 AND story = ?1 "
    "UNION ALL SELECT {columns} FROM articles WHERE story = ?1 AND story != num"
)
_ADD_POSTING = (
    "INSERT INTO keys (key, period, postings) VALUES (?, ?, ?) "
    "ON CONFLICT (key, period) DO UPDATE SET postings = CAST(postings || excluded.postings AS BLOB)"
)
#: Bound parameters per statement (SQLite's lowest limit is 999).
_CHUNK = 500

#: 1 + ln(tf) for the term frequencies a store keeps (capped at 255).
_TF = tuple(tf_weight(count) for count in range(256))


@dataclass(frozen=True)
class StoryStats:
    """How the articles of a store group into stories.

    ``multi``: stories of two or more articles; ``grouped``: the articles in
    them. Stores of different shards hold different articles, so their stats
    add up (:meth:`merge`).
    """

    articles: int
    stories: int
    multi: int
    grouped: int
    largest: int

    def merge(self, other: "StoryStats") -> "StoryStats":
        """The stats of two shards together."""
        return StoryStats(
            articles=self.articles + other.articles,
            stories=self.stories + other.stories,
            multi=self.multi + other.multi,
            grouped=self.grouped + other.grouped,
            largest=max(self.largest, other.largest),
        )

    def to_dict(self) -> dict[str, int]:
        return {"articles": self.articles, "stories": self.stories, "multi": self.multi,
                "grouped": self.grouped, "largest": self.largest}


@dataclass(frozen=True)
class StoryRef:
    """The story an article belongs to and how many articles it has (this one included)."""

    story: str
    size: int


class _Stored(NamedTuple):
    """One stored article as verification needs it: hashed word -> tf weight, in stored order.

    Its TF-IDF vector is worked out anew for each article it is a candidate of,
    since the document frequencies change with every article.
    """

    num: int
    story: int
    t: int
    flags: int
    tfs: dict[int, float]


def _to_le(values: array) -> bytes:
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _packed(counts: array) -> bytes:
    """A part of the sketch as stored: compressed, since a small or young index leaves it mostly zeros
    (uncompressed, the 4 MB sketch alone would not fit where a few articles' index does)."""
    return zlib.compress(_to_le(counts), 1)


def _from_le(typecode: str, blob: bytes) -> array:
    values = array(typecode)
    values.frombytes(blob)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def _encode_terms(ids: Sequence[int], counts: Iterable[int]) -> bytes:
    """An article's words as stored: vocabulary ids, ascending, as varints of the gap to the
    previous id (doubled, plus one when the word occurs more than once), then those counts
    (one byte each). About 1.6 bytes a word, where a 32-bit hash and its count took 5."""
    out = bytearray()
    extra = bytearray()
    value = len(ids)
    while value > 127:
        out.append(value & 127 | 128)
        value >>= 7
    out.append(value)
    previous = 0
    for word, count in zip(ids, counts):
        value = (word - previous) << 1
        previous = word
        if count > 1:
            value |= 1
            extra.append(count)
        while value > 127:
            out.append(value & 127 | 128)
            value >>= 7
        out.append(value)
    return bytes(out + extra)


def _decode_terms(blob: bytes) -> tuple[list[int], list[int]]:
    """Vocabulary ids and counts of :func:`_encode_terms`."""
    values: list[int] = []
    value = shift = end = 0
    for end, byte in enumerate(blob, 1):
        if byte & 128:
            value |= (byte & 127) << shift
            shift += 7
            continue
        values.append(value | byte << shift)
        value = shift = 0
        if len(values) > values[0]:
            break
    extra = iter(blob[end:])
    ids, counts = [], []
    word = 0
    for value in values[1:]:
        word += value >> 1
        ids.append(word)
        counts.append(next(extra) if value & 1 else 1)
    return ids, counts


def _exact_key(terms: bytes) -> int:
    """The key of an article's exact bag of words: a 32-bit hash of its stored ``terms``, which
    hold each word once, by vocabulary id (the same for a word throughout a store), with its count."""
    return int.from_bytes(hashlib.blake2b(terms, digest_size=4).digest(), "little")


def _digest(content_hash: str) -> bytes:
    """What is stored of an article's content hash: 64 bits tell a changed article well enough."""
    return hashlib.blake2b(content_hash.encode("utf-8"), digest_size=8).digest()


def _posting(t: int, num: int) -> bytes:
    offset = t & _PERIOD_MASK
    return _POSTING.pack(offset & 0xFFFF, offset >> 16, num)


def _seconds(moment: datetime | None) -> int:
    return UNDATED if moment is None else int(moment.timestamp())


def _close_in_time(a: int, b: int) -> bool:
    return a == UNDATED or b == UNDATED or abs(a - b) <= WINDOW


def _conflict(a: dict[int, float], a2: float, b: dict[int, float], b2: float) -> bool:
    """Does each side have a word the other lacks carrying ``CONFLICT`` of its squared weight?"""
    top = max(map(a.__getitem__, filterfalse(b.__contains__, a)), default=0.0)  # weights are >= 0
    if top * top / a2 < CONFLICT:
        return False
    top = max(map(b.__getitem__, filterfalse(a.__contains__, b)), default=0.0)
    return top * top / b2 >= CONFLICT


def _cosine(a: dict[int, float], a2: float, b: dict[int, float], b2: float) -> float:
    """TF-IDF cosine. The dot product is summed over the shared words only, in the smaller
    vector's order: the same float as over all its words (the others add 0.0), at C speed."""
    if len(a) > len(b):
        a, b = b, a
    shared = list(filter(b.__contains__, a))
    dot = sum(map(mul, map(a.__getitem__, shared), map(b.__getitem__, shared)))
    return min(1.0, dot / math.sqrt(a2 * b2)) if dot > 0 else 0.0


def _surely_below(vector: dict[int, float], norm2: float, terms: Mapping[int, float], needed: float) -> bool:
    """Is the cosine of ``vector`` with one over ``terms`` (any weights) surely below ``needed``?

    By Cauchy-Schwarz it is at most the root of the share of ``vector``'s squared
    norm that is in the words they share, which needs none of the other's weights
    (each an idf to work out). On Reuters this turns away two candidates in three
    before their vectors are made. The margin is far above the rounding of either
    side (1e-13 for a thousand words), so what it turns away the cosine would have.
    """
    shared = list(map(vector.__getitem__, filter(terms.__contains__, vector)))
    return sum(map(mul, shared, shared)) < norm2 * (needed * (1 - 1e-9)) ** 2


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    return (values[start : start + _CHUNK] for start in range(0, len(values), _CHUNK))


F = TypeVar("F", bound=Callable[..., Any])


def _reported(method: F) -> F:
    """Turn SQLite's errors (disk full, read-only file, a writer holding the lock too long)
    into one-line :class:`NewsIndexError` messages, as the index's own errors are."""
    @functools.wraps(method)
    def wrapper(self: "StoryStore", *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise NewsIndexError(f"{self.path}: story store: {exc}") from None
    return wrapper  # type: ignore[return-value]


#: What to do when the story store is damaged: it is made from the index, so it can be made again.
REGROUP = "delete it and run newsindex index again to regroup the stories from the index"


class StoryStore:
    """The stories of one index: a side store in the index directory (SQLite).

    Open it with :meth:`open`; use it as a context manager. Writing methods
    (:meth:`assign`, :meth:`remove`) work in a transaction that
    :meth:`commit` ends and :meth:`rollback` discards, as the index's writer
    does. One writer at a time (the index's write lock); readers may read
    while it writes and see its last commit.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection, language: str) -> None:
        self.path = path
        self.language = language
        self._db = connection
        self._words = ContentWords(language)
        self._corrections = CORRECTION_STEMS.get(language, frozenset())
        #: word -> term_hash(word): news vocabularies are Zipfian, so most words repeat;
        #: and which of those words hold a figure.
        self._hashes: dict[str, int] = {}
        self._figures: set[str] = set()
        self._in_transaction = False
        # Writer state, loaded when a transaction begins.
        self._sketch: array | None = None
        self._saved: dict[int, array] = {}
        #: The vocabulary: id -> hashed word, hashed word -> id, and how many ids are committed.
        self._vocabulary: list[int] = []
        self._ids: dict[int, int] = {}
        self._committed_words = 0
        self._stored: OrderedDict[int, _Stored] = OrderedDict()
        self._collection = float(MIN_COLLECTION)  # N of the idf, for the article being assigned
        self._generation = -1
        self._articles = 0
        self._undated = 0  # undated articles: lookups read their keys' rows only if there are some
        self._next_num = 1

    # -- opening -----------------------------------------------------------

    @classmethod
    def open(cls, directory: str | Path, language: str = "english", create: bool = True) -> "StoryStore":
        """Open the store in ``directory`` (an index directory), creating both if absent.

        With ``create=False`` a missing store raises :class:`NewsIndexError`
        instead (a reader should not leave an empty store beside an index
        whose articles it does not hold; see :meth:`sync`). A store made for
        another language, or by an incompatible version, raises
        :class:`NewsIndexError` (rebuild the index to rebuild it).
        """
        path = Path(directory) / FILE_NAME
        if not create and not path.is_file():
            raise NewsIndexError(f"{path}: no story store here")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Any thread may use the connection, one at a time: a NewsIndex is used by one
            # thread at a time (the web server serialises its requests' use of the index).
            db = sqlite3.connect(str(path), isolation_level=None, timeout=10.0, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise NewsIndexError(f"{path}: cannot open the story store: {exc}") from None
        try:
            # A store is made in two steps (the tables, then its meta rows in one transaction): a
            # process killed between them leaves tables and no meta, which is a store never written.
            if (not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone()
                    or not db.execute("SELECT 1 FROM meta WHERE name = 'format'").fetchone()):
                db.execute("PRAGMA journal_mode=WAL")  # readers go on reading while the writer writes
                db.executescript(_SCHEMA)
                db.execute("BEGIN IMMEDIATE")
                db.executemany(
                    "INSERT OR IGNORE INTO meta (name, value) VALUES (?, ?)",
                    [("format", str(FORMAT)), ("language", language), ("articles", "0"), ("undated", "0"),
                     ("generation", "0")],
                )
                db.execute("COMMIT")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA cache_size=-65536")
            meta = dict(db.execute("SELECT name, value FROM meta"))
        except (OSError, sqlite3.Error) as exc:
            db.close()
            damaged = isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)
            raise NewsIndexError(f"{path}: cannot open the story store: {exc}" + (f"; {REGROUP}" if damaged else "")) from None
        if meta.get("format") != str(FORMAT):
            db.close()
            raise NewsIndexError(f"{path}: story store format {meta.get('format')}, expected {FORMAT}; rebuild the index")
        if meta.get("language") != language:
            db.close()
            raise NewsIndexError(f"{path}: story store made for {meta.get('language')}, not {language}; rebuild the index")
        return cls(path, db, language)

    def close(self) -> None:
        """Close the file; an uncommitted transaction is rolled back."""
        if self._in_transaction:
            self.rollback()
        self._db.close()

    def __enter__(self) -> "StoryStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions --------------------------------------------------------

    def _begin(self) -> None:
        if self._in_transaction:
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._in_transaction = True
        generation = int(self._meta("generation"))
        if self._sketch is None or generation != self._generation:
            self._load_sketch()
            self._load_vocabulary()
            self._stored.clear()
            self._generation = generation
        self._articles = int(self._meta("articles"))
        self._undated = int(self._meta("undated"))
        row = self._db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'articles'").fetchone()
        self._next_num = (row[0] if row else 0) + 1
        self._saved = {}

    def _meta(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def _load_sketch(self) -> None:
        sketch = array("I", bytes(4 << _SKETCH_BITS))
        for part, blob in self._db.execute("SELECT part, counts FROM sketch"):
            sketch[part * _PART_SIZE : (part + 1) * _PART_SIZE] = _from_le("I", zlib.decompress(blob))
        self._sketch = sketch

    def _load_vocabulary(self) -> None:
        words: list[int] = []
        for (blob,) in self._db.execute("SELECT hashes FROM words ORDER BY part"):
            words.extend(_from_le("I", blob))
        self._vocabulary = words
        self._ids = dict(zip(words, range(len(words))))
        self._committed_words = len(words)

    @_reported
    def commit(self, marker: str | None = None) -> None:
        """Make everything assigned or removed since the last commit permanent.

        ``marker`` (e.g. the Whoosh index's generation after its commit) is
        kept, so that a later run can tell whether the store matches the index
        without comparing every id (:attr:`marker`).
        """
        if not self._in_transaction:
            if marker is None or marker == self.marker:
                return
            self._begin()
        sketch = self._sketch
        assert sketch is not None
        db = self._db
        words = self._vocabulary
        # The parts of the vocabulary that new words went into (words are only ever appended).
        new_parts = range(0)
        if len(words) > self._committed_words:
            new_parts = range(self._committed_words >> _WORDS_PART_BITS, ((len(words) - 1) >> _WORDS_PART_BITS) + 1)
        try:
            db.executemany(
                "INSERT OR REPLACE INTO sketch (part, counts) VALUES (?, ?)",
                [(part, _packed(sketch[part * _PART_SIZE : (part + 1) * _PART_SIZE])) for part in sorted(self._saved)],
            )
            db.executemany(
                "INSERT OR REPLACE INTO words (part, hashes) VALUES (?, ?)",
                [(part, _to_le(array("I", words[part * _WORDS_PART_SIZE : (part + 1) * _WORDS_PART_SIZE])))
                 for part in new_parts],
            )
            self._generation += 1
            rows = [("articles", str(self._articles)), ("undated", str(self._undated)),
                    ("generation", str(self._generation))]
            if marker is not None:
                rows.append(("marker", marker))
            db.executemany("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", rows)
            db.execute("COMMIT")
        except BaseException:
            try:
                self.rollback()
            except NewsIndexError:
                pass  # the error that made the commit fail is the one to report
            raise
        self._in_transaction = False
        self._saved = {}
        self._committed_words = len(words)

    @_reported
    def rollback(self) -> None:
        """Discard everything since the last commit (the store is as it was then)."""
        if not self._in_transaction:
            return
        try:
            self._db.execute("ROLLBACK")
        finally:
            self._in_transaction = False
            if self._sketch is not None:
                for part, counts in self._saved.items():
                    self._sketch[part * _PART_SIZE : (part + 1) * _PART_SIZE] = counts
            self._saved = {}
            for word in self._vocabulary[self._committed_words :]:
                del self._ids[word]
            del self._vocabulary[self._committed_words :]
            self._stored.clear()  # the batch's articles are gone, and their nums will be given again

    @property
    @_reported
    def marker(self) -> str | None:
        """The marker of the last :meth:`commit` that gave one (None if none did)."""
        return self._meta("marker")

    # -- writing -------------------------------------------------------------

    @_reported
    def assign(self, articles: Iterable[Article]) -> dict[str, str]:
        """Put each article into a story, in the order given; return id -> story id.

        An article joins the story of its most similar verified earlier
        article (stored, or assigned earlier in this uncommitted batch), or
        starts a new story named by its id. An id already stored with the
        same content is left alone; with other content it is replaced (and
        grouped again). An article's story id never changes after this, so
        it may be written into the index with the article.
        """
        self._begin()
        db = self._db
        assigned: dict[str, str] = {}
        iterator = iter(articles)
        while chunk := list(islice(iterator, _CHUNK)):
            # Which ids are stored, and which are names of stories, asked for the chunk at
            # once: most articles are new, and new stories are named by their ids.
            ids = list(dict.fromkeys(article.id for article in chunk))
            marks = ",".join("?" * len(ids))
            stored = {row[0] for row in db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", ids)}
            named = {row[0] for row in db.execute(f"SELECT name FROM stories WHERE name IN ({marks})", ids)}
            for article in chunk:
                story = assigned[article.id] = self._assign(article, article.id in stored, article.id in named)
                stored.add(article.id)
                named.add(story)
        return assigned

    @_reported
    def remove(self, ids: Iterable[str]) -> int:
        """Take articles out of their stories; return how many were stored.

        A story keeps its id when its first article goes; a story left empty
        is dropped.
        """
        self._begin()
        removed = 0
        for article_id in ids:
            row = self._db.execute("SELECT num FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is not None:
                self._remove(row[0])
                removed += 1
        return removed

    @_reported
    def sync(
        self, index: Mapping[str, str], load: Callable[[str], Article], marker: str | None = None
    ) -> tuple[int, int]:
        """Make the store hold exactly the index's articles; return (removed, assigned).

        ``index`` maps every indexed id to its content hash (what
        ``NewsIndex._content_hashes()`` reads from columns); ``load`` returns
        the indexed article of an id. Ids the index no longer has are removed,
        ids it has with other content or not at all are assigned, then all is
        committed with ``marker``. It reads every stored id and digest, so call
        it when :attr:`marker` says the store lags (after a crash between the
        two commits), not on every run.
        """
        stored = dict(self._db.execute("SELECT id, digest FROM articles"))
        gone = [article_id for article_id in stored if article_id not in index]
        missing = [article_id for article_id, digest in index.items() if stored.get(article_id) != _digest(digest)]
        del stored
        if gone:
            self.remove(gone)
        if missing:
            self.assign(load(article_id) for article_id in missing)
        self.commit(marker)
        return len(gone), len(missing)

    def _count(self, terms: Sequence[int], delta: int) -> None:
        """Add ``delta`` to the document frequency of each hashed word (saving parts for rollback)."""
        sketch, saved = self._sketch, self._saved
        assert sketch is not None
        if len(saved) < _PARTS:
            for part in {(term & _SKETCH_MASK) >> _PART_BITS for term in terms}.difference(saved):
                saved[part] = sketch[part * _PART_SIZE : (part + 1) * _PART_SIZE]
        if delta > 0:
            for term in terms:
                sketch[term & _SKETCH_MASK] += delta
        else:
            for term in terms:
                slot = term & _SKETCH_MASK
                value = sketch[slot] + delta
                sketch[slot] = value if value > 0 else 0

    def _vector(self, tfs: dict[int, float]) -> tuple[dict[int, float], float]:
        """TF-IDF vector (current document frequencies) and its squared norm, summed in stored order."""
        sketch = self._sketch
        assert sketch is not None
        # idf() inlined: this runs for every word of the article and of candidates that may pass.
        articles, log = self._collection, math.log
        weights = [tf * log(1.0 + articles / (sketch[term & _SKETCH_MASK] or 1)) for term, tf in tfs.items()]
        return dict(zip(tfs, weights)), sum(map(mul, weights, weights))

    def _terms(self, words: Mapping[str, int]) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], int]:
        """An article's hashed words, their counts (capped at 255) and vocabulary ids (new words
        get the next ones), in vocabulary order, and its flags.

        Vocabulary order is the order they are stored in, so that a vector's
        floats are summed in the same order when it is worked out again as a candidate's.
        """
        hashes, figures = self._hashes, self._figures
        if len(hashes) > HASH_CACHE:
            hashes.clear()
            figures.clear()
        for word in [word for word in words if word not in hashes]:
            hashes[word] = term_hash(word)
            if _DIGIT(word):
                figures.add(word)
        terms = list(map(hashes.__getitem__, words))
        counts = list(words.values())
        flags = 0
        total = sum(counts)
        if total and sum(map(words.__getitem__, figures.intersection(words))) >= TABLE_SHARE * total:
            flags |= _TABLE
        if not self._corrections.isdisjoint(words):
            flags |= _CORRECTION
        if len(set(terms)) < len(terms) or max(counts, default=0) > 255:  # two words, one hash; or a count to cap
            merged: dict[int, int] = {}
            for term, count in zip(terms, counts):
                merged[term] = min(merged.get(term, 0) + count, 255)
            terms, counts = list(merged), list(merged.values())
        ids, vocabulary = self._ids, self._vocabulary
        for term in [term for term in terms if term not in ids]:
            ids[term] = len(vocabulary)
            vocabulary.append(term)
        numbers = list(map(ids.__getitem__, terms))
        count_of = dict(zip(numbers, counts))
        numbers.sort()
        in_order = tuple(map(vocabulary.__getitem__, numbers))
        return in_order, tuple(map(count_of.__getitem__, numbers)), tuple(numbers), flags

    def _assign(self, article: Article, stored: bool, named: bool) -> str:
        """Group one article; return its story id.

        ``stored``: whether the store may hold its id; ``named``: whether a story
        already goes by its id (one it founded that outlived it). :meth:`assign`
        asks both for many articles at once.
        """
        db = self._db
        digest = _digest(article.content_hash)
        if stored:
            row = db.execute(
                f"SELECT a.num, a.digest, {_NAME} FROM articles a JOIN stories s ON s.num = a.story WHERE a.id = ?",
                (article.id,),
            ).fetchone()
            if row is not None:
                if row[1] == digest:
                    return row[2]
                self._remove(row[0])
                named = db.execute("SELECT 1 FROM stories WHERE name = ?", (article.id,)).fetchone() is not None
        terms, counts, ids, flags = self._terms(self._words(article))
        t = _seconds(article.published)
        self._count(terms, +1)
        self._articles += 1
        self._undated += t == UNDATED
        self._collection = float(max(self._articles, MIN_COLLECTION))
        tfs = dict(zip(terms, map(_TF.__getitem__, counts)))
        vector, norm2 = self._vector(tfs)
        blob = _encode_terms(ids, counts)
        found = None
        all_keys: list[int] = []
        if vector:  # an article without words is a story of its own, found by no other
            keys = self._keys(vector)
            exact = _exact_key(blob)
            found = self._match(vector, norm2, t, flags, keys, exact)
            all_keys = list(dict.fromkeys([*keys, exact]))
        num = self._next_num
        self._next_num += 1
        if found is None:
            story, name = num, article.id
            if named:
                name = f"{article.id}#{num}"  # a story this id founded lives on without it
            db.execute(
                "INSERT INTO stories (num, t, size, name) VALUES (?, ?, 1, ?)",
                (story, t, None if name == article.id else name),
            )
        else:
            story, name = found
            db.execute("UPDATE stories SET size = size + 1 WHERE num = ?", (story,))
        db.execute(
            "INSERT INTO articles (num, id, digest, story, t, flags, terms) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (num, article.id, digest, story, t, flags, blob),
        )
        period, posting = t >> _PERIOD_BITS, _posting(t, num)
        db.executemany(_ADD_POSTING, [(key - _KEY_BIAS, period, posting) for key in all_keys])
        self._remember(_Stored(num, story, t, flags, tfs))
        return name

    def _keys(self, vector: dict[int, float]) -> list[int]:
        """The weighted sample of an article's words that are rare enough to meet on."""
        sketch = self._sketch
        assert sketch is not None
        limit = max(KEY_DF_SHARE * self._articles, KEY_DF_MIN)
        eligible = {term: w for term, w in vector.items() if sketch[term & _SKETCH_MASK] <= limit}
        if len(eligible) < KEY_MIN:
            rarest = sorted(vector, key=lambda term: (sketch[term & _SKETCH_MASK], term))[:KEY_MIN]
            eligible.update((term, vector[term]) for term in rarest)
        return weighted_sample(eligible, SAMPLE_SIZE)

    def _candidates(self, keys: list[int], exact: int, t: int) -> list[int]:
        """Stored articles sharing keys with these (within the date window), most shared first."""
        shared: dict[int, int] = {}
        every = [*keys, exact]
        if t == UNDATED:
            for key in every:
                weight = SAMPLE_SIZE if key == exact else 1
                for num in self._latest(key, UNDATED_CAP):
                    shared[num] = shared.get(num, 0) + weight
        else:
            low, high = t - WINDOW, t + WINDOW
            periods = {low >> _PERIOD_BITS, high >> _PERIOD_BITS}
            if self._undated:
                periods.add(_UNDATED_PERIOD)
            distinct = [key - _KEY_BIAS for key in dict.fromkeys(every)]
            rows = self._db.execute(
                f"SELECT key, period, postings FROM keys WHERE key IN ({','.join('?' * len(distinct))}) "
                f"AND period IN ({','.join('?' * len(periods))})",
                (*distinct, *periods),
            )
            dated: list[tuple[int, int, int]] = []
            undated: list[tuple[int, int, int]] = []
            for key, period, postings in rows:
                if period == _UNDATED_PERIOD:
                    undated.extend((key, UNDATED, num) for _, _, num in _postings(postings))
                    continue
                start = period << _PERIOD_BITS
                for offset, high_offset, num in _postings(postings):
                    moment = start + (offset | high_offset << 16)
                    if low <= moment <= high:
                        dated.append((key, moment, num))
            exact -= _KEY_BIAS
            for found in (dated, undated):
                if len(found) > LOOKUP_CAP:
                    found = sorted(found)[:LOOKUP_CAP]  # the first ones in (key, date, num) order
                for key, _, num in found:
                    shared[num] = shared.get(num, 0) + (SAMPLE_SIZE if key == exact else 1)
        # One shared word in a sample of 16 is chance (3 in 4 candidates on Reuters, of which
        # 1 in 2,000 is a match); texts too short to have 8 keys may share no more.
        floor = 2 if len(keys) >= SAMPLE_SIZE // 2 else 1
        best = sorted(shared.items(), key=itemgetter(1, 0), reverse=True)[:VERIFY]  # ties: the latest first
        return [num for num, count in best if count >= floor]

    def _latest(self, key: int, cap: int) -> list[int]:
        """The ``cap`` latest articles with this key (by date, then by num; undated last)."""
        latest: list[int] = []
        rows = self._db.execute(
            "SELECT period, postings FROM keys WHERE key = ? ORDER BY period DESC", (key - _KEY_BIAS,)
        )
        for period, postings in rows:
            start = period << _PERIOD_BITS
            found = sorted(((start + (offset | high << 16), num) for offset, high, num in _postings(postings)))
            latest.extend(num for _, num in reversed(found))
            if len(latest) >= cap:
                break
        return latest[:cap]

    def _remember(self, stored: _Stored) -> None:
        """Keep a stored article decoded (the least recently used goes when the cache is full)."""
        cache = self._stored
        cache[stored.num] = stored
        cache.move_to_end(stored.num)
        if len(cache) > STORED_CACHE:
            cache.popitem(last=False)

    def _load(self, nums: list[int]) -> list[_Stored]:
        """The stored articles of these nums (in no particular order), most from memory."""
        cache = self._stored
        found = {}
        for num in nums:
            if num in cache:
                cache.move_to_end(num)
                found[num] = cache[num]
        missing = [num for num in nums if num not in found]
        if missing:
            rows = self._db.execute(
                f"SELECT num, story, t, flags, terms FROM articles WHERE num IN ({','.join('?' * len(missing))})",
                missing,
            ).fetchall()
            for num, story, t, flags, blob in rows:
                terms, counts = self._decoded(blob)
                stored = found[num] = _Stored(num, story, t, flags, dict(zip(terms, map(_TF.__getitem__, counts))))
                self._remember(stored)
        return list(found.values())

    def _match(
        self, vector: dict[int, float], norm2: float, t: int, flags: int, keys: list[int], exact: int
    ) -> tuple[int, str] | None:
        """The story (num and name) of the best verified candidate, or None."""
        scored = []
        for other in self._load(self._candidates(keys, exact, t)):
            needed = TABLE_THRESHOLD if (flags | other.flags) & _TABLE else THRESHOLD
            if _surely_below(vector, norm2, other.tfs, needed):
                continue
            other_vector, other_norm2 = self._vector(other.tfs)
            score = _cosine(vector, norm2, other_vector, other_norm2)
            if score >= needed and _close_in_time(t, other.t):
                scored.append((score, other, other_vector, other_norm2))
        scored.sort(key=lambda item: (-item[0], -item[1].num))
        for _, other, other_vector, other_norm2 in scored:
            if not (flags | other.flags) & _CORRECTION and _conflict(vector, norm2, other_vector, other_norm2):
                continue
            start = self._db.execute(
                f"SELECT s.t, {_NAME} FROM stories s WHERE s.num = ?", (other.story,)
            ).fetchone()
            if start is None or not _close_in_time(t, start[0]):
                continue
            if other.story != other.num:
                founder = self._load([other.story])
                if founder:
                    first = founder[0]
                    if _surely_below(vector, norm2, first.tfs, FOUNDER_THRESHOLD):
                        continue
                    first_vector, first_norm2 = self._vector(first.tfs)
                    if _cosine(vector, norm2, first_vector, first_norm2) < FOUNDER_THRESHOLD:
                        continue
                    if not (flags | first.flags) & _CORRECTION and _conflict(vector, norm2, first_vector, first_norm2):
                        continue
            return other.story, start[1]
        return None

    def _decoded(self, blob: bytes) -> tuple[list[int], list[int]]:
        """Hashed words and counts of a stored ``terms`` blob."""
        ids, counts = _decode_terms(blob)
        if ids and ids[-1] >= len(self._vocabulary) and not self._in_transaction:
            self._load_vocabulary()  # a reader's: words were committed since it was read (ids never change)
        return list(map(self._vocabulary.__getitem__, ids)), counts

    def _own_keys(self, num: int, t: int, terms: list[int], blob: bytes) -> list[tuple[int, bytes]]:
        """The keys rows (stored key, postings) that hold article ``num``: those of its exact key
        and of its words that were sampled, found without storing which were."""
        if not terms:
            return []
        every = [term - _KEY_BIAS for term in dict.fromkeys([*terms, _exact_key(blob)])]
        rows = []
        for chunk in _chunks(every):
            rows += self._db.execute(
                f"SELECT key, postings FROM keys WHERE key IN ({','.join('?' * len(chunk))}) AND period = ?",
                (*chunk, t >> _PERIOD_BITS),
            )
        return [(key, postings) for key, postings in rows if any(p[2] == num for p in _postings(postings))]

    def _remove(self, num: int) -> None:
        db = self._db
        article_id, story, t, blob = db.execute(
            "SELECT id, story, t, terms FROM articles WHERE num = ?", (num,)
        ).fetchone()
        terms = self._decoded(blob)[0]
        period = t >> _PERIOD_BITS
        for key, postings in self._own_keys(num, t, terms, blob):
            kept = b"".join(_POSTING.pack(*p) for p in _postings(postings) if p[2] != num)
            if kept:
                db.execute("UPDATE keys SET postings = ? WHERE key = ? AND period = ?", (kept, key, period))
            else:
                db.execute("DELETE FROM keys WHERE key = ? AND period = ?", (key, period))
        db.execute("DELETE FROM articles WHERE num = ?", (num,))
        # The story's name is written when its first article goes (it lives on under that name).
        db.execute(
            "UPDATE stories SET size = size - 1, name = coalesce(name, ?) WHERE num = ?",
            (article_id if story == num else None, story),
        )
        db.execute("DELETE FROM stories WHERE num = ? AND size <= 0", (story,))
        self._count(terms, -1)
        self._articles -= 1
        self._undated -= t == UNDATED
        self._stored.pop(num, None)

    # -- reading -------------------------------------------------------------

    @_reported
    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM articles").fetchone()[0]

    @_reported
    def story_of(self, article_id: str) -> str | None:
        """The id of the article's story (None if the store does not have the article)."""
        row = self._db.execute(
            f"SELECT {_NAME} FROM articles a JOIN stories s ON s.num = a.story WHERE a.id = ?", (article_id,)
        ).fetchone()
        return row[0] if row else None

    @_reported
    def stories_of(self, ids: Iterable[str]) -> dict[str, StoryRef]:
        """Story and story size of each stored id (for collapsing a page of hits)."""
        ids = list(dict.fromkeys(ids))
        found: dict[str, StoryRef] = {}
        for chunk in _chunks(ids):
            rows = self._db.execute(
                f"SELECT a.id, {_NAME}, s.size FROM articles a JOIN stories s ON s.num = a.story "
                f"WHERE a.id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update((article_id, StoryRef(story, size)) for article_id, story, size in rows)
        return found

    def _story(self, story_id: str) -> tuple[int, int] | None:
        """Num and size of the story of this id (None if unknown)."""
        return self._db.execute(
            "SELECT num, size FROM stories WHERE name = ?1 UNION ALL "
            "SELECT s.num, s.size FROM articles a JOIN stories s ON s.num = a.num WHERE a.id = ?1 AND s.name IS NULL",
            (story_id,),
        ).fetchone()

    @_reported
    def members(self, story_id: str) -> list[str]:
        """The ids of a story's articles, oldest first (undated last, then by id); [] if unknown."""
        story = self._story(story_id)
        if story is None:
            return []
        rows = self._db.execute(
            f"SELECT id FROM ({_MEMBERS.format(columns='id, t')}) ORDER BY t = ?2, t, id", (story[0], UNDATED)
        )
        return [row[0] for row in rows]

    @_reported
    def size(self, story_id: str) -> int:
        """How many articles a story has (0 if unknown)."""
        story = self._story(story_id)
        return story[1] if story else 0

    @_reported
    def neighbours(self, article_id: str, limit: int = 50) -> list[str]:
        """Candidates for "similar articles": the article's story, then articles sharing its keys.

        Unlike story grouping this ignores dates (a similar article may be
        from any time); the ids come unscored, most shared keys first.
        """
        db = self._db
        row = db.execute("SELECT num, story, t, terms FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return []
        num, story, t, blob = row
        rows = db.execute(f"{_MEMBERS.format(columns='num')} ORDER BY num LIMIT ?2", (story, limit + 1))
        mates = [n for (n,) in rows]
        shared: dict[int, int] = {}
        for key, _ in self._own_keys(num, t, self._decoded(blob)[0], blob):
            for other in self._latest(key + _KEY_BIAS, UNDATED_CAP):
                shared[other] = shared.get(other, 0) + 1
        ranked = [n for n, _ in sorted(shared.items(), key=lambda item: (-item[1], -item[0]))]
        nums = [n for n in dict.fromkeys([*mates, *ranked]) if n != num][:limit]
        if not nums:
            return []
        names = dict(db.execute(f"SELECT num, id FROM articles WHERE num IN ({','.join('?' * len(nums))})", nums))
        return [names[n] for n in nums if n in names]

    @_reported
    def stats(self) -> StoryStats:
        """Articles, stories, stories of two or more, the articles in them, the largest story."""
        db = self._db
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        stories, multi, grouped, largest = db.execute(
            "SELECT count(*), coalesce(sum(size >= 2), 0), coalesce(sum(CASE WHEN size >= 2 THEN size END), 0), "
            "coalesce(max(size), 0) FROM stories"
        ).fetchone()
        return StoryStats(articles=articles, stories=stories, multi=multi, grouped=grouped, largest=largest)
