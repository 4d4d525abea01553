"""Counting stories on a collection: each matching story once, as one index of its articles counts them.

A shard does not know its articles' stories: they live in the collection's one
story store, so that tellings written to different shards group together. So
the collection asks every shard for a row per matching article (its place in
the order of arrival, where it is, its id, its day, the facet values asked
for), puts the rows in one index's order (by that place), looks their stories
up in the store and counts with the functions one index counts with
(:mod:`newsindex.coverage.counting`): the same timelines, facets, terms and
sources, ties included. The stories of *every* article, which a story
timeline's totals need, are read once and kept until the stories change.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from whoosh import query as wq

from ..coverage.counting import SourceStories, StoryCodes, source_stories, story_value_counts
from ..coverage.timeline import Granularity, Period, by_period, earliest_told, first_told, stories_per_period, timeline
from ..stories.store import StoryStore
from ..stories.tellings import Tellings
from .manifest import shard_of


@dataclass(frozen=True)
class StoryRows:
    """The matching articles of a collection in one index's order, each with its story.

    Row ``r`` is the article at ``places[r]`` (shard, docnum), of day ``days[r]``,
    with the values ``values[r][i]`` of the ``i``-th facet asked for, in story
    ``codes[r]``, named ``names[code]`` (its first article's id).
    """

    places: list[tuple[int, int]]
    days: list[int]
    values: list[list[list[str]]]
    codes: list[int]
    names: list[str]


class StoryCounts:
    """Counts of a collection's matching articles by story (see the module)."""

    def __init__(self, shards: Any, stories: Tellings) -> None:
        self._shards = shards
        self._stories = stories
        #: The story store state the kept figures are of.
        self._state: str | None = None
        #: Each shard document's story (read the first time it is counted), and where each story's
        #: first article (named as the story) was met: (shard, docnum).
        self._codes = StoryCodes()
        self._first_at: dict[str, tuple[int, int]] = {}
        #: (story code, day) of every article, and the story timeline totals per granularity from them.
        self._told: list[tuple[int, int]] | None = None
        self._totals: dict[str, Counter[datetime]] = {}

    def rows(self, q: wq.Query | None, names: Sequence[str] = ()) -> StoryRows:
        """The rows of every match of ``q`` (of every article when None); raises
        :class:`~newsindex.errors.NoStoriesError` when the collection has no stories, or they are
        behind its articles."""
        store = self._current()
        found = []
        for shard, (size, part) in enumerate(self._shards.each("story_rows", q, list(names))):

            def keys_of(docnums: list[int], shard: int = shard) -> list[str]:
                ids = self._shards.one(shard, "ids_at", docnums)
                refs = store.stories_of(ids, sizes=False)
                keys = [refs[i].story if i in refs else i for i in ids]
                self._first_at.update((key, (shard, d)) for d, i, key in zip(docnums, ids, keys) if i == key)
                return keys

            codes = self._codes.of(size, [row[1] for row in part], keys_of, shard)
            found += [(seq, shard, docnum, day, values, codes[docnum]) for seq, docnum, day, values in part]
        found.sort(key=lambda row: row[0])
        return StoryRows([(row[1], row[2]) for row in found], [row[3] for row in found], [row[4] for row in found],
                         [row[5] for row in found], self._codes.names)

    def _current(self) -> StoryStore:
        store = self._stories.current()
        if store.marker != self._state:  # regrouped or written since the kept figures were read
            self._state, self._told = store.marker, None
            self._totals.clear()
            self._codes.reset()
            self._first_at.clear()
        return store

    def facets(self, q: wq.Query, names: Sequence[str], top: int) -> dict[str, list[tuple[str, int]]]:
        """The ``top`` values of each facet, each counted once per story with a matching article that has it."""
        rows = self.rows(q, names)
        return {name: story_value_counts(range(len(rows.codes)), rows.codes, lambda r, i=i: rows.values[r][i], top)
                for i, name in enumerate(names)}

    def timeline(self, q: wq.Query, by: Granularity, since: datetime | None, until: datetime | None) -> list[Period]:
        """Matching stories per period, each in the period of its earliest matching article; a period's
        total is the number of stories with an article published in it."""
        rows = self.rows(q)
        matched = first_told(range(len(rows.codes)), rows.codes, rows.days)
        if by not in self._totals:
            if self._told is None:
                every = self.rows(None)
                self._told = list(zip(every.codes, every.days))
            self._totals[by] = stories_per_period(self._told, by)
        return timeline(by_period(matched, by), self._totals[by], by, since, until)

    def first_tellings(self, q: wq.Query) -> tuple[int, list[tuple[int, int]]]:
        """How many articles match, and the (shard, docnum) of each matching story's earliest matching
        article, in the order of arrival: the articles that stand for the stories in significant terms."""
        rows = self.rows(q)
        first = earliest_told(range(len(rows.codes)), rows.codes, rows.days)
        return len(rows.codes), [rows.places[r] for r in sorted(first.values())]

    def sources(self, q: wq.Query, top: int) -> list[SourceStories]:
        """Per source of the matching articles, its articles, stories, stories told first and
        articles retelling another source's story, as one index's ``source_stories``."""
        rows = self.rows(q, ["source"])
        row_at = {place: r for r, place in enumerate(rows.places)}
        # A story's first article is most often among the matches: its shard is asked only for the others.
        matching = {name: row_at.get(self._first_at.get(name, (-1, -1))) for name in {rows.names[c] for c in set(rows.codes)}}
        elsewhere: dict[int, list[str]] = {}
        for name in (name for name, r in matching.items() if r is None):
            elsewhere.setdefault(shard_of(name, len(self._shards)), []).append(name)
        asked = self._shards.several([(shard, "values_of", (names, "source")) for shard, names in elsewhere.items()])
        began = {name: values for names, answer in zip(elsewhere.values(), asked) for name, values in zip(names, answer)}

        def first_sources(code: int) -> Sequence[str]:
            r = matching[rows.names[code]]
            return rows.values[r][0] if r is not None else began[rows.names[code]]

        return source_stories(range(len(rows.codes)), rows.codes, lambda r: rows.values[r][0], first_sources, top)
