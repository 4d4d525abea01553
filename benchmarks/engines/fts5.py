"""SQLite FTS5 through Python's sqlite3: what a user who wants "just SQLite" would write.

An FTS5 table of title and body (``tokenize='porter unicode61'``, the text
kept in the table as Whoosh's stored fields keep it) and an ordinary table
with the article id and the date (Unix seconds, UTC) with an index on the
date. Ranking is ``bm25()``; the exact total is a ``count(*)`` of the same
match, as a paging UI would run it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Iterable, Iterator

from newsindex import Article

from ..querymix import AnyOf, Clause, Not, Phrase, Query, Term
from .base import Engine

_SCHEMA = """
CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, tokenize='porter unicode61');
CREATE TABLE articles(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, published INTEGER);
CREATE INDEX articles_published ON articles(published);
"""

_FROM = "FROM articles_fts JOIN articles ON articles.rowid = articles_fts.rowid WHERE articles_fts MATCH ?"


@dataclass(frozen=True)
class Fts5Query:
    """The MATCH expression, the extra SQL conditions and their parameters, and the order."""

    match: str
    where: str
    params: tuple[int, ...]
    order: str


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _clause(clause: Clause) -> str:
    prefix = "title : " if getattr(clause, "field", None) == "title" else ""
    if isinstance(clause, Term):
        return prefix + _quote(clause.word)
    if isinstance(clause, Phrase):
        return prefix + _quote(" ".join(clause.words))
    if isinstance(clause, AnyOf):
        return "(" + " OR ".join(_clause(p) for p in clause.parts) + ")"
    raise ValueError("NOT is handled by the caller")  # pragma: no cover


def to_fts5(query: Query) -> Fts5Query:
    """FTS5 MATCH syntax; FTS5's NOT is binary, so negations follow the positive part."""
    positives = [_clause(c) for c in query.clauses if not isinstance(c, Not)]
    negatives = [_clause(c.part) for c in query.clauses if isinstance(c, Not)]
    match = f" {query.operator.upper()} ".join(positives)
    if negatives:
        match = f"({match})" + "".join(f" NOT {n}" for n in negatives)
    where, params = "", ()
    if query.dates is not None:
        where = " AND articles.published >= ?"
        params = (int(query.dates.start.timestamp()),)
        if query.dates.end is not None:
            where += " AND articles.published < ?"
            params += (int(query.dates.end.timestamp()),)
    order = "articles.published DESC" if query.sort == "date" else "bm25(articles_fts)"
    return Fts5Query(match, where, params, order)


class Fts5(Engine):
    name = "fts5"
    stemmer = "porter"
    setup = (
        "sqlite3 FTS5 table (title, body) tokenize='porter unicode61'; id and published (Unix s) "
        "in an ordinary table with an index on published; ORDER BY bm25() LIMIT 10 plus count(*)"
    )

    @classmethod
    def version(cls) -> str:
        return "SQLite " + sqlite3.sqlite_version

    @classmethod
    def available(cls) -> str | None:
        try:
            con = sqlite3.connect(":memory:")
            con.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
            con.close()
        except sqlite3.Error as exc:
            return f"this Python's SQLite has no FTS5 ({exc})"
        return None

    @property
    def path(self) -> str:
        return str(self.directory / "articles.db")

    def build(self, articles: Iterable[Article]) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path)
        con.executescript(_SCHEMA)
        meta: list[tuple[int, str, int | None]] = []

        def text_rows() -> Iterator[tuple[int, str, str]]:
            """Stream the FTS rows to executemany, keeping the small (rowid, id, date) rows for the second insert."""
            for rowid, article in enumerate(articles, start=1):
                published = int(article.published.timestamp()) if article.published else None
                meta.append((rowid, article.id, published))
                yield rowid, article.title, article.body

        with con:  # one transaction, as anyone loading SQLite in bulk writes it
            con.executemany("INSERT INTO articles_fts(rowid, title, body) VALUES (?, ?, ?)", text_rows())
            con.executemany("INSERT INTO articles(rowid, id, published) VALUES (?, ?, ?)", meta)
        con.close()
        return len(meta)

    def open(self) -> None:
        self._con = sqlite3.connect(self.path)

    def translate(self, query: Query) -> Fts5Query:
        return to_fts5(query)

    def search(self, native: Fts5Query, limit: int = 10) -> tuple[int, list[str]]:
        params = (native.match, *native.params)
        (total,) = self._con.execute(f"SELECT count(*) {_FROM}{native.where}", params).fetchone()
        rows = self._con.execute(
            f"SELECT articles.id {_FROM}{native.where} ORDER BY {native.order} LIMIT {int(limit)}", params
        ).fetchall()
        return total, [row[0] for row in rows]

    def close(self) -> None:
        if getattr(self, "_con", None) is not None:
            self._con.close()
            self._con = None
