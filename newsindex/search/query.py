"""The query language: a small recursive-descent parser that builds Whoosh queries.

Why our own parser rather than Whoosh's ``QueryParser``: Whoosh's parser is
lenient by design (an unbalanced quote or an unknown field silently becomes a
plain word), while a fact-checker must be told that ``"refused to extradite``
lacks its closing quote, and where. The grammar is small enough to own::

    query    := or_expr
    or_expr  := and_expr ( "OR" and_expr )*
    and_expr := unary ( ["AND"] unary )*          # juxtaposition = AND (or OR, see operator)
    unary    := ( "NOT" | "-" ) unary | "+"? primary
    primary  := "(" or_expr ")" | FIELD ":" value | phrase | word
    value    := "(" or_expr ")" | phrase | word    # date: takes a period or a range
    phrase   := '"' text '"' [ "~" N ]
    word     := a run of characters, optionally ending in "*" (prefix)

Stop words are indexed (so phrases are exact) but dropped from bag-of-words
groups that have other words, because requiring ``the`` adds work and no
meaning; a query made only of stop words still searches for them.

An index holds articles of many languages, each analysed in its own (see
:mod:`newsindex.text.analysis`), so a word or phrase of title and body is
looked up once per language the index holds, analysed as that language's
articles were: ``медведь`` finds Russian ``медведю`` by its Russian stem while
``Kennedys`` finds English ``Kennedy``. An article has the terms of its own
language only, so the OR of the languages is exactly "the word, in the
article's language", and document frequencies stay per language. Stop words
are per language too: ``war`` is dropped from ``war crimes`` for German
articles (where it means "was") but required of English ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from array import array

from whoosh import query as wq
from whoosh.analysis import Composable
from whoosh.matching import FilterMatcher, Matcher
from whoosh.query.spans import SpanNear2

from ..ingest.dates import END_OF_TIME, parse_period
from ..ingest.languages import language_code
from ..errors import DateError, QueryError
from ..store.schema import MICROS_PER_DAY, UNDATED, day_number
from ..text.analysis import Analysis, unmarked
from ..text.scripts import has_unspaced

Operator = Literal["and", "or"]

#: Query field names (and their aliases) -> index field, and how values are read.
FIELDS: dict[str, tuple[str, str]] = {
    "title": ("title", "text"),
    "body": ("body", "text"),
    "text": ("body", "text"),
    "source": ("source", "name"),
    "author": ("authors", "name"),
    "authors": ("authors", "name"),
    "topic": ("topics", "keyword"),
    "topics": ("topics", "keyword"),
    "place": ("places", "keyword"),
    "places": ("places", "keyword"),
    "language": ("language", "language"),
    "lang": ("language", "language"),
    "url": ("url", "exact"),
    "id": ("id", "exact"),
    "date": ("day", "date"),
    "published": ("day", "date"),
}

DEFAULT_FIELDS = ("title", "body")

_FIELD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):")
_SLOP = re.compile(r"~(\d*)")
#: ``word~2``: Lucene's fuzzy search, which this language does not have.
_FUZZY = re.compile(r"~\d*$")

#: Bounds of a query, so that no query can exhaust time or memory (or Python's stack): a query of
#: more characters (a pasted article is about 5,000), more words and phrases (Lucene's default
#: clause limit), deeper parentheses (Elasticsearch nests bool queries 20 deep) or a wider
#: proximity is a QueryError saying which bound it passed.
MAX_QUERY_CHARS = 20_000
MAX_TERMS = 1_024
MAX_DEPTH = 32
MAX_SLOP = 10_000
_SPECIAL = set('()"')
#: A lone UTF-16 surrogate: what a byte that is not UTF-8 in a command-line argument becomes.
_NOT_TEXT = re.compile("[\ud800-\udfff]")


@dataclass
class _Tok:
    kind: str  # WORD, PHRASE, FIELD, LPAREN, RPAREN, AND, OR, NOT, MINUS, PLUS, EOF
    value: str
    pos: int
    slop: int | None = None


def _lex(text: str) -> list[_Tok]:
    """Split a query into tokens, each with its character offset for error messages."""
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            toks.append(_Tok("LPAREN", ch, i))
            i += 1
        elif ch == ")":
            toks.append(_Tok("RPAREN", ch, i))
            i += 1
        elif ch == "=" and text.startswith('="', i):  # an exact phrase: the = goes with the phrase
            toks.append(_Tok("EXACT", ch, i))
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError("unbalanced quote: this phrase has no closing \"", text, i)
            tok = _Tok("PHRASE", text[i + 1 : end], i)
            i = end + 1
            slop = _SLOP.match(text, i)
            if slop:
                digits = slop.group(1)
                if not digits or len(digits) > len(str(MAX_SLOP)) or int(digits) > MAX_SLOP:
                    raise QueryError(
                        f"~ after a phrase needs a number of words from 0 to {MAX_SLOP:,}, as in \"a b\"~5",
                        text, i,
                    )
                tok.slop = int(digits)
                i = slop.end()
            toks.append(tok)
        elif ch in "-+" and (not toks or toks[-1].kind != "FIELD") and i + 1 < n and not text[i + 1].isspace():
            toks.append(_Tok("MINUS" if ch == "-" else "PLUS", ch, i))
            i += 1
        else:
            field = _FIELD.match(text, i)
            if field and (not toks or toks[-1].kind != "FIELD"):
                toks.append(_Tok("FIELD", field.group(1), i))
                i = field.end()
                if i >= n or text[i].isspace() or text[i] == ")":
                    raise QueryError(f"field {field.group(1)}: has no value after the colon", text, i - 1)
                continue
            start = i
            while i < n and not text[i].isspace() and text[i] not in _SPECIAL:
                i += 1
            word = text[start:i]
            if _FUZZY.search(word) and word != "~" * len(word):
                raise QueryError(
                    "word~N (fuzzy search) is not supported; for words near each other use a phrase, "
                    "as in \"a b\"~5", text, start + word.rindex("~"),
                )
            kind = word if word in ("AND", "OR", "NOT") and (not toks or toks[-1].kind != "FIELD") else "WORD"
            toks.append(_Tok(kind, word, start))
    toks.append(_Tok("EOF", "", n))
    return toks


@dataclass
class _Clause:
    """A parsed piece: its Whoosh query, whether it is negated, whether it is only a stop word.

    ``loose`` is what the clause becomes in a bag of words that drops stop words,
    for a word that is a stop word in some of the index's languages only: the
    word in the others, or any article of those (see :meth:`QueryParser._word`).
    """

    query: wq.Query
    negated: bool = False
    stop: bool = False
    loose: wq.Query | None = None


class QueryParser:
    """Turns query strings into Whoosh queries for one index's analyzers.

    Holding the analyzers (rather than reading globals) keeps a parser tied to
    the index it searches, so two indexes in other languages can live in one
    process. ``analyses`` are the languages the index holds, its default
    language first (see :class:`~newsindex.text.analysis.Analysis`).
    """

    def __init__(self, analyses: list[Analysis], name_analyzer: Composable) -> None:
        self.analyses = analyses
        self._name = name_analyzer
        #: The index terms of every language's stop words (snippets do not mark them).
        self.stop_terms = frozenset().union(*(analysis.stop_terms for analysis in analyses))

    def parse(self, text: str, operator: Operator = "and") -> wq.Query:
        """Parse ``text``; raise :class:`QueryError` saying what is wrong and where."""
        if operator not in ("and", "or"):
            raise QueryError(f"operator must be 'and' or 'or', not {operator!r}")
        odd = _NOT_TEXT.search(text)
        if odd:
            raise QueryError(
                "the query holds a character that is not text (a byte that is not UTF-8, or a lone surrogate)",
                text, odd.start(),
            )
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError(f"the query is {len(text):,} characters long; at most {MAX_QUERY_CHARS:,} are searched")
        self._src = text
        self._op = operator
        self._toks = _lex(text)
        terms = sum(tok.kind in ("WORD", "PHRASE") for tok in self._toks)
        if terms > MAX_TERMS:
            raise QueryError(f"the query has {terms:,} words and phrases; at most {MAX_TERMS:,} are searched")
        self._i = 0
        self._depth = 0
        self._default = (DEFAULT_FIELDS, "text")
        if self._peek().kind == "EOF":  # an empty query, as "*": every article (then filtered by date, say)
            return wq.Every()
        clause = self._or_expr()
        tok = self._peek()
        if tok.kind == "RPAREN":
            raise QueryError("unbalanced parenthesis: this ) has no matching (", text, tok.pos)
        if tok.kind != "EOF":  # pragma: no cover - every other token is consumed by _and_expr
            raise QueryError(f"unexpected {tok.value!r}", text, tok.pos)
        if clause is None:
            raise QueryError("nothing to search for: the query has no searchable words", text)
        return _positive(clause)

    # -- recursive descent -------------------------------------------------

    def _peek(self) -> _Tok:
        return self._toks[self._i]

    def _next(self) -> _Tok:
        tok = self._toks[self._i]
        self._i += 1
        return tok

    def _error(self, message: str, tok: _Tok) -> QueryError:
        return QueryError(message, self._src, tok.pos)

    def _or_expr(self) -> _Clause | None:
        parts = [self._and_expr()]
        while self._peek().kind == "OR":
            op = self._next()
            if self._peek().kind in ("EOF", "RPAREN", "OR"):
                raise self._error("OR needs a term on each side", op)
            parts.append(self._and_expr())
        return _combine(parts, "or")

    def _and_expr(self) -> _Clause | None:
        first = self._peek()
        if first.kind in ("AND", "OR"):
            raise self._error(f"{first.kind} needs a term on each side", first)
        parts = [self._unary()]
        while self._peek().kind not in ("EOF", "RPAREN", "OR"):
            if self._peek().kind == "AND":
                op = self._next()
                if self._peek().kind in ("EOF", "RPAREN", "OR", "AND"):
                    raise self._error("AND needs a term on each side", op)
            parts.append(self._unary())
        return _combine(parts, self._op)

    def _unary(self) -> _Clause | None:
        # A loop, not a recursion: 5,000 NOTs in a row must not exhaust Python's stack.
        negated = False
        while self._peek().kind in ("NOT", "MINUS"):
            tok = self._next()
            if self._peek().kind in ("EOF", "RPAREN", "OR", "AND"):
                raise self._error(f"{tok.value} needs a term after it", tok)
            negated = not negated
        if self._peek().kind == "PLUS":
            self._next()
        inner = self._primary()
        if inner is None or not negated:
            return inner
        return _Clause(inner.query, negated=not inner.negated)

    def _primary(self) -> _Clause | None:
        tok = self._next()
        if tok.kind == "LPAREN":
            return self._group(tok)
        if tok.kind == "FIELD":
            return self._field(tok)
        if tok.kind == "PHRASE":
            return self._phrase(DEFAULT_FIELDS, "text", tok)
        if tok.kind == "EXACT":
            return self._exact(DEFAULT_FIELDS, "text", self._next())
        if tok.kind == "WORD":
            return self._word(DEFAULT_FIELDS, "text", tok)
        if tok.kind == "RPAREN":
            raise self._error("unbalanced parenthesis: this ) has no matching (", tok)
        raise self._error("the query ends where a term was expected", tok)  # pragma: no cover

    def _group(self, open_tok: _Tok) -> _Clause | None:
        if self._peek().kind == "RPAREN":
            raise self._error("empty parentheses", open_tok)
        if self._peek().kind == "EOF":
            raise self._error("unbalanced parenthesis: this ( is never closed", open_tok)
        if self._depth == MAX_DEPTH:
            raise self._error(f"parentheses nested more than {MAX_DEPTH} deep", open_tok)
        self._depth += 1
        clause = self._or_expr()
        self._depth -= 1
        if self._peek().kind != "RPAREN":
            raise self._error("unbalanced parenthesis: this ( is never closed", open_tok)
        self._next()
        return clause

    def _field(self, field_tok: _Tok) -> _Clause | None:
        name = field_tok.value.lower()
        if name not in FIELDS:
            known = ", ".join(sorted({k for k in FIELDS}))
            raise self._error(f"unknown field {field_tok.value!r}; known fields: {known}", field_tok)
        fieldname, kind = FIELDS[name]
        tok = self._next()
        nested = _FIELD.match(tok.value) if tok.kind == "WORD" and kind != "exact" else None
        if nested and nested.group(1).lower() in FIELDS:
            raise self._error(
                f"{name}: is followed by another field, {nested.group(0)} (a field takes a word, a phrase "
                "or a (group))", tok,
            )
        if kind == "date":
            if tok.kind not in ("WORD", "PHRASE"):
                raise self._error(f"{name}: needs a date such as 2025-04 or 2025-01-01..2025-04-30", tok)
            return _Clause(self._date(fieldname, tok))
        if tok.kind == "LPAREN":
            return self._field_group(fieldname, kind, tok)
        if tok.kind == "PHRASE":
            return self._phrase((fieldname,), kind, tok)
        if tok.kind == "EXACT":
            return self._exact((fieldname,), kind, self._next())
        if tok.kind == "WORD":
            return self._word((fieldname,), kind, tok)
        raise self._error(f"{name}: needs a word, a phrase or a (group)", tok)

    def _field_group(self, fieldname: str, kind: str, open_tok: _Tok) -> _Clause | None:
        """``title:(a OR b)``: parse the group with that field as the default."""
        saved = self._default
        self._default = (fieldname,), kind
        try:
            return self._group(open_tok)
        finally:
            self._default = saved

    # -- leaves ------------------------------------------------------------

    def _analyze(self, kind: str, text: str) -> list[str]:
        """The terms of a value of a field that is not full text (names, keywords, exact values)."""
        if kind in ("keyword", "exact", "language"):
            value = text.strip()
            if kind == "language":  # language:Russian, language:ru-RU, language:ru
                return [language_code(value) or value.lower()] if value else []
            return [value.lower() if kind == "keyword" else value] if value else []
        return [t.text for t in self._name(text, mode="query")]

    def _word(self, fields: tuple[str, ...], kind: str, tok: _Tok) -> _Clause | None:
        if fields == DEFAULT_FIELDS and kind == "text":
            fields, kind = self._default
        word = tok.value
        if word.startswith("=") and len(word) > 1:
            return self._exact(fields, kind, _Tok("WORD", word[1:], tok.pos + 1))
        if word == "*" and self._default == (DEFAULT_FIELDS, "text") and fields == DEFAULT_FIELDS:
            return _Clause(wq.Every())  # "*" alone: every article
        if "*" in word or "?" in word:
            return _Clause(self._wildcard(fields, kind, tok))
        if kind != "text":
            terms = self._analyze(kind, word)
            if not terms:
                return None
            if len(terms) > 1:
                return _Clause(_any(wq.Phrase(f, terms) for f in fields))
            return _Clause(_any(wq.Term(f, terms[0]) for f in fields))
        found: list[wq.Query] = []  # the word in each language where it is not a stop word
        stopped: list[tuple[Analysis, wq.Query]] = []  # the word in each language where it is
        for analysis in self.analyses:
            terms = analysis.terms(word)
            if not terms:
                continue
            if len(terms) > 1:
                query = _any(wq.Phrase(f, terms) for f in fields)
            elif _lone_character(terms[0]):
                # One character of a script cut into pairs is indexed alone only where it stands
                # alone; elsewhere it begins a pair (it is missed only as the last of a run).
                query = _any(wq.Prefix(f, terms[0]) for f in fields)
            else:
                query = _any(wq.Term(f, terms[0]) for f in fields)
            if word.lower() in analysis.stop_words:
                stopped.append((analysis, query))
            else:
                found.append(query)
        queries = found + [query for _, query in stopped]
        if not queries:
            return None
        if not stopped:
            return _Clause(_any(queries))
        if not found:
            return _Clause(_any(queries), stop=True)
        # A stop word in some languages only: among other words, the word is left out for the
        # articles of those languages and required of the others.
        loose = _any(found + [self._in_language(analysis) for analysis, _ in stopped])
        return _Clause(_any(queries), loose=loose)

    def _in_language(self, analysis: Analysis) -> wq.Query:
        """Every article analysed as ``analysis`` is, scored 0 (it stands for a word left out)."""
        others = [wq.Term("language", a.code) for a in self.analyses if a.code and a is not analysis]
        if analysis.code:
            docs: wq.Query = wq.Term("language", analysis.code)
        elif others:
            docs = wq.AndNot(wq.Every(), _any(others))
        else:
            docs = wq.Every()
        return InLanguage(docs)

    def _exact(self, fields: tuple[str, ...], kind: str, tok: _Tok) -> _Clause | None:
        """``=word``, ``="a phrase"``: the words exactly as written (case aside), not other forms of them.

        Text is indexed by stem, so the stemmed query finds the candidates and
        :class:`ExactFilter` keeps those whose text has the exact words. In a
        field that is not stemmed (source, author, ids) every word is exact already.
        """
        if tok.kind not in ("WORD", "PHRASE") or "*" in tok.value or "?" in tok.value:
            raise self._error("= needs a word or a phrase right after it (=corrected, =\"oil price\")", tok)
        clause = self._phrase(fields, kind, tok) if tok.kind == "PHRASE" else self._word(fields, kind, tok)
        if fields == DEFAULT_FIELDS and kind == "text":
            fields, kind = self._default
        if clause is None or kind != "text":
            return clause
        words = tuple(t.text for t in self._name(tok.value))  # the text's tokens, lower-cased, not stemmed
        return _Clause(_exact_leaves(clause.query, words))

    def _wildcard(self, fields: tuple[str, ...], kind: str, tok: _Tok) -> wq.Query:
        word = tok.value if kind == "exact" else tok.value.lower()
        if word[0] in "*?":
            raise self._error("a word cannot start with a wildcard (* or ?)", tok)
        marks = [a.mark for a in self.analyses] if kind == "text" else [""]
        prefix = word[:-1]
        if word.endswith("*") and "*" not in prefix and "?" not in prefix:
            queries: list[wq.Query] = []
            for f in fields:
                for analysis in self.analyses if kind == "text" else []:
                    queries.append(wq.Prefix(f, analysis.mark + prefix))
                    # Indexed words are stems: "extradition*" must also find the stem "extradit".
                    stem = analysis.term(prefix)
                    if prefix.isalpha() and stem != analysis.mark + prefix:
                        queries.append(wq.Term(f, stem))
                if kind != "text":
                    queries.append(wq.Prefix(f, prefix))
            return _any(queries)
        return _any(wq.Wildcard(f, mark + word) for f in fields for mark in marks)

    def _phrase(self, fields: tuple[str, ...], kind: str, tok: _Tok) -> _Clause | None:
        if fields == DEFAULT_FIELDS and kind == "text":
            fields, kind = self._default
        if kind == "text":
            readings = [analysis.terms(tok.value) for analysis in self.analyses]
        else:
            readings = [self._analyze(kind, tok.value)]
        readings = [terms for terms in readings if terms]
        if not readings:
            if tok.value.strip():
                return None
            raise self._error("empty phrase", tok)
        groups: list[wq.Query] = []  # per language, so that ranking scores a word in title and body together
        for terms in readings:
            if len(terms) == 1:
                groups.append(_any(wq.Term(f, terms[0]) for f in fields))
            elif tok.slop is not None:
                # "a b"~N: the words within N words of each other, in any order (as FTS5's NEAR).
                groups.append(_any(
                    SpanNear2([wq.Term(f, t) for t in terms], slop=tok.slop + 1, ordered=False) for f in fields
                ))
            else:
                groups.append(_any(wq.Phrase(f, terms) for f in fields))
        return _Clause(_any(groups))

    def _date(self, fieldname: str, tok: _Tok) -> wq.Query:
        try:
            start, end = date_bounds(tok.value)
        except DateError as exc:
            raise QueryError(str(exc), self._src, tok.pos) from None
        return date_range(fieldname, start, end)


def date_bounds(text: str) -> tuple[datetime | None, datetime | None]:
    """Read a date filter value into a half-open UTC interval ``[start, end)``.

    Accepts a period (``2025``, ``2025-04``, ``2025-04-23``), a range of periods
    (``2025-01..2025-04``, either end may be left open) or a comparison
    (``>=2025-01``, ``>2025``, ``<2025-04-23``, ``<=1987-03``). Each end
    takes the whole period it names, so ``..2025-04`` includes April 30.
    """
    value = text.strip()
    for op in (">=", "<=", ">", "<"):
        if value.startswith(op):
            start, end = parse_period(value[len(op) :])
            return {
                ">=": (start, None), ">": (end, None), "<=": (None, end), "<": (None, start)
            }[op]
    if ".." in value:
        low, _, high = value.partition("..")
        if not low and not high:
            raise DateError(f"the range {text!r} has no dates")
        start = parse_period(low)[0] if low else None
        end = parse_period(high)[1] if high else None
        if start and end and start >= end:
            raise DateError(f"the range {text!r} ends before it starts")
        return start, end
    return parse_period(value)


def date_range(fieldname: str, start: datetime | None, end: datetime | None) -> "DayRange":
    """A range of whole UTC days ``[start, end)``; articles without a date never match.

    ``start`` and ``end`` are UTC midnights (every period a query can name is
    made of whole days), so the day numbers are exact.
    """
    first = day_number(start) if start else None
    last = day_number(end) - 1 if end and end != END_OF_TIME else None
    return DayRange(fieldname, first, last)


class DayRange(wq.NumericRange):
    """A date filter: the days ``start..end`` (inclusive, either may be open).

    Alone or under OR/NOT it matches like Whoosh's ``NumericRange`` (by the
    ``day`` field's terms). Next to other clauses of an AND, :func:`restrict`
    turns it into a :class:`DateFilter`, which is much cheaper.
    """

    def micros(self) -> tuple[int, int]:
        """The range as ``[low, high)`` microseconds of the ``published`` column; undated never inside."""
        low = self.start * MICROS_PER_DAY if self.start is not None else UNDATED + 1
        high = (self.end + 1) * MICROS_PER_DAY if self.end is not None else 2**63
        return low, high


class InLanguage(wq.ConstantScoreQuery):
    """The articles of some languages (``child`` selects them by the ``language`` field), each scored 0.

    It stands for a word left out of a bag of words for the articles of a
    language where it is a stop word (see :meth:`QueryParser._word`): it lets
    those articles through and adds nothing to their score.
    """

    def __init__(self, child: wq.Query) -> None:
        super().__init__(child, 0.0)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.child!r})"

    def __str__(self) -> str:
        return f"<any article of {self.child}>"

    def _rewrap(self, child: wq.Query) -> "InLanguage":
        return InLanguage(child)


class DateFilter(wq.WrappingQuery):
    """``child`` restricted to the articles published within ``days``, read from a column.

    Whoosh answers a ``NumericRange`` by reading and merging the postings of
    every day term in the range, and the AND then intersects that list with
    the rest of the query: on Reuters-21578 that was about 30% of all search
    time. Here only the documents the rest of the query matches are checked,
    each by one lookup in the ``published`` column (held in memory per
    segment). Matches and totals are those of ``And([child, days])``; the
    score is the child's alone (the range added the same constant to every
    match, so the order is the same).
    """

    def __init__(self, child: wq.Query, days: DayRange) -> None:
        super().__init__(child)
        self.days = days

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateFilter) and other.child == self.child and other.days == self.days

    def __hash__(self) -> int:
        return hash((type(self), self.child, self.days))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.child!r}, {self.days!r})"

    def __str__(self) -> str:
        return f"({self.child} AND {self.days})"

    def _rewrap(self, child: wq.Query) -> "DateFilter":
        return DateFilter(child, self.days)

    def matcher(self, searcher, context=None) -> Matcher:  # type: ignore[no-untyped-def]
        child = self.child.matcher(searcher, context)
        if not child.is_active():
            return child
        low, high = self.days.micros()
        return FilterMatcher(child, _Published(published_micros(searcher.reader()), low, high))


class _Published:
    """The documents published in ``[low, high)``, as a container of document numbers."""

    __slots__ = ("_micros", "_low", "_high")

    def __init__(self, micros: array, low: int, high: int) -> None:
        self._micros, self._low, self._high = micros, low, high

    def __contains__(self, docnum: int) -> bool:
        return self._low <= self._micros[docnum] < self._high


def published_micros(reader) -> array:  # type: ignore[no-untyped-def]
    """The ``published`` column of one segment as an array, read once per segment reader.

    Kept on the reader object itself: a segment never changes, its reader
    lives as long as the searcher that reuses it, and the array goes with it.
    """
    cached = getattr(reader, "_newsindex_published", None)
    if cached is None:
        cached = array("q", reader.column_reader("published"))
        reader._newsindex_published = cached
    return cached


class ExactFilter(wq.WrappingQuery):
    """``child`` (a word or phrase searched by its stems in ``fieldname``) restricted to the articles
    whose text has ``words`` exactly: in that order, as written, case aside.

    Why a filter and not a second, unstemmed copy of the text in the index:
    that copy would double the postings of title and body (the bulk of the
    index) and the time to write them, for a search journalists need now
    and then (``title:=corrected`` for Reuters' corrections, not every
    "correction" and "corrects"). The stems find every candidate, so nothing
    is missed; the check reads the stored article of each candidate, which
    costs in proportion to how common the word's stem is.
    """

    def __init__(self, child: wq.Query, fieldname: str, words: tuple[str, ...]) -> None:
        super().__init__(child)
        self.fieldname = fieldname
        self.words = words

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, ExactFilter) and other.child == self.child and other.fieldname == self.fieldname
                and other.words == self.words)

    def __hash__(self) -> int:
        return hash((type(self), self.child, self.fieldname, self.words))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.child!r}, {self.fieldname!r}, {self.words!r})"

    def __str__(self) -> str:
        return f"{self.fieldname}:=\"{' '.join(self.words)}\""

    def _rewrap(self, child: wq.Query) -> "ExactFilter":
        return ExactFilter(child, self.fieldname, self.words)

    def matcher(self, searcher, context=None) -> Matcher:  # type: ignore[no-untyped-def]
        child = self.child.matcher(searcher, context)
        if not child.is_active():
            return child
        return FilterMatcher(child, _HasWords(searcher.reader(), self.fieldname, self.words))


class _HasWords:
    """The documents whose stored text of one field holds ``words`` in a row (lower-cased tokens)."""

    __slots__ = ("_reader", "_field", "_words", "_seen")

    def __init__(self, reader, field: str, words: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
        self._reader, self._field, self._words = reader, field, words
        self._seen: dict[int, bool] = {}  # a matcher may ask about a document more than once

    def __contains__(self, docnum: int) -> bool:
        from ..store.schema import from_stored
        from ..text.analysis import words_in_order

        found = self._seen.get(docnum)
        if found is None:
            article = from_stored(self._reader.stored_fields(docnum)["article"])
            found = self._seen[docnum] = words_in_order(getattr(article, self._field, ""), self._words)
        return found


def _exact_leaves(query: wq.Query, words: tuple[str, ...]) -> wq.Query:
    """A word or phrase searched by its stems (an Or per language of an Or per field) with each
    field's search kept to the articles whose text has ``words``, as :class:`ExactFilter` does."""
    if isinstance(query, wq.Or):
        return wq.Or([_exact_leaves(part, words) for part in query.subqueries])
    return ExactFilter(query, query.fieldname, words)


def restrict(query: wq.Query, days: DayRange) -> wq.Query:
    """``query`` AND ``days``, as a :class:`DateFilter`."""
    return DateFilter(query, days)


def _lone_character(term: str) -> bool:
    """Whether a term is one character of a script cut into pairs (see :mod:`newsindex.text.scripts`)."""
    word = unmarked(term)
    return len(word) == 1 and has_unspaced(word)


def _any(queries) -> wq.Query:  # type: ignore[no-untyped-def]
    items = list(queries)
    return items[0] if len(items) == 1 else wq.Or(items)


def _positive(clause: _Clause) -> wq.Query:
    """A negated clause standing alone means "everything except"."""
    return wq.AndNot(wq.Every(), clause.query) if clause.negated else clause.query


def _combine(parts: list[_Clause | None], op: str) -> _Clause | None:
    """Join sibling clauses with AND or OR, dropping stop words when other words remain."""
    clauses = [c for c in parts if c is not None]
    if not clauses:
        return None
    if len(clauses) == 1:
        return clauses[0]
    if any(not c.stop and c.loose is None for c in clauses):
        # A word that is a stop word in some of the index's languages only is loosened, not dropped.
        clauses = [
            _Clause(c.loose) if c.loose is not None and not c.negated else c for c in clauses if not c.stop
        ]
    if len(clauses) == 1:
        return clauses[0]
    if op == "or":
        return _Clause(wq.Or([_positive(c) for c in clauses]))
    positives = [c.query for c in clauses if not c.negated]
    negatives = [c.query for c in clauses if c.negated]
    ranges = [q for q in positives if isinstance(q, DayRange)]
    if len(ranges) < len(positives):  # the date ranges filter the other clauses' matches
        positives = [q for q in positives if not isinstance(q, DayRange)]
    else:
        ranges = []
    base: wq.Query = (
        wq.And(positives) if len(positives) > 1 else positives[0] if positives else wq.Every()
    )
    if negatives:
        base = wq.AndNot(base, _any(negatives))
    for days in ranges:
        base = restrict(base, days)
    return _Clause(base)
