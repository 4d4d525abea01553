"""Kill `newsindex index` at many moments: the index always holds exactly its last commit.

A real process indexes real Reuters-21578 files and is killed with SIGKILL
(no chance to clean up) at moments spread over its run; each time the index
must open and hold a whole number of committed batches, in reading order,
with the content read from the files. Re-running resumes; the final index
equals a clean build. Ctrl-C (SIGINT) stops with a message saying what was
kept and what was rolled back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsindex import NewsIndex
from newsindex.ingest.readers import read_paths
from newsindex.store.directory import content_hashes

from conftest import reuters_files

ROOT = Path(__file__).resolve().parents[1]
BATCH = 100
KILLS = 10


def _start(files: list[Path], index: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "newsindex.cli", "index", *map(str, files), "--index", str(index),
         "--commit-every", str(BATCH), "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        # As from a terminal: a test run started in the background (`cmd &`) ignores SIGINT, and so would the child.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _state(index: Path) -> dict[str, str]:
    """id -> content hash of what the index holds."""
    with NewsIndex.open(index) as ix:
        return content_hashes(ix._ix)


@pytest.fixture(scope="module")
def files() -> list[Path]:
    return reuters_files()[:2]


@pytest.fixture(scope="module")
def expected(files: list[Path]) -> list[tuple[str, str]]:
    return [(a.id, a.content_hash) for a in read_paths(files)]


def _generation(index: Path) -> int:
    """The number of the index's last commit (its newest ``_MAIN_N.toc``), -1 before there is one."""
    return max((int(toc.stem.rsplit("_", 1)[1]) for toc in index.glob("_MAIN_*.toc")), default=-1)


def _next_commit(index: Path, after: int, proc: subprocess.Popen) -> float:
    """Wait until the index has a commit newer than ``after`` (or ``proc`` ended); return when it was seen."""
    deadline = time.monotonic() + 120
    while _generation(index) <= after and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return time.monotonic()


def _whole_commits(index: Path, order: list[str], hashes: dict[str, str], kill: str) -> int:
    """Check that the index holds whole committed batches, the first articles read, as read; return how many."""
    state = _state(index)
    committed = len(state)
    assert committed % BATCH == 0 or committed == len(order), f"{kill}: a partial batch of {committed}"
    assert set(state) == set(order[:committed]), f"{kill}: not the articles of whole commits"
    assert all(state[i] == hashes[i] for i in state), f"{kill}: an article differs from its file"
    return committed


def test_sigkill_at_many_moments_never_loses_a_commit(tmp_path: Path, files, expected) -> None:
    """Each run is killed a moment after a commit of its own, the moments spread evenly over
    a batch's time (commit to commit, as the first run measures it over three batches, one of which
    merges the small segments), in an order that mixes short and long.

    (A first kill lands as the index is made.) So, on a fast machine or a busy one, the kills land in every phase of a batch: the stories'
    commit just after the index's, reading (and skipping what is kept), writing the next batch,
    grouping its stories, the index's commit (segment, merge of small segments, checksums, TOC).
    (Counted from the start of the process, as before, the kills of a busy machine all landed in
    start-up or the first batch, and the index held nothing to check.) Each run commits one or
    two batches: KILLS runs spread the moments finely over a batch and leave work to resume
    (or nearly); more would add no phase."""
    index = tmp_path / "index"
    order = [article_id for article_id, _ in expected]
    hashes = dict(expected)
    # First a kill as the index is being made (its first file is there, its story store maybe not).
    proc = _start(files, index)
    while not (index / "newsindex.json").exists() and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if (index / "newsindex.json").exists():
        _whole_commits(index, order, hashes, "kill as the index is made")
    cycle = 0.0
    seen = []
    for kill in range(KILLS):
        proc = _start(files, index)
        committed_at = _next_commit(index, max(_generation(index), 0), proc)
        if not cycle:  # the first run measures how long a batch takes: its 1st commit to its 4th, over 3
            cycle = (_next_commit(index, _generation(index) + 2, proc) - committed_at) / 3
        time.sleep(cycle * (kill * 3 % KILLS) / KILLS)  # 0, 3/10, 6/10, 9/10, 2/10... of a batch
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        seen.append(_whole_commits(index, order, hashes, f"kill {kill}"))
    # The kills landed while the index was being written: it grew from kill to kill.
    assert seen[0] > 0 and len(set(seen)) >= KILLS // 2, seen
    finish = _start(files, index)
    out, err = finish.communicate(timeout=300)
    assert finish.returncode == 0, err
    assert _state(index) == hashes  # resumed to completion: the same as a clean build
    # Searches find the same articles as in a clean build. (Scores may differ in the
    # last digits: Whoosh re-sums field lengths from their one-byte encodings when it
    # merges the segments of many commits, which shifts the average length a little.)
    queries = ["oil", '"interest rates"', "title:coffee date:1987-03", "wheat OR corn -usa"]
    with NewsIndex.create(tmp_path / "clean") as ix:
        ix.add(read_paths(files), group=False)  # stories are not searched: the build need not group them
        clean_hits = [{h.id for h in ix.search(q, limit=5000)} for q in queries]
    with NewsIndex.open(index) as ix:
        assert [{h.id for h in ix.search(q, limit=5000)} for q in queries] == clean_hits


def test_ctrl_c_rolls_back_the_open_batch_and_says_so(tmp_path: Path, files, expected) -> None:
    index = tmp_path / "index"
    proc = _start(files, index)
    deadline = time.monotonic() + 60
    # Interrupted once its first batch is committed (a fixed delay let a fast run finish first).
    while not any(index.glob("_MAIN_[1-9]*.toc")) and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.fail(f"the run finished before it could be interrupted; give it more work ({out.strip()} {err.strip()})")
    assert proc.returncode == 130
    assert err.startswith("newsindex: interrupted: kept the ")
    assert "run the same command again to resume" in err
    kept = int(err.split("kept the ")[1].split(" articles")[0].replace(",", ""))
    assert len(_state(index)) == kept and kept % BATCH == 0


def test_a_story_store_killed_while_being_made_is_made_again(tmp_path: Path) -> None:
    """A kill between creating the story store's tables and writing its meta rows left a store
    that every later run refused ("story store format None ... rebuild the index"); found by
    test_sigkill_at_many_moments_never_loses_a_commit."""
    import sqlite3

    from newsindex.stories.store import _SCHEMA, FILE_NAME, StoryStore

    db = sqlite3.connect(tmp_path / FILE_NAME)
    db.executescript(_SCHEMA)  # the tables, as the first step makes them; no meta rows
    db.close()
    store = StoryStore.open(tmp_path, "english")
    try:
        assert store.language == "english"
    finally:
        store.close()
