"""The stems of an index's own vocabulary, kept beside the index, so a search need not load NLTK.

Importing NLTK's Snowball stemmer imports most of the ``nltk`` package: a
quarter of a second or more, longer than the rest of a one-shot search. But
nearly every word a query holds is a word of the index, which NLTK stemmed
when it was indexed. So indexing keeps each word NLTK stemmed with its stem
(:meth:`StemTable.add`), and a search looks its words up here first
(:meth:`StemTable.lookup`); only a word the index has never seen is stemmed
by NLTK. Nothing indexed changes: the table only remembers what NLTK said,
and a word missing from it (an index written by Whoosh's own writer, a table
lost) is simply stemmed by NLTK, as before.

One SQLite file per index, with a row per (language, word): point lookups
by primary key cost microseconds however large the vocabulary, and rows are
added in a transaction, so a crash leaves the table as it was.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterable, Mapping, Sequence

#: The file beside the index.
FILE_NAME = "stems.sqlite"


class StemTable:
    """Word -> stem, per Snowball language, as NLTK gave them when the index was built."""

    def __init__(self, directory: Path, language: str) -> None:
        self.path = Path(directory) / FILE_NAME
        self.language = language
        self._db: sqlite3.Connection | None = None
        self._missing = False

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._db is None and (create or (not self._missing and self.path.is_file())):
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            try:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS stems (language TEXT, word TEXT, stem TEXT, "
                    "PRIMARY KEY (language, word)) WITHOUT ROWID"
                )
            except sqlite3.Error:
                db.close()
                if create:
                    raise
                # Damaged, or on a read-only disk: searches stem with NLTK (newsindex check names it).
                self._missing = True
                return None
            self._db = db
        self._missing = self._db is None
        return self._db

    def lookup(self, word: str) -> str | None:
        """The stem NLTK gave ``word`` when it was indexed, or None if it never was."""
        db = self._connect(create=False)
        if db is None:
            return None
        try:
            row = db.execute("SELECT stem FROM stems WHERE language = ? AND word = ?", (self.language, word)).fetchone()
        except sqlite3.Error:  # unreadable: NLTK will do
            return None
        return row[0] if row else None

    def lookup_many(self, words: Iterable[str]) -> dict[str, str]:
        """Word -> stem of those of ``words`` that were indexed (one query per 500 words)."""
        db = self._connect(create=False)
        found: dict[str, str] = {}
        if db is None:
            return found
        words = list(words)
        try:
            for start in range(0, len(words), 500):
                chunk = words[start : start + 500]
                found.update(db.execute(
                    f"SELECT word, stem FROM stems WHERE language = ? AND word IN ({','.join('?' * len(chunk))})",
                    (self.language, *chunk),
                ))
        except sqlite3.Error:  # unreadable: NLTK will do
            pass
        return found

    def add(self, stems: Mapping[str, str]) -> None:
        """Keep these words' stems (those already kept stay as they are)."""
        if not stems:
            return
        try:
            db = self._connect(create=True)
            assert db is not None
            with db:
                db.execute("BEGIN")
                db.executemany(
                    "INSERT OR IGNORE INTO stems VALUES (?, ?, ?)",
                    ((self.language, word, stem) for word, stem in stems.items()),
                )
        except sqlite3.Error as exc:  # a full disk, a read-only place: what every writer reports
            damaged = isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)
            raise OSError(f"{self.path}: {exc}" + ("; delete it (it only remembers the stems NLTK gives again)"
                                                   if damaged else "")) from None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class StemTables:
    """The :class:`StemTable` of each Snowball language an index's searches stem words in.

    An index holds articles of many languages, each stemmed in its own (see
    :mod:`newsindex.text.analysis`); its one file keeps every language's rows,
    and a search opens the tables of the languages its words are looked up in.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._tables: dict[str, StemTable] = {}

    def of(self, language: str) -> StemTable:
        """The table of the Snowball ``language`` (opened on its first lookup)."""
        table = self._tables.get(language)
        if table is None:
            table = self._tables[language] = StemTable(self.directory, language)
        return table

    def close(self) -> None:
        for table in self._tables.values():
            table.close()


class AnyStems:
    """The stem tables of several indexes (the shards of a collection) as one :class:`StemTables`:
    a word's stem from the first that indexed it. Whichever shard asked NLTK, the stem is NLTK's,
    so a collection's searches and ``similar`` need not load NLTK either."""

    def __init__(self, directories: Sequence[Path]) -> None:
        self._tables = [StemTables(directory) for directory in directories]

    def of(self, language: str) -> "FirstKnown":
        return FirstKnown([tables.of(language) for tables in self._tables])

    def close(self) -> None:
        for tables in self._tables:
            tables.close()


class FirstKnown:
    """Stems looked up in several tables of one language, in turn."""

    def __init__(self, tables: Sequence[StemTable]) -> None:
        self._tables = tables

    def lookup(self, word: str) -> str | None:
        for table in self._tables:
            stem = table.lookup(word)
            if stem is not None:
                return stem
        return None

    def lookup_many(self, words: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        left = set(words)
        for table in self._tables:
            if not left:
                break
            more = table.lookup_many(left)
            found.update(more)
            left.difference_update(more)
        return found
