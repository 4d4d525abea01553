"""Tests of the benchmark suite (benchmarks/): its metrics, loaders, query translations, and a quick run.

The quick run (``python -m benchmarks --quick``) is executed once, in a fresh
process and a temporary output folder, and its outputs are checked for
sense: every engine indexed the same articles, Cranfield nDCG is in a
plausible band for every engine, the JSON names every engine.
"""

from __future__ import annotations

import importlib.util
import json
import math
import statistics
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

# benchmarks/ is a folder of the repository, not an installed package: make it
# importable however pytest is started (``pytest`` does not put the root on sys.path).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import DEFAULT_CORPORA, REPO_ROOT  # noqa: E402
from benchmarks.agreement import coverage_difference, judge, same_top  # noqa: E402
from benchmarks.coverage import FACET_NAMES, TOP  # noqa: E402
from benchmarks.cranfield import load_cranfield, parse_qrels, parse_records  # noqa: E402
from benchmarks.engines.fts5 import Fts5, to_fts5  # noqa: E402
from benchmarks.engines.newsindex_engine import NewsIndexEngine, to_newsindex  # noqa: E402
from benchmarks.engines.tantivy_engine import Tantivy, to_tantivy  # noqa: E402
from benchmarks.engines.whoosh_stock import to_whoosh, week_label, week_number  # noqa: E402
from benchmarks.metrics import average_precision, b_cubed, dcg, ndcg_at, pairwise, percentile  # noqa: E402
from benchmarks.querymix import bag_of_words, load_queries, query_from_dict  # noqa: E402
from benchmarks.variants import shift_years, variant  # noqa: E402
from newsindex import Article  # noqa: E402
from newsindex.coverage.timeline import period_start  # noqa: E402
from whoosh.util.times import datetime_to_long  # noqa: E402


def need_corpora() -> Path:
    """Skip when ../shared/corpora (outside the repository) is not there, e.g. on a bare clone."""
    if not (DEFAULT_CORPORA / "reuters21578").is_dir() or not (DEFAULT_CORPORA / "cranfield").is_dir():
        pytest.skip(f"shared corpora not found at {DEFAULT_CORPORA} (Reuters-21578 and Cranfield live outside the repo)")
    return DEFAULT_CORPORA


# -- metrics ------------------------------------------------------------------


def test_dcg_discounts_by_log2_of_rank_plus_one() -> None:
    assert dcg([3, 2, 0, 1]) == pytest.approx(3 + 2 / math.log2(3) + 0 + 1 / math.log2(5))


def test_ndcg_is_one_for_the_ideal_ranking_and_uses_exponential_gain() -> None:
    grades = {"a": 3, "b": 1, "c": 0}
    assert ndcg_at(["a", "b", "x"], grades) == pytest.approx(1.0)
    swapped = (1 + 7 / math.log2(3)) / (7 + 1 / math.log2(3))
    assert ndcg_at(["b", "a"], grades) == pytest.approx(swapped)
    linear = (1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3))
    assert ndcg_at(["b", "a"], grades, gain="linear") == pytest.approx(linear)


def test_ndcg_cuts_at_k_and_is_zero_without_relevant_documents() -> None:
    assert ndcg_at(["x"] * 10 + ["a"], {"a": 4}, k=10) == 0.0
    assert ndcg_at(["a"], {"a": 0, "b": -1}) == 0.0


def test_average_precision_divides_by_every_relevant_document() -> None:
    grades = {"a": 2, "b": 1, "c": 3, "n": 0}
    # a at rank 1 (1/1), b at rank 3 (2/3); c never retrieved; n is not relevant.
    assert average_precision(["a", "n", "b"], grades) == pytest.approx((1 + 2 / 3) / 3)
    assert average_precision(["x"], {}) == 0.0


def test_pairwise_and_b_cubed_scores_of_a_clustering() -> None:
    truth = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y"}
    assert pairwise(truth, truth) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    # {a, b} {c, d} {e}: one pair right of two put together; one of the four true pairs found.
    found = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 3}
    assert pairwise(found, truth) == pytest.approx({"precision": 0.5, "recall": 0.25, "f1": 1 / 3})
    # B-cubed, per item: precision 1, 1, 1/2, 1/2, 1; recall 2/3, 2/3, 1/3, 1/2, 1/2.
    b3 = b_cubed(found, truth)
    assert b3["precision"] == pytest.approx(4 / 5) and b3["recall"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 5)
    singletons = {item: item for item in truth}
    assert pairwise(singletons, truth)["precision"] == 1.0 and pairwise(singletons, truth)["recall"] == 0.0


def test_percentile_interpolates_like_the_inclusive_method() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0, 10.0]
    assert percentile(values, 50) == pytest.approx(statistics.median(values))
    assert percentile(values, 0) == 1.0 and percentile(values, 100) == 10.0
    quartiles = statistics.quantiles(values, n=4, method="inclusive")
    assert percentile(values, 25) == pytest.approx(quartiles[0])
    assert percentile(values, 75) == pytest.approx(quartiles[2])


# -- Cranfield ----------------------------------------------------------------


def test_cranfield_records_join_lines_and_keep_fields() -> None:
    text = ".I 1\n.T\nexperimental\ninvestigation .\n.A\nsomeone\n.W\nfirst line\nsecond line .\n.I 2\n.W\nonly body\n"
    assert parse_records(text) == [
        {"I": "1", "T": "experimental investigation .", "A": "someone", "W": "first line second line ."},
        {"I": "2", "W": "only body"},
    ]
    assert parse_qrels("1 0 184 3\n1 0 29 0\n2 0 12 4\n") == {"1": {"184": 3, "29": 0}, "2": {"12": 4}}


def test_cranfield_queries_are_numbered_in_file_order_not_by_their_i() -> None:
    cran = load_cranfield(need_corpora())
    assert len(cran.articles) == 1400 and len(cran.queries) == 225
    assert cran.articles[0].id == "1" and cran.articles[0].title.startswith("experimental investigation")
    # cran.qry's third record is ".I 004": the judgements call it query 3.
    assert cran.queries["3"].startswith("what problems of heat conduction in composite slabs")
    assert set(cran.qrels) == {str(n) for n in range(1, 226)}


# -- the query mix and its translations ---------------------------------------


def test_query_mix_is_large_varied_and_valid() -> None:
    queries = load_queries()
    assert len(queries) >= 50
    kinds = {q.category for q in queries}
    assert {"term", "conjunction", "phrase", "title field", "date range", "combination", "sorted by date"} <= kinds
    assert sum(q.sort == "date" for q in queries) >= 5
    assert sum(q.dates is not None for q in queries) >= 8


def test_coverage_queries_are_separate_from_the_mix_and_span_sizes() -> None:
    coverage = load_queries(key="coverage")
    assert [q.id for q in coverage] == ["cov-5k", "cov-1k", "cov-100"]
    assert not {q.id for q in coverage} & {q.id for q in load_queries()}
    assert any(q.dates is not None for q in coverage)


def test_query_words_must_be_plain_so_no_engine_syntax_is_triggered() -> None:
    with pytest.raises(ValueError):
        query_from_dict({"id": "x", "category": "term", "match": ['oil"']})
    with pytest.raises(ValueError):
        query_from_dict({"id": "x", "category": "term", "match": [{"not": "oil"}]})


SAMPLE = query_from_dict({
    "id": "s", "category": "combination",
    "match": [{"term": "gold", "field": "title"}, {"phrase": "central bank"},
              {"any": ["yen", "mark"]}, {"not": "silver"}],
    "date": {"since": "1987-03-01", "until": "1987-03-31"}, "sort": "date",
})


def test_each_engine_gets_the_same_query_in_its_own_syntax() -> None:
    assert to_newsindex(SAMPLE).text == 'title:gold "central bank" (yen OR mark) NOT silver date:1987-03-01..1987-03-31'
    assert to_whoosh(SAMPLE).text == 'title:gold "central bank" (yen OR mark) NOT silver published:[19870301 TO 19870331]'
    fts = to_fts5(SAMPLE)
    assert fts.match == '(title : "gold" AND "central bank" AND ("yen" OR "mark")) NOT "silver"'
    start = int(datetime(1987, 3, 1, tzinfo=timezone.utc).timestamp())
    assert fts.params == (start, start + 31 * 86400)
    assert fts.order == "articles.published DESC"
    assert to_tantivy(SAMPLE).text == (
        'title:gold "central bank" (yen OR mark) -silver published:[1987-03-01T00:00:00Z TO 1987-04-01T00:00:00Z}'
    )


def test_open_date_ranges_translate_for_every_engine() -> None:
    query = query_from_dict({"id": "o", "category": "date range", "match": ["coffee"], "date": {"since": "1987-04-01"}})
    assert to_newsindex(query).text == "coffee date:1987-04-01.."
    assert to_whoosh(query).text == "coffee published:[19870401 TO]"
    assert to_fts5(query).where == " AND articles.published >= ?"
    assert to_tantivy(query).text == "coffee published:>=1987-04-01T00:00:00Z"


def test_bag_of_words_is_an_or_query_of_plain_words() -> None:
    query = bag_of_words("What are the 2-d effects, e.g. of heat?", "7")
    assert query.operator == "or"
    assert [c.word for c in query.clauses] == ["what", "are", "the", "2", "d", "effects", "e", "g", "of", "heat"]
    assert to_fts5(query).match.startswith('"what" OR "are"')


# -- scaled corpora -----------------------------------------------------------


def test_copies_get_unique_ids_later_dates_and_different_text() -> None:
    body = " ".join(f"word{i}" for i in range(40)) + " the company said sales rose also"
    original = Article(id="r-1", title="COMPANY SAID", body=body,
                       published=datetime(1987, 3, 2, tzinfo=timezone.utc))
    assert variant(original, 0) is original
    copies = [variant(original, n) for n in range(1, 6)]
    assert len({c.id for c in copies}) == 5 and all(c.id != original.id for c in copies)
    assert [c.published.year for c in copies] == [1988, 1989, 1990, 1991, 1992]
    assert len({c.body for c in copies} | {original.body}) == 6
    assert variant(original, 3) == variant(original, 3)  # deterministic
    assert shift_years(datetime(1988, 2, 29, tzinfo=timezone.utc), 1).date() == date(1989, 2, 28)


# -- count agreement ----------------------------------------------------------


def test_agreement_names_stemmer_splits_and_corrects_whoosh_undercounts() -> None:
    split = judge({"newsindex": {"total": 131}, "tantivy": {"total": 131},
                   "whoosh": {"total": 124, "full_count": 124}, "fts5": {"total": 124}}, has_phrase=False)
    assert not split.agree and "Snowball vs Porter" in split.reason
    recount = judge({"newsindex": {"total": 265, "full_count": 827}, "whoosh": {"total": 265, "full_count": 827},
                     "fts5": {"total": 827}, "tantivy": {"total": 827}}, has_phrase=False)
    assert recount.agree and recount.recounted == {"newsindex": 827, "whoosh": 827}


def test_facet_tops_agree_up_to_ties_at_the_cut() -> None:
    a = [["coffee", 85], ["grain", 4], ["wheat", 4]]
    assert same_top(a, [["coffee", 85], ["wheat", 4], ["rubber", 4]], top=3)  # full list: the tie at the cut is free
    assert not same_top(a, [["coffee", 85], ["wheat", 4], ["rubber", 4]], top=10)  # not full: every value counts
    assert not same_top(a, [["cocoa", 85], ["grain", 4], ["wheat", 4]], top=3)
    assert not same_top(a, [["coffee", 85], ["grain", 4], ["wheat", 3]], top=3)


def test_coverage_difference_names_what_differs() -> None:
    base = {"matched": 10, "answers": {"timeline": {"1987-03-02": [6, 90], "1987-03-09": [4, 80]},
                                       "facets": {"topic": [["coffee", 9]], "place": [["brazil", 5]]}}}
    same = {"matched": 10, "answers": {"timeline": {"1987-03-02": [6, 90], "1987-03-09": [4, 80]}}}
    assert coverage_difference(base, same, TOP) == ""
    other = {"matched": 11, "answers": {"timeline": {"1987-03-02": [7, 90], "1987-03-09": [4, 80]},
                                        "facets": {"topic": [["coffee", 9]], "place": [["brazil", 6]]}}}
    assert coverage_difference(base, other, TOP) == (
        "matched 11, not 10; timeline differs in 1 of 2 weeks; top place differ"
    )


WEEK_DATES = [  # a Sunday, the Monday after it, and a week across a new year
    datetime(1987, 3, 1, 23, 59, tzinfo=timezone.utc),
    datetime(1987, 3, 2, 0, 0, tzinfo=timezone.utc),
    datetime(1987, 12, 31, 12, 0, tzinfo=timezone.utc),
    datetime(1988, 1, 3, 12, 0, tzinfo=timezone.utc),
]


def test_peers_put_dates_in_the_iso_weeks_newsindex_uses(tmp_path: Path) -> None:
    weeks = [period_start(d, "week").date().isoformat() for d in WEEK_DATES]
    assert weeks == ["1987-02-23", "1987-03-02", "1987-12-28", "1987-12-28"]
    assert [week_label(week_number(datetime_to_long(d.replace(tzinfo=None)))) for d in WEEK_DATES] == weeks
    articles = [Article(id=f"a{i}", title="coffee", body="coffee prices", published=d,
                        topics=("coffee",), places=("brazil", "usa") if i % 2 else ("brazil",))
                for i, d in enumerate(WEEK_DATES)]
    engine = Fts5(tmp_path / "fts5")
    engine.build(articles + [Article(id="other", title="tea", body="tea", published=WEEK_DATES[0])])
    engine.open()
    try:
        native = engine.translate(query_from_dict({"id": "c", "category": "coverage", "match": ["coffee"]}))
        assert engine.timeline(native) == {"1987-02-23": (1, 2), "1987-03-02": (1, 1), "1987-12-28": (2, 2)}
        assert engine.facets(native, FACET_NAMES, TOP) == {"topic": [("coffee", 4)], "place": [("brazil", 4), ("usa", 2)]}
    finally:
        engine.close()


def test_report_flags_steps_that_did_not_get_a_whole_core() -> None:
    from benchmarks.report import contention

    results = {
        "meta": {"machine": {"cores": 2}},
        "indexing": {"x1": {"whoosh": {"seconds": 30.0, "cpu_seconds": 20.0, "load_1min": 3.1},
                            "tantivy": {"seconds": 2.0, "cpu_seconds": 3.5}}},
        "queries": {"x1": {"fts5": {"seconds": 10.0, "cpu_seconds": 9.9}}},
    }
    (line,) = contention(results)
    assert "whoosh" in line and "67% of a core" in line and "load average 3.1" in line


# -- engines ------------------------------------------------------------------


def test_newsindex_rank_is_the_order_search_returns(tmp_path: Path) -> None:
    cran = load_cranfield(need_corpora())
    engine = NewsIndexEngine(tmp_path / "ix")
    assert engine.build(cran.articles[:300]) == 300
    engine.open()
    try:
        for qid in ("1", "2", "5"):
            native = engine.translate(bag_of_words(cran.queries[qid], qid))
            total, top = engine.search(native, 10)
            assert engine.rank(native, 100)[:10] == top
            assert engine.full_count(native) == total
    finally:
        engine.close()


# -- the quick run ------------------------------------------------------------


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_corpora()
    out = tmp_path_factory.mktemp("bench")
    # One timed round of the query mix, coverage and trace (the quick run's default is 3): every
    # worker still compares it with the untimed warm-up answers (unstable totals, changed answers),
    # and the tests read the figures' shape, not their value.
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--reps", "1", "--out", str(out)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def test_quick_run_measures_adding_stories_and_unchanged_reruns(quick_run: Path) -> None:
    inc = json.loads((quick_run / "results.json").read_text(encoding="utf-8"))["incremental"]
    assert inc["articles"] == 2000 and inc["new"] == 200  # a tenth of the quick corpus is "new"
    assert all(inc[k] > 0 for k in ("build_seconds", "add_seconds", "rerun_seconds", "read_seconds"))
    report = (quick_run / "report.md").read_text(encoding="utf-8")
    assert "## Incremental indexing (newsindex)" in report and "index all 2,000 again, unchanged" in report


def test_quick_run_times_the_command_against_a_bare_interpreter(quick_run: Path) -> None:
    startup = json.loads((quick_run / "results.json").read_text(encoding="utf-8"))["startup"]
    commands = {c["command"]: c for c in startup["commands"]}
    assert list(commands)[:4] == ["python -c pass", "newsindex --version", "newsindex --help", "newsindex search cocoa"]
    for figures in commands.values():
        assert figures["runs"] >= 5 and 0 < figures["median_cpu_seconds"] and 0 < figures["median_wall_seconds"]
    assert commands["python -c pass"]["wall_ratio_to_python"] == 1.0
    assert commands["newsindex search cocoa"]["target_seconds"] == 0.25
    report = (quick_run / "report.md").read_text(encoding="utf-8")
    assert "## Start-up (newsindex command, whole process)" in report and "`newsindex search cocoa`" in report


def test_quick_run_traces_claims_from_real_stories(quick_run: Path) -> None:
    run = json.loads((quick_run / "results.json").read_text(encoding="utf-8"))["trace"]["quick-x1"]
    claims = run["per_claim"]
    assert run["claims"] == len(claims) == 60 and len({c["from"] for c in claims}) == 60
    # Every claim is a sentence of a story of the index: trace finds that story word for word.
    assert all(c["found_itself"] and c["tellings"] >= 1 for c in claims)
    assert sum(c["tellings"] > 1 for c in claims) >= 10  # copies, corrections, retellings
    assert all(len(c["seconds"]) == len(c["cpu_seconds"]) == run["reps"] >= 1 for c in claims)
    report = (quick_run / "report.md").read_text(encoding="utf-8")
    assert "## Tracing a claim (newsindex)" in report and "| quick-x1 | 60 |" in report


def test_quick_run_scores_the_stories_against_labels_and_checks_their_order(quick_run: Path) -> None:
    stories = json.loads((quick_run / "results.json").read_text(encoding="utf-8"))["stories"]
    events, reuters = stories["events_dev"], stories["reuters"]
    assert events["articles"] == 462 and events["events"] == 40
    assert 0.0 < events["pairwise"]["f1"] <= 1.0 and 0.0 < events["b_cubed"]["f1"] <= 1.0
    assert events["reversed_same_stories"] and reuters["store_alone_reversed_same_stories"]
    assert reuters["seeds_one_story"]
    assert sum(reuters["sizes"].values()) == reuters["stories"] and reuters["articles"] == 2000
    assert reuters["similar_latency"]["n"] == events["similar_asked"] == 50
    report = (quick_run / "report.md").read_text(encoding="utf-8")
    assert "## Stories (newsindex)" in report and "B-cubed precision / recall / F1" in report


def test_quick_run_writes_report_json_and_chart(quick_run: Path) -> None:
    report = (quick_run / "report.md").read_text(encoding="utf-8")
    for heading in ("## Indexing", "## Query latency", "## Coverage: timeline and facets",
                    "## Ranking quality (Cranfield)", "## Hit counts per query"):
        assert heading in report
    assert "newsindex ÷ whoosh" in report and "newsindex ÷ fts5" in report
    if importlib.util.find_spec("matplotlib") is None:
        assert "No chart: matplotlib is not installed" in report
    else:
        assert (quick_run / "benchmark.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_quick_run_measures_every_engine_on_the_same_articles(quick_run: Path) -> None:
    results = json.loads((quick_run / "results.json").read_text(encoding="utf-8"))
    expected = {"newsindex", "whoosh", "fts5"} | ({"tantivy"} if Tantivy.available() is None else set())
    assert set(results["engines"]) == expected
    assert results["meta"]["machine"]["cores"] >= 1
    (label,) = results["indexing"]
    built = results["indexing"][label]
    assert set(built) == expected
    indexed = {e: b["articles_indexed"] for e, b in built.items()}
    assert len(set(indexed.values())) == 1 and next(iter(indexed.values())) > 1000
    for figures in built.values():
        assert figures["seconds"] > 0 and figures["index_bytes"] > 0 and figures["peak_rss_mb"] > 0
    searched = results["queries"][label]
    mix = {q["id"] for q in results["query_mix"]}
    for engine, run in searched.items():
        assert {q["id"] for q in run["queries"]} == mix
        assert all(len(q["seconds"]) == run["reps"] >= 1 for q in run["queries"])
        assert not run["unstable_totals"], engine
    # Engines with different analyzers still agree on most plain queries.
    totals = {e: {q["id"]: q["total"] for q in run["queries"]} for e, run in searched.items()}
    same = sum(totals["fts5"][qid] == totals["newsindex"][qid] for qid in mix)
    assert same >= 0.7 * len(mix)


def test_quick_run_measures_coverage_and_engines_count_the_same_articles(quick_run: Path) -> None:
    results = json.loads((quick_run / "results.json").read_text(encoding="utf-8"))
    report = (quick_run / "report.md").read_text(encoding="utf-8")
    (label,) = results["coverage"]
    runs = results["coverage"][label]
    assert set(runs) == set(results["engines"])
    assert f"### {label}" in report.split("## Coverage: timeline and facets")[1]
    ids = [q["id"] for q in results["coverage_queries"]]
    for name in ("newsindex", "fts5"):  # the two that answer both measurements
        assert runs[name]["not_measured"] == {}
    for engine, run in runs.items():
        assert [q["id"] for q in run["queries"]] == ids and not run["changed_answers"], engine
        for q in run["queries"]:
            assert set(q["seconds"]) == {"timeline", "facets"} - set(run["not_measured"]), engine
            assert all(len(s) == run["reps"] >= 1 for s in q["seconds"].values())
    base = {q["id"]: q for q in runs["newsindex"]["queries"]}
    for engine, run in runs.items():
        for q in run["queries"]:
            assert q["matched"] > 0 and q["matched"] == base[q["id"]]["matched"], (engine, q["id"])
            assert coverage_difference(base[q["id"]], q, TOP) == "", (engine, q["id"])
    matched = [base[qid]["matched"] for qid in ids]
    assert matched == sorted(matched, reverse=True)  # ~5,000 > ~1,000 > ~100 at x1, in the same order here
    assert "newsindex ÷ fts5" in report.split("## Coverage: timeline and facets")[1]


def test_quick_run_puts_the_web_interface_under_load(quick_run: Path) -> None:
    results = json.loads((quick_run / "results.json").read_text(encoding="utf-8"))
    (label, run), = results["web"].items()
    assert run["cold"]["requests"] == len(load_queries()[::6]) and run["cold"]["errors"] == 0
    assert run["load"]["clients"] == 8 and run["load"]["requests"] > 8 and run["load"]["errors"] == 0
    assert run["server_errors_logged"] == []
    assert 0 < run["cold"]["server_cpu_ms"]["p50"] <= run["cold"]["server_ms"]["p95"] <= run["cold"]["client_ms"]["p99"]
    assert "## Web interface under load (newsindex serve)" in (quick_run / "report.md").read_text(encoding="utf-8")


def test_quick_run_ranking_quality_is_plausible_for_every_engine(quick_run: Path) -> None:
    results = json.loads((quick_run / "results.json").read_text(encoding="utf-8"))
    assert set(results["relevance"]) == set(results["engines"]) | {"newsindex+feedback"}
    for engine, rel in results["relevance"].items():
        assert rel["documents"] == 1400 and rel["queries"] == 225
        assert 0.2 <= rel["ndcg@10"] <= 0.6, engine
        assert 0.15 <= rel["map"] <= 0.6, engine
    plain, fed = results["relevance"]["newsindex"], results["relevance"]["newsindex+feedback"]
    assert fed["ndcg@10"] > plain["ndcg@10"] and fed["map"] > plain["map"]


def test_missing_corpora_are_reported_not_crashed(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--corpora", str(tmp_path), "--out", str(tmp_path / "o")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2 and "Reuters-21578" in done.stderr
