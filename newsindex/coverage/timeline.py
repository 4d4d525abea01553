"""Timelines: how many matching articles were published per day, week, month or year.

Counts come from the ``published`` column of *all* matching articles (one
pass over numbers, not a load of stored articles), and every period also
carries the number of all articles published in it, so coverage can be shown
as a share (news volume itself varies from week to week).
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Literal, Sequence

from ..errors import NewsIndexError
from ..ingest.dates import END_OF_TIME
from ..store.schema import UNDATED
from .counting import earliest

Granularity = Literal["day", "week", "month", "year"]
GRANULARITIES: tuple[str, ...] = ("day", "week", "month", "year")
#: How each period is named in labels: "articles per week".
PERIOD_NOUNS = {"day": "day", "week": "week (from Monday)", "month": "month", "year": "year"}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROS_A_DAY = 86_400_000_000
#: Marks in the day cache: not read yet, and read but undated (no real day number is this small).
_UNREAD, _UNDATED = -(2**62), -(2**62) + 1


@dataclass(frozen=True)
class Period:
    """One bar of a timeline: matching articles, and all articles, published in [start, end)."""

    start: datetime
    end: datetime
    count: int
    total: int

    @property
    def share(self) -> float:
        """The matching articles' share of all articles of the period (0 when it has none)."""
        return self.count / self.total if self.total else 0.0

    @property
    def label(self) -> str:
        return self.start.date().isoformat()

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.label, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "count": self.count, "total": self.total, "share": self.share}


#: The most periods a timeline has: a day-by-day timeline of 274 years, a week-by-week one of 1,900.
#: A longer one is refused with a message (it would be a wall of empty bars, and memory).
MAX_PERIODS = 100_000


def period_start(moment: datetime, by: Granularity) -> datetime:
    """The start of the period of ``moment`` (weeks start on Monday, as ISO 8601 says)."""
    day = datetime(moment.year, moment.month, moment.day, tzinfo=timezone.utc)
    if by == "day":
        return day
    if by == "week":
        try:
            return day - timedelta(days=day.weekday())
        except OverflowError:  # the first days of year 1 (only in an index written otherwise)
            return day
    if by == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def next_period(start: datetime, by: Granularity) -> datetime:
    """The start of the period after the one starting at ``start`` (the end of Python's calendar
    for the last one, as :func:`newsindex.ingest.dates.parse_period` ends ``9999``)."""
    try:
        if by == "day":
            return start + timedelta(days=1)
        if by == "week":
            return start + timedelta(days=7)
        if by == "month":
            return start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
        return start.replace(year=start.year + 1)
    except (OverflowError, ValueError):
        return END_OF_TIME


def periods_between(first: datetime, last: datetime, by: Granularity) -> int:
    """How many periods a timeline from the period starting at ``first`` to the one at ``last`` has."""
    if by in ("day", "week"):
        return (last - first).days // (1 if by == "day" else 7) + 1
    months = (last.year - first.year) * 12 + last.month - first.month
    return (months if by == "month" else last.year - first.year) + 1


def by_period(days: Counter[int], by: Granularity) -> Counter[datetime]:
    """Counts per publication day (days since 1970, UTC) added up per period."""
    periods: Counter[datetime] = Counter()
    for day, count in days.items():
        periods[period_start(_EPOCH + timedelta(days=day), by)] += count
    return periods


def earliest_told(docnums: Sequence[int], stories: Sequence[int], days: Sequence[int]) -> dict[int, int]:
    """Story code (``stories[docnum]``) -> its earliest document among ``docnums``, ``days[docnum]``
    being its day: by day, undated last, then by document number (the order of arrival, which a
    collection of shards passes as the place of its row)."""
    return earliest(docnums, stories, lambda d: (days[d] == _UNDATED, days[d], d))


def first_told(docnums: Sequence[int], stories: Sequence[int], days: Sequence[int]) -> Counter[int]:
    """How many of the matching stories were first told (their earliest matching article) on each
    day; stories whose matching articles are all undated are left out, as undated articles are."""
    first = earliest_told(docnums, stories, days)
    return Counter(days[d] for d in first.values() if days[d] != _UNDATED)


def stories_per_period(told: Iterable[tuple[int, int]], by: Granularity) -> Counter[datetime]:
    """The number of stories with an article published in each period, from (story code, day) of
    every article (undated ones left out): a timeline's totals when it counts stories."""
    dated = {(code, day) for code, day in told if day != _UNDATED}
    starts = {day: period_start(_EPOCH + timedelta(days=day), by) for day in {day for _, day in dated}}
    return Counter(start for _, start in {(code, starts[day]) for code, day in dated})


def timeline(
    matched: Counter[datetime], totals: Counter[datetime], by: Granularity,
    since: datetime | None = None, until: datetime | None = None,
) -> list[Period]:
    """Matching articles per period from the first match to the last, empty periods included.

    ``since``/``until`` widen (or narrow) that range to the periods holding
    them, so a timeline can show the quiet weeks before a story broke. Each
    period also carries the number of all articles published in it
    (``totals``), so a caller can show the share of coverage rather than raw
    counts (news volume itself varies from week to week).
    """
    if not matched and not (since and until):
        return []
    bounds = [*matched, *(period_start(t, by) for t in (since, until) if t is not None)]
    start, last = min(bounds), max(bounds)
    if since is not None:
        start = period_start(since, by)
    if until is not None:
        last = period_start(until, by)
    found = []
    count = periods_between(start, last, by)
    if count > MAX_PERIODS:
        raise NewsIndexError(
            f"the timeline spans {count:,} {by}s ({start.date()} .. {last.date()}), more than "
            f"{MAX_PERIODS:,} periods: count by a longer period or narrow the dates (--since, --until)"
        )
    while start <= last:
        end = next_period(start, by)
        found.append(Period(start, end, matched[start], totals[start]))
        start = end
    return found


def check_granularity(by: str) -> None:
    if by not in GRANULARITIES:
        raise NewsIndexError(f"by must be one of {', '.join(GRANULARITIES)}, not {by!r}")


class Timelines:
    """Timelines of one index state: each article's publication day read once, totals worked out once.

    Why keep the days: turning a column value into a period (a datetime per
    article) was most of a timeline's cost, paid again for every query; a
    day number per article, read the first time the article is counted,
    makes a timeline a count of small integers. The per-period totals of the
    whole index do not depend on the query either. Both are kept until the
    index changes (:meth:`reset`).
    """

    def __init__(self) -> None:
        self._totals: dict[str, Counter[datetime]] = {}
        #: The same, counting stories: the stories with an article in each period.
        self._story_totals: dict[str, Counter[datetime]] = {}
        #: Publication day of each document number; _UNREAD until read, _UNDATED for an undated article.
        self._days: array[int] | None = None

    def reset(self) -> None:
        self._totals.clear()
        self._story_totals.clear()
        self._days = None

    def days(self, reader: Any, docnums: Iterable[int]) -> Counter[int]:
        """How many of these documents were published on each day (undated ones left out)."""
        docnums = docnums if isinstance(docnums, (list, tuple, range)) else list(docnums)
        days = self.day_numbers(reader, docnums)
        counts = Counter(map(days.__getitem__, docnums))
        counts.pop(_UNDATED, None)
        return counts

    def day_numbers(self, reader: Any, docnums: Sequence[int]) -> array[int]:
        """The publication day of every document (undated: a mark below any day), those of
        ``docnums`` read from the column if not yet."""
        if self._days is None:
            self._days = array("q", [_UNREAD]) * reader.doc_count_all()
        days, column = self._days, None
        for docnum in docnums:
            if days[docnum] == _UNREAD:
                if column is None:  # (not ``column or``: the truth of a column reader reads it all)
                    column = reader.column_reader("published")
                micros = column[docnum]
                days[docnum] = _UNDATED if micros == UNDATED else micros // _MICROS_A_DAY
        return days

    def earliest(self, reader: Any, docnums: Sequence[int], stories: Sequence[int]) -> dict[int, int]:
        """Story code (``stories[docnum]``) -> its earliest document among ``docnums``: by
        publication day, undated last, then by document number."""
        return earliest_told(docnums, stories, self.day_numbers(reader, docnums))

    def story_timeline(
        self, reader: Any, docnums: Iterable[int], stories: Callable[[Sequence[int]], Sequence[int]],
        by: Granularity, since: datetime | None = None, until: datetime | None = None,
    ) -> list[Period]:
        """Matching stories per period: each once, in the period of its earliest matching article;
        a period's total is the number of stories with an article published in it (see
        :mod:`newsindex.coverage.counting`). ``stories`` gives the story codes of documents."""
        check_granularity(by)
        docnums = list(docnums)
        matched = first_told(docnums, stories(docnums), self.day_numbers(reader, docnums))
        if by not in self._story_totals:
            every = list(reader.all_doc_ids())  # deleted ones left out
            codes, days = stories(every), self.day_numbers(reader, every)
            self._story_totals[by] = stories_per_period(((codes[d], days[d]) for d in every), by)
        return timeline(by_period(matched, by), self._story_totals[by], by, since, until)

    def timeline(self, reader: Any, docnums: Iterable[int], by: Granularity,
                 since: datetime | None = None, until: datetime | None = None) -> list[Period]:
        return timeline(*self.counts(reader, docnums, by), by, since, until)

    def counts(self, reader: Any, docnums: Iterable[int], by: Granularity) -> tuple[Counter[datetime], Counter[datetime]]:
        """Matching articles, and all articles, per period: a collection's shards add theirs up."""
        check_granularity(by)
        if by not in self._totals:
            self._totals[by] = by_period(self.days(reader, list(reader.all_doc_ids())), by)  # deleted ones left out
        return by_period(self.days(reader, docnums), by), self._totals[by]


def runs(periods: Sequence[Period], gap: int) -> list[tuple[int, int]]:
    """The stretches of a timeline that hold matches, as (first, last) indexes, split where ``gap`` or
    more empty periods in a row lie between them (a 1987 wire archive and one web page of 2023)."""
    found: list[tuple[int, int]] = []
    for i, period in enumerate(periods):
        if not period.count:
            continue
        if found and i - found[-1][1] - 1 < gap:
            found[-1] = (found[-1][0], i)
        else:
            found.append((i, i))
    return found
