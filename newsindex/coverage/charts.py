"""Drawing a timeline: text bars for a terminal, a PNG with matplotlib (an optional extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .timeline import Period
from ..errors import NewsIndexError

BAR_WIDTH = 50


def text_bars(periods: Sequence[Period], normalize: bool = False) -> str:
    """One line per period: its label, a bar scaled to the largest period, the figure."""
    if not periods:
        return "no dated article matches"
    values = [p.share if normalize else p.count for p in periods]
    top = max(values) or 1
    lines = []
    for period, value in zip(periods, values):
        bar = "#" * round(BAR_WIDTH * value / top)
        figure = f"{value:7.2%} of {period.total:,}" if normalize else f"{value:,}"
        lines.append(f"{period.label}  {bar:<{BAR_WIDTH}}  {figure}")
    return "\n".join(lines)


def draw_timeline(periods: Sequence[Period], path: Path, title: str, normalize: bool = False) -> None:
    """Write the timeline as a bar chart to ``path`` (PNG)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise NewsIndexError("--png needs matplotlib: pip install 'newsindex[plot]'") from None
    figure, axes = plt.subplots(figsize=(10, 4), dpi=100)
    axes.bar(
        [p.start for p in periods],
        [p.share * 100 if normalize else p.count for p in periods],
        width=[(p.end - p.start).days * 0.8 for p in periods],
        align="edge",
        color="#3b6ea5",
    )
    axes.set_title(f"Articles matching {title!r}")
    axes.set_ylabel("% of all articles in the period" if normalize else "matching articles")
    figure.autofmt_xdate()
    figure.tight_layout()
    try:
        figure.savefig(path, format="png")
    except OSError as exc:
        raise NewsIndexError(f"{path}: cannot write the chart: {exc.strerror or exc}") from None
    finally:
        plt.close(figure)
