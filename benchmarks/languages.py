"""What per-article language handling costs newsindex: on English-only Reuters, and on a mixed collection.

Run by the driver as ``python -m benchmarks.languages --index DIR --out FILE.json
[--files a.sgm,b.sgm] [--corpora PATH]``, in a fresh process. Each article's
language is detected when its source does not declare it, and a query word is
looked up once per language the index holds; both must cost almost nothing on
an English-only collection. Measured, newsindex only (the peers have no such
step), stories off so that indexing itself is timed:

* detection alone: CLD2 over every Reuters story (title and text), per article;
* building Reuters as read (every story detected) and with every story's
  language declared ("en", nothing detected): the difference is what
  detection costs a build;
* the mixed collection: Reuters plus the real feeds and pages of
  ``feeds-multilingual`` and ``html-news`` (Japanese, Russian, German, French),
  built as read; then the median time of the query mix (``queries.json``) on
  the English-only index and on the mixed one, whose words are looked up in
  five languages.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import replace
from pathlib import Path

from newsindex import Article, NewsIndex
from newsindex.ingest.languages import with_language
from newsindex.ingest.readers import read_paths

from .corpora import read_reuters, worker_arguments
from .engines.newsindex_engine import NewsIndexQuery, to_newsindex
from .querymix import load_queries

#: Rounds of the query mix per index (the median of each query's times is taken).
ROUNDS = 5


def _build(directory: Path, articles: list[Article]) -> float:
    with NewsIndex.create(directory, overwrite=True) as ix:
        start = time.perf_counter()
        summary = ix.add(articles, group=False)
        seconds = time.perf_counter() - start
    if summary.added != len(articles):
        raise RuntimeError(f"unexpected counts: {summary}")
    return seconds


def _query_median(directory: Path, queries: list[NewsIndexQuery]) -> float:
    """The median over queries of each query's median time (seconds), warm."""
    with NewsIndex.open(directory) as ix:
        def search(q: NewsIndexQuery) -> None:
            ix.search(q.text, limit=10, sort=q.sort, operator=q.operator)  # type: ignore[arg-type]

        for q in queries:
            search(q)
        times: list[list[float]] = [[] for _ in queries]
        for _ in range(ROUNDS):
            for q, spent in zip(queries, times):
                start = time.perf_counter()
                search(q)
                spent.append(time.perf_counter() - start)
    return statistics.median(statistics.median(t) for t in times)


def main(argv: list[str] | None = None) -> None:
    args = worker_arguments("python -m benchmarks.languages", __doc__, argv)

    reuters = read_reuters(args.corpora, args.files)
    extra = [
        a for a in read_paths([args.corpora / "feeds-multilingual", args.corpora / "html-news"])
        if isinstance(a, Article)
    ]
    extra = list({a.id: a for a in extra}.values())

    start = time.perf_counter()
    detected = [with_language(a) for a in reuters]
    detect_seconds = time.perf_counter() - start
    declared = [replace(a, language="en") for a in reuters]

    as_read_seconds = _build(args.index / "reuters", reuters)
    declared_seconds = _build(args.index / "declared", declared)
    mixed_seconds = _build(args.index / "mixed", reuters + extra)
    queries = [to_newsindex(q) for q in load_queries()]
    english_query = _query_median(args.index / "reuters", queries)
    mixed_query = _query_median(args.index / "mixed", queries)

    languages: dict[str, int] = {}
    for article in detected + [with_language(a) for a in extra]:
        languages[article.language or "unknown"] = languages.get(article.language or "unknown", 0) + 1
    figures = {
        "articles": len(reuters),
        "mixed_articles": len(reuters) + len(extra),
        "languages": dict(sorted(languages.items(), key=lambda item: -item[1])),
        "detect_seconds": detect_seconds,
        "detect_ms_per_article": 1000 * detect_seconds / len(reuters),
        "build_as_read_seconds": as_read_seconds,
        "build_declared_seconds": declared_seconds,
        "build_mixed_seconds": mixed_seconds,
        "detection_share": (as_read_seconds - declared_seconds) / declared_seconds,
        "query_median_english_ms": 1000 * english_query,
        "query_median_mixed_ms": 1000 * mixed_query,
        "query_ratio_mixed": mixed_query / english_query,
    }
    args.out.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
