"""Build one engine's index of one corpus in this (fresh) process and report what it cost.

Run by the driver as ``python -m benchmarks.build ENGINE --index DIR --out FILE.json
[--scale N] [--files a.sgm,b.sgm] [--corpora PATH]``. A process per build
keeps one engine's memory and imports out of another's figures: the peak
RSS read at the end belongs to this build alone. The corpus is read and
generated before the clock starts, so the timed part is indexing only;
``rss_before_build_mb`` says how much of the peak the corpus itself holds.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import time
from pathlib import Path

from . import DEFAULT_CORPORA
from .corpora import ReutersCorpus, text_bytes
from .engines import ENGINES
from .resources import cpu_seconds, load_average, peak_rss_mb


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.build", description=__doc__)
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("--index", type=Path, required=True, help="directory for the new index")
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON figures")
    parser.add_argument("--scale", type=int, default=1, help="copies of Reuters-21578 (1, 5, 25, ...)")
    parser.add_argument("--files", default="", help="comma-separated Reuters files (default: all 22)")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    args = parser.parse_args(argv)

    corpus = ReutersCorpus(args.corpora, args.scale, tuple(args.files.split(",")) if args.files else None)
    articles = corpus.articles()
    nbytes = text_bytes(articles)
    engine = ENGINES[args.engine](args.index)

    gc.collect()
    rss_before = peak_rss_mb()
    cpu_start = cpu_seconds()
    start = time.perf_counter()
    indexed = engine.build(articles)
    seconds = time.perf_counter() - start
    cpu = cpu_seconds() - cpu_start

    figures = {
        "engine": args.engine,
        "corpus": corpus.label,
        "scale": args.scale,
        "articles_in": len(articles),
        "articles_indexed": indexed,
        "text_bytes": nbytes,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "articles_per_s": indexed / seconds if seconds else 0.0,
        "text_mb_per_s": nbytes / 1e6 / seconds if seconds else 0.0,
        "index_bytes": engine.size_bytes(),
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_build_mb": rss_before,
        "children_peak_rss_mb": peak_rss_mb(resource.RUSAGE_CHILDREN),
        "load_1min": load_average(),
    }
    args.out.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
