"""Stories: every telling of one event -- wire copies, corrections, other outlets' reports -- grouped.

**What a story is.** The stories of a set of articles are a function of that
set, whatever the order the articles arrived in (:mod:`newsindex.stories.clusters`):

1. Two articles are linked when their pair score (:mod:`newsindex.stories.pairs`:
   TF-IDF cosine with names and figures weighted up, divided by how far apart
   they were published, refused for templates of different names) is at least
   :data:`~newsindex.stories.pairs.EDGE` and they were *found* for each other:
   they share two of the 16 words each one samples (a weighted bottom-k MinHash,
   :func:`~newsindex.stories.vectors.weighted_sample`), or their whole bag of
   words. Both conditions depend on the two articles only, so a pair is linked
   or not whichever came first.
2. Inside each connected group of links, average-link clustering at
   :data:`JOIN` makes the stories.
3. A story is named by its earliest article (undated ones last, then by id).

**Document frequencies.** Weights need them, and they change as articles
arrive, which would make the stories depend on the order. So every score is
taken with one *reference* of the document frequencies: those of the whole
set when it was last grouped from scratch. A run that leaves the collection
more than twice (or less than half) as large as at its reference groups it
all again, from scratch, at its end (:meth:`StoryStore.commit` with
``final=True``), with the frequencies of the whole; smaller runs group their
articles with the reference they find. So building a collection in one run,
in any order, gives the same stories; so does deleting part of it and adding
it back; a collection grown in small steps has the stories of its reference,
which a clean build of the same articles may differ from only where a pair
sits at a threshold. Re-grouping from scratch at each doubling costs at most
as much again as grouping each article once.

**Cost.** Each article costs one candidate lookup (a few short rows of the
``keys`` table, within the span a pair can score in) and a cosine per
candidate; the clustering touches only the groups of linked articles, which
are small. Document frequencies come from a fixed-size counting sketch
(2^20 counters), so memory does not grow with the vocabulary; the sketch
counts merge by addition (shards).

The store is one SQLite file in the index directory (:data:`FILE_NAME`),
written in transactions that follow the index's: :meth:`StoryStore.commit`
right after each Whoosh commit, :meth:`StoryStore.rollback` when a batch is
cancelled. :attr:`StoryStore.marker` tells whether the store matches the
index; :meth:`StoryStore.sync` repairs it after a crash between the two.
"""

from __future__ import annotations

import functools
import hashlib
import math
import sqlite3
import struct
import sys
import zlib
from array import array
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate, chain, compress, filterfalse, islice
from operator import mul, sub
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence, TypeVar

from ..errors import NewsIndexError
from ..ingest.article import Article
from .clusters import average_link, components
from .keys import KEY_BIAS as _KEY_BIAS, LOOKUP_CAP, PERIOD_BITS as _PERIOD_BITS, SAMPLE_SIZE
from .keys import UNDATED_PERIOD as _UNDATED_PERIOD, Linked, Part, posting as _posting, postings_of as _postings, without
from .counted import FIGURE_MARK, NAME_MARK, SUBJECT_MARK, TITLE_MARK, Counted, Prepared, WordCounter
from .pairs import CORRECTION, NAME_WEIGHT, UNDATED, WINDOW, cosine_of, pair_score
from .vectors import MIN_COLLECTION, tf_weight, weighted_sample

#: The store's file in the index directory.
FILE_NAME = "stories.sqlite"
#: Bumped when the tables or the grouping change; a store of another format is rebuilt
#: from the index by the next ``newsindex index`` (see :mod:`newsindex.stories.tellings`).
FORMAT = 6

#: Average score two groups need to be one story (average-link clustering). Set on
#: events-dev: pairwise precision 0.91 and F1 0.88 there; 0.25-0.29 all give F1 0.85-0.88.
JOIN = 0.25
#: Groups of linked articles up to this size have every pair checked for templates of two names.
COMPLETE = 64
#: A collection this many times larger (or smaller) than its reference is grouped again from scratch.
REGROUP_FACTOR = 2

#: How rare a word must be to be sampled (share of the articles, at least KEY_DF_MIN), and the
#: fewest words an article samples (its rarest, when fewer are that rare).
KEY_DF_SHARE = 0.01
KEY_DF_MIN = 100
KEY_MIN = 4
#: Articles at most in one part of a grouping from scratch spread over processes (what a part returns
#: is held in memory until written); more parts cost little: each takes in the span before it again.
PART_ARTICLES = 50_000
#: Words an article looks up to find similar articles (its heaviest).
SIMILAR_WORDS = 64

#: Stored articles whose vectors are kept between articles (candidates are recent ones).
STORED_CACHE = 8192

_SKETCH_BITS = 20
_SKETCH_MASK = (1 << _SKETCH_BITS) - 1
_PART_BITS = 14
_PART_SIZE = 1 << _PART_BITS
_PARTS = 1 << (_SKETCH_BITS - _PART_BITS)
_WORDS_PART_BITS = 12
_WORDS_PART_SIZE = 1 << _WORDS_PART_BITS


# articles: ``terms`` its words (_encode_terms), ``digest`` 64 bits of its content hash,
# ``story`` the num of its story's first article (NULL until grouped), ``comp`` the smallest num
# of its group of linked articles. edges: the links (a < b) with their scores. keys: a key's
# articles in one period. sketch: live document frequencies; reference: those all scores use.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    num INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    digest BLOB NOT NULL,
    t INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    terms BLOB NOT NULL,
    story INTEGER,
    comp INTEGER
);
CREATE INDEX IF NOT EXISTS articles_story ON articles (story);
CREATE INDEX IF NOT EXISTS articles_corrections ON articles (num) WHERE flags & 2;
CREATE TABLE IF NOT EXISTS edges (
    a INTEGER NOT NULL,
    b INTEGER NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (a, b)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS edges_b ON edges (b);
CREATE TABLE IF NOT EXISTS keys (
    key INTEGER NOT NULL,
    period INTEGER NOT NULL,
    postings BLOB NOT NULL,
    PRIMARY KEY (key, period)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sketch (part INTEGER PRIMARY KEY, counts BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS reference (part INTEGER PRIMARY KEY, counts BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS words (part INTEGER PRIMARY KEY, hashes BLOB NOT NULL);
"""

_ADD_POSTING = (
    "INSERT INTO keys (key, period, postings) VALUES (?, ?, ?) "
    "ON CONFLICT (key, period) DO UPDATE SET postings = CAST(postings || excluded.postings AS BLOB)"
)
_ADD_EDGE = "INSERT OR REPLACE INTO edges (a, b, score) VALUES (?, ?, ?)"
_ADD_ARTICLE = "INSERT INTO articles (num, id, digest, t, flags, terms) VALUES (?, ?, ?, ?, ?, ?)"
#: Bound parameters per statement (SQLite's lowest limit is 999).
_CHUNK = 500

#: 1 + ln(tf) for the term frequencies a store keeps (capped at 255).
_TF = tuple(tf_weight(count) for count in range(256))
#: By mark byte: the factor of the word's weight, and whether it has each mark (tables for bytes.translate).
_NAME_FACTOR = tuple(NAME_WEIGHT if mark & NAME_MARK else 1.0 for mark in range(256))
_HAS_TITLE_MARK = bytes(bool(mark & TITLE_MARK) for mark in range(256))
_HAS_SUBJECT_MARK = bytes(bool(mark & SUBJECT_MARK) for mark in range(256))
_HAS_NAME_MARK = bytes(bool(mark & NAME_MARK) for mark in range(256))
_HAS_FIGURE_MARK = bytes(bool(mark & FIGURE_MARK) for mark in range(256))


@dataclass(frozen=True)
class StoryStats:
    """How the articles of a store group into stories.

    ``multi``: stories of two or more articles; ``grouped``: the articles in
    them; ``pending``: articles not grouped yet (a run that regroups at its
    end was interrupted). Stores of different shards hold different articles,
    so their stats add up (:meth:`merge`).
    """

    articles: int
    stories: int
    multi: int
    grouped: int
    largest: int
    pending: int = 0

    def merge(self, other: "StoryStats") -> "StoryStats":
        """The stats of two shards together."""
        return StoryStats(
            articles=self.articles + other.articles,
            stories=self.stories + other.stories,
            multi=self.multi + other.multi,
            grouped=self.grouped + other.grouped,
            largest=max(self.largest, other.largest),
            pending=self.pending + other.pending,
        )

    def to_dict(self) -> dict[str, int]:
        return {"articles": self.articles, "stories": self.stories, "multi": self.multi,
                "grouped": self.grouped, "largest": self.largest, "pending": self.pending}


@dataclass(frozen=True)
class StoryRef:
    """The story an article belongs to and how many articles it has (this one included)."""

    story: str
    size: int


class _Stored(NamedTuple):
    """One stored article as scoring needs it: its weighted words (reference weights), their squared
    norm and the words of its title (:class:`~newsindex.stories.pairs.Telling`)."""

    num: int
    t: int
    flags: int
    vector: dict[int, float]
    norm2: float
    title: frozenset[int]
    names: frozenset[int]
    figures: frozenset[int]
    subject: frozenset[int]
    idf: Mapping[int, float]  # the store's, shared by all


def _to_le(values: array) -> bytes:
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _from_le(typecode: str, blob: bytes) -> array:
    values = array(typecode)
    values.frombytes(blob)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def _packed(counts: array) -> bytes:
    """A part of a sketch as stored: compressed (a young index leaves it mostly zeros)."""
    return zlib.compress(_to_le(counts), 1)


def _encode_terms(ids: Sequence[int], counts: Sequence[int], marks: Sequence[int]) -> bytes:
    """An article's words as stored: vocabulary ids ascending (as gaps, 32-bit), counts and marks
    (a byte each), compressed. Decoding is C work (zlib, array), which the full regrouping of a
    large collection reads for every article."""
    gaps = array("I", map(sub, ids, chain((0,), ids)))  # a map in C, not a generator
    return zlib.compress(struct.pack("<I", len(ids)) + _to_le(gaps) + bytes(counts) + bytes(marks), 1)


def _decode_terms(blob: bytes) -> tuple[list[int], bytes, bytes]:
    """Vocabulary ids, counts and marks of :func:`_encode_terms`."""
    raw = zlib.decompress(blob)
    (n,) = struct.unpack_from("<I", raw)
    ids = list(accumulate(_from_le("I", raw[4 : 4 + 4 * n])))
    return ids, raw[4 + 4 * n : 4 + 5 * n], raw[4 + 5 * n : 4 + 6 * n]


def _exact_key(hashes: Sequence[int], counts: bytes) -> int:
    """The key of an article's exact bag of words (the same whatever order words were numbered in)."""
    order = sorted(range(len(hashes)), key=hashes.__getitem__)  # an article's hashes are distinct
    blob = _to_le(array("I", map(hashes.__getitem__, order))) + bytes(map(counts.__getitem__, order))
    return int.from_bytes(hashlib.blake2b(blob, digest_size=4).digest(), "little")


def _weighed(
    hashes: Sequence[int], weights: Sequence[float], marks: bytes
) -> tuple[dict[int, float], float, frozenset[int], frozenset[int], frozenset[int], frozenset[int]]:
    """An article's weighted words (hash -> weight, in the order given), their squared norm (summed in
    that order), and the words of its title, its names and figures, its figures and its subject: what a pair is
    scored on, from weights worked out one article at a time or a block at a time (:mod:`.batch`)."""
    title = frozenset(compress(hashes, marks.translate(_HAS_TITLE_MARK)))
    names = frozenset(compress(hashes, marks.translate(_HAS_NAME_MARK)))
    figures = frozenset(compress(hashes, marks.translate(_HAS_FIGURE_MARK)))
    subject = frozenset(compress(hashes, marks.translate(_HAS_SUBJECT_MARK)))
    return dict(zip(hashes, weights)), sum(map(mul, weights, weights)), title, names, figures, subject


def _digest(content_hash: str) -> bytes:
    """What is stored of an article's content hash: 64 bits tell a changed article well enough."""
    return hashlib.blake2b(content_hash.encode("utf-8"), digest_size=8).digest()


def _seconds(moment: datetime | None) -> int:
    return UNDATED if moment is None else int(moment.timestamp())


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    return (values[start : start + _CHUNK] for start in range(0, len(values), _CHUNK))


def _marks(count: int) -> str:
    return ",".join("?" * count)


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


def _between(part: Part) -> tuple[str, tuple[int, ...]]:
    """The WHERE clause (and its values) of the articles of a part, by (t, num)."""
    clauses, values = [], []
    if part.start is not None:
        clauses.append("(t, num) >= (?, ?)")
        values += part.start
    if part.end is not None:
        clauses.append("(t, num) < (?, ?)")
        values += part.end
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(values)


def _story_order(t: int, article_id: str) -> tuple[bool, int, str]:
    """Oldest first, undated last, then by id: the first of a story names it."""
    return (t == UNDATED, t, article_id)


class StoryStore:
    """The stories of one index: a side store in the index directory (SQLite).

    Open it with :meth:`open`; use it as a context manager. Writing methods
    (:meth:`assign`, :meth:`remove`) work in a transaction that
    :meth:`commit` ends (grouping what they changed) and :meth:`rollback`
    discards, as the index's writer does. One writer at a time (the index's
    write lock); readers may read while it writes and see its last commit.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection, language: str) -> None:
        self.path = path
        self.language = language
        self._db = connection
        self._counter = WordCounter(language)
        #: The stored corrections (nums), while grouping: one shared key makes a candidate of a pair with one.
        self._correcting: set[int] = set()
        self._in_transaction = False
        # Writer state, loaded when a transaction begins.
        self._sketch: array | None = None
        self._saved: dict[int, array] = {}
        self._vocabulary: list[int] = []
        self._ids: dict[int, int] = {}
        self._committed_words = 0
        self._generation = -1
        self._articles = 0
        self._undated = 0
        self._next_num = 1
        #: Articles assigned and not grouped yet; articles whose group must be clustered again.
        self._queued: list[int] = []
        self._dirty: set[int] = set()
        #: The links found so far by a grouping from scratch begun with :meth:`begin_regroup` (None: none begun).
        self._regrouping: list[tuple[int, int, float]] | None = None
        # The reference the scores use (loaded on first use; a reader loads it too, for similar()).
        self._reference: array | None = None
        self._reference_n = 0
        self._reference_generation = -2
        self._idf: dict[int, float] = {}
        #: The reference's idf of each vocabulary id, as far as similar() has needed it.
        self._plain_idf = array("d")
        self._stored: OrderedDict[int, _Stored] = OrderedDict()

    # -- opening -----------------------------------------------------------

    @classmethod
    def open(cls, directory: str | Path, language: str = "english", create: bool = True) -> "StoryStore":
        """Open the store in ``directory`` (an index directory), creating both if absent.

        With ``create=False`` a missing store raises :class:`NewsIndexError`.
        A store made for another language, or in another format (an earlier
        version), raises :class:`StoreFormatError` (rebuild it from the index:
        :meth:`newsindex.stories.tellings.Tellings.store` does).
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
                     ("generation", "0"), ("reference", "0"), ("regroup", "0")],
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
            raise StoreFormatError(
                f"{path}: story store format {meta.get('format')}, expected {FORMAT}; "
                "run newsindex index on this index to rebuild it"
            )
        if meta.get("language") != language:
            db.close()
            raise StoreFormatError(f"{path}: story store made for {meta.get('language')}, not {language}; rebuild the index")
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
        generation = int(self._meta("generation") or 0)
        if self._sketch is None or generation != self._generation:
            self._sketch = self._load_sketch("sketch")
            self._load_vocabulary()
            self._generation = generation
        self._articles = int(self._meta("articles") or 0)
        self._undated = int(self._meta("undated") or 0)
        row = self._db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'articles'").fetchone()
        self._next_num = (row[0] if row else 0) + 1
        self._saved = {}
        self._queued = []
        self._dirty = set()

    def _meta(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def _load_sketch(self, table: str) -> array:
        sketch = array("I", bytes(4 << _SKETCH_BITS))
        for part, blob in self._db.execute(f"SELECT part, counts FROM {table}"):
            sketch[part * _PART_SIZE : (part + 1) * _PART_SIZE] = _from_le("I", zlib.decompress(blob))
        return sketch

    def _load_vocabulary(self) -> None:
        words: list[int] = []
        for (blob,) in self._db.execute("SELECT hashes FROM words ORDER BY part"):
            words.extend(_from_le("I", blob))
        self._vocabulary = words
        self._ids = dict(zip(words, range(len(words))))
        self._committed_words = len(words)

    def _use_reference(self) -> None:
        """Load the reference frequencies the scores use (again, if a commit changed them)."""
        generation = int(self._meta("reference_generation") or 0)
        if self._reference is not None and generation == self._reference_generation:
            return
        self._set_reference(self._load_sketch("reference"), int(self._meta("reference") or 0), generation)

    def _set_reference(self, counts: array, articles: int, generation: int) -> None:
        """Score by these document frequencies (of ``articles`` articles) from now on: what was worked
        out under others is forgotten."""
        self._reference = counts
        self._reference_n = articles
        self._reference_generation = generation
        self._idf = {}
        self._plain_idf = array("d")
        self._stored.clear()

    @_reported
    def commit(self, marker: str | None = None, final: bool = True) -> None:
        """Group what was assigned or removed since the last commit, and make it all permanent.

        ``marker`` (e.g. the Whoosh index's generation after its commit) is
        kept, so that a later run can tell whether the store matches the index
        (:attr:`marker`). ``final=False`` is for the commits inside a run: when
        the run has made the collection twice as large (or half as large) as
        its reference, grouping waits for the run's last, final commit, which
        groups the whole collection from scratch (see the module's doc).
        """
        if not self._in_transaction:
            if (marker is None or marker == self.marker) and not (final and self._meta("regroup") == "1"):
                return
            self._begin()
        db = self._db
        try:
            due = self._due()
            if self._regrouping is not None:
                self._end_regroup()
                due = False
            elif due and final:
                self._regroup()
                due = False
            elif not due:
                self._group()
            sketch = self._sketch
            assert sketch is not None
            words = self._vocabulary
            new_parts = range(0)
            if len(words) > self._committed_words:
                new_parts = range(self._committed_words >> _WORDS_PART_BITS, ((len(words) - 1) >> _WORDS_PART_BITS) + 1)
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
                    ("generation", str(self._generation)), ("regroup", "1" if due else "0")]
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
        self._queued = []
        self._dirty = set()
        self._regrouping = None
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
            self._queued = []
            self._dirty = set()
            self._regrouping = None
            self._reference = None  # a regroup may have been rolled back
            self._stored.clear()

    @property
    @_reported
    def marker(self) -> str | None:
        """The marker of the last :meth:`commit` that gave one (None if none did)."""
        return self._meta("marker")

    # -- writing -------------------------------------------------------------

    @_reported
    def assign(self, articles: Iterable[Article | Prepared]) -> int:
        """Add articles (an id already stored with other content is replaced); return how many.

        They are grouped into stories at the next :meth:`commit`. An id already
        stored with the same content is left alone. An article may come
        :class:`~newsindex.stories.counted.Prepared`: with its words counted
        already (elsewhere, in parallel).
        """
        self._begin()
        db = self._db
        added = 0
        iterator = iter(articles)
        while chunk := [item if isinstance(item, Prepared) else Prepared(item, None) for item in islice(iterator, _CHUNK)]:
            ids = list(dict.fromkeys(item.article.id for item in chunk))
            stored = dict(db.execute(f"SELECT id, digest FROM articles WHERE id IN ({_marks(len(ids))})", ids))
            rows: list[tuple[int, str, bytes, int, int, bytes]] = []  # inserted together (one statement a chunk)
            for article, counted in chunk:
                digest = _digest(article.content_hash)
                old = stored.get(article.id)
                if old == digest:
                    continue
                if old is not None:
                    db.executemany(_ADD_ARTICLE, rows)
                    rows = []
                    self._remove(db.execute("SELECT num FROM articles WHERE id = ?", (article.id,)).fetchone()[0])
                rows.append(self._add(article, digest, counted))
                stored[article.id] = digest
                added += 1
            db.executemany(_ADD_ARTICLE, rows)
        return added

    @_reported
    def remove(self, ids: Iterable[str]) -> int:
        """Take articles out of their stories; return how many were stored."""
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
        self, index: Mapping[str, str], load: Callable[[str], Article], marker: str | None = None,
        final: bool = True,
    ) -> tuple[int, int]:
        """Make the store hold exactly the index's articles; return (removed, assigned).

        ``index`` maps every indexed id to its content hash; ``load`` returns the
        indexed article of an id. Ids the index no longer has are removed, ids it
        has with other content or not at all are assigned, then all is committed
        (and grouped) with ``marker``; ``final=False`` when a run that commits
        finally follows (see :meth:`commit`).
        """
        stored = dict(self._db.execute("SELECT id, digest FROM articles"))
        gone = [article_id for article_id in stored if article_id not in index]
        missing = [article_id for article_id, digest in index.items() if stored.get(article_id) != _digest(digest)]
        del stored
        if gone:
            self.remove(gone)
        if missing:
            self.assign(load(article_id) for article_id in missing)
        self.commit(marker, final=final)
        return len(gone), len(missing)

    def _due(self) -> bool:
        """Whether the collection is to be grouped from scratch: a run left that waiting, or it has grown."""
        return self._meta("regroup") == "1" or self._grown()

    def _grown(self) -> bool:
        """Whether the collection is :data:`REGROUP_FACTOR` times larger or smaller than its reference."""
        reference = int(self._meta("reference") or 0)
        articles = self._articles
        if reference == 0:
            return articles > 0
        return articles > REGROUP_FACTOR * reference or articles * REGROUP_FACTOR < reference

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

    def _terms(self, counted: Counted) -> tuple[list[int], list[int], list[int], list[int], int]:
        """An article's vocabulary ids (ascending; new words get the next ones), hashed words,
        counts (capped at 255) and marks in that order, and its flags."""
        terms, counts, marks, flags = counted
        ids, vocabulary = self._ids, self._vocabulary
        for term in list(filterfalse(ids.__contains__, terms)):  # the few new words, found in C
            ids[term] = len(vocabulary)
            vocabulary.append(term)
        rows = sorted(zip(map(ids.__getitem__, terms), terms, counts, marks))
        if not rows:
            return [], [], [], [], flags
        numbers, terms, counts, marks = map(list, zip(*rows))
        return numbers, terms, counts, marks, flags

    def _add(self, article: Article, digest: bytes, counted: Counted | None) -> tuple[int, str, bytes, int, int, bytes]:
        """Count an article in and queue it; return its row for the ``articles`` table (:data:`_ADD_ARTICLE`)."""
        ids, hashes, counts, marks, flags = self._terms(counted or self._counter(article))
        t = _seconds(article.published)
        self._count(hashes, +1)
        self._articles += 1
        self._undated += t == UNDATED
        num = self._next_num
        self._next_num += 1
        self._queued.append(num)
        return (num, article.id, digest, t, flags, _encode_terms(ids, counts, marks))

    def _remove(self, num: int) -> None:
        db = self._db
        t, blob, story = db.execute("SELECT t, terms, story FROM articles WHERE num = ?", (num,)).fetchone()
        hashes = self._hashed(blob)[0]
        if story is not None:  # grouped: its keys and links go with it
            neighbours = self._linked(num)
            db.execute("DELETE FROM edges WHERE a = ?1 OR b = ?1", (num,))
            self._dirty.update(neighbours)
            period = t >> _PERIOD_BITS
            self._use_reference()
            every = [key - _KEY_BIAS for key in self._keys_of(blob)]
            for chunk in _chunks(every):
                rows = db.execute(
                    f"SELECT key, postings FROM keys WHERE key IN ({_marks(len(chunk))}) AND period = ?",
                    (*chunk, period),
                ).fetchall()
                for key, postings in rows:
                    kept = without(postings, num)
                    if kept:
                        db.execute("UPDATE keys SET postings = ? WHERE key = ? AND period = ?", (kept, key, period))
                    else:
                        db.execute("DELETE FROM keys WHERE key = ? AND period = ?", (key, period))
        db.execute("DELETE FROM articles WHERE num = ?", (num,))
        self._count(hashes, -1)
        self._articles -= 1
        self._undated -= t == UNDATED
        self._dirty.discard(num)
        if num in self._queued:
            self._queued.remove(num)
        self._stored.pop(num, None)

    # -- grouping ------------------------------------------------------------

    def _hashed(self, blob: bytes) -> tuple[list[int], bytes, bytes]:
        """Hashed words, counts and marks of a stored ``terms`` blob."""
        ids, counts, marks = _decode_terms(blob)
        if ids and ids[-1] >= len(self._vocabulary) and not self._in_transaction:
            self._load_vocabulary()  # a reader's: words were committed since it was read
        vocabulary = self._vocabulary
        return list(map(vocabulary.__getitem__, ids)), counts, marks

    def _vector(
        self, blob: bytes, decoded: tuple[list[int], bytes, bytes] | None = None
    ) -> tuple[
        dict[int, float], float, frozenset[int], frozenset[int], frozenset[int], frozenset[int], Mapping[int, float]
    ]:
        """An article's weighted words under the reference frequencies, their squared norm, the
        words of its title, its names and figures, its figures and its subject, and the idf of (at least)
        its words."""
        hashes, counts, marks = decoded or self._hashed(blob)
        idfs = self._idfs(hashes)
        # Whole lists at a time (C loops): every article of a collection is weighed at each regrouping.
        weights = list(map(mul, map(mul, map(_TF.__getitem__, counts), idfs), map(_NAME_FACTOR.__getitem__, marks)))
        return (*_weighed(hashes, weights, marks), self._idf)

    def _telling(self, num: int, t: int, flags: int, hashes: list[int], weights: list[float], marks: bytes) -> _Stored:
        """An article as a pair is scored, from weights worked out a block at a time (:mod:`.batch`)."""
        self._idfs(hashes)  # the idf of its words, which pairs read
        return _Stored(num, t, flags, *_weighed(hashes, weights, marks), self._idf)

    def _idfs(self, hashes: Sequence[int]) -> list[float]:
        """The idf of each hashed word under the reference (kept in ``_idf``, which pairs read too)."""
        idf, reference = self._idf, self._reference
        assert reference is not None
        idfs = list(map(idf.get, hashes))
        if None in idfs:
            n = float(max(self._reference_n, MIN_COLLECTION))
            log = math.log
            for i, value in enumerate(idfs):
                if value is None:
                    term = hashes[i]
                    idfs[i] = idf[term] = log(1.0 + n / (reference[term & _SKETCH_MASK] or 1))
        return idfs

    def _stored_vectors(self, nums: Sequence[int]) -> list[_Stored]:
        """The stored articles of these nums with their vectors (most from memory)."""
        cache = self._stored
        found: list[_Stored] = []
        missing = []
        for num in nums:
            if num in cache:
                cache.move_to_end(num)
                found.append(cache[num])
            else:
                missing.append(num)
        for chunk in _chunks(missing):
            rows = self._db.execute(
                f"SELECT num, t, flags, terms FROM articles WHERE num IN ({_marks(len(chunk))})", chunk
            ).fetchall()
            for num, t, flags, blob in rows:
                stored = _Stored(num, t, flags, *self._vector(blob))
                found.append(stored)
                self._remember(stored)
        return found

    def _remember(self, stored: _Stored) -> None:
        cache = self._stored
        cache[stored.num] = stored
        cache.move_to_end(stored.num)
        if len(cache) > STORED_CACHE:
            cache.popitem(last=False)

    def _keys(self, vector: Mapping[int, float], hashes: Sequence[int], counts: bytes) -> list[int]:
        """The sampled words an article is found by, and the key of its exact bag of words.

        Words are sampled among those at most :data:`KEY_DF_SHARE` of the articles have
        (the reference's count; the :data:`KEY_MIN` rarest when fewer are), so a lookup
        reads short rows: a word in every tenth article finds nothing a rarer one would not.
        """
        reference = self._reference
        assert reference is not None
        limit = self._key_limit()
        eligible = {term: w for term, w in vector.items() if reference[term & _SKETCH_MASK] <= limit}
        if len(eligible) < KEY_MIN:
            rarest = sorted(vector, key=lambda term: (reference[term & _SKETCH_MASK], term))[:KEY_MIN]
            eligible.update((term, vector[term]) for term in rarest)
        return list(dict.fromkeys([*weighted_sample(eligible, SAMPLE_SIZE), _exact_key(hashes, counts)]))

    def _key_limit(self) -> float:
        """The most articles (of the reference) a word may be in to be sampled (see :meth:`_keys`)."""
        return max(KEY_DF_SHARE * self._reference_n, KEY_DF_MIN)

    def _keys_of(self, blob: bytes) -> list[int]:
        decoded = self._hashed(blob)
        return self._keys(self._vector(blob, decoded)[0], decoded[0], decoded[1])

    def _candidates(self, keys: list[int], exact: int, t: int) -> dict[int, int]:
        """Stored articles sharing keys with these, within the span a pair can score in: num -> keys shared
        (the exact key counts as many as a sample)."""
        if not keys:
            return {}
        distinct = [key - _KEY_BIAS for key in keys]
        if t == UNDATED:
            rows = self._db.execute(
                f"SELECT key, period, postings FROM keys WHERE key IN ({_marks(len(distinct))})", distinct
            )
            low, high = UNDATED, 2**62
        else:
            low, high = t - WINDOW, t + WINDOW
            periods = sorted({*range(low >> _PERIOD_BITS, (high >> _PERIOD_BITS) + 1),
                              *((_UNDATED_PERIOD,) if self._undated else ())})
            rows = self._db.execute(
                f"SELECT key, period, postings FROM keys WHERE key IN ({_marks(len(distinct))}) "
                f"AND period IN ({_marks(len(periods))})",
                (*distinct, *periods),
            )
        shared: dict[int, int] = {}
        read = 0
        exact -= _KEY_BIAS
        for key, period, postings in rows:
            weight = SAMPLE_SIZE if key == exact else 1
            start = period << _PERIOD_BITS
            for offset, high_offset, num in _postings(postings):
                if period != _UNDATED_PERIOD and not low <= start + (offset | high_offset << 16) <= high:
                    continue
                shared[num] = shared.get(num, 0) + weight
                read += 1
            if read > LOOKUP_CAP:
                break
        return shared

    def _link(self, num: int, t: int, flags: int, blob: bytes) -> list[tuple[int, int, float]]:
        """Find and score an article's candidates in the ``keys`` table; store its keys and links;
        return the links. (A grouping from scratch links whole blocks at once: :mod:`.batch`.)"""
        decoded = self._hashed(blob)
        this = _Stored(num, t, flags, *self._vector(blob, decoded))
        vector = this.vector
        self._remember(this)
        if not vector:
            return []
        keys = self._keys(vector, decoded[0], decoded[1])
        shared = self._candidates(keys, keys[-1], t)
        shared.pop(num, None)
        edges = []
        if shared:
            # A correction of a short notice changes a good part of its few rare words (a figure, a
            # date, "corrects", "full name"), so the two may share one sampled word only; a pair
            # with a correction is scored on one, whichever of the two comes first.
            correcting, alone = self._correcting, flags & CORRECTION
            candidates = [n for n, count in shared.items() if count >= 2 or alone or n in correcting]
            for other in self._stored_vectors(candidates):
                score = pair_score(this, other)
                if score != 0.0:
                    edges.append((min(num, other.num), max(num, other.num), score))
        period, posting = t >> _PERIOD_BITS, _posting(t, num)
        self._db.executemany(_ADD_POSTING, [(key - _KEY_BIAS, period, posting) for key in keys])
        self._db.executemany(_ADD_EDGE, edges)
        return edges

    def _group(self) -> None:
        """Link the queued articles under the current reference, then cluster the groups they touch."""
        queued = self._queued
        if not queued and not self._dirty:
            return
        self._use_reference()
        db = self._db
        self._load_corrections()
        for chunk in _chunks(sorted(queued)):
            rows = db.execute(f"SELECT num, t, flags, terms FROM articles WHERE num IN ({_marks(len(chunk))})", chunk)
            for num, t, flags, blob in rows.fetchall():
                self._link(num, t, flags, blob)
        self._cluster(self._reach({*queued, *self._dirty}))

    def _regroup(self) -> None:
        """Group the whole collection from scratch, with its own document frequencies as the reference."""
        self._start_regroup()
        self.take_linked(self._link_part(Part(None, None), lambda rows: self._db.executemany(_ADD_POSTING, rows)))
        self._end_regroup()

    def _start_regroup(self) -> None:
        """Make the collection's document frequencies the reference; forget every link, key and story."""
        db = self._db
        sketch = self._sketch
        assert sketch is not None
        generation = int(self._meta("reference_generation") or 0) + 1
        db.execute("DELETE FROM reference")
        db.executemany(
            "INSERT INTO reference (part, counts) VALUES (?, ?)",
            [(part, _packed(sketch[part * _PART_SIZE : (part + 1) * _PART_SIZE])) for part in range(_PARTS)],
        )
        db.executemany("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)",
                       [("reference", str(self._articles)), ("reference_generation", str(generation))])
        db.execute("DELETE FROM edges")
        db.execute("DELETE FROM keys")
        db.execute("UPDATE articles SET story = NULL, comp = NULL")
        self._use_reference()
        self._regrouping = []

    def _link_part(self, part: Part, write: Callable[[list[tuple[int, int, bytes]]], Any] | None = None) -> Linked:
        """Link the articles of ``part`` (in the order of time) under the reference in use: their links and
        the rows of their keys (those not handed to ``write`` as they come, to keep memory bounded). The
        articles of the span before the part are taken in first (undated ones too, which every article
        may find), so the part finds what one pass would. Blocks of articles are linked at once
        (:class:`~newsindex.stories.batch.BatchLinker`): the links of one article at a time, in Python,
        were half the CPU of grouping."""
        from .batch import BLOCK, BatchLinker  # numpy: loaded only by a grouping from scratch

        db = self._db
        linker = BatchLinker(self, _TF, _NAME_FACTOR, _SKETCH_MASK, self._key_limit(), KEY_MIN, self._telling)
        if part.start is not None:
            low = part.start[0] - WINDOW
            before = db.execute(
                "SELECT num, t, flags, terms FROM articles WHERE (t = ? OR t >= ?) AND (t, num) < (?, ?) ORDER BY t, num",
                (UNDATED, low, *part.start),
            )
            while batch := before.fetchmany(BLOCK):
                linker.add(batch)
        edges: list[tuple[int, int, float]] = []
        rows: list[tuple[int, int, bytes]] = []
        where, bounds = _between(part)
        found = db.execute(f"SELECT num, t, flags, terms FROM articles {where} ORDER BY t, num", bounds)
        while batch := found.fetchmany(BLOCK):
            edges += linker.link(batch, write if write is not None else rows.extend)
        return Linked(edges, rows)

    @_reported
    def take_linked(self, linked: Linked) -> None:
        """Write what a part of a grouping from scratch found (parts taken in the order of time)."""
        assert self._regrouping is not None, "begin_regroup first"
        self._db.executemany(_ADD_POSTING, linked.rows)
        self._db.executemany(_ADD_EDGE, linked.edges)
        self._regrouping += linked.edges

    def _end_regroup(self) -> None:
        """Cluster the whole collection by the links found."""
        edges, self._regrouping = self._regrouping, None
        assert edges is not None
        nums = [num for (num,) in self._db.execute("SELECT num FROM articles")]
        self._cluster((nums, {(a, b): score for a, b, score in edges}))
        self._queued = []
        self._dirty = set()

    @_reported
    def begin_regroup(self, parts: int) -> list[Part]:
        """When the collection is due to be grouped from scratch (see :meth:`commit`), begin it and return
        its parts in the order of time: ``parts`` of them, or more of at most :data:`PART_ARTICLES`
        articles each; else return [].

        For grouping a large collection on several processes or machines: each
        part is linked by :meth:`linked` (a reader of this store's last commit,
        so commit what was assigned first), :meth:`take_linked` writes them in
        order, and :meth:`commit` clusters and commits; the stories are those
        one pass gives.
        """
        if self._in_transaction:
            raise NewsIndexError(f"{self.path}: commit what was assigned before grouping from scratch")
        self._begin()
        if not self._due():
            return []
        self._start_regroup()
        size = max(1, min(-(-self._articles // max(parts, 1)), PART_ARTICLES))
        starts = [row for i, row in enumerate(self._db.execute("SELECT t, num FROM articles ORDER BY t, num"))
                  if i % size == 0][1:]
        bounds: list[tuple[int, int] | None] = [None, *starts, None]
        return [Part(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]

    @classmethod
    def linked(cls, directory: str | Path, language: str, part: Part) -> Linked:
        """Link one part of a grouping from scratch begun by the store's writer (:meth:`begin_regroup`),
        reading the store's last commit: its document frequencies are the reference."""
        store = cls.open(directory, language, create=False)
        try:
            return store._link_committed(part)
        finally:
            store.close()

    @_reported
    def _link_committed(self, part: Part) -> Linked:
        self._set_reference(self._load_sketch("sketch"), int(self._meta("articles") or 0), -2)
        return self._link_part(part)

    def _load_corrections(self) -> None:
        """The nums of the stored corrections (the partial index ``articles_corrections`` holds them)."""
        assert CORRECTION == 2  # the index's condition
        self._correcting = {num for (num,) in self._db.execute("SELECT num FROM articles WHERE flags & 2")}

    def _linked(self, num: int) -> list[int]:
        return [other for (other,) in self._db.execute(
            "SELECT b FROM edges WHERE a = ?1 UNION ALL SELECT a FROM edges WHERE b = ?1", (num,))]

    def _reach(self, seeds: set[int]) -> tuple[list[int], dict[tuple[int, int], float]]:
        """The articles linked (directly or not) to the seeds, and the links among them."""
        db = self._db
        seen = {num for num in seeds if db.execute("SELECT 1 FROM articles WHERE num = ?", (num,)).fetchone()}
        frontier = list(seen)
        scores: dict[tuple[int, int], float] = {}
        while frontier:
            nxt = []
            for chunk in _chunks(frontier):
                marks = _marks(len(chunk))
                for a, b, score in db.execute(
                    f"SELECT a, b, score FROM edges WHERE a IN ({marks}) UNION "
                    f"SELECT a, b, score FROM edges WHERE b IN ({marks})", (*chunk, *chunk)
                ):
                    scores[(a, b)] = score
                    if score <= 0.0:
                        continue  # a pair kept apart links nothing
                    for num in (a, b):
                        if num not in seen:
                            seen.add(num)
                            nxt.append(num)
            frontier = nxt
        return sorted(seen), {pair: score for pair, score in scores.items() if pair[0] in seen and pair[1] in seen}

    def _cluster(self, graph: tuple[list[int], dict[tuple[int, int], float]]) -> None:
        """Cluster these articles (whole groups of linked ones) into stories and write them down."""
        nums, scores = graph
        if not nums:
            return
        db = self._db
        order: dict[int, tuple[bool, int, str]] = {}
        for chunk in _chunks(nums):
            for num, t, article_id in db.execute(
                f"SELECT num, t, id FROM articles WHERE num IN ({_marks(len(chunk))})", chunk
            ):
                order[num] = _story_order(t, article_id)
        key = {num: "%d %020d %s" % (rank[0], rank[1] - UNDATED, rank[2]) for num, rank in order.items()}
        updates = []
        groups = components(nums, [pair for pair, score in scores.items() if score > 0.0])
        comp_of = {num: min(group) for group in groups for num in group}
        inside: dict[int, dict[tuple[int, int], float]] = {}
        for pair, score in scores.items():
            if comp_of[pair[0]] == comp_of[pair[1]]:
                inside.setdefault(comp_of[pair[0]], {})[pair] = score
        for group in groups:
            comp = comp_of[group[0]]
            if len(group) == 1:
                updates.append((group[0], comp, group[0]))
                continue
            pairs = inside.get(comp, {})
            if 2 < len(group) <= COMPLETE:
                pairs = self._completed(group, pairs)
            for story in average_link(group, pairs, JOIN, key):
                first = story[0]
                updates.extend((first, comp, num) for num in story)
        db.executemany("UPDATE articles SET story = ?, comp = ? WHERE num = ?", updates)

    def _completed(self, group: list[int], pairs: dict[tuple[int, int], float]) -> dict[tuple[int, int], float]:
        """The pairs of a small group with the templates of two names that the candidate lookup did not
        find added (a function of the group, so still of the set): a pair kept apart is then known even
        when each was found only through a third. Other pairs not found still count 0: scoring them
        all merged events of one kind on events-dev (pairwise precision 0.92 -> 0.83)."""
        self._use_reference()
        stored = {item.num: item for item in self._stored_vectors(group)}
        scores = dict(pairs)
        ordered = sorted(stored)
        for i, a in enumerate(ordered):
            x = stored[a]
            for b in ordered[i + 1 :]:
                if (a, b) not in scores:
                    y = stored[b]
                    score = pair_score(x, y)
                    if score < 0.0:
                        scores[(a, b)] = score
        return scores

    # -- reading -------------------------------------------------------------

    @_reported
    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM articles").fetchone()[0]

    @_reported
    def story_of(self, article_id: str) -> str | None:
        """The id of the article's story (None if the store does not have it, or has not grouped it yet)."""
        row = self._db.execute(
            "SELECT f.id FROM articles a JOIN articles f ON f.num = a.story WHERE a.id = ?", (article_id,)
        ).fetchone()
        return row[0] if row else None

    @_reported
    def stories_of(self, ids: Iterable[str], sizes: bool = True) -> dict[str, StoryRef]:
        """Story and story size of each stored, grouped id (for collapsing hits and counting stories).
        ``sizes=False`` leaves sizes at 0 (cheaper, for counting)."""
        ids = list(dict.fromkeys(ids))
        found: dict[str, StoryRef] = {}
        for chunk in _chunks(ids):
            rows = self._db.execute(
                f"SELECT a.id, a.story, f.id FROM articles a JOIN articles f ON f.num = a.story "
                f"WHERE a.id IN ({_marks(len(chunk))})",
                chunk,
            ).fetchall()
            size: dict[int, int] = {}
            if sizes and rows:
                stories = sorted({story for _, story, _ in rows})
                for part in _chunks(stories):
                    size.update(self._db.execute(
                        f"SELECT story, count(*) FROM articles WHERE story IN ({_marks(len(part))}) GROUP BY story", part
                    ))
            found.update((article_id, StoryRef(name, size.get(story, 0))) for article_id, story, name in rows)
        return found

    def _story(self, story_id: str) -> int | None:
        """The num of the story named ``story_id`` (its first article), or None."""
        row = self._db.execute("SELECT num, story FROM articles WHERE id = ?", (story_id,)).fetchone()
        return row[0] if row and row[0] == row[1] else None

    @_reported
    def members(self, story_id: str) -> list[str]:
        """The ids of a story's articles, oldest first (undated last, then by id); [] if unknown."""
        story = self._story(story_id)
        if story is None:
            return []
        rows = self._db.execute("SELECT id, t FROM articles WHERE story = ?", (story,)).fetchall()
        return [article_id for article_id, _ in sorted(rows, key=lambda row: _story_order(row[1], row[0]))]

    @_reported
    def size(self, story_id: str) -> int:
        """How many articles a story has (0 if unknown)."""
        story = self._story(story_id)
        if story is None:
            return 0
        return self._db.execute("SELECT count(*) FROM articles WHERE story = ?", (story,)).fetchone()[0]

    @_reported
    def similar(self, article_id: str, limit: int = 10) -> list[tuple[str, float]] | None:
        """The ``limit`` stored articles most like this one (id, cosine), best first; None if not stored.

        Candidates: the articles sharing the article's :data:`SIMILAR_WORDS`
        heaviest words among the words each article is found by (at any date),
        its links and its story; each is scored by the cosine of the two
        TF-IDF vectors (:func:`~newsindex.stories.pairs.plain_cosine`): 1.0 for
        the same words, and comparable across queries. The vectors are made
        straight from the stored words (:meth:`_plain_weights`), not through the
        grouping's name-weighted ones and its cache: a call scores about 200
        candidates, mostly articles it has not seen.
        """
        db = self._db
        row = db.execute("SELECT num, story, terms FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return None
        num, story, blob = row
        self._use_reference()
        vector = self._vector(blob)[0]
        if not vector:
            return []
        heaviest = sorted(vector, key=lambda term: (-vector[term], term))[:SIMILAR_WORDS]
        shared: dict[int, int] = {}
        for chunk in _chunks([term - _KEY_BIAS for term in heaviest]):
            for (postings,) in db.execute(f"SELECT postings FROM keys WHERE key IN ({_marks(len(chunk))})", chunk):
                for _, _, other in _postings(postings):
                    shared[other] = shared.get(other, 0) + 1
        for other in self._linked(num):
            shared[other] = shared.get(other, 0) + SAMPLE_SIZE
        if story is not None:
            for (other,) in db.execute("SELECT num FROM articles WHERE story = ? LIMIT 200", (story,)):
                shared[other] = shared.get(other, 0) + SAMPLE_SIZE
        shared.pop(num, None)
        best = sorted(shared, key=lambda n: (-shared[n], n))[: max(200, 4 * limit)]
        ids, weights = self._plain_weights(blob)
        this, this2 = dict(zip(ids, weights)), sum(map(mul, weights, weights))
        shares, weight_of = this.__contains__, this.__getitem__
        scored = []
        for chunk in _chunks(best):
            for other_id, terms in db.execute(
                    f"SELECT id, terms FROM articles WHERE num IN ({_marks(len(chunk))})", chunk):
                ids, weights = self._plain_weights(terms)
                shared = list(map(shares, ids))
                # The shared words' products summed in ascending id order, as cosine() sums them.
                dot = sum(map(mul, map(weight_of, compress(ids, shared)), compress(weights, shared)))
                score = cosine_of(dot, this2, sum(map(mul, weights, weights)))
                if score > 0.0:
                    scored.append((-score, other_id))
        scored.sort()
        return [(other_id, -score) for score, other_id in scored[:limit]]

    def _plain_weights(self, blob: bytes) -> tuple[list[int], list[float]]:
        """A stored article's vocabulary ids (ascending) and plain TF-IDF weights (names not weighed
        up): what :func:`~newsindex.stories.pairs.plain` makes of :meth:`_vector`'s weights, to the last
        bit (the same products), in C-speed maps over the stored words."""
        ids, counts, _ = _decode_terms(blob)
        idf = self._plain_idf
        if ids and ids[-1] >= len(idf):
            if ids[-1] >= len(self._vocabulary) and not self._in_transaction:
                self._load_vocabulary()  # a reader's: words were committed since it was read
            assert self._reference is not None
            # As _vector weighs a word, worked out once per distinct document frequency (a few
            # thousand), since a one-shot call extends this over most of the vocabulary.
            n = float(max(self._reference_n, MIN_COLLECTION))
            counts_of = list(map(self._reference.__getitem__, map(_SKETCH_MASK.__and__, self._vocabulary[len(idf):])))
            weight = {count: math.log(1.0 + n / (count or 1)) for count in set(counts_of)}
            idf.extend(map(weight.__getitem__, counts_of))
        return ids, list(map(mul, map(_TF.__getitem__, counts), map(idf.__getitem__, ids)))

    @_reported
    def pending(self) -> bool:
        """Whether some articles are not grouped yet (a run that groups at its end was interrupted)."""
        return self._db.execute("SELECT 1 FROM articles WHERE story IS NULL LIMIT 1").fetchone() is not None

    @_reported
    def stats(self) -> StoryStats:
        """Articles, stories, stories of two or more, the articles in them, the largest story, those pending."""
        db = self._db
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        pending = db.execute("SELECT count(*) FROM articles WHERE story IS NULL").fetchone()[0]
        stories = multi = grouped = largest = 0
        for (size,) in db.execute("SELECT count(*) FROM articles WHERE story IS NOT NULL GROUP BY story"):
            stories += 1
            largest = max(largest, size)
            if size >= 2:
                multi += 1
                grouped += size
        return StoryStats(articles=articles, stories=stories + pending, multi=multi, grouped=grouped,
                          largest=largest, pending=pending)


class StoreFormatError(NewsIndexError):
    """The story store was made by another version (or for another language): it must be rebuilt."""
