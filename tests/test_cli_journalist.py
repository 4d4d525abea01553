"""The smaller things a journalist meets at the command line: similar, delete, stats, show, timelines."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newsindex import NewsIndex
from newsindex.cli import main
from newsindex.ingest.article import Article
from datetime import datetime, timezone

from conftest import CORPUS


@pytest.fixture(scope="module")
def built(sample_index: NewsIndex) -> Path:
    """The sample corpus's index (the session's, read only here)."""
    return sample_index.directory


def run(built: Path, *args: str):
    return CliRunner().invoke(main, [*args, "--index", str(built)])


def test_similar_has_a_legend_and_says_when_nothing_is_close(built: Path) -> None:
    close = run(built, "similar", "reuters-236", "-n", "3").output.splitlines()
    assert close[0].startswith("score: 1 = the same text") and "reuters-353" in close[1]
    assert not any(line.startswith("nothing close") for line in close)
    far = run(built, "similar", "reuters-5", "-n", "3").output.splitlines()
    assert far[-1].startswith("nothing close: no article tells the same story (the best scores 0.")


def test_delete_names_the_ids_it_did_not_find(tmp_path: Path) -> None:
    index = tmp_path / "index"
    assert CliRunner().invoke(main, ["index", str(CORPUS / "000_7887337d1080e0d6.txt"), "-i", str(index), "-q"]).exit_code == 0
    result = CliRunner().invoke(main, ["delete", "000_7887337d1080e0d6", "nosuch-1", "-i", str(index)])
    assert result.exit_code == 1
    assert result.stdout == "1 deleted\n" and f"no article with id 'nosuch-1' in {index}" in result.stderr


def test_stats_says_how_many_sources_it_left_out_and_lists_them_all_on_demand(built: Path) -> None:
    short = run(built, "stats", "--sources", "1").output
    assert "sources:   2" in short and "… and 1 more (--sources 0 lists them all)" in short
    every = run(built, "stats", "--sources", "0").output
    assert "Reuters" in every and "The Insider" in every and "more (--sources" not in every


def test_show_highlights_a_query(built: Path) -> None:
    result = run(built, "show", "000_7887337d1080e0d6", "--highlight", '"refused to extradite" bogdanov')
    assert "Russia has **refused to extradite** former Syrian dictator" in result.output
    assert "**Bogdanov**" in result.output


def test_timeline_skips_long_empty_stretches_and_says_what_it_counts(built: Path, tmp_path: Path) -> None:
    lines = run(built, "timeline", "*", "--by", "week").output.splitlines()
    assert lines[0] == "articles matching '*' per week (from Monday) (UTC): 1987-02-23 .. 2025-04-21"
    assert len(lines) == 5  # two weeks of 1987, one line for the 1,989 weeks between, one of 2025
    assert lines[3].strip() == "~ 1,989 weeks without a match, 1987-03-09 .. 2025-04-14 ~"
    shares = run(built, "timeline", "oil", "--by", "day", "--normalize").output.splitlines()
    assert shares[0].startswith("share of all articles published each day that match 'oil'")
    assert shares[1].endswith("of 100") or " of " in shares[1]
    wide = run(built, "timeline", "oil", "--by", "month", "--since", "1986-12", "--until", "1987-04").output.splitlines()
    assert [line[:10] for line in wide[1:]] == ["1986-12-01", "1987-01-01", "1987-02-01", "1987-03-01", "1987-04-01"]
    png = tmp_path / "all.png"
    drawn = run(built, "timeline", "*", "--by", "week", "--png", str(png), "--normalize")
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "2 matching articles outside 1987-02-23 .. 1987-03-02 not drawn" in drawn.stderr


def test_api_results_index_and_date_sorted_scores(built: Path) -> None:
    with NewsIndex.open(built) as ix:
        by_date = ix.search("oil", sort="date", limit=5)
        assert by_date[0].id == by_date.hits[0].id and by_date[-1].rank == 5
        scores = {h.id: h.score for h in ix.search("oil", limit=100)}
        assert all(h.score == scores[h.id] for h in by_date)
        overview = ix.overview("extradite")
        assert (overview.total, overview.stories) == (2, 1)
        assert "reuters-1" in ix and "nosuch" not in ix
