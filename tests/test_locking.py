"""Two writers, a killed writer's lock, and reading while writing: with real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsindex import Article, IndexLockedError, NewsIndex

ROOT = Path(__file__).resolve().parents[1]

HOLD = """
import sys, time
from pathlib import Path
from newsindex.store.locking import WriteLock
lock = WriteLock(Path(sys.argv[1]))
lock.acquire()
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
lock.release()
"""


def _holder(index: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(index), str(seconds)], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


@pytest.fixture
def index(tmp_path: Path) -> Path:
    NewsIndex.create(tmp_path / "ix").close()
    return tmp_path / "ix"


def _one(article_id: str = "a") -> list[Article]:
    return [Article(id=article_id, title="grain", body="wheat")]


def test_second_writer_is_told_which_process_writes(index: Path) -> None:
    holder = _holder(index, 30)
    try:
        with NewsIndex.open(index) as ix, pytest.raises(IndexLockedError) as info:
            ix.add(_one())
        assert f"being written by process {holder.pid} on" in str(info.value)
        assert "--wait" in str(info.value)
    finally:
        holder.kill()
        holder.wait()


def test_second_writer_can_wait_for_the_first(index: Path) -> None:
    holder = _holder(index, 1.0)
    with NewsIndex.open(index) as ix:
        summary = ix.add(_one(), wait=30)
    assert summary.added == 1 and summary.stale_lock is None
    assert holder.wait() == 0


def test_lock_of_a_killed_writer_is_detected_and_cleared(index: Path) -> None:
    holder = _holder(index, 30)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with NewsIndex.open(index) as ix:
        summary = ix.add(_one())
        assert summary.added == 1
        assert summary.stale_lock is not None and summary.stale_lock.startswith(f"process {holder.pid} on ")
        assert ix.add(_one("b")).stale_lock is None  # cleared: the next run sees nothing stale


def test_cli_reports_the_cleared_stale_lock(index: Path, tmp_path: Path) -> None:
    holder = _holder(index, 30)
    holder.kill()
    holder.wait()
    story = tmp_path / "story.txt"
    story.write_text("Title: Grain\n\nWheat.\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "newsindex.cli", "index", str(story), "--index", str(index)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr
    assert f"cleared a stale lock left by process {holder.pid} on" in proc.stderr


def test_searches_while_writing_see_whole_commits(tmp_path: Path) -> None:
    """A writer process indexes real Reuters files in batches while this process searches.

    Two files in batches of 100: twenty commits, six of them merging the small segments, to
    overlap with the searches even when writing is fast. (Six files in batches of 250 made as
    many commits with bigger merges: four times the writing, and nothing more to see.)"""
    from conftest import reuters_files

    files = reuters_files()[:2]
    index = tmp_path / "ix"
    NewsIndex.create(index).close()
    writer = subprocess.Popen(
        [sys.executable, "-m", "newsindex.cli", "index", *map(str, files), "--index", str(index),
         "--commit-every", "100", "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    seen_sizes = set()
    while writer.poll() is None:
        with NewsIndex.open(index) as ix:
            size = len(ix)
            res = ix.search("-zzzznotaword", limit=1)  # every article
            oil = ix.search("oil", limit=5000)
            assert res.total == size
            assert oil.total == len(oil.hits)
            assert size % 100 == 0 or size == 2000
            seen_sizes.add(size)
        time.sleep(0.05)
    assert writer.returncode == 0, writer.stderr.read()
    assert len(seen_sizes) >= 3  # the searches really ran during the writing
    with NewsIndex.open(index) as ix:
        assert len(ix) == 2000
