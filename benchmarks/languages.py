"""What per-article language handling costs newsindex: on English-only Reuters, and on a mixed collection.

Run by the driver as ``python -m benchmarks.languages --index DIR --out FILE.json
[--files a.sgm,b.sgm] [--corpora PATH]``, in a fresh process. Each article's
language is detected when its source does not declare it, and a query word is
looked up once per language the index holds; both must cost almost nothing on
an English-only collection. Measured, newsindex only (the peers have no such
step), stories off so that indexing itself is timed:

* detection alone: CLD2 over every Reuters story (title and text), per article, in CPU time;
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
* index size: Reuters as read, and the bytes in it that per-article languages
  add (the ``language`` field's terms and postings, the language facet's
  column; an English-only index has no language marks, so its words' terms are
  those of a single-language index); the mixed index per language, the terms
  and postings of its title and body words against the bytes of its text;
* search by a title's own words, per language: the feeds and pages, with the
  test articles of the scripts ../shared lacks, indexed together with no
  options; each word of each title (each 2-4 character piece of a run of a
  script written without spaces) searched alone, and counted when it finds
  its article.
"""

from __future__ import annotations

import json
import pickle
import re
import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

from newsindex import Article, NewsIndex
from newsindex.ingest.languages import detect_language, language_code, with_language
from newsindex.ingest.readers import read_paths
from newsindex.text.analysis import LANGUAGE_MARK
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


def directory_bytes(directory: Path) -> int:
    """Bytes of every file of an index directory (what the build section reports as index size)."""
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


def _leaves(directory: Path) -> Iterator[tuple[Any, Any]]:
    """(segment reader, its compound file) of each segment of the index in ``directory``."""
    from whoosh.index import open_dir

    ix = open_dir(str(directory))
    with ix.reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            segment = leaf.segment()
            yield leaf, segment.open_compound_file(ix.storage) if segment.is_compound() else ix.storage


def _term_bytes(leaf: Any, field: str) -> Iterator[tuple[str, int]]:
    """(term, bytes it takes: its key and term info in the term table, and its posting list) of a field."""
    from whoosh.codec.whoosh3 import W3TermInfo

    for term, info in leaf.iter_field(field):
        # As W3TermInfo.to_bytes lays an entry out: fixed fields, then the postings inlined
        # (pickled) or where they are (a long and an int) and the list itself.
        if info.is_inlined():
            postings = len(pickle.dumps(info.inlined_postings(), 2))
        else:
            length = info.extent()[1]  # Whoosh reads it back as a 1-tuple (struct.unpack's answer)
            postings = 12 + (length[0] if isinstance(length, tuple) else length)
        yield term.decode("utf-8"), len(term) + W3TermInfo._struct.size + postings


def language_bytes(directory: Path) -> dict[str, int]:
    """The bytes per-article languages add to an index: the ``language`` field's terms and postings, and the
    column of the language facet (what ``--facet language`` reads)."""
    field = facet = 0
    for leaf, files in _leaves(directory):
        field += sum(size for _term, size in _term_bytes(leaf, "language"))
        facet += sum(files.file_length(name) for name in files.list() if name.endswith(".facet_language.col"))
    return {"field": field, "facet": facet}


def bytes_per_language(directory: Path, articles: list[Article], default: str = "en") -> dict[str, dict[str, int]]:
    """Per language: articles, bytes of their title and body text (UTF-8), distinct title and body terms and
    the bytes those take (term table and postings). A term is its language's by its mark (``ru:медвед``);
    unmarked terms are the default language's (and those of articles of unknown language)."""
    per: dict[str, dict[str, int]] = {}

    def of(code: str) -> dict[str, int]:
        return per.setdefault(code or default, {"articles": 0, "text_bytes": 0, "terms": 0, "term_bytes": 0})

    for article in articles:
        counts = of(article.language)
        counts["articles"] += 1
        counts["text_bytes"] += len(article.title.encode("utf-8")) + len(article.body.encode("utf-8"))
    for leaf, _files in _leaves(directory):
        for field in ("title", "body"):
            for term, size in _term_bytes(leaf, field):
                code, mark, _word = term.partition(LANGUAGE_MARK)
                counts = of(code if mark else default)
                counts["terms"] += 1
                counts["term_bytes"] += size
    return dict(sorted(per.items(), key=lambda item: -item[1]["term_bytes"]))


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

    # Detection in CPU time of this process (it runs here alone, one thread), which a loaded machine
    # inflates far less than the time on the clock; the builds below are timed on the clock, as a
    # second process shares their work.
    start = time.process_time()
    detected = [with_language(a) for a in reuters]
    detect_seconds = time.process_time() - start
    declared = [replace(a, language="en") for a in reuters]

    # In turn, twice each, the faster kept: the first build of a process also pays for imports
    # and warming caches, which would be charged to whichever build came first.
    builds: dict[str, list[float]] = {"declared": [], "reuters": []}
    for _ in range(2):
        builds["declared"].append(_build(args.index / "declared", declared))
        builds["reuters"].append(_build(args.index / "reuters", reuters))
    as_read_seconds, declared_seconds = min(builds["reuters"]), min(builds["declared"])
    reuters_bytes = directory_bytes(args.index / "reuters")
    reuters_language_bytes = language_bytes(args.index / "reuters")
    mixed_seconds = _build(args.index / "mixed", reuters + extra)
    mixed_bytes = directory_bytes(args.index / "mixed")
    as_indexed = detected + [with_language(a) for a in extra]  # each article with the language it was indexed in
    mixed_per_language = bytes_per_language(args.index / "mixed", as_indexed)
    queries = [to_newsindex(q) for q in load_queries()]
    english_query = _query_median(args.index / "reuters", queries)
    mixed_query = _query_median(args.index / "mixed", queries)

    fixtures = [a for a in read_paths([FIXTURES]) if isinstance(a, Article)]
    start = time.process_time()
    checked = detection(extra)
    check_seconds = time.process_time() - start
    titles = title_word_success(args.index / "titles", extra + fixtures, {a.id for a in fixtures})

    languages: dict[str, int] = {}
    for article in as_indexed:
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
        "index_bytes": reuters_bytes,
        "language_bytes": reuters_language_bytes,
        "mixed_index_bytes": mixed_bytes,
        "mixed_bytes_per_language": mixed_per_language,
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
