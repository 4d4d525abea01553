"""The state of a search as it travels in a URL: read, checked, and written back.

Everything a search page shows follows from its URL (query, dates, sort,
"one hit per story", page, page size, timeline granularity, stories or
articles counted), so a search can
be bookmarked, shared and reloaded, and every link on the page (a facet, a
period of the timeline, the next page) is the same URL with one thing
changed. Values are checked here, once, against the limits that keep one
request cheap; a bad value is a :class:`BadRequest` with a message for the
reader, never a server error.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Mapping
from urllib.parse import urlencode

from ..errors import DateError, NewsIndexError
from ..index import SORTS
from ..ingest.dates import parse_period

#: Hits per page a reader may ask for, and the default.
PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_SIZE = 20
#: Deepest hit a page may show: deeper paging re-ranks ever more hits for nobody (use the export).
MAX_WINDOW = 10_000
#: Longest query accepted: a query is typed, not generated; longer ones are refused, not parsed.
MAX_QUERY = 2_000
#: Timeline granularities; ``auto`` picks the finest that draws at most a readable number of bars.
TIMELINE_BY = ("auto", "day", "week", "month", "year")
#: Facets shown beside the hits, and how many values of each.
FACET_NAMES = ("source", "topic", "place", "author")
#: Most values a facet, terms or similar list may return through the API.
MAX_TOP = 100
#: The highest sentence number a trace's URL may carry (a bound on the value; the library says which
#: numbers the article has).
MAX_SENTENCE = 100_000


class BadRequest(NewsIndexError):
    """A URL parameter out of its allowed range or form; shown to the reader with status 400."""


@dataclass(frozen=True)
class SearchState:
    """One search, as its URL says it. Defaults are left out of URLs, so links stay short."""

    q: str = ""
    since: str = ""
    until: str = ""
    sort: str = "relevance"
    any: bool = False
    collapse: bool = False
    feedback: bool = False
    page: int = 1
    size: int = DEFAULT_SIZE
    by: str = "auto"
    norm: bool = False
    #: Count stories, not copies, in the timeline, facets and terms (:mod:`newsindex.coverage.counting`).
    stories: bool = False

    @property
    def operator(self) -> str:
        return "or" if self.any else "and"

    @property
    def ranking(self) -> dict[str, Any]:
        """The keyword arguments of a search's order: sort, one hit per story, feedback."""
        return {"sort": self.sort, "collapse": self.collapse, "feedback": self.feedback}

    @property
    def filters(self) -> dict[str, Any]:
        """The keyword arguments that narrow a search in the facade (same matches for every panel)."""
        return {"operator": self.operator, "since": self.since or None, "until": self.until or None}

    def query_string(self, **changes: Any) -> str:
        """This state (with ``changes``) as a URL query string, defaults left out.

        (Every link of a search page is one of these, a few hundred a page:
        read field by field, not through ``dataclasses.asdict``, which copies.)
        """
        pairs = []
        for name, default in _DEFAULTS:
            value = changes[name] if name in changes else getattr(self, name)
            if value != default:
                pairs.append((name, _text(value)))
        return urlencode(pairs)

    def with_filter(self, field: str, value: str) -> "SearchState":
        """The same search narrowed to ``field:"value"`` (a clicked facet or term), back on page 1."""
        return replace(self, q=add_clause(self.q, f'{field}:"{_unquoted(value)}"'), page=1)

    def with_term(self, term: str) -> "SearchState":
        """The same search with a significant word or phrase added."""
        clause = f'"{_unquoted(term)}"' if " " in term else _unquoted(term)
        return replace(self, q=add_clause(self.q, clause), page=1)

    def with_period(self, since: str, until: str) -> "SearchState":
        """The same search narrowed to a period of the timeline."""
        return replace(self, since=since, until=until, page=1)


_DEFAULTS = [(f.name, f.default) for f in fields(SearchState)]


def add_clause(query: str, clause: str) -> str:
    """``query AND clause``, unless the query already says it; a query of alternatives is grouped first."""
    query = query.strip()
    if not query:
        return clause
    if clause in query:
        return query
    if " OR " in f" {query} ":
        query = f"({query})"
    return f"{query} {clause}"


def _unquoted(value: str) -> str:
    # The query language has no escape for a quote inside a phrase: a value holding one is
    # searched without it (the analyzers drop punctuation anyway).
    return " ".join(value.replace('"', " ").split())


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def search_state(args: Mapping[str, str]) -> SearchState:
    """Read and check a search's URL parameters (``args`` is the request's query string)."""
    q = args.get("q", "")
    if len(q) > MAX_QUERY:
        raise BadRequest(f"the query is {len(q):,} characters long; the limit is {MAX_QUERY:,}")
    state = SearchState(
        q=q,
        since=_period(args, "since"),
        until=_period(args, "until"),
        sort=_choice(args, "sort", SORTS, "relevance"),
        any=_flag(args, "any"),
        collapse=_flag(args, "collapse"),
        feedback=_flag(args, "feedback"),
        page=integer(args, "page", 1, 1, MAX_WINDOW),
        size=integer(args, "size", DEFAULT_SIZE, 1, max(PAGE_SIZES)),
        by=_choice(args, "by", TIMELINE_BY, "auto"),
        norm=_flag(args, "norm"),
        stories=_flag(args, "stories"),
    )
    if state.page * state.size > MAX_WINDOW:
        raise BadRequest(
            f"page {state.page} of {state.size} hits goes past hit {MAX_WINDOW:,}, the deepest a page shows; "
            "narrow the search, or export all its hits"
        )
    return state


def integer(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """An integer parameter within [low, high]."""
    raw = args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low:,} and {high:,}, not {value:,}")
    return value


def _choice(args: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = args.get(name, "") or default
    if value not in choices:
        raise BadRequest(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _flag(args: Mapping[str, str], name: str) -> bool:
    return args.get(name, "") not in ("", "0", "false", "off")


def _period(args: Mapping[str, str], name: str) -> str:
    value = args.get(name, "").strip()
    if value:
        try:
            parse_period(value)
        except DateError as exc:
            raise BadRequest(f"{name}: {exc}") from None
    return value


def facet_names(args: Any) -> list[str]:
    """The facets asked for with repeated ``facet=`` parameters (all of them when none is named)."""
    names = args.getlist("facet") or list(FACET_NAMES)
    unknown = [n for n in names if n not in FACET_NAMES]
    if unknown:
        raise BadRequest(f"facet must be one of {', '.join(FACET_NAMES)}, not {unknown[0]!r}")
    return names


def compare_ids(args: Mapping[str, str]) -> tuple[str, str | None]:
    """The article ids of a comparison: ``?a=ID&b=ID``, or one of the two alone, for the article
    against the earlier telling it most likely corrects or rewrites (as ``newsindex compare ID``)."""
    a, b = args.get("a", "").strip(), args.get("b", "").strip()
    if not a and not b:
        raise BadRequest("compare needs an article id: ?a=ID&b=ID, or ?b=ID for the earlier telling it corrects")
    return (a, b or None) if a else (b, None)


@dataclass
class TraceState:
    """What to trace (``claim=TEXT``, or sentence ``sentence=N`` of article ``id=ID``) and how many
    tellings to show (``limit``, all when 0). ``id`` alone asks for the article's sentences."""

    claim: str = ""
    id: str = ""
    sentence: int | None = None
    limit: int = 0


def trace_state(args: Mapping[str, str]) -> TraceState:
    """The trace a request asks for, with each value checked."""
    claim, article = args.get("claim", "").strip(), args.get("id", "").strip()
    if len(claim) > MAX_QUERY:
        raise BadRequest(f"claim: at most {MAX_QUERY:,} characters (a sentence, a quote or a figure with its context)")
    if claim and article:
        raise BadRequest("trace takes a claim (claim=TEXT) or a sentence of an article (id=ID&sentence=N), not both")
    number = integer(args, "sentence", -1, 0, MAX_SENTENCE)
    if number >= 0 and not article:
        raise BadRequest("sentence=N needs the article's id=ID")
    return TraceState(claim, article, number if number >= 0 else None, integer(args, "limit", 0, 0, MAX_WINDOW))
