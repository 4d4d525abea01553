"""CSV and TSV exports: one article per row, columns named by a header row.

Spreadsheets, databases and news APIs export tables; their columns are
recognised exactly as JSON Lines keys are (``title``/``headline``,
``body``/``text``, ``date``, ...), and ``--map`` maps other names, because
both go through the same record mapping (:func:`._fields.record_article`).
The file is streamed row by row; rows may span lines (quoted line breaks),
and each bad row is reported with the line it starts on. Spreadsheet
exports are often in a legacy code page, so the encoding is detected from
the first 64 KB.
"""

from __future__ import annotations

import csv
import io
from typing import BinaryIO, Iterator, Mapping

from ..article import Article
from ...errors import ReadError
from ._encoding import SAMPLE_BYTES, detect_encoding
from ._fields import FieldError, record_article, record_keys
from .compressed import file_stem, open_input
from ..limits import DEFAULT_LIMITS, LimitExceeded, Limits, over


class _Replay(io.RawIOBase):
    """``head``, already read from ``rest``, then the rest of ``rest``: the encoding is guessed from
    a sample without seeking back, so a pipe or a compressed stream is read once."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._head:
            count = min(len(buffer), len(self._head))
            buffer[:count], self._head = self._head[:count], self._head[count:]
            return count
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _text_stream(handle: BinaryIO) -> io.TextIOWrapper:
    """``handle`` as text in its detected encoding; undecodable bytes become U+FFFD."""
    sample = handle.read(SAMPLE_BYTES)
    replay = io.BufferedReader(_Replay(sample, handle))
    return io.TextIOWrapper(replay, encoding=detect_encoding(sample), errors="replace", newline="")  # type: ignore[arg-type]


class _RowTooLong(Exception):
    pass


class _Lines:
    """The lines of the text for ``csv.reader``, counted, and bounded per row: a row (all its lines,
    when quoted fields span several) longer than ``limit`` characters raises :class:`_RowTooLong`
    after its last line is read to its end in pieces, and ``csv.reader`` starts afresh after it."""

    def __init__(self, text: io.TextIOWrapper, limit: int) -> None:
        self._text = text
        self._limit = limit
        self.number = 0  # physical lines read so far
        self.row = 0  # characters of the row being read

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        line = self._text.readline(self._limit + 1)
        if not line:
            raise StopIteration
        self.number += 1
        self.row += len(line)
        if self.row > self._limit:
            while not line.endswith(("\n", "\r")):
                line = self._text.readline(_SKIP_CHARS)
                if not line:
                    break
            raise _RowTooLong
        return line


_SKIP_CHARS = 1 << 20


def read_csv(
    path: str,
    field_map: Mapping[str, str] | None = None,
    stream: BinaryIO | None = None,
    *,
    delimiter: str = ",",
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[Article | ReadError]:
    """Read a CSV (or, with ``delimiter="\\t"``, TSV) file; yield an Article per row, a ReadError per bad row.

    The first row names the columns. A row with more or fewer fields than the
    header is reported, not guessed at. The id is the row's ``id`` column,
    else a hash of its URL, else ``FILE-LINE``. A field may be as long as a
    row, and a row (with its quoted line breaks) at most ``limits.line``
    characters: a longer one is reported and skipped. ``stream`` is the
    file's bytes when the caller opened it (an archive member). Raises
    OSError if the file cannot be read.
    """
    keys = record_keys(field_map or {})
    stem = file_stem(path)
    records = 0
    # csv's own bound on a field (128 KiB by default, process-wide) would refuse a long article;
    # rows are bounded here instead, so the field bound only needs to be as large.
    csv.field_size_limit(max(csv.field_size_limit(), limits.line))
    with open_input(path, stream, limits) as handle:
        text = _text_stream(handle)
        lines = _Lines(text, limits.line)
        rows = csv.reader(lines, delimiter=delimiter)
        header: list[str] | None = None
        while True:
            start = lines.number + 1
            lines.row = 0
            try:
                row = next(rows)
            except StopIteration:
                break
            except csv.Error as exc:
                yield ReadError(f"malformed row: {exc}", path, f"line {start}")
                continue
            except _RowTooLong:
                yield LimitExceeded(over("line", limits.line), path, f"line {start}")
                continue
            if not any(field.strip() for field in row):
                continue
            if header is None:
                header = [name.strip() for name in row]
                continue
            records += 1
            if len(row) != len(header):
                yield ReadError(f"{len(row)} fields, but the header names {len(header)}", path, f"line {start}")
                continue
            record = {name: value for name, value in zip(header, row) if name}
            try:
                yield record_article(record, keys, origin=f"{path}:{start}", fallback_id=f"{stem}-{start}")
            except FieldError as exc:
                yield ReadError(str(exc), path, f"line {start}")
        text.detach()  # leave closing the bytes to open_input
    if header is None:
        yield ReadError("empty file", path)
    elif not records:
        yield ReadError("no rows below the header", path)
