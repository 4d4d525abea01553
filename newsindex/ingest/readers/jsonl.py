"""JSON Lines articles: one JSON object per line, read line by line.

Dumps of news (crawls, Kaggle data sets, API exports) are often gigabytes,
so the file is streamed and memory stays flat. Each line is judged on its
own: a bad line is reported with its number and the next line is read.
"""

from __future__ import annotations

import json
import sys
from typing import BinaryIO, Iterator, Mapping

from ..article import Article
from ...errors import ReadError
from ._fields import FieldError, json_type, record_article, record_keys
from .compressed import file_stem, open_input
from ..limits import DEFAULT_LIMITS, LimitExceeded, Limits, lines, over


def _integer(digits: str) -> int | str:
    """A JSON integer; one longer than Python converts (``sys.get_int_max_str_digits()``, a guard
    against quadratic time) is kept as its digits, so a 5,000-digit number loses neither the record
    nor the lines after it."""
    limit = sys.get_int_max_str_digits()
    return digits if limit and len(digits.lstrip("-")) > limit else int(digits)


def read_jsonl(
    path: str, field_map: Mapping[str, str] | None = None, stream: BinaryIO | None = None,
    *, limits: Limits = DEFAULT_LIMITS,
) -> Iterator[Article | ReadError]:
    """Read a JSON Lines file; yield an Article per object and a ReadError per bad line.

    ``field_map`` maps Article field -> record key (``{"title": "headline"}``).
    Keys that no field uses go to ``extra``, so nothing in the record is lost.
    The id is the record's ``id``, else a hash of its URL, else ``FILE-LINE``.
    Blank lines are skipped; a file with no records at all is reported as
    empty. A line longer than ``limits.line`` is reported and skipped.
    ``stream`` is the file's bytes when the caller opened it (an archive
    member); otherwise ``path`` is opened. Raises OSError if the file cannot
    be read.
    """
    keys = record_keys(field_map or {})
    stem = file_stem(path)
    records = 0
    with open_input(path, stream, limits) as handle:
        for number, raw in enumerate(lines(handle, limits.line), 1):
            if raw is None:
                records += 1
                yield LimitExceeded(over("line", limits.line), path, f"line {number}")
                continue
            # JSON is UTF-8 by definition (RFC 8259), and one line is too short to guess another
            # encoding from reliably: invalid bytes become U+FFFD and the record is kept.
            text = raw.decode("utf-8-sig", errors="replace").strip()
            if not text:
                continue
            records += 1
            position = f"line {number}"
            try:
                record = json.loads(text, parse_int=_integer)
            except json.JSONDecodeError as exc:
                yield ReadError(f"invalid JSON: {exc.msg} (column {exc.colno})", path, position)
                continue
            except RecursionError:
                yield ReadError("invalid JSON: nested too deeply", path, position)
                continue
            if not isinstance(record, dict):
                yield ReadError(f"expected a JSON object, got {json_type(record)}", path, position)
                continue
            try:
                yield record_article(record, keys, origin=f"{path}:{number}", fallback_id=f"{stem}-{number}")
            except FieldError as exc:
                yield ReadError(str(exc), path, position)
    if not records:
        yield ReadError("empty file", path)
