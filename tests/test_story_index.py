"""Stories inside an index: grouped as articles are indexed, kept in step with the index, shown by search and the CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsindex import NewsIndex
from newsindex.cli import main
from newsindex.index import IndexingInterrupted
from newsindex.ingest.readers import read_paths
from newsindex.stories.store import FILE_NAME, StoryStore

from conftest import CORPUS, REUTERS, need_shared

ORIGINAL, RETELLING = "000_7887337d1080e0d6", "001_d111d31f41ebd35a"


def test_seeds_are_one_story_and_each_others_most_similar(sample_index: NewsIndex) -> None:
    story, members = sample_index.story(RETELLING)
    assert story == ORIGINAL and [a.id for a in members] == [ORIGINAL, RETELLING]
    assert sample_index.story(story)[1] == members  # by the story's own id too
    (best, article), *rest = sample_index.similar(ORIGINAL, 5)
    assert article.id == RETELLING and 0.4 < best.score <= 1.0
    assert all(item.score < best.score / 2 for item, _ in rest)


def test_collapse_shows_one_hit_per_story_with_its_other_tellings(sample_index: NewsIndex) -> None:
    plain = sample_index.search('extradite OR assad')
    collapsed = sample_index.search('extradite OR assad', collapse=True)
    assert plain.total == collapsed.total == 2
    assert [h.id for h in plain] == [RETELLING, ORIGINAL]
    [hit] = collapsed.hits
    assert hit.id == RETELLING and hit.story == ORIGINAL and hit.other_tellings == 1


def test_collapse_pages_through_distinct_stories_in_rank_order(sample_index: NewsIndex) -> None:
    """Reuters' wire repeats: every collapsed page holds distinct stories, each at its best-placed telling."""
    everything = sample_index.search("oil", limit=1000)
    first_of_story: dict[str, str] = {}
    for hit in everything:
        first_of_story.setdefault(hit.story or hit.id, hit.id)
    expected = list(first_of_story.values())
    assert len(expected) < everything.total, "the sample has repeated oil stories"
    pages = [sample_index.search("oil", limit=7, page=p, collapse=True) for p in (1, 2, 3)]
    assert [h.id for page in pages for h in page] == expected[:21]
    assert all(page.total == everything.total for page in pages)


def test_an_interrupted_run_leaves_stories_as_at_the_last_commit(tmp_path: Path) -> None:
    articles = list(read_paths([CORPUS]))
    ix = NewsIndex.create(tmp_path / "ix")

    def interrupted():  # type: ignore[no-untyped-def]
        for number, article in enumerate(articles):
            if number == 450:
                raise KeyboardInterrupt
            yield article

    with pytest.raises(IndexingInterrupted):
        ix.add(interrupted(), commit_every=200)
    stored = StoryStore.open(tmp_path / "ix", create=False)
    assert len(stored) == len(ix) == 400
    stored.close()
    ix.add(articles)
    assert ix.story(RETELLING)[0] == ORIGINAL and ix.story_stats().articles == len(ix) == 1002
    ix.close()


def test_deleting_takes_articles_out_of_their_stories_and_a_lost_store_is_rebuilt(tmp_path: Path) -> None:
    with NewsIndex.create(tmp_path / "ix") as ix:
        ix.add(read_paths([CORPUS]))
        ix.delete([RETELLING])
        assert [a.id for a in ix.story(ORIGINAL)[1]] == [ORIGINAL]
    (tmp_path / "ix" / FILE_NAME).unlink()  # e.g. a crash between the index's commit and the store's
    with NewsIndex.open(tmp_path / "ix") as ix:
        assert ix.story_stats() is None
        summary = ix.add(read_paths([CORPUS]))
        assert summary.added == 1 and summary.unchanged == 1001  # the retelling comes back ...
        assert ix.story(RETELLING)[0] == ORIGINAL  # ... and every article is grouped again
        assert ix.story_stats().articles == 1002


def test_rebuilding_an_index_starts_its_stories_afresh(tmp_path: Path) -> None:
    with NewsIndex.create(tmp_path / "ix") as ix:
        ix.add(read_paths([CORPUS]))
    with NewsIndex.create(tmp_path / "ix", overwrite=True) as ix:
        assert ix.story_stats() is None
        ix.add([replace(a, id="only-" + a.id) for a in read_paths([CORPUS]) if a.id == ORIGINAL])
        assert ix.story_stats().articles == 1


def test_cli_similar_story_collapse_and_stats(tmp_path: Path) -> None:
    index = str(tmp_path / "ix")
    run = CliRunner().invoke
    assert run(main, ["index", str(CORPUS), "--index", index]).exit_code == 0
    similar = run(main, ["similar", ORIGINAL, "--index", index, "--limit", "2"])
    assert similar.exit_code == 0 and similar.output.splitlines()[1].split()[3] == RETELLING  # [0]: the legend
    rows = [json.loads(line) for line in run(main, ["similar", ORIGINAL, "-i", index, "--json"]).output.splitlines()]
    assert rows[0]["id"] == RETELLING and rows[0]["score"] > rows[1]["score"]
    story = run(main, ["story", RETELLING, "--index", index])
    assert story.output.splitlines()[0] == f"story {ORIGINAL}: 2 articles"
    collapsed = run(main, ["search", "extradite", "--collapse", "--index", index])
    assert f"story {ORIGINAL}: 1 other telling" in collapsed.output
    stats = json.loads(run(main, ["stats", "--index", index, "--json"]).output)
    assert stats["stories"]["articles"] == 1002 and stats["stories"]["multi"] >= 1
    unknown = run(main, ["similar", "no-such-id", "--index", index])
    assert unknown.exit_code == 1 and "no article with id 'no-such-id'" in unknown.output


def test_reuters_corrections_join_their_story(reuters_index: NewsIndex) -> None:
    """A wire story and its correction (64 vs 59 cents) are one story; so the collapsed hit says so."""
    need_shared(REUTERS)
    story, members = reuters_index.story("reuters-16597")
    assert {"reuters-16483", "reuters-16597"} <= {a.id for a in members}
    stats = reuters_index.story_stats()
    assert stats.articles == 21578 and 1000 < stats.multi < 5000
