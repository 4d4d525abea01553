"""Search results: hits with snippets, the exact total, and paging."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Callable, Iterator, Literal

#: The orders a search can give its hits: by relevance, newest first, oldest first.
Sort = Literal["relevance", "date", "date-asc"]
SORTS: tuple[str, ...] = ("relevance", "date", "date-asc")


@dataclass(frozen=True)
class Hit:
    """One matching article as a result list shows it.

    ``score`` is the BM25F relevance, also when hits are sorted by date. ``snippet`` is a passage of the body
    (or the title, for articles without a body) with the query's words between
    the result's highlight marks. It is made when first read, as
    Elasticsearch highlights only when asked: a program that wants ids and
    titles does not pay for analysing ten bodies.
    """

    rank: int
    id: str
    title: str
    published: datetime | None
    source: str
    url: str
    score: float | None
    make_snippet: Callable[[], str] = field(repr=False, compare=False)
    #: The story the article belongs to (see ``NewsIndex.story``), and how many other articles tell it.
    story: str | None = None
    other_tellings: int = 0
    authors: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    #: Where and when the wire dated the story ("WASHINGTON, Feb 26"), for sources that give one.
    dateline: str = ""

    @cached_property
    def snippet(self) -> str:
        """The passages of the article that matched, with the query's words marked."""
        return self.make_snippet()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO 8601)."""
        return {
            "rank": self.rank,
            "id": self.id,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "source": self.source,
            "url": self.url,
            "authors": list(self.authors),
            "topics": list(self.topics),
            "places": list(self.places),
            "dateline": self.dateline,
            "score": self.score,
            "snippet": self.snippet,
            "story": self.story,
            "other_tellings": self.other_tellings,
        }


@dataclass(frozen=True)
class Results:
    """A page of hits and the exact number of articles that matched the query."""

    query: str
    total: int
    page: int
    limit: int
    hits: list[Hit] = field(default_factory=list)
    #: Facet name -> its top (value, count) pairs among all matching articles, when asked for.
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    #: Counting stories with the ``source`` facet: each source's stories and retellings
    #: (:class:`newsindex.coverage.counting.SourceStories`, a stage above this one), most stories first.
    source_stories: list[Any] = field(default_factory=list)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __getitem__(self, index: int) -> Hit:
        """``results[0]`` is the first hit of the page (a list's indexing and slicing)."""
        return self.hits[index]

    def __len__(self) -> int:
        return len(self.hits)

    @property
    def pages(self) -> int:
        """How many pages of ``limit`` hits the whole result set fills."""
        return (self.total + self.limit - 1) // self.limit if self.limit else 0
