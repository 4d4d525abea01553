"""Engine-neutral queries: the structured form of ``queries.json`` and its loader.

Why a structure rather than query strings: each engine has its own syntax
(newsindex, Whoosh's QueryParser, FTS5 MATCH plus SQL, tantivy), so the mix is
stored once as a small tree and every engine translates the same tree. That
keeps "the same query" literally the same for everyone, and the translations
are visible in the engines' modules.

A query is a list of clauses joined by ``operator`` (``and``: all must match;
``or``: any may match, as for the Cranfield bags of words), an optional date
range on ``published`` and a sort order. A clause is a term or phrase in
title-or-body (``field=None``) or in the title only, an ``any`` group (OR),
or a ``not`` of a term/phrase/group.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Literal, Union

from . import QUERIES_FILE

Field = Literal["title"] | None
Sort = Literal["relevance", "date"]
Operator = Literal["and", "or"]


@dataclass(frozen=True)
class Term:
    """One word, searched in title or body (or only the title)."""

    word: str
    field: Field = None


@dataclass(frozen=True)
class Phrase:
    """Consecutive words, searched in title or body (or only the title)."""

    words: tuple[str, ...]
    field: Field = None


@dataclass(frozen=True)
class AnyOf:
    """At least one of the parts matches (an OR group)."""

    parts: tuple["Clause", ...]


@dataclass(frozen=True)
class Not:
    """The part must not match; only meaningful next to positive clauses."""

    part: "Clause"


Clause = Union[Term, Phrase, AnyOf, Not]


@dataclass(frozen=True)
class DateRange:
    """Whole days, both ends included (``until`` may be open); all dates are UTC."""

    since: date
    until: date | None = None

    @property
    def start(self) -> datetime:
        """The first instant of the range."""
        return datetime(self.since.year, self.since.month, self.since.day, tzinfo=timezone.utc)

    @property
    def end(self) -> datetime | None:
        """The first instant after the range (half-open end), or None when open."""
        if self.until is None:
            return None
        last = datetime(self.until.year, self.until.month, self.until.day, tzinfo=timezone.utc)
        return last + timedelta(days=1)


@dataclass(frozen=True)
class Query:
    """One benchmark query, the same for every engine."""

    id: str
    category: str
    clauses: tuple[Clause, ...]
    operator: Operator = "and"
    dates: DateRange | None = None
    sort: Sort = "relevance"


def words_of(clause: Clause) -> list[str]:
    """Every word a clause mentions, for reporting (e.g. which words stem differently)."""
    if isinstance(clause, Term):
        return [clause.word]
    if isinstance(clause, Phrase):
        return list(clause.words)
    if isinstance(clause, AnyOf):
        return [w for part in clause.parts for w in words_of(part)]
    return words_of(clause.part)


def render_clause(clause: Clause, negation: str = "NOT ") -> str:
    """A clause in the Lucene-like syntax that newsindex, Whoosh and tantivy parsers share.

    Only negation is spelled differently among them (``negation``).
    """
    prefix = "title:" if getattr(clause, "field", None) == "title" else ""
    if isinstance(clause, Term):
        return prefix + clause.word
    if isinstance(clause, Phrase):
        return prefix + '"' + " ".join(clause.words) + '"'
    if isinstance(clause, AnyOf):
        return "(" + " OR ".join(render_clause(p, negation) for p in clause.parts) + ")"
    return negation + render_clause(clause.part, negation)


def describe(query: Query) -> str:
    """A short, engine-neutral rendering of a query for tables."""

    joiner = " " if query.operator == "and" else " | "
    text = joiner.join(render_clause(c) for c in query.clauses)
    if query.dates:
        until = query.dates.until.isoformat() if query.dates.until else ""
        text += f" [{query.dates.since.isoformat()}..{until}]"
    if query.sort == "date":
        text += " ↓date"
    return text


# -- reading the JSON form ----------------------------------------------------

_WORD = re.compile(r"^[a-z][a-z0-9]*$")


def _clause(raw: object) -> Clause:
    """Read one clause: ``"oil"``, ``{"term": ..}``, ``{"phrase": "a b"}``, ``{"any": [..]}``, ``{"not": ..}``."""
    if isinstance(raw, str):
        raw = {"term": raw}
    if not isinstance(raw, dict) or len(set(raw) - {"field"}) != 1:
        raise ValueError(f"bad clause {raw!r}")
    field = raw.get("field")
    if field not in (None, "title"):
        raise ValueError(f"bad field in {raw!r}: only 'title' (or none: title or body)")
    if "term" in raw:
        return Term(_checked(raw["term"]), field)
    if "phrase" in raw:
        words = tuple(_checked(w) for w in raw["phrase"].split())
        if len(words) < 2:
            raise ValueError(f"a phrase needs two words or more: {raw!r}")
        return Phrase(words, field)
    if field is not None:
        raise ValueError(f"field applies to terms and phrases only: {raw!r}")
    if "any" in raw:
        return AnyOf(tuple(_clause(part) for part in raw["any"]))
    if "not" in raw:
        return Not(_clause(raw["not"]))
    raise ValueError(f"bad clause {raw!r}")


def _checked(word: str) -> str:
    """Words are plain lowercase ASCII, so no engine's query syntax can misread them."""
    if not _WORD.match(word):
        raise ValueError(f"query word {word!r} must be lowercase letters and digits")
    return word


def query_from_dict(raw: dict[str, object]) -> Query:
    """Build one Query from its JSON object (see ``queries.json``)."""
    dates = raw.get("date")
    date_range = None
    if dates is not None:
        assert isinstance(dates, dict)
        until = dates.get("until")
        date_range = DateRange(
            date.fromisoformat(str(dates["since"])), date.fromisoformat(str(until)) if until else None
        )
    clauses = tuple(_clause(c) for c in raw["match"])  # type: ignore[union-attr]
    if not any(not isinstance(c, Not) for c in clauses):
        raise ValueError(f"query {raw.get('id')}: needs at least one positive clause")
    query = Query(
        id=str(raw["id"]),
        category=str(raw["category"]),
        clauses=clauses,
        operator=raw.get("operator", "and"),  # type: ignore[arg-type]
        dates=date_range,
        sort=raw.get("sort", "relevance"),  # type: ignore[arg-type]
    )
    if query.operator not in ("and", "or") or query.sort not in ("relevance", "date"):
        raise ValueError(f"query {query.id}: bad operator or sort")
    return query


def load_queries(path: Path = QUERIES_FILE, key: str = "queries") -> list[Query]:
    """The published queries under ``key``, validated (unique ids, well-formed clauses).

    ``queries`` is the query mix; ``coverage`` the queries of the timeline and
    facet measurement, kept in the same file and form so they stay engine-neutral.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    queries = [query_from_dict(item) for item in data[key]]
    ids = [q.id for q in queries]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate query ids under {key!r}")
    return queries


_BAG_WORD = re.compile(r"[a-z0-9]+")


def bag_of_words(text: str, query_id: str) -> Query:
    """A free-text question as an OR query of its words (how Cranfield is run for every engine).

    Words are lowercase letters and digits; punctuation splits words
    (``2-d`` -> ``2 d``), the same for every engine, and no engine's syntax
    can be triggered by the text. Words are kept as the question repeats
    them, and stop words are left in: each engine treats them as it would
    for a user (Whoosh and newsindex drop them from a bag of words, FTS5 and
    tantivy score them by their low idf).
    """
    words = _BAG_WORD.findall(text.lower())
    return Query(id=query_id, category="bag", clauses=tuple(Term(w) for w in words), operator="or")
