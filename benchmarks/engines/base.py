"""The small interface every benchmarked engine implements.

One driver (build, search, relevance) runs every engine through these few
methods, so each engine does exactly the same work and no measuring logic
is duplicated per engine. An engine translates a :class:`~benchmarks.querymix.Query`
into its own native form once, outside the timed region; the timed
:meth:`Engine.search` then does everything a user's search does: parse that
native query text, search, count every match, and fetch the ids of the top hits.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Iterable, Sequence

from newsindex import Article

from ..querymix import Query


#: A weekly timeline: ISO week (its Monday, ``YYYY-MM-DD``, UTC) -> (matching articles, all articles
#: published that week), for every week with at least one match.
Weekly = dict[str, tuple[int, int]]

#: Facet name (``topic``, ``place``...) -> its most frequent values among all matches, with counts.
FacetCounts = dict[str, list[tuple[str, int]]]


class Engine(ABC):
    """A search engine under test, bound to one index directory."""

    #: Short name used on the command line, in tables and in results.json.
    name: str = ""
    #: One line saying how the engine is configured, printed in the report.
    setup: str = ""
    #: The stemmer family of its English analysis ("snowball" or "porter"): explains count differences.
    stemmer: str = ""
    #: Whether stop words are left out of the index (phrases then skip over them).
    drops_stop_words: bool = False
    #: How the engine answers the coverage measurement (timeline, facets), printed in the report.
    coverage_setup: str = ""
    #: The coverage measurements ("timeline", "facets") the engine does not answer, and why not.
    coverage_gaps: dict[str, str] = {"timeline": "not implemented", "facets": "not implemented"}

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    @classmethod
    def available(cls) -> str | None:
        """None if the engine can run here, else why not (e.g. a package is missing)."""
        return None

    @classmethod
    def version(cls) -> str:
        """The version of the library behind the engine, for the report."""
        return ""

    @abstractmethod
    def build(self, articles: Iterable[Article]) -> int:
        """Index every article into a new index in :attr:`directory`; return how many were indexed.

        Must end with everything committed to disk, as a user's indexing run would.
        """

    @abstractmethod
    def open(self) -> None:
        """Open the index for searching (a warm, long-lived searcher)."""

    @abstractmethod
    def translate(self, query: Query) -> Any:
        """The engine's native form of ``query`` (query text plus options), computed untimed."""

    @abstractmethod
    def search(self, native: Any, limit: int = 10) -> tuple[int, list[str]]:
        """Run a translated query: (exact number of matching articles, ids of the top ``limit``)."""

    def rank(self, native: Any, depth: int) -> list[str]:
        """The ids of the top ``depth`` matches in ranked order (for relevance, untimed).

        The same ranking as :meth:`search`; an engine overrides it only to skip
        per-hit work that a deep ranking does not need (newsindex's snippets).
        """
        return self.search(native, depth)[1]

    def full_count(self, native: Any) -> int | None:
        """An independent count of the matches, to check :meth:`search`'s total (untimed).

        None where the engine's total needs no check. Whoosh-based engines
        override it: Whoosh's ``len(results)`` can undercount once its top-N
        collector has pruned the matcher, and the report says where it did.
        """
        return None

    def timeline(self, native: Any) -> Weekly:
        """Matching articles and all articles per ISO week, counted over *every* match.

        Both numbers, because that is what newsindex's ``timeline()`` answers
        (a share of coverage needs the week's total): each engine must answer
        the same question, not a cheaper one. Only weeks with a match are
        returned; newsindex also lists the empty weeks between them.
        """
        raise NotImplementedError(self.coverage_gaps.get("timeline", ""))

    def facets(self, native: Any, names: Sequence[str], top: int) -> FacetCounts:
        """The ``top`` values of each facet in ``names`` among *every* match, most frequent first."""
        raise NotImplementedError(self.coverage_gaps.get("facets", ""))

    def close(self) -> None:
        """Release files and searchers."""

    def size_bytes(self) -> int:
        """Bytes the index takes on disk (all files under :attr:`directory`)."""
        total = 0
        for root, _dirs, files in os.walk(self.directory):
            for name in files:
                try:
                    total += os.path.getsize(os.path.join(root, name))
                except OSError:
                    pass
        return total
