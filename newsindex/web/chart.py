"""The timeline of a search as an SVG bar chart, drawn on the server.

Why SVG from the server rather than a charting script: it needs no script
at all (the page works with JavaScript off and with no network), each bar is
a plain link that narrows the search to its period, and the chart prints.
This module only does the geometry; the template writes the elements, so
every label goes through the template's escaping like any other text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Callable, Sequence

from ..coverage.timeline import Period

#: The drawing area, in SVG user units (the image scales to the page's width).
WIDTH, HEIGHT = 800, 160
LEFT, BOTTOM, TOP = 48, 22, 8
#: Granularities from finest to coarsest, and the most bars a chart draws before ``auto`` takes a coarser one.
FINEST_FIRST = ("day", "week", "month", "year")
MAX_BARS = 120
#: A chart of a few periods draws them as bars of this share of the width, not as wide blocks.
MIN_SLOTS = 24


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    #: What the bar's tooltip says, and the period it narrows the search to.
    title: str
    since: str
    until: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    baseline: float
    bars: list[Bar]
    top_label: str
    first_label: str
    last_label: str


def period_bounds(period: Period, by: str) -> tuple[str, str]:
    """The ``since``/``until`` values that name exactly this period (both ends included)."""
    start, last_day = period.start.date(), (period.end - timedelta(days=1)).date()
    if by == "year":
        return f"{start.year}", f"{start.year}"
    if by == "month":
        return start.isoformat()[:7], start.isoformat()[:7]
    return start.isoformat(), last_day.isoformat()


def period_label(period: Period, by: str) -> str:
    since, until = period_bounds(period, by)
    return since if since == until else f"{since} to {until}"


def auto_granularity(span_days: int) -> str:
    """The finest granularity whose bars over ``span_days`` days stay at most :data:`MAX_BARS`."""
    for by, days in zip(FINEST_FIRST, (1, 7, 31, 366)):
        if span_days / days <= MAX_BARS:
            return by
    return "year"


def draw(periods: Sequence[Period], by: str, normalize: bool, fmt: Callable[[Period], str]) -> Chart | None:
    """The bars of a timeline scaled to the drawing area (None when no dated article matches).

    ``normalize`` draws each period's share of all articles published in it
    instead of the raw count; ``fmt`` writes a bar's figure for its tooltip.
    """
    if not periods:
        return None
    values = [p.share if normalize else p.count for p in periods]
    top = max(values) or 1
    plot_w, plot_h = WIDTH - LEFT, HEIGHT - BOTTOM - TOP
    step = plot_w / max(len(periods), MIN_SLOTS)
    gap = step * 0.15 if step > 4 else 0
    bars = []
    for period, value in zip(periods, values):
        height = plot_h * value / top
        since, until = period_bounds(period, by)
        x = LEFT + step * len(bars)
        bars.append(Bar(x, TOP + plot_h - height, max(step - gap, 0.5), height,
                        f"{period_label(period, by)}: {fmt(period)}", since, until))
    top_label = f"{top:.1%}" if normalize else f"{top:,}"
    return Chart(WIDTH, HEIGHT, LEFT, TOP + plot_h, bars, top_label,
                 period_label(periods[0], by), period_label(periods[-1], by))
