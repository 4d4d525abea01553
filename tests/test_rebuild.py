"""``--rebuild`` builds beside the old index and replaces it at the end: a kill leaves one whole index (finding 9).

The old index is 60 Reuters stories; the rebuild reads other stories. Killed
while it builds, at the moment of the swap, or just after it, the index
opens, passes ``newsindex check``, and holds exactly the old articles or
exactly the new ones.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsindex import Article, NewsIndex
from newsindex.cli import main
from newsindex.index import RebuildInterrupted
from newsindex.ingest.readers import read_paths
from newsindex.store import directory
from newsindex.store.directory import content_hashes, rebuild_place

from conftest import CORPUS, reuters_files

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def stories() -> list:
    return [a for a in read_paths([CORPUS / "reut2-000.sgm"])]


@pytest.fixture()
def old(tmp_path: Path, stories: list) -> tuple[Path, dict[str, str]]:
    index = tmp_path / "index"
    with NewsIndex.create(index) as ix:
        ix.add(stories[:60])
        return index, content_hashes(ix._ix)


def _state(index: Path) -> dict[str, str]:
    assert CliRunner().invoke(main, ["check", "-i", str(index)]).exit_code == 0
    with NewsIndex.open(index) as ix:
        return content_hashes(ix._ix)


def test_a_rebuild_replaces_the_index_and_its_stories(old, stories: list) -> None:
    index, _ = old
    reader = NewsIndex.open(index)  # a long-lived reader, as the web server is
    assert len(reader) == 60 and reader.story_stats().articles == 60
    summary = NewsIndex.rebuild(index, stories[100:140], commit_every=15)
    assert summary.added == 40
    assert reader.refresh()  # it reads the new index and the new story store (was: the old store, forever)
    assert reader.story_stats().articles == 40 and stories[100].id in [m.id for m in reader.story(stories[100].id)[1]]
    reader.close()
    assert set(_state(index)) == {a.id for a in stories[100:140]}
    assert not rebuild_place(index).exists()
    assert len(list(index.glob("checksums-*.json"))) == 1 and len(list(index.glob("*.seg"))) <= 3
    with NewsIndex.open(index) as ix:
        story_id, members = ix.story(stories[100].id)
        assert stories[100].id in [m.id for m in members]
        assert ix.search("id:" + stories[0].id).total == 0


@pytest.mark.parametrize("moment", ["before the swap", "just after the swap"])
def test_a_crash_at_the_swap_leaves_one_whole_index(old, stories: list, monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    index, before = old
    real = directory.commit_toc

    def crash(storage, indexname, toc, segments, known=None):  # type: ignore[no-untyped-def]
        if moment == "just after the swap" and Path(storage.folder) == index:
            real(storage, indexname, toc, segments, known)
        if Path(storage.folder) == index:
            raise KeyboardInterrupt  # as a kill would, at this very point
        return real(storage, indexname, toc, segments, known)

    monkeypatch.setattr(directory, "commit_toc", crash)
    with pytest.raises(KeyboardInterrupt):
        NewsIndex.rebuild(index, stories[100:140])
    monkeypatch.undo()
    after = _state(index)
    expected = before if moment == "before the swap" else {a.id: a.content_hash for a in stories[100:140]}
    assert after == expected
    more = index.parent / "more.txt"
    more.write_text("Title: one more\n\nA new article.\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["index", str(more), "-i", str(index)]).exit_code == 0  # brings the stories up
    with NewsIndex.open(index) as ix:
        assert ix.story("more")[0] == "more"
        assert all(ix.story(i)[1] for i in list(expected)[:5])


def test_sigkill_during_a_rebuild_leaves_the_old_index(old) -> None:
    index, before = old
    files = reuters_files()[1:3]
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsindex.cli", "index", *map(str, files), "-i", str(index), "--rebuild",
         "--commit-every", "300", "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    place = rebuild_place(index)
    deadline = time.monotonic() + 120
    while not any(place.glob("*.seg")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert any(place.glob("*.seg")), "the rebuild had not committed a batch beside the index"
    assert _state(index) == before  # the old index, whole
    shutil.rmtree(place)


def test_ctrl_c_abandons_the_rebuild(old, stories: list, monkeypatch: pytest.MonkeyPatch) -> None:
    index, before = old

    def articles():  # type: ignore[no-untyped-def]
        yield from stories[100:130]
        raise KeyboardInterrupt

    with pytest.raises(RebuildInterrupted, match="the rebuild was abandoned .* is as it was before it"):
        NewsIndex.rebuild(index, articles(), commit_every=10)
    assert _state(index) == before and not rebuild_place(index).exists()


def test_a_rebuild_in_another_language_changes_it_with_the_index(old, stories: list) -> None:
    index, _ = old
    german = [Article(id="de-1", title="Die Häuser", body="Die Häuser der Stadt wurden gebaut.")]
    NewsIndex.rebuild(index, german, language="german")
    with NewsIndex.open(index) as ix:
        assert ix.language == "german" and ix.search("Haus").total == 1
