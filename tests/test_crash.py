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
BATCH = 150
KILLS = 24


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
    return reuters_files()[:4]


@pytest.fixture(scope="module")
def expected(files: list[Path]) -> list[tuple[str, str]]:
    return [(a.id, a.content_hash) for a in read_paths(files)]


def test_sigkill_at_many_moments_never_loses_a_commit(tmp_path: Path, files, expected) -> None:
    index = tmp_path / "index"
    order = [article_id for article_id, _ in expected]
    hashes = dict(expected)
    survived = 0
    for kill in range(KILLS):
        proc = _start(files, index)
        # Moments spread over reading, writing and committing, counted from the index's creation
        # (start-up takes longer on a busy machine, and a kill before it leaves nothing to check).
        started = time.monotonic()
        while not (index / "newsindex.json").exists() and time.monotonic() - started < 20:
            time.sleep(0.02)
        time.sleep((kill * 0.29) % 2.6)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if not (index / "newsindex.json").exists():
            continue  # killed before the index was even created: nothing to check
        state = _state(index)
        committed = len(state)
        assert committed % BATCH == 0 or committed == len(order), f"kill {kill}: a partial batch of {committed}"
        assert set(state) == set(order[:committed]), f"kill {kill}: not the articles of whole commits"
        assert all(state[i] == hashes[i] for i in state), f"kill {kill}: an article differs from its file"
        survived += 1
    assert survived >= 20
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
