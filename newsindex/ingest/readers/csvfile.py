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


def _text_stream(handle: BinaryIO) -> io.TextIOWrapper:
    """``handle`` as text in its detected encoding; undecodable bytes become U+FFFD."""
    sample = handle.read(SAMPLE_BYTES)
    handle.seek(0)
    return io.TextIOWrapper(handle, encoding=detect_encoding(sample), errors="replace", newline="")


def read_csv(
    path: str,
    field_map: Mapping[str, str] | None = None,
    stream: BinaryIO | None = None,
    *,
    delimiter: str = ",",
) -> Iterator[Article | ReadError]:
    """Read a CSV (or, with ``delimiter="\\t"``, TSV) file; yield an Article per row, a ReadError per bad row.

    The first row names the columns. A row with more or fewer fields than the
    header is reported, not guessed at. The id is the row's ``id`` column,
    else a hash of its URL, else ``FILE-LINE``. ``stream`` is the file's
    bytes when the caller opened it (an archive member). Raises OSError if
    the file cannot be read.
    """
    keys = record_keys(field_map or {})
    stem = file_stem(path)
    records = 0
    with open_input(path, stream) as handle:
        text = _text_stream(handle)
        rows = csv.reader(text, delimiter=delimiter)
        header: list[str] | None = None
        while True:
            start = rows.line_num + 1
            try:
                row = next(rows)
            except StopIteration:
                break
            except csv.Error as exc:
                yield ReadError(f"malformed row: {exc}", path, f"line {start}")
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
