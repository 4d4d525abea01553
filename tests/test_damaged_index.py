"""A damaged index says so, in one line naming the file and what to do (finding 8).

Each kind of damage of the finding is made on a copy of a small index (times
kept, as a backup or ``cp -a`` keeps them), then every command must stop with
one line naming the damaged file, and ``newsindex check`` must name it too
(exit 1); on the sound index it says so (exit 0). A generated corruption of
any file of the index, at any place, is always found by ``check``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsindex import NewsIndex
from newsindex.cli import main
from newsindex.errors import IndexDamagedError
from newsindex.ingest.readers import read_paths

from conftest import CORPUS

ADVICE = "restore the index from a backup, or rebuild it (newsindex index SOURCES --index"


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("damage") / "index"
    articles = [a for a in read_paths([CORPUS / "reut2-000.sgm"])][:60]
    with NewsIndex.create(directory) as ix:
        ix.add(articles[:30], commit_every=None)
        ix.add(articles[30:], commit_every=None)  # two segments, two commits
    return directory


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def _copy(sound: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(sound, copy)  # copy2: modification times kept
    return copy


def _segment(index: Path) -> Path:
    return sorted(index.glob("*.seg"), key=lambda p: p.stat().st_size)[-1]


def _toc(index: Path) -> Path:
    return next(index.glob("_MAIN_*.toc"))


def _truncate(path: Path, size: int) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(size)


def _overwrite(path: Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(data)


DAMAGES = {
    "a truncated .seg": (_segment, lambda p: _truncate(p, p.stat().st_size // 2), "truncated"),
    "random bytes at the end of a .seg": (_segment, lambda p: p.open("ab").write(os.urandom(100)), "longer than written"),
    "a truncated TOC": (_toc, lambda p: _truncate(p, 1000), "truncated"),
    "a garbage TOC": (_toc, lambda p: p.write_bytes(os.urandom(p.stat().st_size)), "checksum mismatch"),
    "a deleted .seg": (_segment, lambda p: p.unlink(), "missing"),
    "4 KB zeroed in the middle of a .seg": (_segment, lambda p: _overwrite(p, p.stat().st_size // 2, bytes(4096)),
                                             "checksum mismatch"),
    "a deleted checksum manifest": (lambda i: next(i.glob("checksums-*.json")), lambda p: p.unlink(), "missing"),
}


@pytest.mark.parametrize("case", list(DAMAGES))
def test_each_damage_is_one_line_naming_the_file(sound: Path, tmp_path: Path, case: str) -> None:
    index = _copy(sound, tmp_path)
    find, damage, problem = DAMAGES[case]
    damaged = find(index)
    damage(damaged)
    more = tmp_path / "more.txt"
    more.write_text("Title: more\n\nAnother article.\n", encoding="utf-8")
    for command in (["search", "oil"], ["stats"], ["show", "reuters-1"], ["timeline", "oil"], ["index", str(more)]):
        result = _run(*command, "-i", str(index))
        assert result.exit_code == 1, (command, result.output)
        lines = result.output.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"newsindex: error: {damaged}: ") and ADVICE in lines[0], lines
        assert problem in lines[0]
    with pytest.raises(IndexDamagedError):
        NewsIndex.open(index)
    checked = _run("check", "-i", str(index))
    assert checked.exit_code == 1 and f"damaged: {damaged}: " in checked.output and ADVICE in checked.output


def test_a_description_that_is_not_an_object(sound: Path, tmp_path: Path) -> None:
    index = _copy(sound, tmp_path)
    (index / "newsindex.json").write_text("[1,2]", encoding="utf-8")
    result = _run("search", "oil", "-i", str(index))
    assert result.exit_code == 1
    assert result.output == f"newsindex: error: {index / 'newsindex.json'}: not the description of an index; {ADVICE} {index} --rebuild)\n"
    assert _run("check", "-i", str(index)).exit_code == 1


def test_a_damaged_story_store_is_named_with_what_to_do(sound: Path, tmp_path: Path) -> None:
    index = _copy(sound, tmp_path)
    (index / "stories.sqlite").write_bytes(os.urandom(8192))
    assert _run("search", "oil", "-i", str(index)).exit_code == 0  # searching does not need the stories
    story = _run("story", "reuters-1", "-i", str(index))
    assert story.exit_code == 1 and "stories.sqlite: cannot open the story store" in story.output
    assert "delete it and run newsindex index again to regroup the stories" in story.output
    checked = _run("check", "-i", str(index))
    assert checked.exit_code == 1 and f"damaged: {index / 'stories.sqlite'}: " in checked.output
    (index / "stories.sqlite").unlink()
    more = tmp_path / "more.txt"
    more.write_text("Title: more\n\nAnother article.\n", encoding="utf-8")
    assert _run("index", str(more), "-i", str(index)).exit_code == 0
    assert _run("check", "-i", str(index)).exit_code == 0
    assert _run("story", "reuters-1", "-i", str(index)).exit_code == 0  # regrouped from the index


def test_check_says_a_sound_index_is_sound_and_bit_rot_is_found_only_by_it(sound: Path, tmp_path: Path) -> None:
    result = _run("check", "-i", str(sound))
    assert result.exit_code == 0 and result.output == f"{sound}: sound (every file matches its checksum)\n"
    index = _copy(sound, tmp_path)
    segment = _segment(index)
    times = segment.stat()
    _overwrite(segment, 5000, bytes(64))
    os.utime(segment, ns=(times.st_atime_ns, times.st_mtime_ns))  # bit rot: contents changed, time not
    assert _run("search", "oil", "-i", str(index)).exit_code in (0, 1)  # the cheap check cannot see it...
    checked = _run("check", "-i", str(index))  # ...the full one does
    assert checked.exit_code == 1 and f"damaged: {segment}: its contents changed" in checked.output


def test_commits_keep_one_manifest_and_a_copy_without_times_still_opens(sound: Path, tmp_path: Path) -> None:
    assert len(list(sound.glob("checksums-*.json"))) == 1
    copy = tmp_path / "copy"
    shutil.copytree(sound, copy, copy_function=shutil.copyfile)  # new times: every file is read whole
    with NewsIndex.open(copy) as ix:
        assert len(ix) == 60


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(["seg", "toc", "manifest", "meta"]), where=st.floats(0, 1),
       junk=st.binary(min_size=1, max_size=64), how=st.sampled_from(["overwrite", "truncate", "append"]))
def test_any_corruption_of_any_file_is_found_and_reported_in_one_line(
    sound: Path, tmp_path_factory: pytest.TempPathFactory, which: str, where: float, junk: bytes, how: str
) -> None:
    index = _copy(sound, tmp_path_factory.mktemp("fuzz"))
    target = {"seg": _segment(index), "toc": _toc(index), "manifest": next(index.glob("checksums-*.json")),
              "meta": index / "newsindex.json"}[which]
    data = target.read_bytes()
    at = int(where * (len(data) - 1))
    changed = {"overwrite": data[:at] + junk + data[at + len(junk):], "truncate": data[:at],
               "append": data + junk}[how]
    if changed == data:
        return
    target.write_bytes(changed)
    for command in (["search", "oil"], ["check"]):
        result = _run(*command, "-i", str(index))
        assert result.exception is None or isinstance(result.exception, SystemExit), (command, result.exception)
        assert "Traceback" not in result.output
        if command == ["check"] and which in ("seg", "toc"):
            assert result.exit_code == 1 and f"damaged: {target}" in result.output
        elif result.exit_code != 0:
            assert result.output.count("\n") <= 2 and str(index) in result.output, result.output


def test_a_language_damaged_in_the_manifest_is_reported_as_damage(sound: Path, tmp_path: Path) -> None:
    """Found by the fuzz test above: one byte of the manifest's language overwritten ("englis ") left
    valid JSON naming no language, and the message did not say which index or that it was damaged."""
    index = _copy(sound, tmp_path)
    manifest = next(index.glob("checksums-*.json"))
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"english"', '"englis "'), encoding="utf-8")
    result = _run("search", "oil", "-i", str(index))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.count("\n") == 1 and f"{index}: damaged" in result.output, result.output
    result = _run("check", "-i", str(index))  # its checksum is sound: what it says is not
    assert result.exit_code == 1 and f"damaged: {manifest}: the language it records ('englis ')" in result.output


def test_a_damaged_table_of_stems_costs_only_its_speed(sound: Path, tmp_path: Path) -> None:
    index = _copy(sound, tmp_path)
    expected = _run("search", "oil", "-i", str(index)).output
    (index / "stems.sqlite").write_bytes(os.urandom(8192))
    assert _run("search", "oil", "-i", str(index)).output == expected  # stemmed by NLTK instead (was a traceback)
    checked = _run("check", "-i", str(index))
    assert checked.exit_code == 1 and f"damaged: {index / 'stems.sqlite'}: " in checked.output
    more = tmp_path / "more.txt"
    more.write_text("Title: more\n\nAnother article.\n", encoding="utf-8")
    added = _run("index", str(more), "-i", str(index))
    assert added.exit_code == 1 and "stems.sqlite: file is not a database; delete it" in added.output
    (index / "stems.sqlite").unlink()
    assert _run("index", str(more), "-i", str(index)).exit_code == 0
    assert _run("check", "-i", str(index)).exit_code == 0
