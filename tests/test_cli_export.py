"""Results leaving the command line: spreadsheets, JSON Lines, every hit, summaries, and awkward queries."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsindex import NewsIndex
from newsindex.cli import main
from newsindex.export import HIT_FIELDS, cell



@pytest.fixture(scope="module")
def built(sample_index: NewsIndex) -> Path:
    """The sample corpus's index (the session's, read only here)."""
    return sample_index.directory


def run(built: Path, *args: str):
    result = CliRunner().invoke(main, [*args, "--index", str(built)])
    return result


def read_sheet(data: bytes, delimiter: str = ",") -> list[dict[str, str]]:
    """What Python's csv module (and so a spreadsheet's import) reads back from an export."""
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel then reads UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


@pytest.mark.parametrize("option, delimiter", [("--csv", ","), ("--tsv", "\t")])
def test_all_hits_as_a_spreadsheet_read_back_exactly(built: Path, option: str, delimiter: str) -> None:
    result = run(built, "search", "oil", "--all", option)
    assert result.exit_code == 0, result.output
    rows = read_sheet(result.stdout_bytes, delimiter)
    assert list(rows[0]) == list(HIT_FIELDS)
    as_json = [json.loads(line) for line in run(built, "search", "oil", "--all", "--json").output.splitlines()]
    assert len(rows) == len(as_json) == 78  # every hit, not a page
    assert [int(r["rank"]) for r in rows] == list(range(1, 79))
    for row, hit in zip(rows, as_json):
        assert row["id"] == hit["id"] and row["title"] == hit["title"] and row["published"] == hit["published"]
        assert row["topics"] == "; ".join(hit["topics"]) and row["dateline"] == hit["dateline"]
        assert row["snippet"] == hit["snippet"] and "\n" not in row["snippet"] and "**" not in row["snippet"]
        assert float(row["score"]) == pytest.approx(hit["score"])


def test_quotes_commas_line_breaks_and_non_ascii_survive_the_round_trip(built: Path) -> None:
    result = run(built, "search", "extradite", "--csv")
    rows = read_sheet(result.stdout_bytes)
    titles = {r["id"]: r["title"] for r in rows}
    assert titles["000_7887337d1080e0d6"] == "Syria’s new leader confirms Russia refused to hand over Bashar al-Assad after he fled to Moscow"
    comma = read_sheet(run(built, "search", "title:cocoa", "--csv").stdout_bytes)
    assert "INDONESIAN TEA, COCOA EXPORTS SEEN UP, COFFEE DOWN" in [r["title"] for r in comma]
    assert result.stdout_bytes.count(b"\r\n") == len(rows) + 1  # RFC 4180 line ends


@pytest.mark.parametrize("value, shown", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1 (555)", "'+1 (555)"), ("-OPEC", "'-OPEC"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("plain", "plain"), (3, 3), (2.5, 2.5), (None, ""),
    (["a", "b"], "a; b"), (["-x"], "'-x"),
])
def test_a_cell_is_never_a_formula(value, shown) -> None:
    assert cell(value) == shown


def test_json_is_one_object_per_hit_and_the_counts_go_apart(built: Path) -> None:
    refused = run(built, "search", "coffee", "--facet", "source", "--json")
    assert refused.exit_code == 2 and "--summary" in refused.output
    summary = run(built, "search", "coffee", "--summary", "--json", "--facet", "topic", "--facet-top", "3")
    assert summary.exit_code == 0
    counts = json.loads(summary.output)
    assert counts["total"] == 15 and counts["pages"] == 2 and list(counts["facets"]["topic"])[0] == "coffee"
    assert len(counts["facets"]["topic"]) == 3
    text = run(built, "search", "coffee", "--summary", "--facet", "place", "--facet-top", "30")
    assert text.output.startswith("15 articles match (2 pages of 10)") and "place (top" in text.output


@pytest.mark.parametrize("args, total", [
    (["search", "-opec"], 987), (["search", "-opec", "-n5", "--summary"], 987), (["search", "--summary", "-opec"], 987),
    (["search", "oil", "-opec", "--summary"], None), (["search", "*", "--summary"], 1002), (["search", "", "--summary"], 1002),
])
def test_a_query_may_start_with_a_minus_and_star_is_everything(built: Path, args: list[str], total) -> None:
    result = run(built, *args)
    if total is None:  # two arguments: click says so, the query is not silently cut (quote it: 'oil -opec')
        assert result.exit_code == 2 and "unexpected extra argument (-opec)" in result.output
        return
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{total:,} articles match")


def test_an_option_stays_an_option(built: Path) -> None:
    result = run(built, "search", "oil", "-n", "2", "--json")
    assert len(result.output.splitlines()) == 2
    assert run(built, "search", "oil", "-n2", "--json").output == result.output


def test_a_page_past_the_end_says_so(built: Path) -> None:
    result = run(built, "search", "cocoa", "--page", "2")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "2 articles match (page 2 is past the last page, 1)"


def test_a_closed_pipe_ends_quietly(built: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        f"{sys.executable} -m newsindex.cli search oil --all --csv -i {built} | head -c 10 >/dev/null",
        shell=True, capture_output=True, text=True, timeout=120,
    )
    assert "Traceback" not in done.stderr and "Error" not in done.stderr


def test_batch_writes_a_row_per_query_and_reports_bad_ones_in_their_row(built: Path, tmp_path: Path) -> None:
    queries = tmp_path / "claims.csv"
    queries.write_text('claim,query\n1,kuwait opec\n2,"""unbalanced"\n3,cocoa brazil\n4,title:corrected\n', encoding="utf-8")
    hits = tmp_path / "hits.csv"
    result = CliRunner().invoke(main, ["batch", str(queries), "-i", str(built), "--hits", str(hits)])
    assert result.exit_code == 1  # one query could not run; the others did
    rows = read_sheet(result.stdout_bytes)
    assert [r["claim"] for r in rows] == ["1", "2", "3", "4"]
    kuwait, bad, none, corrected = rows
    assert kuwait["total"] == "6" and kuwait["stories"] == "4" and kuwait["top_sources"] == "Reuters (6)"
    assert kuwait["first"].startswith("1987-03-01") and kuwait["best_id"] == "reuters-353" and not kuwait["error"]
    assert bad["total"] == "" and "unbalanced quote" in bad["error"]
    assert none["total"] == "0" and none["best_id"] == ""
    assert corrected["total"] == "5"
    per_hit = read_sheet(hits.read_bytes())
    assert list(per_hit[0])[:3] == ["claim", "query", "rank"]
    assert [r["query"] for r in per_hit].count("kuwait opec") == 6 and [r["query"] for r in per_hit].count("title:corrected") == 5
    assert "4 queries, 1 could not run" in result.stderr


def test_batch_of_a_text_file_as_json_lines(built: Path, tmp_path: Path) -> None:
    queries = tmp_path / "names.txt"
    queries.write_text("# names to check\nbankamerica\n\n-opec\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(queries), "-i", str(built), "--json"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["query"] for r in rows] == ["bankamerica", "-opec"]
    assert rows[1]["total"] == 987 and rows[1]["last"].startswith("2025-04-23")
