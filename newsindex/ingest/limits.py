"""How much of any one thing a reader takes in: memory stays bounded whatever the input.

A hostile or broken input can be one endless line (``/dev/zero`` as JSON
Lines), a 1 GB page in a 1 MB zip, or a gzip bomb. Every reader reads
through these bounds: a line (a JSON Lines record, a CSV row), a record (a
WARC record, a Reuters story), a page (a file read whole: plain text, a web
page, a feed) and a member (the decompressed bytes of one compressed file or
zip member, also at most :attr:`Limits.ratio` times its compressed size,
which stops a bzip2 or xz bomb within its first megabytes instead of its
last terabytes). What goes over is reported with its file and position, skipped,
and the run goes on; a line or record over its bound costs only itself.
Reads go in pieces of at most a few megabytes, so Ctrl-C and SIGTERM are
handled between them even on an endless input.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterator

from ..errors import NewsIndexError, ReadError

MiB = 1 << 20
GiB = 1 << 30

#: Bytes read at a time while an over-long line is skipped.
_SKIP_BYTES = 1 << 20
#: The ratio of a member is judged once this much has come out of it (small files compress oddly).
_RATIO_AFTER = 64 * MiB
#: Bytes decompressed at a time (small reads cost a Python call each, a gigabyte many thousands).
_BUFFER = 1 * MiB


@dataclass(frozen=True)
class Limits:
    """The most a reader takes in of one line, record, page or member, in bytes."""

    #: One line of a line-based format: a JSON Lines record, a CSV or TSV row.
    line: int = 16 * MiB
    #: One record of a multi-record file: a WARC record, a Reuters story.
    record: int = 16 * MiB
    #: A file read whole as one document: a plain-text article, a web page, a feed.
    page: int = 16 * MiB
    #: The decompressed bytes of one compressed file (``.gz``, ``.bz2``, ``.xz``) or zip member.
    member: int = 64 * GiB
    #: A member may also give at most this many bytes per compressed byte. Deflate (gzip, zip)
    #: never gives more than 1,032, so a gzip bomb is only as slow as its size times that; bzip2
    #: and xz can give millions (a kilobyte that decompresses for hours): this stops them.
    ratio: int = 1_100

    def __post_init__(self) -> None:
        for name in ("line", "record", "page", "member", "ratio"):
            if getattr(self, name) < 1:
                raise NewsIndexError(f"the {name} limit must be at least 1, not {getattr(self, name)}")


DEFAULT_LIMITS = Limits()

#: CLI option that raises each limit, named in messages so a user knows what to change.
OPTIONS = {"line": "--max-line", "record": "--max-record", "page": "--max-page", "member": "--max-member"}


class LimitExceeded(ReadError):
    """Input went over one of the :class:`Limits`; it was skipped."""


class MemberExceeded(LimitExceeded):
    """A compressed file or zip member gave more than its limits allow; the rest of it is not read."""


def over(kind: str, limit: int) -> str:
    """The message for something over its limit: ``line over the 16 MiB limit (--max-line)``."""
    return f"{kind} over the {format_size(limit)} limit ({OPTIONS[kind]})"


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_size(text: str) -> int:
    """``16MB``, ``1.5G``, ``512k``, ``1000``: a number of bytes (units are powers of 1,024)."""
    match = _SIZE.match(text)
    if not match:
        raise NewsIndexError(f"not a size: {text!r} (give bytes, or a number with K, M, G or T, as in 64M)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def format_size(size: int) -> str:
    """``16 MiB``, ``64 GiB``, ``1,000 bytes``: a limit as messages show it."""
    for unit, name in ((1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit:,} {name}"
    return f"{size:,} bytes"


class BoundedMember(io.RawIOBase):
    """The decompressed bytes of one member, counted: over :attr:`Limits.member` bytes, or over
    :attr:`Limits.ratio` times what ``compressed()`` says was read of its compressed bytes, it
    raises :class:`MemberExceeded` (the rest of the member is not read)."""

    def __init__(self, inner: BinaryIO, compressed: Callable[[], int], limits: Limits, path: str) -> None:
        super().__init__()
        self._inner = inner
        self._compressed = compressed
        self._limits = limits
        self._path = path
        self.out = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        # One decompression step at a time (read1): a whole read(n) of a truncated file raises at
        # its cut and loses what came out before it, which the reader should still get.
        data = self._inner.read1(len(buffer))
        count = len(data)
        buffer[:count] = data
        self.out += count
        limits = self._limits
        if self.out > limits.member:
            raise MemberExceeded(over("member", limits.member) + "; the rest of it was not read", self._path)
        if self.out > _RATIO_AFTER and self.out > limits.ratio * max(self._compressed(), 1):
            raise MemberExceeded(
                f"decompresses to more than {limits.ratio} times its size (a compression bomb?); "
                f"stopped after {format_size(self.out // MiB * MiB)}", self._path,
            )
        return count

    def close(self) -> None:
        self._inner.close()
        super().close()


def bounded(inner: BinaryIO, compressed: Callable[[], int], limits: Limits, path: str) -> BinaryIO:
    """``inner`` (decompressed bytes) read through :class:`BoundedMember`, buffered."""
    return io.BufferedReader(BoundedMember(inner, compressed, limits, path), _BUFFER)  # type: ignore[return-value]


def read_whole(handle: BinaryIO, limit: int, kind: str, path: str) -> bytes:
    """All of ``handle``, if it is at most ``limit`` bytes; else :class:`LimitExceeded` naming ``kind``."""
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise LimitExceeded(over(kind, limit), path)
    return data


def lines(handle: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """The lines of ``handle``, each at most ``limit`` bytes; ``None`` for a longer one, which is
    read to its end in pieces and dropped (memory holds one line, whatever the input)."""
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:
                rest = handle.readline(_SKIP_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
        else:
            yield line
