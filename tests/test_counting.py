"""Counting stories, not copies: timelines, facets, terms and sources with each story once.

The oracles are the hits themselves (each says its story and date) and the
articles' own text, on the sample corpus (Reuters' wire copies and repeats,
the two seed tellings) and the web fixture, where two sources tell one event.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsindex import NewsIndex, NoStoriesError
from newsindex.cli import main
from newsindex.coverage.timeline import period_start
from newsindex.ingest.readers import read_paths

from conftest import CORPUS, SEEDS, need_shared


def _stories(ix: NewsIndex, query: str) -> dict[str, list]:
    """Story id -> the matching hits of that story (an article in none is its own)."""
    found: dict[str, list] = {}
    for hit in ix.hits(query):
        found.setdefault(hit.story or hit.id, []).append(hit)
    return found


def _earliest(hits: list):
    """The earliest telling among hits, as trace orders them (undated last, then by id)."""
    return min(hits, key=lambda h: (h.published is None, h.published or datetime.min, h.id))


@pytest.mark.parametrize("query, by", [("debt", "day"), ("*", "week")])
def test_a_timeline_of_stories_counts_each_story_once_at_its_earliest_matching_article(sample_index, query, by) -> None:
    stories = _stories(sample_index, query)
    assert max(len(h) for h in stories.values()) >= 5  # wire copies and follow-ups: the test can fail
    expected = Counter(period_start(_earliest(h).published, by) for h in stories.values() if _earliest(h).published)
    periods = sample_index.timeline(query, by=by, stories=True)
    assert {p.start: p.count for p in periods if p.count} == dict(expected)
    assert sum(p.count for p in periods) == len(stories) == sample_index.overview(query).stories
    articles = {p.start: p for p in sample_index.timeline(query, by=by)}
    for p in periods:
        # A story placed in a period has an article there, so the share stays a share.
        assert p.count <= articles[p.start].count and p.count <= p.total <= articles[p.start].total


def test_every_story_of_the_index_is_in_the_total_of_each_period_it_has_an_article_in(sample_index) -> None:
    told: dict[datetime, set[str]] = {}
    for hit in sample_index.hits("*"):
        if hit.published:
            told.setdefault(period_start(hit.published, "month"), set()).add(hit.story or hit.id)
    periods = sample_index.timeline("*", by="month", stories=True)
    assert {p.start: p.total for p in periods if p.total} == {start: len(s) for start, s in told.items()}


def test_facets_by_story_count_a_story_once_per_value_its_matching_articles_have(sample_index) -> None:
    stories = _stories(sample_index, "debt")
    expected: Counter[str] = Counter()
    for hits in stories.values():
        expected.update({topic for hit in hits for topic in hit.topics})
    counted = sample_index.facets("debt", ["topic", "source"], top=100, stories=True)
    assert dict(counted["topic"]) == dict(expected)
    assert counted["source"] == [("Reuters", len(stories))]
    by_article = dict(sample_index.facets("debt", ["topic"], top=100)["topic"])
    assert any(by_article[t] > n for t, n in expected.items())  # copies made some topics look bigger


def test_terms_of_stories_count_a_copied_report_once(sample_index) -> None:
    stories = _stories(sample_index, "coffee quota")
    firsts = [sample_index.get(_earliest(h).id) for h in stories.values()]
    with_ico = sum(bool(re.search(r"\bICO\b", f"{a.title} {a.body}")) for a in firsts)
    terms = {t.text: t for t in sample_index.terms("coffee quota", stories=True)}
    assert terms["ico"].in_results == with_ico < {t.text: t for t in sample_index.terms("coffee quota")}["ico"].in_results
    assert all(t.in_results <= len(stories) for t in terms.values())


def test_sources_say_which_told_a_story_first_and_which_retold_it(web_index) -> None:
    story, members = web_index.story("hostile-2")
    assert [a.id for a in members] == ["hostile-1", "hostile-2"]  # the Gazette first, the Post a day later
    gazette, post = (web_index.get(i).source for i in ("hostile-1", "hostile-2"))
    rows = {s.source: s for s in web_index.source_stories("zyxhostile")}
    assert (rows[gazette].stories, rows[gazette].first, rows[gazette].articles, rows[gazette].retold) == (1, 1, 1, 0)
    assert (rows[post].stories, rows[post].first, rows[post].articles, rows[post].retold) == (1, 0, 1, 1)
    # Real tellings: Reuters told all its stories first; the seed signed by The Insider began its story.
    rows = {s.source: s for s in web_index.source_stories("*", top=50)}
    assert rows["Reuters"].retold == 0 and rows["Reuters"].first == rows["Reuters"].stories
    assert rows["The Insider"].first == 1


def test_cli_source_facet_by_story_escaped_and_as_json(web_index_dir: Path) -> None:
    run = lambda *a: CliRunner().invoke(main, [*a, "--index", str(web_index_dir)])
    result = run("search", "zyxhostile", "--facet", "source", "--stories", "--summary")
    assert result.exit_code == 0, result.output
    assert "each story counted once" in result.output and "retold" in result.output
    row = next(line for line in result.output.splitlines() if "Post" in line)
    assert row.split()[:4] == ["1", "0", "1", "1"]
    summary = json.loads(run("search", "zyxhostile", "--facet", "source", "--stories", "--summary", "--json").output)
    assert summary["counted"] == "stories" and sum(s["retold"] for s in summary["sources"]) == 1
    result = run("timeline", "zyxhostile", "--by", "day", "--stories")
    assert result.exit_code == 0 and result.output.startswith("stories matching")
    assert run("search", "zyxhostile", "--stories").exit_code == 2  # --stories counts facets: says to add one


def test_an_index_without_stories_or_behind_them_says_so_and_how_to_fix_it(tmp_path: Path) -> None:
    seeds = [str(CORPUS / "000_7887337d1080e0d6.txt"), str(CORPUS / "001_d111d31f41ebd35a.txt")]
    directory = tmp_path / "index"
    with NewsIndex.create(directory) as ix:
        ix.add(read_paths(seeds))
        assert [p.count for p in ix.timeline("*", stories=True)] == [1]  # two tellings, one story
        # Another version of a seed (the text without its header), indexed without grouping it.
        ix.add(read_paths([need_shared(SEEDS) / "000_7887337d1080e0d6.txt"]), group=False)
        with pytest.raises(NoStoriesError, match="behind the index"):
            ix.facets("*", ["source"], stories=True)
    result = CliRunner().invoke(main, ["terms", "assad", "--stories", "--index", str(directory)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.count("\n") == 1 and "without --no-stories" in result.output
    fresh = tmp_path / "fresh"
    assert CliRunner().invoke(main, ["index", *seeds, "--no-stories", "-q", "--index", str(fresh)]).exit_code == 0
    result = CliRunner().invoke(main, ["timeline", "*", "--stories", "--index", str(fresh)])
    assert result.exit_code == 1 and "has no stories" in result.output and result.output.count("\n") == 1
    # The fix the message gives: index the files again, with stories.
    assert CliRunner().invoke(main, ["index", *seeds, "-q", "--index", str(fresh)]).exit_code == 0
    with NewsIndex.open(fresh) as ix:
        assert [p.count for p in ix.timeline("*", stories=True)] == [1]
