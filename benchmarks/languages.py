"""What per-article language handling costs newsindex: on English-only Reuters, and on a mixed collection.

Run by the driver as ``python -m benchmarks.languages --index DIR --out FILE.json
[--files a.sgm,b.sgm] [--corpora PATH]``, in a fresh process. Each article's
language is detected when its source does not declare it, and a query word is
looked up once per language the index holds; both must cost almost nothing on
an English-only collection. Measured, newsindex only (the peers have no such
step), stories off so that indexing itself is timed:

* detection alone: CLD2 over every Reuters story (title and text), per article;
* building Reuters as read (every story detected) and with every story's
  language declared ("en", nothing detected), in turn, twice each, the faster
  kept: the difference is what detection costs a build;
* the mixed collection: Reuters plus the real feeds and pages of
  ``feeds-multilingual`` and ``html-news`` (Japanese, Russian, German, French),
  built as read; then the median time of the query mix (``queries.json``) on
  the English-only index and on the mixed one, whose words are looked up in
  five languages;
* detection against what the sources declare: every feed item and page that
  declares its language, CLD2 given its title and text;
* search by a title's own words, per language: the feeds and pages, with the
  test articles of the scripts ../shared lacks, indexed together with no
  options; each word of each title (each 2-4 character piece of a run of a
  script written without spaces) searched alone, and counted when it finds
  its article.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import replace
from pathlib import Path

from newsindex import Article, NewsIndex
from newsindex.ingest.languages import detect_language, language_code, with_language
from newsindex.ingest.readers import read_paths
from newsindex.text.scripts import MARKS, UNSPACED

from . import REPO_ROOT

from .corpora import read_reuters, worker_arguments
from .engines.newsindex_engine import NewsIndexQuery, to_newsindex
from .querymix import load_queries

#: Rounds of the query mix per index (the median of each query's times is taken).
ROUNDS = 5

#: Articles written for the tests in scripts ../shared lacks (Chinese, Thai, Korean, Arabic, Hindi...):
#: not real news, so their rows are marked as such.
FIXTURES = REPO_ROOT / "tests" / "data" / "languages.jsonl"

_TITLE_WORD = re.compile(rf"(?:[^\W_]|[{MARKS}])+")
_RUN = re.compile(f"[{UNSPACED}]+")


def title_words(title: str) -> list[str]:
    """The words a reader would take from a title to find its article: each word of a script written
    with spaces (two characters or more, not a number), and every two-, three- and four-character piece
    of a run of a script written without them (where a word's edges are not written)."""
    words: list[str] = []
    for match in _TITLE_WORD.finditer(title):
        word = match.group()
        runs = _RUN.findall(word)
        for run in runs:
            words += [run] if len(run) == 1 else []
            words += [run[i : i + n] for n in (2, 3, 4) for i in range(len(run) - n + 1)]
        if not runs and len(word) >= 2 and not word.isdigit():
            words.append(word.lower())
    return list(dict.fromkeys(words))


def detection(articles: list[Article]) -> dict[str, dict[str, int]]:
    """CLD2's answer against the language each article's source declares, per declared language:
    articles, right, unknown (``""``: the article takes the index's default language)."""
    per: dict[str, dict[str, int]] = {}
    for article in articles:
        declared = language_code(article.language)
        if declared:
            found = detect_language(f"{article.title}\n{article.body}")
            counts = per.setdefault(declared, {"articles": 0, "right": 0, "unknown": 0})
            counts["articles"] += 1
            counts["right"] += found == declared
            counts["unknown"] += found == ""
    return dict(sorted(per.items()))


def title_word_success(directory: Path, articles: list[Article], fixtures: set[str]) -> dict[str, dict]:
    """Per language: how many of its articles' title words (:func:`title_words`) find their article."""
    with NewsIndex.create(directory, overwrite=True) as ix:
        ix.add(articles, group=False)
    per: dict[str, dict] = {}
    with NewsIndex.open(directory) as ix:
        for article in articles:
            language = ix.get(article.id).language or "unknown"
            counts = per.setdefault(language, {"articles": 0, "words": 0, "found": 0, "fixture": True})
            counts["articles"] += 1
            counts["fixture"] = counts["fixture"] and article.id in fixtures
            for word in title_words(article.title):
                counts["words"] += 1
                counts["found"] += article.id in ix.ids(word, limit=len(articles))
    return dict(sorted(per.items(), key=lambda item: (item[1]["fixture"], -item[1]["articles"])))


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

    # In turn, twice each, the faster kept: the first build of a process also pays for imports
    # and warming caches, which would be charged to whichever build came first.
    builds: dict[str, list[float]] = {"declared": [], "reuters": []}
    for _ in range(2):
        builds["declared"].append(_build(args.index / "declared", declared))
        builds["reuters"].append(_build(args.index / "reuters", reuters))
    as_read_seconds, declared_seconds = min(builds["reuters"]), min(builds["declared"])
    mixed_seconds = _build(args.index / "mixed", reuters + extra)
    queries = [to_newsindex(q) for q in load_queries()]
    english_query = _query_median(args.index / "reuters", queries)
    mixed_query = _query_median(args.index / "mixed", queries)

    fixtures = [a for a in read_paths([FIXTURES]) if isinstance(a, Article)]
    start = time.perf_counter()
    checked = detection(extra)
    check_seconds = time.perf_counter() - start
    titles = title_word_success(args.index / "titles", extra + fixtures, {a.id for a in fixtures})

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
        "declared": checked,
        "declared_detect_ms_per_article": 1000 * check_seconds / max(sum(d["articles"] for d in checked.values()), 1),
        "title_words": titles,
    }
    args.out.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
