"""Compressed files and zip archives, read as if they were the files inside them.

Exports and crawls usually arrive as ``feed.jsonl.gz``, ``pages.zip`` or
``crawl.warc.gz``. Decompression is a layer under the readers: a ``.gz``,
``.bz2`` or ``.xz`` file is decompressed while it is read (never to disk or
into memory as a whole), and the name without that suffix decides the
format, so ``feed.jsonl.gz`` is read as JSON Lines. A ``.zip`` is a folder:
its members are read in name order like the files of a directory, each by
its own name.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import zipfile
import zlib
from contextlib import contextmanager
from typing import Any, BinaryIO, Callable, Iterator

from ..limits import DEFAULT_LIMITS, Limits, bounded

_DECOMPRESSORS: dict[str, Callable[[BinaryIO], BinaryIO]] = {
    ".gz": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"),  # type: ignore[return-value]
    ".bz2": lambda raw: bz2.BZ2File(raw, mode="rb"),  # type: ignore[return-value]
    ".xz": lambda raw: lzma.LZMAFile(raw, mode="rb"),  # type: ignore[return-value]
}
ARCHIVE_SUFFIX = ".zip"
# What a truncated or corrupt compressed file raises while it is read (gzip's BadGzipFile is an OSError).
DECOMPRESSION_ERRORS: tuple[type[Exception], ...] = (EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile)


def _compression(name: str) -> str | None:
    suffix = os.path.splitext(name)[1].lower()
    return suffix if suffix in _DECOMPRESSORS else None


def inner_name(name: str) -> str:
    """The name of what a compressed file holds: ``feed.jsonl.gz`` -> ``feed.jsonl``."""
    return os.path.splitext(name)[0] if _compression(name) else name


def file_stem(path: str) -> str:
    """The name an article read from ``path`` is known by (its id, ``FILE-LINE`` ids): the file name
    without its extensions, ``a/feed.jsonl.gz`` -> ``feed``.

    A name that is not UTF-8 (``bad\\xffname.txt`` on a Linux disk reaches Python as a lone
    surrogate, which no UTF-8 text can hold) keeps its odd bytes as ``\\xff``, so two such files
    still get two ids.
    """
    stem = os.path.splitext(os.path.basename(inner_name(path)))[0]
    return stem if stem.isascii() else os.fsencode(stem).decode("utf-8", "backslashreplace")


def is_archive(name: str) -> bool:
    """A zip archive, whose members are read one by one."""
    return name.lower().endswith(ARCHIVE_SUFFIX)


def decompressed(name: str, raw: BinaryIO) -> BinaryIO:
    """``raw`` decompressed on the fly if ``name`` ends with a compression suffix, else ``raw`` itself."""
    suffix = _compression(name)
    return _DECOMPRESSORS[suffix](raw) if suffix else raw


class _Counted(io.RawIOBase):
    """A file whose reads are told to ``progress`` (bytes as stored: compressed for a compressed file)."""

    def __init__(self, raw: BinaryIO, progress: Callable[[int], None]) -> None:
        super().__init__()
        self._raw = raw
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if count:
            self._progress(count)
        return count

    def seekable(self) -> bool:
        return self._raw.seekable()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()


@contextmanager
def open_counted(path: str, progress: Callable[[int], None], limits: Limits = DEFAULT_LIMITS) -> Iterator[BinaryIO]:
    """:func:`open_input` for a file, each read of its stored bytes told to ``progress`` (a progress bar)."""
    with open(path, "rb") as raw, _within(path, io.BufferedReader(_Counted(raw, progress)), raw, limits) as handle:  # type: ignore[arg-type]
        yield handle


@contextmanager
def open_input(path: str, stream: BinaryIO | None = None, limits: Limits = DEFAULT_LIMITS) -> Iterator[BinaryIO]:
    """The bytes a reader reads: ``stream`` when the caller already opened one (an archive member),
    else the file at ``path``, decompressed as its name says, within ``limits.member`` and
    ``limits.ratio`` (:class:`~.limits.LimitExceeded` past them). Raises OSError if it cannot be opened.
    """
    if stream is not None:
        yield stream
        return
    with open(path, "rb") as raw, _within(path, raw, raw, limits) as handle:
        yield handle


@contextmanager
def _within(path: str, source: BinaryIO, raw: BinaryIO, limits: Limits) -> Iterator[BinaryIO]:
    """``source`` (the bytes of the file ``raw``) decompressed as ``path`` says, within ``limits``."""
    if _compression(path) is None:
        yield source
    else:
        with bounded(decompressed(path, source), raw.tell, limits, path) as handle:
            yield handle


def _hidden(member: str) -> bool:
    """Hidden files and folders (``.git/``, ``.DS_Store``) and macOS resource forks (``__MACOSX/``)."""
    return any(part.startswith(".") or part == "__MACOSX" for part in member.split("/"))


def archive_members(path: str, limits: Limits = DEFAULT_LIMITS) -> Iterator[tuple[str, Callable[[], BinaryIO]]]:
    """``(member name, opener)`` for every file of a zip archive, in name order, hidden ones skipped.

    The opener gives the member's bytes, decompressed again if the member is
    itself compressed (``day1.jsonl.gz`` inside ``week.zip``), within
    ``limits.member`` and ``limits.ratio`` of its compressed size. Raises
    OSError or zipfile.BadZipFile if the archive cannot be read.
    """
    with zipfile.ZipFile(path) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir() or _hidden(info.filename):
                continue

            def opener(info: zipfile.ZipInfo = info) -> BinaryIO:
                inner = decompressed(info.filename, archive.open(info))
                return bounded(inner, lambda: info.compress_size, limits, f"{path}!{info.filename}")

            yield info.filename, opener
