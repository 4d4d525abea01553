"""SQLite FTS5 through Python's sqlite3: what a user who wants "just SQLite" would write.

An FTS5 table of title and body (``tokenize='porter unicode61'``, the text
kept in the table as Whoosh's stored fields keep it) and an ordinary table
with the article id and the date (Unix seconds, UTC) with an index on the
date. Ranking is ``bm25()``; the exact total is a ``count(*)`` of the same
match, as a paging UI would run it.

For the coverage measurement a third table holds each article's facet values
(source, topics, places, authors: one row per value), which FTS5 itself has
no place for; a timeline and facet counts are then one SQL statement each,
``GROUP BY`` over the match joined to these tables, as a SQLite user writes them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from newsindex import Article
from newsindex.store.schema import FACETS

from ..querymix import AnyOf, Clause, Not, Phrase, Query, Term
from .base import Engine, FacetCounts, Weekly

_SCHEMA = """
CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, tokenize='porter unicode61');
CREATE TABLE articles(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, published INTEGER);
CREATE INDEX articles_published ON articles(published);
CREATE TABLE facets(article INTEGER NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX facets_article ON facets(article, facet, value);
"""

_JOIN = "FROM articles_fts JOIN articles ON articles.rowid = articles_fts.rowid"
_MATCH = " WHERE articles_fts MATCH ?"
_FROM = _JOIN + _MATCH

#: The Monday (UTC) of the ISO week of ``articles.published``: 'weekday 0' moves on to
#: the week's Sunday (a Sunday stays), six days earlier is its Monday.
_WEEK = "strftime('%Y-%m-%d', articles.published, 'unixepoch', 'weekday 0', '-6 days')"

#: Matches per week, and all articles of each such week (a range count on the date index).
_TIMELINE = f"""
WITH weeks AS (
    SELECT {_WEEK} AS week, count(*) AS n {_FROM}{{where}} AND articles.published IS NOT NULL GROUP BY week
)
SELECT week, n, (
    SELECT count(*) FROM articles
    WHERE published >= CAST(strftime('%s', week) AS INTEGER)
      AND published < CAST(strftime('%s', week, '+7 days') AS INTEGER)
) FROM weeks ORDER BY week
"""

#: The top values of each facet among the matches, in one pass over the match.
_FACETS = f"""
SELECT facet, value, n FROM (
    SELECT facets.facet AS facet, facets.value AS value, count(*) AS n,
           row_number() OVER (PARTITION BY facets.facet ORDER BY count(*) DESC, facets.value) AS position
    {_JOIN} JOIN facets ON facets.article = articles.rowid{_MATCH}{{where}} AND facets.facet IN ({{names}})
    GROUP BY facets.facet, facets.value
) WHERE position <= ? ORDER BY facet, position
"""


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


def facet_rows(rowid: int, article: Article) -> Iterator[tuple[int, str, str]]:
    """(article, facet, value) rows of one article, named and read as newsindex's facets are."""
    for name, (_column, attribute) in FACETS.items():
        values = getattr(article, attribute)
        for value in (values,) if isinstance(values, str) else values:
            if value:
                yield rowid, name, value


class Fts5(Engine):
    name = "fts5"
    stemmer = "porter"
    setup = (
        "sqlite3 FTS5 table (title, body) tokenize='porter unicode61'; id and published (Unix s) "
        "in an ordinary table with an index on published; ORDER BY bm25() LIMIT 10 plus count(*); "
        "source/topics/places/authors in a facets(article, facet, value) table for the coverage facets"
    )
    coverage_setup = (
        "one SQL statement each over the MATCH joined to the date table: per week "
        "strftime(published, 'weekday 0', '-6 days') GROUP BY, with the week's articles by a range count "
        "on the date index; per facet GROUP BY value over the facets table, top 10 by row_number()"
    )
    coverage_gaps: dict[str, str] = {}

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
        facets: list[tuple[int, str, str]] = []

        def text_rows() -> Iterator[tuple[int, str, str]]:
            """Stream the FTS rows to executemany, keeping the small (rowid, id, date) rows for the second insert."""
            for rowid, article in enumerate(articles, start=1):
                published = int(article.published.timestamp()) if article.published else None
                meta.append((rowid, article.id, published))
                facets.extend(facet_rows(rowid, article))
                yield rowid, article.title, article.body

        with con:  # one transaction, as anyone loading SQLite in bulk writes it
            con.executemany("INSERT INTO articles_fts(rowid, title, body) VALUES (?, ?, ?)", text_rows())
            con.executemany("INSERT INTO articles(rowid, id, published) VALUES (?, ?, ?)", meta)
            con.executemany("INSERT INTO facets(article, facet, value) VALUES (?, ?, ?)", facets)
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

    def timeline(self, native: Fts5Query) -> Weekly:
        rows = self._con.execute(_TIMELINE.format(where=native.where), (native.match, *native.params))
        return {week: (n, total) for week, n, total in rows}

    def facets(self, native: Fts5Query, names: Sequence[str], top: int) -> FacetCounts:
        sql = _FACETS.format(where=native.where, names=", ".join("?" * len(names)))
        counts: FacetCounts = {name: [] for name in names}
        for facet, value, n in self._con.execute(sql, (native.match, *native.params, *names, top)):
            counts[facet].append((value, n))
        return counts

    def close(self) -> None:
        if getattr(self, "_con", None) is not None:
            self._con.close()
            self._con = None
