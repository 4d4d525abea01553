"""Drawing a timeline: text bars for a terminal, a PNG with matplotlib (an optional extra).

A timeline of a mixed archive can span decades (a 1987 wire archive and one
web page of 2023): a line per empty week would bury the weeks that matter,
and a chart's bars would shrink to a sliver. So the text skips each long run
of empty periods with one marked line, the chart draws the stretch that
holds most matches and says what lies outside it, and both say what a
period is and, for shares, what they are shares of.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .timeline import PERIOD_NOUNS, Period, runs
from ..errors import NewsIndexError

BAR_WIDTH = 50

#: Empty periods in a row from which the text shows one "no matches" line instead of each.
GAP = 8

#: What a timeline counts (plural) -> one of them: articles, or stories (counting stories, not copies).
UNITS = {"articles": "article", "stories": "story"}


def describe(query: str, by: str, normalize: bool, unit: str = "articles") -> str:
    """What a timeline shows: the first line of the text, the chart's title. ``unit`` is what it
    counts (:data:`UNITS`): a story counts in the period of its earliest matching article."""
    noun = PERIOD_NOUNS.get(by, by)
    if normalize:
        told = "published" if unit == "articles" else "with an article published"
        return f"share of all {unit} {told} each {noun} that match {query!r} (UTC)"
    return f"{unit} matching {query!r} per {noun} (UTC)"


def text_bars(periods: Sequence[Period], normalize: bool = False, query: str = "", by: str = "month",
              unit: str = "articles") -> str:
    """A heading, then one line per period (label, bar scaled to the largest, figure); long empty runs are one line.

    With ``normalize`` each figure is the share and its denominator: ``2.13% of 1,234``.
    """
    if not periods:
        return f"no dated {UNITS[unit]} matches"
    values = [p.share if normalize else p.count for p in periods]
    top = max(values) or 1
    lines = [describe(query, by, normalize, unit) + f": {periods[0].label} .. {periods[-1].label}"]
    empty = 0
    for i, (period, value) in enumerate(zip(periods, values)):
        if not period.count and i + 1 < len(periods):
            empty += 1
            continue
        if empty >= GAP:
            first, last = periods[i - empty], periods[i - 1]
            lines.append(f"{'':10}  ~ {empty:,} {PERIOD_NOUNS.get(by, by).split()[0]}s without a match, "
                         f"{first.label} .. {last.label} ~")
        else:
            lines += [_bar(p, v, top, normalize) for p, v in zip(periods[i - empty : i], values[i - empty : i])]
        empty = 0
        lines.append(_bar(period, value, top, normalize))
    return "\n".join(lines)


def _bar(period: Period, value: float, top: float, normalize: bool) -> str:
    bar = "#" * round(BAR_WIDTH * value / top)
    figure = f"{value:7.2%} of {period.total:,}" if normalize else f"{value:,}"
    return f"{period.label}  {bar:<{BAR_WIDTH}}  {figure}"


def main_stretch(periods: Sequence[Period], gap: int = GAP) -> tuple[int, int]:
    """The (first, last) indexes of the stretch holding most matches, apart from long empty runs."""
    stretches = runs(periods, gap)
    if not stretches:
        return 0, len(periods) - 1
    return max(stretches, key=lambda r: sum(p.count for p in periods[r[0] : r[1] + 1]))


def draw_timeline(periods: Sequence[Period], path: Path, title: str, normalize: bool = False, by: str = "month",
                  unit: str = "articles") -> str:
    """Write the timeline as a bar chart to ``path`` (PNG); return a note on matches left out, if any.

    The chart spans the stretch with most matches (see :func:`main_stretch`);
    the matches outside it are counted in a footnote on the chart and in the
    returned note. With ``normalize`` the bars are shares and the
    denominators (all articles of each period) are drawn as a line on a
    second axis.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise NewsIndexError("--png needs matplotlib: pip install 'newsindex[plot]'") from None
    first, last = main_stretch(periods)
    shown = list(periods[first : last + 1])
    outside = sum(p.count for p in periods) - sum(p.count for p in shown)
    note = ""
    if outside:
        note = (f"{outside:,} matching {unit if outside != 1 else UNITS[unit]} outside "
                f"{shown[0].label} .. {shown[-1].label} not drawn (--since/--until choose the range)")
    noun = PERIOD_NOUNS.get(by, by)
    figure, axes = plt.subplots(figsize=(10, 4.4), dpi=100)
    axes.bar(
        [p.start for p in shown],
        [p.share * 100 if normalize else p.count for p in shown],
        width=[(p.end - p.start).days * 0.8 for p in shown],
        align="edge",
        color="#3b6ea5",
        label=f"% of the period's {unit} that match" if normalize else f"matching {unit}",
    )
    axes.set_title(describe(title, by, normalize, unit))
    axes.set_ylabel(f"% of all {unit} of the {noun.split()[0]}" if normalize else f"matching {unit} per {noun.split()[0]}")
    if normalize:
        totals = axes.twinx()
        totals.plot([p.start for p in shown] + [shown[-1].end], [p.total for p in shown] + [shown[-1].total],
                    color="#999999", linewidth=1,
                    drawstyle="steps-post", label=f"all {unit} of the period (the denominator)")
        totals.set_ylabel(f"all {unit} per {noun.split()[0]}")
        totals.set_ylim(bottom=0)
        handles = axes.get_legend_handles_labels()[0] + totals.get_legend_handles_labels()[0]
        axes.legend(handles=handles, loc="upper left", fontsize="small")
    if note:
        figure.text(0.01, 0.01, note, fontsize="small", color="#555555")
    figure.autofmt_xdate()
    figure.tight_layout(rect=(0, 0.04 if note else 0, 1, 1))
    try:
        figure.savefig(path, format="png")
    except OSError as exc:
        raise NewsIndexError(f"{path}: cannot write the chart: {exc.strerror or exc}") from None
    finally:
        plt.close(figure)
    return note
