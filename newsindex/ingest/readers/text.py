"""Plain-text articles: one article per file, with an optional ``Key: value`` header.

A header is recognised only when the very first line is a known ``Key:``
line, so that an ordinary article whose first sentence happens to contain a
colon is not mistaken for metadata. Without a header the first non-empty
line is the title, which is how saved or pasted articles usually look.
"""

from __future__ import annotations

import re
from typing import Any, BinaryIO, Iterator

from ..article import Article
from ...errors import ReadError
from ._encoding import decode
from ._fields import LIST_FIELDS, FieldError, build_article, looks_binary, split_list
from .compressed import file_stem, open_input
from ..limits import DEFAULT_LIMITS, Limits, read_whole

# Header key (lower case) -> Article field.
_HEADER_KEYS = {
    "title": "title",
    "date": "published",
    "source": "source",
    "url": "url",
    "author": "authors",
    "language": "language",
    "topics": "topics",
    "places": "places",
    "id": "id",
}
_HEADER_LINE = re.compile(r"^([A-Za-z]+)[ \t]*:[ \t]*(.*?)\s*$")


def _header_field(line: str) -> tuple[str, str] | None:
    match = _HEADER_LINE.match(line)
    if match is None or match.group(1).lower() not in _HEADER_KEYS:
        return None
    return _HEADER_KEYS[match.group(1).lower()], match.group(2)


def _parse_header(lines: list[str]) -> tuple[dict[str, Any], dict[str, int], int]:
    """Return the header's values, the line number of each field, and how many lines it used.

    The header is the run of known ``Key:`` lines at the top, normally ended
    by a blank line. List fields accumulate over repeated keys (``Author:``
    twice gives two authors); other fields keep the last value.
    """
    values: dict[str, Any] = {}
    line_of: dict[str, int] = {}
    used = 0
    for number, line in enumerate(lines, 1):
        parsed = _header_field(line)
        if parsed is None:
            break
        field, value = parsed
        if field in LIST_FIELDS:
            values.setdefault(field, []).extend(split_list(field, value))
        else:
            values[field] = value
        line_of[field] = number
        used = number
    return values, line_of, used


def read_text(
    path: str, stream: BinaryIO | None = None, *, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Article | ReadError]:
    """Read one plain-text article, or yield a ReadError saying why it cannot be indexed.

    The id is the header's ``ID`` or else the file name without extension
    (and without ``.gz`` and the like), so re-reading the same file gives the
    same id. ``stream`` is the file's bytes when the caller opened it (an
    archive member). Raises OSError if the file cannot be opened
    (:func:`newsindex.ingest.readers.read_paths` reports it), and
    :class:`~.limits.LimitExceeded` for a file over ``limits.page``.
    """
    with open_input(path, stream, limits) as handle:
        data = read_whole(handle, limits.page, "page", path)
    if looks_binary(data):
        yield ReadError("binary data, not text", path)
        return
    text = decode(data)
    if not text.strip():
        yield ReadError("empty file", path)
        return
    lines = text.splitlines()
    values, line_of, used = _parse_header(lines)
    rest = lines[used:]
    if not used:
        first = next(i for i, line in enumerate(rest) if line.strip())
        values["title"] = rest[first]
        rest = rest[first + 1:]
    values["body"] = "\n".join(rest).strip()
    values["id"] = values.get("id") or file_stem(path)
    try:
        yield build_article(values, origin=f"{path}:1")
    except FieldError as exc:
        yield ReadError(str(exc), path, f"line {line_of.get(exc.field, 1)}")
