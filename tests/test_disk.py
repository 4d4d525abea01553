"""A full disk and a read-only index: a clear error, and the last commit intact.

Both use a small tmpfs mounted for the test (root on Linux); where mounting is
not allowed the tests skip and say so.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsindex import NewsIndex
from newsindex.cli import main

from conftest import CORPUS


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def small_fs(tmp_path: Path):
    mount = tmp_path / "fs"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.decode().strip()}): needs root on Linux")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _seeded(fs: Path) -> Path:
    index = fs / "index"
    result = _run("index", str(CORPUS / "000_7887337d1080e0d6.txt"), str(CORPUS / "001_d111d31f41ebd35a.txt"), "-i", str(index))
    assert result.exit_code == 0, result.output
    return index


def test_full_disk_gives_a_clear_error_and_keeps_the_last_commit(small_fs: Path, tmp_path: Path) -> None:
    index = _seeded(small_fs)
    big = tmp_path / "big"
    big.mkdir()
    for n in range(4):  # more text than 4 MB of index can hold
        shutil.copy(CORPUS / "reut2-000.sgm", big / f"copy{n}.sgm")
    result = _run("index", str(big), "-i", str(index))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "No space left on device" in lines[0] and "as it was at its last commit" in lines[0]
    with NewsIndex.open(index) as ix:
        assert len(ix) == 2
        assert ix.search('"refused to extradite"').total == 2


def test_read_only_index_gives_a_clear_error_and_still_searches(small_fs: Path) -> None:
    index = _seeded(small_fs)
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    result = _run("index", str(CORPUS / "reut2-000.sgm"), "-i", str(index))
    assert result.exit_code == 1
    assert result.output.strip() == f"newsindex: error: {index}: cannot write to the index: Read-only file system"
    assert _run("search", "assad", "-i", str(index)).output.startswith("2 articles match")
    story = _run("story", "000_7887337d1080e0d6", "-i", str(index))  # the story store cannot be opened here: say why
    assert story.exit_code == 1 and "cannot open the story store" in story.output, story.output
    assert "delete it" not in story.output, story.output  # the store is sound: deleting it would be wrong advice


def test_creating_an_index_in_a_read_only_place(small_fs: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    result = _run("index", str(CORPUS / "000_7887337d1080e0d6.txt"), "-i", str(small_fs / "new"))
    assert result.exit_code == 1
    assert result.output.strip() == f"newsindex: error: {small_fs / 'new'}: cannot create an index here: Read-only file system"
