"""Turn the results document into the Markdown report (printed and written to report.md).

Every newsindex figure is followed by its ratio to stock Whoosh and to FTS5
from the same run (``newsindex ÷ peer``), so the report can be read without
a calculator and without trusting figures from another day or machine.
"""

from __future__ import annotations

from typing import Callable, Iterable

from .agreement import coverage_difference, judge
from .coverage import FACET_NAMES, MEASUREMENTS, TOP
from .machine import machine_line
from .metrics import latency_summary
from .querymix import QUERIES_FILE, Phrase, load_queries

BASE = "newsindex"
PEERS = ("whoosh", "fts5")


def table(header: list[str], rows: Iterable[list[str]]) -> str:
    """A Markdown table; numeric-looking columns are right-aligned."""
    rows = list(rows)
    align = ["---:" if rows and all(_numeric(r[i]) for r in rows) else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _numeric(text: str) -> bool:
    """Blank cells (the ratio rows' padding) do not stop a column from being numeric."""
    return text == "" or text[0].isdigit() or text[0] in "-–"


def num(value: float | None, digits: int = 1) -> str:
    """A number with thousands separators, or an en dash when missing."""
    if value is None:
        return "–"
    if abs(value) >= 100 or digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def ratio(a: float | None, b: float | None) -> str:
    """``a ÷ b`` as ``1.23×`` (en dash when either is missing or b is 0)."""
    if a is None or not b:
        return "–"
    value = a / b
    return f"{value:.2f}×" if value < 100 else f"{value:,.0f}×"


def ratio_rows(figures: dict[str, dict[str, float]], columns: list[tuple[str, str]], lead: int = 1) -> list[list[str]]:
    """Rows ``newsindex ÷ whoosh`` and ``newsindex ÷ fts5`` for the given (key, _) columns."""
    rows = []
    if BASE not in figures:
        return rows
    for peer in PEERS:
        if peer in figures:
            rows.append(
                [f"**{BASE} ÷ {peer}**"] + [""] * (lead - 1)
                + [ratio(figures[BASE].get(key), figures[peer].get(key)) for key, _ in columns]
            )
    return rows


# -- sections -----------------------------------------------------------------


def header(results: dict) -> str:
    meta = results["meta"]
    lines = [
        "# newsindex benchmarks",
        "",
        f"**Machine:** {machine_line(meta['machine'])}.  ",
        f"**Run:** {meta['started'].replace('T', ' ')[:16]} UTC, took {meta['duration_seconds'] / 60:.1f} min: `{meta['command']}`"
        f" (newsindex {meta.get('code', 'code version unknown')}).  ",
        f"**Data:** Reuters-21578 at sizes {', '.join(results['sizes'])}"
        + (f" (files {', '.join(meta['plan']['files'])})" if meta["plan"]["files"] else "")
        + f"; Cranfield; the query mix `benchmarks/{QUERIES_FILE.name}` ({len(results['query_mix'])} queries,"
        + f" and {len(results.get('coverage_queries', []))} coverage queries).",
        "",
        "Ratios are **newsindex ÷ peer** from this same run: above 1× means newsindex takes more"
        " (time, space, memory) or does more (articles/s, MB/s, nDCG).",
        "",
        table(
            ["engine", "version", "set-up"],
            [[e, results["meta"]["versions"].get(e, ""), results["meta"]["setups"].get(e, "")] for e in results["engines"]],
        ),
    ]
    return "\n".join(lines)


INDEX_COLUMNS = [
    ("seconds", "wall s"), ("cpu_seconds", "CPU s"), ("articles_per_s", "articles/s"),
    ("text_mb_per_s", "MB/s"), ("index_mb", "index MB"), ("peak_rss_mb", "peak RSS MiB"),
    ("build_rss_mb", "RSS added by indexing MiB"),
]


def indexing(results: dict) -> str:
    parts = ["## Indexing", "",
             "Title and body with positions, plus the date, committed to disk; the corpus is read"
             " and generated before the clock starts. Each build runs in its own fresh process;"
             " peak RSS is that process's `ru_maxrss` (it includes the corpus held in memory,"
             " the last column subtracts that). MB = 10⁶ bytes of title+body text."]
    for label, per_engine in results["indexing"].items():
        if not per_engine:
            continue
        figures = {
            e: {**f, "index_mb": f["index_bytes"] / 1e6, "build_rss_mb": f["peak_rss_mb"] - f["rss_before_build_mb"]}
            for e, f in per_engine.items()
        }
        any_figure = next(iter(figures.values()))
        parts += ["", f"### {label}: {any_figure['articles_in']:,} articles, {any_figure['text_bytes'] / 1e6:.1f} MB of text", ""]
        rows = [[e, f"{f['articles_indexed']:,}"] + [num(f[k], 2 if k == "seconds" else 1) for k, _ in INDEX_COLUMNS]
                for e, f in figures.items()]
        rows += ratio_rows(figures, INDEX_COLUMNS, lead=2)
        parts.append(table(["engine", "articles indexed"] + [h for _, h in INDEX_COLUMNS], rows))
    return "\n".join(parts)


LATENCY_COLUMNS = [("p50_ms", "p50 ms"), ("p95_ms", "p95 ms"), ("p99_ms", "p99 ms"), ("mean_ms", "mean ms")]


def _samples(run: dict, keep: Callable[[dict], bool] = lambda q: True) -> list[float]:
    return [s for q in run["queries"] if keep(q) for s in q["seconds"]]


def latency(results: dict) -> str:
    categories = {q["id"]: q["category"] for q in results["query_mix"]}
    parts = ["## Query latency", "",
             "Warm searcher in a fresh process; every repetition really searches: parse the query"
             " text, find the top 10 (by relevance or date), count every match exactly, fetch the 10"
             " ids (newsindex loads each hit's stored article too; its snippets are made only when"
             " read, and the benchmark reads none). Each repetition runs the whole mix in order;"
             " percentiles are over all queries × repetitions."]
    for label, per_engine in results["queries"].items():
        if not per_engine:
            continue
        figures = {e: latency_summary(_samples(run)) for e, run in per_engine.items()}
        parts += ["", f"### {label}", ""]
        rows = [[e, str(per_engine[e]["reps"])] + [num(f[k], 2) for k, _ in LATENCY_COLUMNS] for e, f in figures.items()]
        rows += ratio_rows(figures, LATENCY_COLUMNS, lead=2)
        parts.append(table(["engine", "reps"] + [h for _, h in LATENCY_COLUMNS], rows))
        cats = list(dict.fromkeys(categories.values()))
        engines = list(per_engine)
        cat_rows = []
        for cat in cats:
            p50 = {e: latency_summary(_samples(per_engine[e], lambda q: categories[q["id"]] == cat))["p50_ms"] for e in engines}
            cat_rows.append([cat] + [num(p50[e], 2) for e in engines]
                            + [ratio(p50.get(BASE), p50.get(p)) for p in PEERS if BASE in p50 and p in p50])
        ratio_headers = [f"{BASE} ÷ {p}" for p in PEERS if BASE in engines and p in engines]
        parts += ["", f"p50 ms by kind of query ({label}):", "",
                  table(["kind"] + engines + ratio_headers, cat_rows)]
    return "\n".join(parts)


def counts(results: dict) -> str:
    queries = {q.id: q for q in load_queries()}
    described = {q["id"]: q["query"] for q in results["query_mix"]}
    parts = ["## Hit counts per query", "",
             "The exact total each engine reports. Engines cannot all agree: newsindex and tantivy"
             " stem with Snowball, stock Whoosh and FTS5 with Porter (e.g. *unemployment*, *gas*);"
             " stock Whoosh indexes no stop words, so its phrases also match across a stop word;"
             " tokenizers split numbers, hyphens and abbreviations differently. A total marked †"
             " is what `len(results)` reported although a full recount of the same query found"
             " the number in brackets (a Whoosh bug, see *Notes*)."]
    for position, (label, per_engine) in enumerate(results["queries"].items()):
        if not per_engine:
            continue
        engines = list(per_engine)
        by_query = {e: {q["id"]: q for q in run["queries"]} for e, run in per_engine.items()}
        rows, agreeing, undercounts = [], 0, 0
        for qid in described:
            verdict = judge({e: by_query[e][qid] for e in engines},
                            any(isinstance(c, Phrase) for c in queries[qid].clauses) if qid in queries else False)
            agreeing += verdict.agree
            undercounts += bool(verdict.recounted)
            cells = [
                f"{verdict.counts[e]:,}" + (f"† ({verdict.recounted[e]:,})" if e in verdict.recounted else "")
                for e in engines
            ]
            if position == 0 or not verdict.agree or verdict.recounted:
                rows.append([qid, described[qid].replace("|", "\\|")] + cells
                            + ["yes" if verdict.agree else verdict.groups, verdict.reason])
        corrected = f" ({undercounts} of them once a Whoosh undercount is corrected)" if undercounts else ""
        parts += ["", f"### {label}: {', '.join(engines)} agree on {agreeing} of {len(described)} queries{corrected}", ""]
        if position > 0:
            parts += ["Only the queries where they do not, or where a total had to be recounted:", ""]
        parts.append(table(["id", "query"] + engines + ["agree", "why not / note"], rows))
    return "\n".join(parts)


#: (key, header) of the coverage table: p50 and p95 of each measurement.
COVERAGE_COLUMNS = [(f"{m}_{p}", f"{m} {p} ms") for m in MEASUREMENTS for p in ("p50", "p95")]


def _coverage_figures(query: dict) -> dict[str, float]:
    """p50/p95 ms of each measurement an engine timed for one coverage query."""
    figures = {}
    for name, seconds in query["seconds"].items():
        summary = latency_summary(seconds)
        figures[f"{name}_p50"], figures[f"{name}_p95"] = summary["p50_ms"], summary["p95_ms"]
    return figures


def _coverage_rows(qid: str, query_text: str, per_engine: dict) -> list[list[str]]:
    """One query's rows: each engine's matches, latencies and agreement with newsindex, then the ratios."""
    found = {e: next(q for q in run["queries"] if q["id"] == qid) for e, run in per_engine.items()}
    figures = {e: _coverage_figures(q) for e, q in found.items()}
    rows = []
    for engine, q in found.items():
        same = "–" if engine == BASE or BASE not in found else (coverage_difference(found[BASE], q, TOP) or "yes")
        first = f"{qid}: {query_text}".replace("|", "\\|") if not rows else ""
        rows.append([first, engine, str(per_engine[engine]["reps"]), f"{q['matched']:,}"]
                    + [num(figures[engine].get(k), 2) for k, _ in COVERAGE_COLUMNS] + [same])
    rows += [[""] + row + [""] for row in ratio_rows(figures, COVERAGE_COLUMNS, lead=3)]
    return rows


def _slowest(label: str, per_engine: dict) -> str:
    """The slowest newsindex p95 of a size: what the issue's "well under a second" is checked against."""
    if BASE not in per_engine:
        return ""
    worst = max(
        (latency_summary(seconds)["p95_ms"], name, q["id"], q["matched"])
        for q in per_engine[BASE]["queries"] for name, seconds in q["seconds"].items()
    )
    return f"Slowest newsindex p95 at {label}: {num(worst[0], 2)} ms ({worst[1]} of {worst[2]}, {worst[3]:,} matches)."


def coverage(results: dict) -> str:
    runs = results.get("coverage", {})
    if not any(runs.values()):
        return ""
    described = {q["id"]: q["query"] for q in results["coverage_queries"]}
    engines = list(dict.fromkeys(e for per_engine in runs.values() for e in per_engine))
    any_run = {e: next(r[e] for r in runs.values() if e in r) for e in engines}
    parts = [
        "## Coverage: timeline and facets", "",
        "A timeline and a facet count visit every match, not a top 10. *timeline*: per ISO week"
        " (Monday, UTC) the matching articles and all articles of the week, the share's denominator"
        " (newsindex returns both, so each peer computes both too); *facets*: the top"
        f" {TOP} {' and '.join(FACET_NAMES)} values among all matches. The queries are `coverage` in"
        f" `benchmarks/{QUERIES_FILE.name}`, the same for every engine. *matched* is each engine's count"
        " of matching articles; *same answer* compares every week and both its counts, and the facet"
        " values and counts (values tied at the last place may differ), with newsindex's."
        " Warm searcher in a fresh process, no result caching; each round runs every query's"
        " measurements in turn; percentiles over the rounds. The coverage issue's target: well under"
        " a second for a query matching ~5,000 articles of Reuters-21578 (x1).",
        "",
        table(["engine", "how"], [[e, any_run[e]["setup"]] for e in engines]),
    ]
    gaps = [f"- **{e}** {name}: not measured: {reason}." for e in engines
            for name, reason in any_run[e]["not_measured"].items()]
    if gaps:
        parts += [""] + gaps
    header_row = ["query", "engine", "reps", "matched"] + [h for _, h in COVERAGE_COLUMNS] + ["same answer as newsindex"]
    for label, per_engine in runs.items():
        if not per_engine:
            continue
        rows = [row for qid, text in described.items() for row in _coverage_rows(qid, text, per_engine)]
        parts += ["", f"### {label}", "", table(header_row, rows)]
        slowest = _slowest(label, per_engine)
        if slowest:
            parts += ["", slowest]
    return "\n".join(parts)


def trace(results: dict) -> str:
    """newsindex's trace of claims taken from the indexed stories: latency, and what it found."""
    runs = {label: run for label, run in results.get("trace", {}).items() if run}
    if not runs:
        return ""
    rows = []
    for label, run in runs.items():
        claims = run["per_claim"]
        wall = latency_summary([s for c in claims for s in c["seconds"]])
        cpu = latency_summary([s for c in claims for s in c["cpu_seconds"]])
        first = latency_summary([c["first_seconds"] for c in claims])
        tellings = [c["tellings"] for c in claims]
        rows.append([
            label, str(len(claims)), str(run["reps"]),
            num(wall["p50_ms"], 0), num(wall["p95_ms"], 0), num(cpu["p50_ms"], 0), num(cpu["p95_ms"], 0),
            num(first["p50_ms"], 0), num(first["p95_ms"], 0),
            f"{sum(tellings) / len(tellings):.1f}", f"{sum(t > 1 for t in tellings)}",
            f"{sum(c['found_itself'] for c in claims)} of {len(claims)}",
            f"{run['load_1min']:.1f}" if run.get("load_1min") is not None else "",
        ])
    return "\n".join([
        "## Tracing a claim (newsindex)", "",
        "`ix.trace(claim)` / `newsindex trace CLAIM`: every article carrying a claim exactly, nearly or"
        " retold, oldest first. The claims are sentences of the indexed stories chosen with a fixed seed,"
        " half from stories told more than once (`benchmarks/trace.py`); no peer has such a command, so"
        " only newsindex is timed. Warm index in a fresh process; *first call* is each claim's first,"
        " cold trace (postings read from disk); then rounds as for the query mix, wall and CPU time of"
        " every call. The trace issue's target: under a second on Reuters-21578 (x1). *found itself*: the"
        " claims whose own story is found word for word (all must be).",
        "",
        table(["size", "claims", "reps", "p50 ms", "p95 ms", "CPU p50 ms", "CPU p95 ms", "first call p50 ms",
               "first call p95 ms", "tellings per claim", "claims told more than once", "found itself",
               "load (1 min)"], rows),
    ])


REL_COLUMNS = [("ndcg@10", "nDCG@10"), ("ndcg@10_linear", "nDCG@10 (linear gain)"), ("map", "MAP")]


def incremental(results: dict) -> str:
    """Adding new stories and re-running on an unchanged corpus, against a build."""
    inc = results.get("incremental")
    if not inc:
        return ""
    rows = [
        [f"build {inc['articles'] - inc['new']:,} stories", num(inc["build_seconds"], 2), "1"],
        [f"add {inc['new']:,} new stories to it", num(inc["add_seconds"], 2), f"{inc['add_fraction']:.3f}"],
        [f"index all {inc['articles']:,} again, unchanged", num(inc["rerun_seconds"], 2), f"{inc['rerun_fraction']:.3f}"],
        ["reading the files again (SGML)", num(inc["read_seconds"], 2), ""],
    ]
    return "\n".join([
        "## Incremental indexing (newsindex)", "",
        "Keeping an index current, in one process on Reuters-21578: new stories are added to the"
        " existing index; stories whose content hash is already indexed are skipped without writing.",
        "",
        table(["step", "seconds", "share of the build"], rows),
    ])


def startup(results: dict) -> str:
    """The command as whole processes, against a bare interpreter started in the same rounds."""
    run = results.get("startup")
    if not run:
        return ""
    rows = [
        [f"`{c['command']}`", num(c["median_wall_seconds"], 3), num(c["median_cpu_seconds"], 3),
         f"{c['wall_ratio_to_python']:.1f}×", f"{c['cpu_ratio_to_python']:.1f}×",
         f"≤ {c['target_seconds']}" if c["target_seconds"] else ""]
        for c in run["commands"]
    ]
    runs = run["commands"][0]["runs"]
    return "\n".join([
        "## Start-up (newsindex command, whole process)", "",
        f"Each command run {runs} times after a warm-up, the commands taking turns; medians. The search"
        " runs on the index built above (the first size), bytecode compiled as after a first run;"
        f" the machine's load average was {run['load_average']:.1f}. Ratios are to `python -c pass`"
        " timed in the same rounds; targets in seconds on a quiet 2-core machine.",
        "",
        table(["command", "wall s", "CPU s", "wall ÷ python", "CPU ÷ python", "target s"], rows),
    ])


def stories(results: dict) -> str:
    """How newsindex groups stories: events-dev against its labels, Reuters-21578 by count, and speed."""
    st = results.get("stories")
    if not st:
        return ""
    ev, ru = st["events_dev"], st["reuters"]
    pw, b3 = ev["pairwise"], ev["b_cubed"]
    yes = lambda flag: "yes" if flag else "NO"  # noqa: E731
    quality = [
        ["events-dev: pairwise precision / recall / F1 (target F1 >= 0.85, precision >= 0.90)",
         f"{pw['precision']:.3f} / {pw['recall']:.3f} / {pw['f1']:.3f}"],
        ["events-dev: B-cubed precision / recall / F1", f"{b3['precision']:.3f} / {b3['recall']:.3f} / {b3['f1']:.3f}"],
        ["events-dev: stories for its events", f"{ev['stories']} for {ev['events']} ({ev['articles']} articles)"],
        ["events-dev: the same stories indexed in reverse order", yes(ev["reversed_same_stories"])],
        [f"events-dev: similar, first hit of the same event (P@1) / R-precision ({ev['similar_asked']} articles asked)",
         f"{ev['similar_p_at_1']:.3f} / {ev['similar_r_precision']:.3f}"],
        [f"Reuters ({ru['articles']:,} articles): stories / of 2+ articles / articles in them / largest",
         f"{ru['stories']:,} / {ru['multi']:,} / {ru['grouped']:,} / {ru['largest']}"],
        ["Reuters: stories of 1, 2, 3, 4-5, 6-10, 11-20, 21+ articles", ", ".join(f"{n:,}" for n in ru["sizes"].values())],
        ["Reuters: titles saying CORRECTED in a story with an earlier article",
         f"{ru['corrected_with_earlier']} of {ru['corrected']}"],
        ["Reuters: stories whose titles name different tickers (to read: bids and mergers, or notices merged)",
         f"{ru['stories_naming_different_tickers']}"],
        ["the two seed articles (one event, two outlets, days apart) one story", yes(ru["seeds_one_story"])],
        ["Reuters grouped by a story store alone, newest first: the index's stories", yes(ru["store_alone_reversed_same_stories"])],
    ]
    built = results.get("indexing", {}).get(_first_label(results), {}).get(BASE)
    speed = [
        ["grouping, CPU per article (a story store alone, analysis included; target <= 0.15 ms)",
         f"{ru['grouping_cpu_ms_per_article']:.2f} ms"],
        *([f"- {phase}", f"{ms:.3f} ms"] for phase, ms in ru.get("grouping_phases_ms_per_article", {}).items()),
        ["indexing with stories, CPU per article (this process, grouping in a worker when 2+ cores)",
         f"{ru['build']['cpu_seconds'] / ru['articles'] * 1000:.2f} ms"],
        ["similar on Reuters, p50 / p95 (target 30 / 100 ms)",
         f"{ru['similar_latency']['p50_ms']:.1f} / {ru['similar_latency']['p95_ms']:.1f} ms"],
        ["similar on events-dev (long articles), p50 / p95",
         f"{ev['similar_latency']['p50_ms']:.1f} / {ev['similar_latency']['p95_ms']:.1f} ms"],
    ]
    if built:
        speed.append(["the newsindex build of this run, wall time per article",
                      f"{built['seconds'] / max(built['articles_indexed'], 1) * 1000:.2f} ms"])
    return "\n".join([
        "## Stories (newsindex)", "",
        "Story grouping (`python -m benchmarks.stories`, its own process): events-dev (462 articles on 40"
        " labelled events from many outlets, each with a hard negative of the same kind) scored against its"
        " labels; Reuters-21578 with the two seed articles, indexed with the library; `similar` timed over"
        " every events-dev article and 200 random Reuters articles, each fetching its hits' articles.",
        "",
        table(["quality", "figure"], quality),
        "",
        table(["speed", "figure"], speed),
    ])


def _first_label(results: dict) -> str:
    return results.get("sizes", [""])[0] if results.get("sizes") else ""


def web(results: dict) -> str:
    """The web interface's search pages, cold and under concurrent clients (newsindex only)."""
    runs = results.get("web", {})
    if not runs:
        return ""
    rows = []
    for label, run in runs.items():
        for phase, name in (("cold", "each query's search page once, one at a time"),
                            ("load", f"{run['load']['clients']} concurrent clients, mixed pages")):
            fig = run[phase]
            rows.append([
                label, name, f"{fig['requests']:,}", num(fig["requests_per_second"]),
                num(fig["server_ms"]["p50"]), num(fig["server_ms"]["p95"]),
                num(fig.get("server_cpu_ms", {}).get("p50")), num(fig.get("server_cpu_ms", {}).get("p95")),
                num(fig["client_ms"]["p50"]), num(fig["client_ms"]["p95"]), f"{fig['errors']:,}",
            ])
    return "\n".join([
        "## Web interface under load (newsindex serve)", "",
        "`newsindex serve` on the newsindex index, in a process of its own, asked over HTTP on 127.0.0.1"
        " (`benchmarks/web.py`). *cold*: the search page of every query of the mix (hits, snippets, facets"
        " of source/topic/place/author over all matches, timeline), once each, on a freshly started server."
        " *load*: concurrent keep-alive clients cycling through search pages (pages 1-3, one hit per story,"
        " newest first), article pages and `/api/search`. Server time is the application's `Server-Timing`"
        " (including the wait for its turn with the index); client time adds Waitress and the socket."
        " The issue's target: search page p50 < 100 ms and p95 < 300 ms on the server.",
        "",
        table(["corpus", "phase", "requests", "req/s", "server p50 ms", "server p95 ms", "CPU p50 ms", "CPU p95 ms",
               "client p50 ms", "client p95 ms", "errors"], rows),
        "",
        "CPU: the answering thread's CPU time per request (what a request costs, whatever else the machine"
        f" does; the 1-minute load average was {', '.join(num(r['load_average']['before']) for r in runs.values())}"
        " when the run began).",
    ])


def languages(results: dict) -> str:
    """What each article's language costs: detection on English-only Reuters, lookups in a mixed index."""
    lang = results.get("languages")
    if not lang:
        return ""
    rows = [
        [f"detect the language of {lang['articles']:,} stories", num(lang["detect_seconds"], 2),
         f"{lang['detect_ms_per_article']:.3f} ms an article"],
        ["build them as read (languages detected)", num(lang["build_as_read_seconds"], 2),
         f"{lang['detection_share']:+.1%} against declared"],
        ["build them with their language declared", num(lang["build_declared_seconds"], 2), ""],
        [f"build the mixed collection ({lang['mixed_articles']:,} articles)", num(lang["build_mixed_seconds"], 2), ""],
        ["median query of the mix, English-only index", num(lang["query_median_english_ms"] / 1000, 4), ""],
        ["median query of the mix, mixed index", num(lang["query_median_mixed_ms"] / 1000, 4),
         f"x{lang['query_ratio_mixed']:.2f}"],
    ]
    found = ", ".join(f"{code} {count:,}" for code, count in lang["languages"].items())
    parts = [
        "## Languages (newsindex)", "",
        "Each article is analysed in its own language, detected when its source does not say; a query word"
        " is looked up in every language the index holds. Reuters alone, then Reuters with the real feeds and"
        f" pages of feeds-multilingual and html-news (languages found: {found}); stories off.",
        "",
        table(["step", "seconds", ""], rows),
    ]
    if lang.get("mixed_bytes_per_language"):
        added = lang["language_bytes"]
        parts += [
            "", f"Index size. Reuters as read: {lang['index_bytes'] / 1e6:.2f} MB, of which per-article languages"
            f" add {(added['field'] + added['facet']) / 1e3:.1f} KB (the language field's terms and postings"
            f" {added['field'] / 1e3:.1f} KB, the language facet's column {added['facet'] / 1e3:.1f} KB); an"
            " English-only index has no language marks, so the terms of its words are a single-language index's."
            f" The mixed index ({lang['mixed_index_bytes'] / 1e6:.2f} MB) per language: the terms and postings of"
            " title and body, against the bytes of their text (articles of unknown language are analysed, and"
            " counted, as the default, en; the stored articles are not split by language):", "",
            table(["language", "articles", "text KB", "terms", "terms + postings KB", "per byte of text"],
                  [[code, f"{d['articles']:,}", f"{d['text_bytes'] / 1e3:,.1f}", f"{d['terms']:,}",
                    f"{d['term_bytes'] / 1e3:,.1f}", f"{d['term_bytes'] / max(d['text_bytes'], 1):.2f}"]
                   for code, d in lang["mixed_bytes_per_language"].items()]),
        ]
    if lang.get("declared"):
        parts += [
            "", f"CLD2 against the language the feeds and pages declare (title and text; "
            f"{lang['declared_detect_ms_per_article']:.2f} ms an article):", "",
            table(["declared", "articles", "detected right", "unknown"],
                  [[code, str(d["articles"]), str(d["right"]), str(d["unknown"])] for code, d in lang["declared"].items()]),
        ]
    if lang.get("title_words"):
        parts += [
            "", "Each word of each title (each 2-4 character piece of a script written without spaces) searched"
            " alone in one index of the feeds, pages and test articles, built with no options: does it find its"
            " article? (test: articles written for the tests, not real news)", "",
            table(["language", "articles", "title words", "find their article", "share"],
                  [[code + (" (test)" if d["fixture"] else ""), str(d["articles"]), f"{d['words']:,}",
                    f"{d['found']:,}", f"{d['found'] / max(d['words'], 1):.0%}"]
                   for code, d in lang["title_words"].items()]),
        ]
    return "\n".join(parts)


def shards(results: dict) -> str:
    """A collection built on Dask with 1 and 2 workers, and its searches against one index's."""
    found = results.get("shards")
    if not found:
        return ""
    rows = [[f"{b['workers']} worker{'s' if b['workers'] > 1 else ''}", num(b["seconds"]),
             num(found["articles"] / b["seconds"], 0), num(found["mb"] / b["seconds"], 2), num(b["cluster_start_seconds"])]
            for b in found["builds"]]
    rows.append(["one index (`newsindex index`)", num(found["single_build_seconds"]),
                 num(found["articles"] / found["single_build_seconds"], 0),
                 num(found["mb"] / found["single_build_seconds"], 2), ""])
    speedups = ", ".join(f"{s:.2f}x" for s in found["speedups"])
    base = found["search"]["single index"]["p50_ms"]
    search_rows = [[name, num(v["p50_ms"], 2), num(v["p95_ms"], 2), ratio(v["p50_ms"], base)]
                   for name, v in found["search"].items()]
    same = (f"all {found['queries']} queries give the same ids, order and totals" if not found["differing"]
            else f"{len(found['differing'])} of {found['queries']} queries differ: " + "; ".join(found["differing"]))
    return "\n".join([
        f"## Shards (newsindex collections on Dask, Reuters x{found['scale']}, {found['shards']} shards)", "",
        f"Building a collection of {found['articles']:,} articles from JSON Lines files on a LocalCluster of 1 and 2"
        f" worker processes (paired runs, alternating; 2 workers vs 1: {speedups} the throughput; target 1.7x).",
        "",
        table(["build", "seconds", "articles/s", "MB/s", "cluster start (s)"], rows),
        "",
        f"The query mix on one index and on the {found['shards']}-shard collection of the same articles"
        f" (median of each query over the rounds; target: p50 at most 1.5x one index's): {same}.",
        "",
        table(["searched", "p50 ms", "p95 ms", "p50 vs one index"], search_rows),
    ])


def relevance(results: dict) -> str:
    rel = results["relevance"]
    if not rel:
        return ""
    any_run = next(iter(rel.values()))
    rows = [[e, str(r["documents"])] + [f"{r[k]:.3f}" for k, _ in REL_COLUMNS] for e, r in rel.items()]
    rows += ratio_rows(rel, REL_COLUMNS, lead=2)
    return "\n".join([
        "## Ranking quality (Cranfield)", "",
        f"{any_run['documents']:,} abstracts (.T as title, .W as body), {any_run['queries']} questions run"
        " as bags of words (any word may match) with each engine's default ranking; top"
        f" {any_run['depth']:,} scored against the graded judgements. nDCG@10 uses gain 2^grade − 1"
        " (the linear-gain column is trec_eval's `ndcg_cut.10`); MAP counts grade > 0 as relevant.",
        "",
        table(["engine", "documents"] + [h for _, h in REL_COLUMNS], rows),
    ])


#: A step that got less than this share of a core over its wall time was slowed by something else.
FAIR_CPU_SHARE = 0.85


def contention(results: dict) -> list[str]:
    """Notes on steps that did not get a whole core (other processes or I/O competed with them)."""
    cores = results["meta"]["machine"]["cores"]
    lines = []
    for step, key in (("indexing", "indexing"), ("querying", "queries"), ("coverage", "coverage")):
        for label, per_engine in results.get(key, {}).items():
            for engine, figures in per_engine.items():
                wall, cpu = figures.get("seconds"), figures.get("cpu_seconds")
                if wall and cpu is not None and wall > 1 and cpu / wall < FAIR_CPU_SHARE:
                    lines.append(
                        f"- **{engine}** {step} at {label} got {cpu / wall:.0%} of a core over its"
                        f" {wall:.0f} s (1-minute load average {figures.get('load_1min', 0):.1f} on {cores} cores):"
                        " other processes or disk waits competed with it, so its times are inflated."
                    )
    return lines


def notes(results: dict) -> str:
    lines = ["## Notes", ""]
    for skip in results["skipped"]:
        lines.append(f"- **{skip['engine']}** skipped ({skip['size']}): {skip['reason']}.")
    lines += contention(results)
    for label, per_engine in results["queries"].items():
        for e, run in per_engine.items():
            if run["reps"] < run["reps_requested"]:
                lines.append(
                    f"- **{e}** at {label}: {run['reps']} of {run['reps_requested']} repetitions, stopped by the"
                    " per-engine search time limit; its percentiles rest on fewer samples."
                )
            if run["unstable_totals"]:
                lines.append(f"- **{e}** at {label}: totals changed between repetitions for {', '.join(run['unstable_totals'])}.")
    for label, per_engine in results.get("coverage", {}).items():
        for e, run in per_engine.items():
            if run["reps"] < run["reps_requested"]:
                lines.append(
                    f"- **{e}** coverage at {label}: {run['reps']} of {run['reps_requested']} rounds, stopped by"
                    " the per-engine coverage time limit; its percentiles rest on fewer samples."
                )
            if run["changed_answers"]:
                lines.append(f"- **{e}** coverage at {label}: answers changed between rounds for"
                             f" {', '.join(run['changed_answers'])}.")
    lines += [
        "- **Corpora:** x1 is Reuters-21578 as newsindex's reader reads it; x*N* adds *N*−1 copies, each"
        " with its own ids, dates moved by whole years and lightly edited text (synonyms, dropped"
        " words), generated in memory on every run.",
        "- **Same work:** every engine gets the same Article objects and the same queries; the peers"
        " index title, body and date only (FTS5 also fills a small table of source, topic, place and"
        " author values for the coverage facets), while newsindex also indexes source, topics, places and"
        " authors, stores the whole article and its content hash, groups articles into stories, and loads each hit's stored article.",
        "- **Threads:** tantivy's writer is multi-threaded (CPU s above wall s); the others index on one core.",
    ]
    undercounting = sorted({
        e for per_engine in results["queries"].values() for e, run in per_engine.items()
        if any(q.get("full_count") is not None and q["full_count"] != q["total"] for q in run["queries"])
    })
    if undercounting:
        lines.append(
            f"- **Totals too small ({', '.join(undercounting)}):** `len(results)` after"
            " `searcher.search(q, limit=10)` undercounts some queries (the † figures; a full"
            " `docs_for_query` recount gives the bracketed number, equal to FTS5's and tantivy's)."
            " Whoosh's `TopCollector` replaces its matcher every 10 hits with `matcher.replace(minscore)`,"
            " which drops OR branches that can no longer reach the top 10, yet when the matcher has no"
            " block-quality support (an AND with a date range) it reports the documents it collected"
            " as the exact total."
            + (" newsindex's `Results.total` comes from the same call." if BASE in undercounting else
               " newsindex's totals equal its full recount on every query.")
        )
    return "\n".join(lines)


def chart_note(results: dict) -> str:
    """Where the chart is, or why there is none."""
    chart = results["meta"].get("chart", {})
    if chart.get("file"):
        return f"![indexing throughput and query latency against corpus size]({chart['file']})"
    return f"*No chart: {chart.get('missing', 'not drawn')}.*" if chart else ""


def render(results: dict) -> str:
    """The whole report."""
    sections = [header(results), chart_note(results), indexing(results), latency(results), coverage(results),
                incremental(results), startup(results), web(results), trace(results), languages(results), stories(results),
                shards(results), relevance(results), counts(results), notes(results)]
    return "\n\n".join(s for s in sections if s) + "\n"
