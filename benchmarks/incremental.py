"""What keeping an index up to date costs newsindex, next to building it: new stories and unchanged re-runs.

Run by the driver as ``python -m benchmarks.incremental --index DIR --out FILE.json
[--files a.sgm,b.sgm] [--corpora PATH]``, in a fresh process. An archive grows by
a day's stories at a time and ``newsindex index`` is re-run over the same folders,
so both must cost a small fraction of a full build. Three steps on Reuters-21578
(x1), each timed: build an index of all stories but the last ``NEW`` (about a
full build), add those ``NEW`` stories to it, then index every story again
(nothing changed: each is recognised by its content hash and skipped). Reading
the SGML files is timed apart, since a re-run of the command reads them again.
The peers have no notion of an unchanged article, so only newsindex is measured.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from newsindex import NewsIndex

from .corpora import read_reuters, worker_arguments

#: Stories added to the existing index: about a day of a large news archive.
NEW = 1_000


def main(argv: list[str] | None = None) -> None:
    args = worker_arguments("python -m benchmarks.incremental", __doc__, argv)

    start = time.perf_counter()
    articles = read_reuters(args.corpora, args.files)
    read_seconds = time.perf_counter() - start
    new = min(NEW, len(articles) // 10)
    old = articles[:-new]

    with NewsIndex.create(args.index, overwrite=True) as ix:
        start = time.perf_counter()
        built = ix.add(old)
        build_seconds = time.perf_counter() - start
        start = time.perf_counter()
        added = ix.add(articles[-new:])
        add_seconds = time.perf_counter() - start
        start = time.perf_counter()
        rerun = ix.add(articles)
        rerun_seconds = time.perf_counter() - start
    if built.added != len(old) or added.added != new or rerun.unchanged != len(articles):
        raise RuntimeError(f"unexpected counts: {built}, {added}, {rerun}")
    figures = {
        "articles": len(articles),
        "new": new,
        "read_seconds": read_seconds,
        "build_seconds": build_seconds,
        "add_seconds": add_seconds,
        "rerun_seconds": rerun_seconds,
        "add_fraction": add_seconds / build_seconds,
        "rerun_fraction": rerun_seconds / build_seconds,
        "rerun_with_reading_fraction": (rerun_seconds + read_seconds) / build_seconds,
    }
    args.out.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
