"""The command line, as a user runs it: index, search, show, stats, delete, and its errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsindex import __version__
from newsindex.cli import main

from conftest import CORPUS, SEEDS, need_shared


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("cli") / "index"
    result = CliRunner().invoke(main, ["index", str(CORPUS), "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert "1,002 added, 0 updated, 0 unchanged, 0 failed" in result.output
    return index


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def test_search_prints_total_and_ranked_hits(built: Path) -> None:
    result = run("search", '"refused to extradite"', "--index", str(built))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("2 articles match")
    assert "1. Russia Refused to Extradite Assad to New Syrian Authorities" in result.output
    assert "**extradite**" in result.output.lower()


def test_search_json_is_one_object_per_hit(built: Path) -> None:
    result = run("search", "oil", "--index", str(built), "--json", "--limit", "3", "--sort", "date")
    assert result.exit_code == 0
    hits = [json.loads(line) for line in result.output.splitlines()]
    assert len(hits) == 3
    assert [h["rank"] for h in hits] == [1, 2, 3]
    assert all("oil" in h["snippet"].lower() and "**" not in h["snippet"] for h in hits)  # plain text
    assert [h["published"] for h in hits] == sorted((h["published"] for h in hits), reverse=True)
    assert all(h["score"] > 0 and h["topics"] and h["dateline"] for h in hits)


def test_index_dir_from_environment(built: Path) -> None:
    result = run("search", "bogdanov", "--json", env={"NEWSINDEX_INDEX": str(built)})
    assert result.exit_code == 0
    assert [json.loads(line)["id"] for line in result.output.splitlines()] == ["000_7887337d1080e0d6"]


def test_since_until_and_paging(built: Path) -> None:
    result = run("search", "oil", "-i", str(built), "--since", "1987-03", "--until", "1987-03", "--json", "-n", "2", "-p", "2")
    hits = [json.loads(line) for line in result.output.splitlines()]
    assert [h["rank"] for h in hits] == [3, 4]
    assert all(h["published"].startswith("1987-03") for h in hits)


def test_show_prints_the_article(built: Path) -> None:
    result = run("show", "reuters-1", "-i", str(built))
    assert result.exit_code == 0
    assert result.output.startswith("BAHIA COCOA REVIEW")
    assert "155,221 bags" in result.output
    data = json.loads(run("show", "reuters-1", "-i", str(built), "--json").output)
    assert data["topics"] == ["cocoa"] and data["published"].startswith("1987-02-26T15:01:01")


def test_compare_shows_what_each_telling_adds(built: Path) -> None:
    original, retelling = "000_7887337d1080e0d6", "001_d111d31f41ebd35a"
    result = run("compare", original, retelling, "--index", str(built))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"A: {original} \u00b7 2025-04-23 00:00 UTC \u00b7 ")
    _, _, only = result.output.partition("Said only by A (")
    only_a, _, only_b = only.partition("Said only by B (")
    assert "Mikhail Bogdanov" in only_a and "T-72" not in only_a
    assert "T-72" in only_b and "According to Reuters" in only_b and "Bogdanov" not in only_b
    data = json.loads(run("compare", original, retelling, "--index", str(built), "--json").output)
    assert data["a"]["id"] == original and data["b"]["id"] == retelling
    missing = run("compare", original, "no-such-id", "--index", str(built))
    assert missing.exit_code == 1 and "no article with id 'no-such-id'" in missing.output
    # One id: the other seed, dated the same day, is the closest telling of its story.
    alone = run("compare", retelling, "--index", str(built))
    assert alone.exit_code == 0, alone.output
    assert alone.output.splitlines()[:3] == [
        f"A: {original} \u00b7 2025-04-23 00:00 UTC \u00b7 Syria\u2019s new leader confirms Russia refused to hand over "
        "Bashar al-Assad after he fled to Moscow",
        f"B: {retelling} \u00b7 2025-04-23 00:00 UTC \u00b7 Russia Refused to Extradite Assad to New Syrian Authorities",
        "B is compared with A, the closest telling in its story: similarity 0.59, 3% of three-word runs in",
    ]
    corrected = json.loads(run("compare", "reuters-901", "--index", str(built), "--json").output)
    assert corrected["chosen"]["id"] == "reuters-900"
    assert [(e["old"], e["new"]) for e in corrected["changes"][0]["edits"] if e["kind"] == "number"] == [("THREE", "3-1/4")]


def test_compare_never_prints_control_characters(tmp_path: Path) -> None:
    """Article text is hostile web content: what compare prints shows an escape, never the character."""
    (tmp_path / "a.txt").write_text("Title: Oil\n\nOil rose 5 pct on Monday.\x1b]0;owned\x07 Traders said so.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Title: Oil\n\nOil rose 6 pct on Monday.\x1b]0;owned\x07 Traders said so.\n", encoding="utf-8")
    index = str(tmp_path / "ix")
    assert run("index", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--index", index).exit_code == 0
    result = run("compare", "a", "b", "--index", index)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]0;owned\\x07" in result.output and "[-5-]{+6+}" in result.output


def test_stats(built: Path) -> None:
    result = run("stats", "-i", str(built), "--json")
    data = json.loads(result.output)
    assert data["articles"] == 1002
    assert data["sources"] == {"Reuters": 1000, "The Insider": 1}
    assert data["first"].startswith("1987-02-26") and data["last"].startswith("2025-04-23")
    assert data["size_bytes"] > 0


def test_reindexing_unchanged_files_does_no_work(built: Path) -> None:
    result = run("index", str(CORPUS), "-i", str(built))
    assert result.exit_code == 0
    assert "0 added, 0 updated, 1,002 unchanged, 0 failed" in result.output


def test_changed_article_is_updated_and_delete_removes(tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    story = tmp_path / "story.txt"
    story.write_text("Title: Grain talks\nDate: 2025-03-01\n\nWheat talks began.\n", encoding="utf-8")
    assert "1 added" in run("index", str(story), "-i", index).output
    story.write_text("Title: Grain talks\nDate: 2025-03-01\n\nWheat talks ended.\n", encoding="utf-8")
    assert "0 added, 1 updated" in run("index", str(story), "-i", index).output
    assert json.loads(run("search", "ended", "-i", index, "--json").output)["id"] == "story"
    assert run("search", "began", "-i", index).output.startswith("0 articles match")
    assert run("delete", "story", "-i", index).output.strip() == "1 deleted"
    assert run("search", "wheat", "-i", index).output.startswith("0 articles match")
    assert "1 added" in run("index", str(story), "-i", index, "--rebuild").output


def test_bad_files_are_reported_with_their_place_and_the_rest_indexed(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"headline": "Good one", "short_description": "cocoa up"}\n{broken\n', encoding="utf-8")
    result = run("index", str(feed), "-i", str(tmp_path / "index"), "--map", "title=headline,body=short_description")
    assert result.exit_code == 1
    assert "1 added" in result.output and "1 failed" in result.output
    assert "feed.jsonl:line 2" in result.output


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["search", '"refused to'], 2, 'unbalanced quote: this phrase has no closing " (at character 1 of the query)'),
        (["search", "foo:bar"], 2, "unknown field 'foo'"),
        (["search", "date:2025-02-30"], 2, "impossible date '2025-02-30'"),
        (["search", "oil", "--since", "1987-15"], 2, "--since"),
        (["show", "no-such-id"], 1, "no article with id 'no-such-id'"),
    ],
)
def test_errors_are_one_line_with_an_exit_code(built: Path, args, code: int, message: str) -> None:
    result = run(*args, "-i", str(built))
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    result = run("search", "oil", "-i", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert result.output.strip() == f"newsindex: error: {tmp_path / 'nowhere'}: no index here (create one with: newsindex index PATH --index {tmp_path / 'nowhere'})"


def test_version_and_help() -> None:
    assert run("--version").output.strip() == f"newsindex, version {__version__}"
    for command in ("index", "search", "show", "stats", "delete"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "--index" in result.output and "Examples:" in result.output


def test_console_script_prints_one_line_without_traceback(built: Path) -> None:
    """The installed entry point, run as a process: stderr has exactly the error line."""
    proc = subprocess.run(
        [sys.executable, "-m", "newsindex.cli", "search", "(oil", "--index", str(built)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == ["newsindex: error: unbalanced parenthesis: this ( is never closed (at character 1 of the query)"]


def test_seeds_from_shared_index_without_header(tmp_path: Path) -> None:
    seeds = need_shared(SEEDS)
    index = str(tmp_path / "index")
    assert "2 added" in run("index", str(seeds), "-i", index).output
    result = run("search", '"refused to extradite"', "-i", index, "--json")
    assert {json.loads(line)["id"] for line in result.output.splitlines()} == {
        "000_7887337d1080e0d6", "001_d111d31f41ebd35a"
    }
