"""Checksums of an index's files, written at every commit and checked when the index is opened.

Whoosh writes no checksums: a truncated segment gave a bare ``Aborted!``,
bytes appended to one a ``KeyError``, a zeroed block in the middle wrong
answers and no error at all. So, as Lucene's codec footers do, every file a
commit makes gets a CRC-32, recorded with its size in a manifest of that
commit's generation (``checksums-N.json`` beside ``_MAIN_N.toc``), written
before the table of contents is renamed into place: when a generation is
visible, its checksums are there.

Opening an index checks it cheaply: the manifest is there, every file it
names is there with its size, the table of contents (a few kilobytes) has
its checksum, and a file whose modification time differs from the one
recorded is read whole and checked (files are never rewritten, so a changed
time means something else wrote it: that is how a zeroed block is found).
:func:`verify` with ``full=True`` (``newsindex check``) reads every file.
Each damage is one :class:`Damage` naming the file, which the facade turns
into one line saying what to do.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from whoosh.filedb.filestore import RamStorage
from whoosh.index import TOC, clean_files

#: Name of the manifest of generation N.
MANIFEST = "checksums-{generation}.json"
_MANIFEST = re.compile(r"^checksums-(\d+)\.json$")
#: What a commit killed half-way leaves: a manifest or a table of contents not yet renamed into place.
_LEFTOVER = re.compile(r"^(checksums-\d+\.tmp|_\w+_\d+\.toc\.\d+\.tmp)$")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileSum:
    """What a file was when its commit wrote it."""

    size: int
    crc32: int
    #: Its modification time then (0: unknown, check the file whole every time).
    mtime_ns: int = 0


@dataclass(frozen=True)
class Damage:
    """One damaged file of an index: its name in the index directory and what is wrong with it."""

    name: str
    problem: str


def file_sum(path: Path, mtime_ns: int | None = None) -> FileSum:
    """The size and CRC-32 of a file, read whole."""
    crc = size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
    return FileSum(size, crc, os.stat(path).st_mtime_ns if mtime_ns is None else mtime_ns)


def manifest_path(directory: Path, generation: int) -> Path:
    return directory / MANIFEST.format(generation=generation)


@dataclass(frozen=True)
class Manifest:
    """A generation's file sums, and how its text was analysed (its language and schema fingerprint,
    kept here so that they change with the table of contents, atomically, when an index is rebuilt)."""

    files: dict[str, FileSum]
    language: str | None = None
    fingerprint: str | None = None


def read_manifest(directory: Path, generation: int) -> Manifest | None:
    """The manifest of a generation; None when it is missing; ValueError if it is unreadable."""
    try:
        raw: Any = json.loads(manifest_path(directory, generation).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # unreadable, not UTF-8, not JSON
        raise ValueError(str(exc)) from None
    if not isinstance(raw, dict) or raw.get("generation") != generation or not isinstance(raw.get("files"), dict):
        raise ValueError("not a manifest of this generation")
    try:
        files = {name: FileSum(*entry) for name, entry in raw["files"].items()}
    except TypeError:
        raise ValueError("malformed entries") from None
    return Manifest(files, raw.get("language"), raw.get("fingerprint"))


def write_manifest(
    directory: Path, generation: int, toc_name: str, toc_crc32: int, toc_size: int, files: Iterable[str],
    known: Manifest,
) -> None:
    """Record the sums of a generation: its table of contents and ``files``, those ``known`` (from the
    last generation: unchanged size and time) taken as they are, new ones read whole; and ``known``'s
    language and fingerprint."""
    sums: dict[str, FileSum] = {toc_name: FileSum(toc_size, toc_crc32)}
    for name in files:
        path = directory / name
        status = os.stat(path)
        old = known.files.get(name)
        fresh = old is not None and old.size == status.st_size and old.mtime_ns == status.st_mtime_ns
        sums[name] = old if fresh and old is not None else file_sum(path, status.st_mtime_ns)
    text = json.dumps({
        "generation": generation, "language": known.language, "fingerprint": known.fingerprint,
        "files": {n: [s.size, s.crc32, s.mtime_ns] for n, s in sums.items()},
    }, indent=1)
    final = manifest_path(directory, generation)
    temporary = final.with_suffix(".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, final)


def commit_toc(
    storage: Any, indexname: str, toc: TOC, segments: list, known: Manifest | None = None,  # type: ignore[type-arg]
) -> None:
    """Whoosh's commit point with checksums: the table of contents is made in memory, the manifest
    of its generation written, then the table renamed into place and unused files cleaned, as
    ``SegmentWriter._commit_toc`` does. ``known``: sums of files already read and the description
    to record (by default the last generation's)."""
    directory = Path(storage.folder)
    memory = RamStorage()
    toc.write(memory, indexname)
    name = TOC._filename(indexname, toc.generation)
    data = bytes(memory.files[name])
    files = [f for segment in segments for f in segment.list_files(storage)]
    write_manifest(directory, toc.generation, name, zlib.crc32(data), len(data), files,
                   known or last_manifest(directory, toc.generation))
    temporary = f"{name}.{os.getpid()}.tmp"
    with storage.create_file(temporary) as stream:
        stream.write(data)
    storage.rename_file(temporary, name, safe=True)
    clean_files(storage, indexname, toc.generation, segments)
    remove_other_manifests(directory, toc.generation)


def sum_new_index(directory: Path, indexname: str, language: str, fingerprint: str) -> None:
    """The manifest of a newly created index (generation 0: a table of contents, no segments)."""
    name = TOC._filename(indexname, 0)
    toc = file_sum(directory / name, 0)
    write_manifest(directory, 0, name, toc.crc32, toc.size, [], Manifest({}, language, fingerprint))
    remove_other_manifests(directory, 0)


def last_manifest(directory: Path, generation: int) -> Manifest:
    """The manifest of the last generation before ``generation`` (empty if there is none readable)."""
    found = [int(m.group(1)) for p in directory.iterdir() if (m := _MANIFEST.match(p.name))]
    before = [g for g in found if g < generation]
    try:
        return (read_manifest(directory, max(before)) if before else None) or Manifest({})
    except ValueError:
        return Manifest({})


def remove_other_manifests(directory: Path, generation: int) -> None:
    """Delete the manifests of other generations (their files are gone or going), and what a
    commit killed half-way left (the caller holds the write lock: no commit is under way)."""
    for path in directory.iterdir():
        found = _MANIFEST.match(path.name)
        if (found and int(found.group(1)) != generation) or _LEFTOVER.match(path.name):
            try:
                path.unlink()
            except OSError:
                pass  # the next commit tries again


def verify(directory: Path, generation: int, full: bool = False) -> list[Damage]:
    """What is damaged in generation ``generation`` of the index in ``directory`` (empty: nothing).

    Cheap unless ``full``: a file is read whole only when it is the table of
    contents or its modification time is not the one recorded.
    """
    name = MANIFEST.format(generation=generation)
    try:
        manifest = read_manifest(directory, generation)
    except ValueError as exc:
        return [Damage(name, f"the checksums of the index's files are unreadable ({exc})")]
    if manifest is None:
        return [Damage(name, "the checksums of the index's files are missing")]
    damaged = []
    for file, expected in sorted(manifest.files.items()):
        problem = _problem(directory / file, expected, full)
        if problem:
            damaged.append(Damage(file, problem))
    return damaged


def _problem(path: Path, expected: FileSum, full: bool) -> str | None:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if status.st_size != expected.size:
        shorter = status.st_size < expected.size
        return (f"{'truncated' if shorter else 'longer than written'}: {status.st_size:,} bytes, "
                f"{expected.size:,} written")
    if full or not expected.mtime_ns or status.st_mtime_ns != expected.mtime_ns:
        try:
            actual = file_sum(path, 0)
        except OSError as exc:
            return f"unreadable ({exc.strerror or exc})"
        if actual.crc32 != expected.crc32:
            return "its contents changed since it was written (checksum mismatch)"
    return None
