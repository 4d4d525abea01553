"""Dates: reading the many ways articles write them, and the periods queries name.

Articles carry dates as ISO 8601, RFC 2822 (feeds, e-mail), Reuters' own
``26-FEB-1987 15:01:01.79`` or plain English ("April 23, 2025"). A date
without a time zone is taken as UTC, so that every stored date is comparable.

Queries name *periods*: ``2025`` is the whole year, ``2025-04`` the whole month,
``2025-04-23`` the whole day; :func:`parse_period` turns each into a half-open
UTC interval ``[start, end)``, which is what a range filter needs.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from ..errors import DateError

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
# Reuters-21578: "26-FEB-1987 15:01:01.79"
_DMY_NAMED = re.compile(
    r"^(\d{1,2})[-\s]([A-Za-z]+)\.?,?[-\s](\d{4})(?:[\sT]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?$"
)
# "April 23, 2025" / "Apr 23 2025"
_MDY_NAMED = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")

#: The end of the last period a date can name (Python's datetimes stop at 9999-12-31).
END_OF_TIME = datetime.max.replace(tzinfo=timezone.utc)

#: The dates an article may carry, in UTC: ``[EARLIEST, LATEST)``. Wide enough for any archive of
#: news (the first printed newspapers are of 1605) and for typing errors to show, far enough from
#: the ends of Python's calendar (years 1 to 9999) that no date arithmetic (a time zone of +14:00,
#: the Monday of a week, the month after) can fall off them; and it keeps out the placeholders that
#: databases write for "no date" (``0001-01-01``, ``9999-12-31``), which would stretch every
#: timeline over millennia.
EARLIEST = datetime(1000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(3000, 1, 1, tzinfo=timezone.utc)
DATE_RANGE = "1000-01-01 .. 2999-12-31 UTC"

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _tz(text: str | None) -> timezone:
    if not text or text.upper() == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _month(name: str) -> int | None:
    return _MONTHS.get(name.lower())


def in_range(moment: datetime, text: str | None = None) -> datetime:
    """``moment`` if it lies within the dates an article may carry (:data:`EARLIEST`, :data:`LATEST`),
    else :class:`DateError` naming it (as ``text`` if given)."""
    if not EARLIEST <= moment < LATEST:
        shown = repr(text) if text is not None else moment.isoformat()
        raise DateError(f"date {shown} is outside the dates an index accepts ({DATE_RANGE})")
    return moment


def parse_date(text: str) -> datetime:
    """Parse an article's date into a timezone-aware datetime (UTC when the text has no zone).

    Raises :class:`DateError` for text that is not a date, a date that cannot
    exist (``2025-02-30``), rather than guessing, or one outside the dates an
    index accepts (:func:`in_range`).
    """
    return in_range(_parse_date(text), text)


def _parse_date(text: str) -> datetime:
    value = text.strip()
    try:
        match = _ISO.match(value)
        if match:
            year, month, day, hour, minute, second, frac, zone = match.groups()
            micro = int(frac.ljust(6, "0")) if frac else 0
            return datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                int(second or 0), micro, tzinfo=_tz(zone),
            )
        match = _DMY_NAMED.match(value)
        if match and _month(match.group(2)):
            day, month_name, year, hour, minute, second, frac = match.groups()
            micro = int(frac[:6].ljust(6, "0")) if frac else 0
            return datetime(
                int(year), _month(month_name) or 0, int(day), int(hour or 0),
                int(minute or 0), int(second or 0), micro, tzinfo=timezone.utc,
            )
        match = _MDY_NAMED.match(value)
        if match and _month(match.group(1)):
            month_name, day, year = match.groups()
            return datetime(int(year), _month(month_name) or 0, int(day), tzinfo=timezone.utc)
        if _PERIOD.match(value):
            return parse_period(value)[0]
    except ValueError as exc:
        raise DateError(f"impossible date {text!r}: {exc}") from None
    try:
        from email.utils import parsedate_to_datetime  # only for RFC 2822 dates: a query never needs it

        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is None:
        raise DateError(f"not a date: {text!r}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def parse_period(text: str) -> tuple[datetime, datetime]:
    """Return the UTC interval ``[start, end)`` that a year, month or day names.

    Why half-open: ``date:2025-04`` must include the last second of April and
    nothing of May, whatever the stored precision.
    """
    match = _PERIOD.match(text.strip())
    if not match:
        raise DateError(f"not a date: {text!r} (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        start = datetime(year, month or 1, day or 1, tzinfo=timezone.utc)
    except ValueError as exc:
        raise DateError(f"impossible date {text!r}: {exc}") from None
    try:
        if month is None:
            end = start.replace(year=year + 1)
        elif day is None:
            end = start.replace(year=year + 1, month=1) if month == 12 else start.replace(month=month + 1)
        else:
            end = start + timedelta(days=1)
    except (ValueError, OverflowError):
        end = END_OF_TIME  # the period ends where Python's calendar does
    return start, end
