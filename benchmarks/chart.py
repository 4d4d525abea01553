"""The PNG chart: indexing throughput and query latency against corpus size, per engine.

Log scales on both axes, because the engines differ by orders of magnitude
and the sizes grow by factors of five; the machine is named in the title so
the picture is never read without its context.
"""

from __future__ import annotations

from pathlib import Path

from .machine import machine_line
from .metrics import latency_summary

COLOURS = {"newsindex": "#d62728", "whoosh": "#1f77b4", "fts5": "#2ca02c", "tantivy": "#9467bd"}


def _series(results: dict, engine: str) -> tuple[list[int], list[float], list[float], list[float]]:
    """(articles, articles/s, p50 ms, p95 ms) for every size where the engine ran."""
    sizes, rates, p50, p95 = [], [], [], []
    for label, per_engine in results["indexing"].items():
        built = per_engine.get(engine)
        searched = results["queries"].get(label, {}).get(engine)
        if not built or not searched:
            continue
        summary = latency_summary([s for q in searched["queries"] for s in q["seconds"]])
        sizes.append(built["articles_indexed"])
        rates.append(built["articles_per_s"])
        p50.append(summary["p50_ms"])
        p95.append(summary["p95_ms"])
    return sizes, rates, p50, p95


def write_chart(results: dict, path: Path) -> Path:
    """Draw the two panels and save them as a PNG at ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5), constrained_layout=True)
    for engine in results["engines"]:
        sizes, rates, p50, p95 = _series(results, engine)
        if not sizes:
            continue
        colour = COLOURS.get(engine)
        left.plot(sizes, rates, "o-", color=colour, label=engine)
        right.plot(sizes, p50, "o-", color=colour, label=f"{engine} p50")
        right.plot(sizes, p95, "s--", color=colour, alpha=0.6, label=f"{engine} p95")
    left.set(xscale="log", yscale="log", xlabel="articles indexed", ylabel="articles per second",
             title="Indexing throughput (higher is better)")
    right.set(xscale="log", yscale="log", xlabel="articles indexed", ylabel="milliseconds per query",
              title="Query latency, warm searcher (lower is better)")
    ticks = sorted({b["articles_indexed"]: label for label, per_engine in results["indexing"].items()
                    for b in per_engine.values()}.items())
    for axis in (left, right):
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
        axis.xaxis.set_minor_formatter(NullFormatter())
        axis.set_xticks([n for n, _ in ticks], [f"{n:,}\n{label}" for n, label in ticks])
    fig.suptitle(f"newsindex vs stock Whoosh, SQLite FTS5, tantivy on Reuters-21578 copies\n"
                 f"{machine_line(results['meta']['machine'])}", fontsize=10)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
