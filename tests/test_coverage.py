"""Timelines, facets and significant terms on Reuters-21578, against counts read straight from the SGML."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from newsindex import NewsIndexError
from newsindex.cli import main
from newsindex.coverage.terms import Term, _best

from conftest import reuters_files

_STORY = re.compile(r"<REUTERS[^>]*>(.*?)</REUTERS>", re.S)
_MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}


@pytest.fixture(scope="module")
def sgml_stories() -> list[dict]:
    """Every story's date, topics and places, by regular expressions over the raw files (no newsindex code)."""
    stories = []
    for path in reuters_files():
        for body in _STORY.findall(path.read_text(encoding="latin-1")):
            day, month, year = re.search(r"<DATE>\s*(\d+)-([A-Z]{3})-(\d{4})", body).groups()
            field = lambda name: re.findall(r"<D>(.*?)</D>", re.search(rf"<{name}>(.*?)</{name}>", body, re.S).group(1))
            stories.append({
                "date": datetime(int(year), _MONTHS[month], int(day), tzinfo=timezone.utc),
                "topics": [html.unescape(t) for t in field("TOPICS")],
                "places": [html.unescape(p) for p in field("PLACES")],
            })
    assert len(stories) == 21578
    return stories


def test_monthly_timeline_equals_counts_from_the_sgml(reuters_index, sgml_stories) -> None:
    periods = reuters_index.timeline("topic:coffee", by="month")
    coffee = Counter((s["date"].year, s["date"].month) for s in sgml_stories if "coffee" in s["topics"])
    every = Counter((s["date"].year, s["date"].month) for s in sgml_stories)
    assert [(p.start.year, p.start.month) for p in periods] == [(1987, m) for m in range(2, 11)]
    assert {(p.start.year, p.start.month): p.count for p in periods if p.count} == dict(coffee)
    assert all(p.total == every[(p.start.year, p.start.month)] for p in periods)
    assert sum(p.count for p in periods) == sum(coffee.values())
    assert any(p.count == 0 for p in periods)  # empty months are shown as zero


def test_daily_and_weekly_timelines_add_up(reuters_index, sgml_stories) -> None:
    days = reuters_index.timeline("place:brazil", by="day")
    brazil = Counter(s["date"].date() for s in sgml_stories if "brazil" in s["places"])
    assert {p.start.date(): p.count for p in days if p.count} == dict(brazil)
    weeks = reuters_index.timeline("place:brazil", by="week")
    assert all(p.start.weekday() == 0 for p in weeks)
    assert sum(p.count for p in weeks) == sum(brazil.values())
    assert weeks[3].share == pytest.approx(weeks[3].count / weeks[3].total)


def test_facets_count_all_matching_articles(reuters_index, sgml_stories) -> None:
    matching = [s for s in sgml_stories if "brazil" in s["places"]]
    res = reuters_index.search("place:brazil", facets=["topic", "place", "source"], facet_limit=5)
    assert res.total == len(matching) and len(res.hits) == 10
    topics = Counter(t for s in matching for t in s["topics"])
    assert res.facets["topic"] == topics.most_common(5)
    assert res.facets["place"][0] == ("brazil", len(matching))
    assert res.facets["source"] == [("Reuters", len(matching))]
    assert reuters_index.facets("place:brazil", ["topic"], top=5) == {"topic": topics.most_common(5)}


def test_facet_values_drill_down(reuters_index) -> None:
    top_topic, count = reuters_index.facets("place:brazil", ["topic"], top=1)["topic"][0]
    assert reuters_index.search(f"place:brazil topic:{top_topic}").total == count


def test_unknown_facet_is_an_error(reuters_index) -> None:
    with pytest.raises(NewsIndexError, match="unknown facet 'colour'"):
        reuters_index.facets("coffee", ["colour"])


def test_significant_terms_say_what_coffee_is_about(reuters_index) -> None:
    found = [t.text for t in reuters_index.terms("coffee", top=25)]
    for expected in ("ico", "quotas", "brazil", "bags"):
        assert expected in found
    assert "said" not in found and "the" not in found
    scores = [t.score for t in reuters_index.terms("coffee", top=25)]
    assert scores == sorted(scores, reverse=True)


def test_cli_timeline_outputs(reuters_index, tmp_path) -> None:
    index = str(reuters_index.directory)
    runner = CliRunner()
    text = runner.invoke(main, ["timeline", "topic:coffee", "-i", index]).output.splitlines()
    assert text[0] == "articles matching 'topic:coffee' per month (UTC): 1987-02-01 .. 1987-10-01"
    assert text[1].startswith("1987-02-01") and text[2].startswith("1987-03-01  " + "#" * 50)
    data = json.loads(runner.invoke(main, ["timeline", "topic:coffee", "-i", index, "--json"]).output)
    assert [d["period"] for d in data][:2] == ["1987-02-01", "1987-03-01"]
    rows = runner.invoke(main, ["timeline", "topic:coffee", "-i", index, "--csv", "--normalize"]).output.splitlines()
    assert rows[0] == "period,count,total,share" and len(rows) == 1 + len(data)
    png = tmp_path / "coffee.png"
    assert runner.invoke(main, ["timeline", "topic:coffee", "-i", index, "--png", str(png)]).exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    facets = runner.invoke(main, ["search", "coffee", "-i", index, "--facet", "place", "--json", "--summary"]).output
    assert json.loads(facets)["facets"]["place"]["brazil"] > 50
    terms = runner.invoke(main, ["terms", "coffee", "-i", index, "--top", "5"]).output.splitlines()
    assert terms[0].split() == ["term", "score", "in", "results", "in", "index"] and len(terms) == 6


@given(st.lists(st.tuples(st.integers(1, 50), st.floats(0, 1), st.booleans()), max_size=40), st.integers(1, 8))
def test_terms_scored_only_while_they_can_make_the_top_are_those_of_scoring_all(items, top) -> None:
    # Each candidate: a count, a score at most its count's bound (the bound is the count itself
    # here, so a smaller count bounds lower), or no score at all (not over-represented).
    candidates = [(a, lambda a=a, f=f, keep=keep: Term(f"t{a}-{f}", a * f, a, a) if keep else None)
                  for a, f, keep in items]
    everything = sorted((t for t in (make() for _, make in candidates) if t), key=lambda t: t.score, reverse=True)
    assert _best(candidates, top, bound=float) == everything[:top]


def test_facets_and_timelines_counted_again_from_their_caches_give_the_same_answers(sample_index) -> None:
    first = (sample_index.facets("oil"), sample_index.timeline("oil", by="day"), sample_index.timeline("-oil", by="week"))
    again = (sample_index.facets("oil"), sample_index.timeline("oil", by="day"), sample_index.timeline("-oil", by="week"))
    assert first == again
    articles = [sample_index.get(i) for i in sample_index.ids("oil", limit=1000)]
    assert dict(first[0]["topic"]) == dict(Counter(t for a in articles for t in a.topics).most_common(10))
    days = Counter(a.published.date().isoformat() for a in articles if a.published)
    assert {p.label: p.count for p in first[1] if p.count} == days


def test_facets_over_a_commit_whose_articles_have_no_value_for_a_facet(tmp_path) -> None:
    # Found by the web interface's tests: a second commit of articles without places made every
    # facet count over it fail (Whoosh's MultiReader reads a segment without the column in the
    # segment before, past its end). Columns are now written in every segment, and read per segment.
    from whoosh.reading import MultiReader

    from newsindex import Article, NewsIndex

    day = datetime(2024, 5, 6, tzinfo=timezone.utc)
    with NewsIndex.create(tmp_path / "ix") as ix:
        ix.add([Article(id="a", title="Harbour tax", body="harbour", published=day, places=("oslo",), source="Post")])
        ix.add([Article(id="b", title="Harbour ferry", body="harbour", published=day)])
        ix.add([Article(id="c", title="Harbour fees", body="harbour", published=day, places=("bergen",))])
        reader = ix.searcher.reader()
        assert isinstance(reader, MultiReader) and len(reader.readers) == 3
        assert all(leaf.has_column("facet_places") for leaf, _ in reader.leaf_readers())
        assert ix.facets("harbour", ["place", "source", "author"]) == {
            "place": [("oslo", 1), ("bergen", 1)], "source": [("Post", 1)], "author": []}
        assert ix.stats().sources == Counter({"Post": 1})
