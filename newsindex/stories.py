"""Stories: near-duplicates and close retellings of one event, grouped as articles arrive.

An article joins the story of the most similar earlier article that passes
every check below, or starts a new story whose id is its own id. Grouping
is incremental and never compares an article with every other one:

1. **Candidates (LSH).** Each article is reduced to a weighted sample of 16
   of its content words (:func:`newsindex.similarity.weighted_sample`: a
   bottom-k MinHash in which a word is drawn in proportion to its TF-IDF
   weight), drawn among words no more frequent than 1% of the articles, plus
   one key for its exact bag of words. The keys go into an SQL table indexed
   by (key, date): the candidates of a new article are the stored articles
   sharing a key with it *and published within two days of it*, so a lookup
   reads a handful of short index ranges however large the collection is.
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
this makes 2,028 stories of two or more articles (4,372 articles; the
largest has 6), about four in five of them right by eye; what still goes
wrong is mostly templates differing on one side only (two fund payouts, one
naming its fund "High-Yield") and the same morning's reports of neighbouring
markets. Grouping costs about 0.7 ms an article (half of it the text
analysis) and the store about 0.8 KB an article plus the 4 MB sketch; both
stay flat up to Reuters x25 (539,450 articles).

Document frequencies come from a fixed-size counting sketch (2^20 counters,
4 MB, persisted with the store), updated article by article, so memory does
not grow with the vocabulary and **the stories depend only on the order in
which articles arrive, not on where the batches are cut**: assigning in one
batch or in many gives the same stories.

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
import math
import re
import sqlite3
import sys
import zlib
from array import array
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterable, Iterator, Mapping, TypeVar

from .article import Article
from .errors import NewsIndexError
from .similarity import MIN_COLLECTION, ContentWords, term_hash, tf_weight, weighted_sample

#: The store's file in the index directory.
FILE_NAME = "stories.sqlite"
#: Bumped when the tables or the grouping change so that old stores must be rebuilt.
FORMAT = 1

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
#: Rows read per key for an undated article (no date range to narrow the lookup).
UNDATED_CAP = 200
#: Rows read at most per candidate lookup (a guard; never reached on Reuters).
LOOKUP_CAP = 20_000

#: Words whose hash is kept between articles (the cache is emptied when it is full).
HASH_CACHE = 1_000_000

#: The ``t`` of an undated article (seconds since 1970 otherwise).
UNDATED = -(2**62)

_SKETCH_BITS = 20
_SKETCH_MASK = (1 << _SKETCH_BITS) - 1
_PART_BITS = 14
_PART_SIZE = 1 << _PART_BITS

_TABLE = 1
_CORRECTION = 2
_DIGIT = re.compile(r"\d").search

#: Stems that mark a correction notice, per language (Snowball stems of "corrected",
#: "correction", "corrects"). Only English is known; in other languages a correction
#: that changes a name or a figure may start a story of its own.
CORRECTION_STEMS: Mapping[str, frozenset[str]] = MappingProxyType({"english": frozenset({"correct"})})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    num INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL,
    story INTEGER NOT NULL,
    t INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    terms BLOB NOT NULL,
    keys BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_story ON articles (story);
CREATE TABLE IF NOT EXISTS stories (
    num INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    t INTEGER NOT NULL,
    size INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_size ON stories (size);
CREATE TABLE IF NOT EXISTS keys (
    key INTEGER NOT NULL,
    t INTEGER NOT NULL,
    num INTEGER NOT NULL,
    PRIMARY KEY (key, t, num)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sketch (part INTEGER PRIMARY KEY, counts BLOB NOT NULL);
"""

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


@dataclass
class _Stored:
    """One stored article as verification needs it: TF-IDF vector and its squared norm."""

    num: int
    story: int
    t: int
    flags: int
    vector: dict[int, float]
    norm2: float


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


def _encode_terms(terms: Mapping[int, int]) -> bytes:
    hashes = array("I", terms.keys())
    counts = array("B", (min(c, 255) for c in terms.values()))
    return _to_le(hashes) + counts.tobytes()


def _decode_terms(blob: bytes) -> Iterator[tuple[int, int]]:
    n = len(blob) // 5
    return zip(_from_le("I", blob[: 4 * n]), blob[4 * n :])


def _seconds(moment: datetime | None) -> int:
    return UNDATED if moment is None else int(moment.timestamp())


def _close_in_time(a: int, b: int) -> bool:
    return a == UNDATED or b == UNDATED or abs(a - b) <= WINDOW


def _conflict(a: dict[int, float], a2: float, b: dict[int, float], b2: float) -> bool:
    """Does each side have a word the other lacks carrying ``CONFLICT`` of its squared weight?"""
    top_a = max((x * x for term, x in a.items() if term not in b), default=0.0) / a2
    if top_a < CONFLICT:
        return False
    top_b = max((x * x for term, x in b.items() if term not in a), default=0.0) / b2
    return top_b >= CONFLICT


def _cosine(a: dict[int, float], a2: float, b: dict[int, float], b2: float) -> float:
    if len(a) > len(b):
        a, b = b, a
    get = b.get
    dot = sum(x * get(term, 0.0) for term, x in a.items())
    return min(1.0, dot / math.sqrt(a2 * b2)) if dot > 0 else 0.0


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
        #: word -> term_hash(word): news vocabularies are Zipfian, so most words repeat.
        self._hashes: dict[str, int] = {}
        self._in_transaction = False
        # Writer state, loaded when a transaction begins.
        self._sketch: array | None = None
        self._saved: dict[int, array] = {}
        self._generation = -1
        self._articles = 0
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
            db = sqlite3.connect(str(path), isolation_level=None, timeout=10.0)
        except (OSError, sqlite3.Error) as exc:
            raise NewsIndexError(f"{path}: cannot open the story store: {exc}") from None
        try:
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
                db.execute("PRAGMA journal_mode=WAL")  # readers go on reading while the writer writes
                db.executescript(_SCHEMA)
                db.execute("BEGIN IMMEDIATE")
                db.executemany(
                    "INSERT OR IGNORE INTO meta (name, value) VALUES (?, ?)",
                    [("format", str(FORMAT)), ("language", language), ("articles", "0"), ("generation", "0")],
                )
                db.execute("COMMIT")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA cache_size=-65536")
            meta = dict(db.execute("SELECT name, value FROM meta"))
        except (OSError, sqlite3.Error) as exc:
            db.close()
            raise NewsIndexError(f"{path}: cannot open the story store: {exc}") from None
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
            self._generation = generation
        self._articles = int(self._meta("articles"))
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
        assert self._sketch is not None
        db = self._db
        try:
            db.executemany(
                "INSERT OR REPLACE INTO sketch (part, counts) VALUES (?, ?)",
                [(part, _packed(self._sketch[part * _PART_SIZE : (part + 1) * _PART_SIZE])) for part in sorted(self._saved)],
            )
            self._generation += 1
            rows = [("articles", str(self._articles)), ("generation", str(self._generation))]
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
        return {article.id: self._assign(article) for article in articles}

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
        committed with ``marker``. It reads every stored id and hash, so call
        it when :attr:`marker` says the store lags (after a crash between the
        two commits), not on every run.
        """
        stored = dict(self._db.execute("SELECT id, hash FROM articles"))
        gone = [article_id for article_id in stored if article_id not in index]
        missing = [article_id for article_id, digest in index.items() if stored.get(article_id) != digest]
        del stored
        if gone:
            self.remove(gone)
        if missing:
            self.assign(load(article_id) for article_id in missing)
        self.commit(marker)
        return len(gone), len(missing)

    def _count(self, terms: Iterable[int], delta: int) -> None:
        """Add ``delta`` to the document frequency of each hashed word (saving parts for rollback)."""
        sketch, saved = self._sketch, self._saved
        assert sketch is not None
        for term in terms:
            slot = term & _SKETCH_MASK
            part = slot >> _PART_BITS
            if part not in saved:
                saved[part] = sketch[part * _PART_SIZE : (part + 1) * _PART_SIZE]
            value = sketch[slot] + delta
            sketch[slot] = value if value > 0 else 0

    def _vector(self, terms: Iterable[tuple[int, int]]) -> tuple[dict[int, float], float]:
        """TF-IDF vector (current document frequencies) and its squared norm."""
        sketch = self._sketch
        assert sketch is not None
        # idf() inlined: this runs for every word of every candidate.
        articles = float(max(self._articles, MIN_COLLECTION))
        log, mask, tf = math.log, _SKETCH_MASK, _TF
        vector = {term: tf[count] * log(1.0 + articles / (sketch[term & mask] or 1)) for term, count in terms}
        return vector, sum(x * x for x in vector.values())

    def _assign(self, article: Article) -> str:
        """Group one article; return its story id."""
        db = self._db
        digest = article.content_hash
        row = db.execute(
            "SELECT a.num, a.hash, s.id FROM articles a JOIN stories s ON s.num = a.story WHERE a.id = ?",
            (article.id,),
        ).fetchone()
        if row is not None:
            if row[1] == digest:
                return row[2]
            self._remove(row[0])
        words = self._words(article)
        terms: dict[int, int] = {}
        figures = total = 0
        flags = 0
        hashes = self._hashes
        if len(hashes) > HASH_CACHE:
            hashes.clear()
        for word, count in words.items():
            term = hashes.get(word)
            if term is None:
                term = hashes[word] = term_hash(word)
            terms[term] = min(terms.get(term, 0) + count, 255)
            total += count
            if _DIGIT(word):
                figures += count
            if word in self._corrections:
                flags |= _CORRECTION
        if total and figures >= TABLE_SHARE * total:
            flags |= _TABLE
        t = _seconds(article.published)
        self._count(terms, +1)
        self._articles += 1
        vector, norm2 = self._vector(terms.items())
        story = None
        all_keys = array("I")
        if vector:  # an article without words is a story of its own, found by no other
            keys = self._keys(terms, vector)
            exact = term_hash(repr(sorted(terms.items())))
            story = self._match(vector, norm2, t, flags, keys, exact)
            all_keys = array("I", dict.fromkeys([*keys, exact]))
        num = self._next_num
        self._next_num += 1
        if story is None:
            story = num
            name = article.id
            if db.execute("SELECT 1 FROM stories WHERE id = ?", (name,)).fetchone():
                name = f"{article.id}#{num}"  # a story this id founded lives on without it
            db.execute("INSERT INTO stories (num, id, t, size) VALUES (?, ?, ?, 1)", (story, name, t))
        else:
            db.execute("UPDATE stories SET size = size + 1 WHERE num = ?", (story,))
            name = db.execute("SELECT id FROM stories WHERE num = ?", (story,)).fetchone()[0]
        db.execute(
            "INSERT INTO articles (num, id, hash, story, t, flags, terms, keys) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (num, article.id, digest, story, t, flags, _encode_terms(terms), _to_le(all_keys)),
        )
        db.executemany("INSERT OR IGNORE INTO keys (key, t, num) VALUES (?, ?, ?)", [(k, t, num) for k in all_keys])
        return name

    def _keys(self, terms: Mapping[int, int], vector: dict[int, float]) -> list[int]:
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
        db = self._db
        shared: Counter[int] = Counter()
        every = [*keys, exact]
        if t == UNDATED:
            for key in every:
                rows = db.execute("SELECT num FROM keys WHERE key = ? ORDER BY t DESC LIMIT ?", (key, UNDATED_CAP))
                for (num,) in rows:
                    shared[num] += SAMPLE_SIZE if key == exact else 1
        else:
            marks = ",".join("?" * len(every))
            for low, high in ((t - WINDOW, t + WINDOW), (UNDATED, UNDATED)):
                rows = db.execute(
                    f"SELECT key, num FROM keys WHERE key IN ({marks}) AND t BETWEEN ? AND ? LIMIT ?",
                    (*every, low, high, LOOKUP_CAP),
                )
                for key, num in rows:
                    shared[num] += SAMPLE_SIZE if key == exact else 1
        # One shared word in a sample of 16 is chance (3 in 4 candidates on Reuters, of which
        # 1 in 2,000 is a match); texts too short to have 8 keys may share no more.
        floor = 2 if len(keys) >= SAMPLE_SIZE // 2 else 1
        best = sorted(shared.items(), key=lambda item: (-item[1], -item[0]))[:VERIFY]
        return [num for num, count in best if count >= floor]

    def _load(self, nums: list[int]) -> list[_Stored]:
        if not nums:
            return []
        marks = ",".join("?" * len(nums))
        rows = self._db.execute(f"SELECT num, story, t, flags, terms FROM articles WHERE num IN ({marks})", nums)
        loaded = []
        for num, story, t, flags, blob in rows:
            vector, norm2 = self._vector(_decode_terms(blob))
            loaded.append(_Stored(num, story, t, flags, vector, norm2))
        return loaded

    def _match(
        self, vector: dict[int, float], norm2: float, t: int, flags: int, keys: list[int], exact: int
    ) -> int | None:
        """The story of the best verified candidate, or None."""
        scored = []
        for other in self._load(self._candidates(keys, exact, t)):
            score = _cosine(vector, norm2, other.vector, other.norm2)
            needed = TABLE_THRESHOLD if (flags | other.flags) & _TABLE else THRESHOLD
            if score >= needed and _close_in_time(t, other.t):
                scored.append((score, other))
        scored.sort(key=lambda item: (-item[0], -item[1].num))
        for _, other in scored:
            if not (flags | other.flags) & _CORRECTION and _conflict(vector, norm2, other.vector, other.norm2):
                continue
            start = self._db.execute("SELECT t FROM stories WHERE num = ?", (other.story,)).fetchone()
            if start is None or not _close_in_time(t, start[0]):
                continue
            if other.story != other.num:
                founder = self._load([other.story])
                if founder:
                    first = founder[0]
                    if _cosine(vector, norm2, first.vector, first.norm2) < FOUNDER_THRESHOLD:
                        continue
                    if not (flags | first.flags) & _CORRECTION and _conflict(vector, norm2, first.vector, first.norm2):
                        continue
            return other.story
        return None

    def _remove(self, num: int) -> None:
        db = self._db
        story, t, blob, keys = db.execute("SELECT story, t, terms, keys FROM articles WHERE num = ?", (num,)).fetchone()
        db.executemany("DELETE FROM keys WHERE key = ? AND t = ? AND num = ?", [(k, t, num) for k in _from_le("I", keys)])
        db.execute("DELETE FROM articles WHERE num = ?", (num,))
        db.execute("UPDATE stories SET size = size - 1 WHERE num = ?", (story,))
        db.execute("DELETE FROM stories WHERE num = ? AND size <= 0", (story,))
        self._count((term for term, _ in _decode_terms(blob)), -1)
        self._articles -= 1

    # -- reading -------------------------------------------------------------

    @_reported
    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM articles").fetchone()[0]

    @_reported
    def story_of(self, article_id: str) -> str | None:
        """The id of the article's story (None if the store does not have the article)."""
        row = self._db.execute(
            "SELECT s.id FROM articles a JOIN stories s ON s.num = a.story WHERE a.id = ?", (article_id,)
        ).fetchone()
        return row[0] if row else None

    @_reported
    def stories_of(self, ids: Iterable[str]) -> dict[str, StoryRef]:
        """Story and story size of each stored id (for collapsing a page of hits)."""
        ids = list(dict.fromkeys(ids))
        found: dict[str, StoryRef] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT a.id, s.id, s.size FROM articles a JOIN stories s ON s.num = a.story WHERE a.id IN ({marks})",
                chunk,
            )
            found.update((article_id, StoryRef(story, size)) for article_id, story, size in rows)
        return found

    @_reported
    def members(self, story_id: str) -> list[str]:
        """The ids of a story's articles, oldest first (undated last, then by id); [] if unknown."""
        rows = self._db.execute(
            "SELECT a.id FROM articles a JOIN stories s ON s.num = a.story WHERE s.id = ? "
            "ORDER BY a.t = ?, a.t, a.id",
            (story_id, UNDATED),
        )
        return [row[0] for row in rows]

    @_reported
    def size(self, story_id: str) -> int:
        """How many articles a story has (0 if unknown)."""
        row = self._db.execute("SELECT size FROM stories WHERE id = ?", (story_id,)).fetchone()
        return row[0] if row else 0

    @_reported
    def neighbours(self, article_id: str, limit: int = 50) -> list[str]:
        """Candidates for "similar articles": the article's story, then articles sharing its keys.

        Unlike story grouping this ignores dates (a similar article may be
        from any time); the ids come unscored, most shared keys first.
        """
        db = self._db
        row = db.execute("SELECT num, story, keys FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return []
        num, story, keys = row
        mates = [n for (n,) in db.execute("SELECT num FROM articles WHERE story = ? LIMIT ?", (story, limit + 1))]
        shared: Counter[int] = Counter()
        for key in _from_le("I", keys):
            for (other,) in db.execute("SELECT num FROM keys WHERE key = ? ORDER BY t DESC LIMIT ?", (key, UNDATED_CAP)):
                shared[other] += 1
        ranked = [n for n, _ in sorted(shared.items(), key=lambda item: (-item[1], -item[0]))]
        nums = [n for n in dict.fromkeys([*mates, *ranked]) if n != num][:limit]
        if not nums:
            return []
        marks = ",".join("?" * len(nums))
        names = dict(db.execute(f"SELECT num, id FROM articles WHERE num IN ({marks})", nums))
        return [names[n] for n in nums if n in names]

    @_reported
    def stats(self) -> StoryStats:
        """Articles, stories, stories of two or more, the articles in them, the largest story."""
        db = self._db
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        stories = db.execute("SELECT count(*) FROM stories").fetchone()[0]
        multi, grouped = db.execute("SELECT count(*), coalesce(sum(size), 0) FROM stories WHERE size >= 2").fetchone()
        largest = db.execute("SELECT coalesce(max(size), 0) FROM stories").fetchone()[0]
        return StoryStats(articles=articles, stories=stories, multi=multi, grouped=grouped, largest=largest)
