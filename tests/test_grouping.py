"""Story grouping in its own process (newsindex.stories.grouping): the same stories as in the indexing process,
and a store that is always that of the index's commits, however the run ends."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from conftest import reuters_files

from newsindex import IndexingInterrupted, NewsIndex, NewsIndexError  # noqa: F401
from newsindex.ingest.readers import read_paths
from newsindex.store.directory import content_hashes
from newsindex.stories import grouping
from newsindex.stories.store import StoryStore

BATCH = 500


@pytest.fixture(scope="module")
def articles() -> list:
    """Reuters-21578's first two files (2,000 stories, with repeats and corrections among them)."""
    return list(read_paths(reuters_files()[:2]))


@pytest.fixture
def workers(monkeypatch) -> list:  # type: ignore[no-untyped-def]
    """Worker processes started, recorded; a worker is started after 300 articles."""
    started: list = []
    real = grouping._Worker

    class Recorded(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(grouping, "_Worker", Recorded)
    monkeypatch.setattr(grouping, "PARALLEL_MIN", 300)
    return started


def _stories(directory: Path) -> tuple[dict[str, str | None], object, str | None]:
    """Every stored article's story, the store's statistics and its marker."""
    with StoryStore.open(directory, create=False) as store:
        ids = [row[0] for row in store._db.execute("SELECT id FROM articles")]
        return {i: store.story_of(i) for i in ids}, store.stats(), store.marker


@pytest.fixture(scope="module")
def in_process(tmp_path_factory, articles) -> tuple:  # type: ignore[no-untyped-def]
    """The stories of the two files grouped in the indexing process."""
    directory = tmp_path_factory.mktemp("in-process")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(grouping, "PARALLEL_MIN", 10**9)
        with NewsIndex.create(directory) as ix:
            ix.add(articles, commit_every=BATCH)
    return _stories(directory)


def test_a_worker_groups_exactly_as_the_indexing_process(tmp_path, articles, workers, in_process) -> None:  # type: ignore[no-untyped-def]
    with NewsIndex.create(tmp_path / "ix") as ix:
        assert ix.add(articles, commit_every=BATCH).committed == len(articles)
        generation = str(ix._ix.latest_generation())
        assert multiprocessing.active_children() == []  # the worker ends with the run
    assert len(workers) == 1
    assert not (tmp_path / "ix" / "stories.sqlite-wal").exists()  # the worker's log folded into the store
    stories, stats, marker = _stories(tmp_path / "ix")
    assert marker == generation  # the stories of the index's last commit
    assert (stories, stats) == in_process[:2]
    assert stats.multi > 50  # there are stories to get wrong: repeats, corrections


def test_an_interrupted_run_with_a_worker_keeps_the_stories_of_its_commits(tmp_path, articles, workers, in_process) -> None:  # type: ignore[no-untyped-def]
    def interrupted():  # type: ignore[no-untyped-def]
        for number, article in enumerate(articles):
            if number == 1_250:
                raise KeyboardInterrupt
            yield article

    with NewsIndex.create(tmp_path / "ix") as ix:
        with pytest.raises(IndexingInterrupted, match="kept the 1,000 articles"):
            ix.add(interrupted(), commit_every=BATCH)
        assert len(workers) == 1 and multiprocessing.active_children() == []
        assert len(ix) == 1_000
        stories, _, marker = _stories(tmp_path / "ix")
        assert marker == str(ix._ix.latest_generation())
        assert set(stories) == set(content_hashes(ix._ix))  # what the index committed, nothing after it
        assert ix.add(articles, commit_every=BATCH).added == len(articles) - 1_000  # resumes
    assert _stories(tmp_path / "ix")[:2] == in_process[:2]


def test_a_failing_worker_is_reported_and_the_next_run_groups_what_it_missed(
    tmp_path, articles, workers, in_process, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    real = StoryStore.assign

    def failing(self, batch):  # type: ignore[no-untyped-def]
        for article in batch:
            if article.id == articles[1_100].id:
                raise OSError(28, "No space left on device")
            real(self, [article])

    monkeypatch.setattr(StoryStore, "assign", failing)  # the worker is forked with it
    with NewsIndex.create(tmp_path / "ix") as ix:
        with pytest.raises(NewsIndexError, match="grouping stories failed: .*No space left.* the next indexing run groups"):
            ix.add(articles, commit_every=BATCH)
        assert len(workers) == 1 and multiprocessing.active_children() == []
        # The failure is seen at the next commit or at the end: the index keeps its commits up to then.
        kept = len(ix)
        assert kept in (1_500, 2_000)
        monkeypatch.setattr(StoryStore, "assign", real)
        assert ix.add(articles, commit_every=BATCH).unchanged == kept
    stories, stats, _ = _stories(tmp_path / "ix")
    assert (stories, stats) == in_process[:2]


def test_one_process_groups_in_the_indexing_process(tmp_path, articles, workers, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from newsindex.store import writing

    monkeypatch.setattr(writing, "cpu_count", lambda: 1)
    with NewsIndex.create(tmp_path / "ix") as ix:
        ix.add(articles[:400])
        assert ix.story_stats().articles == 400
    assert workers == []
