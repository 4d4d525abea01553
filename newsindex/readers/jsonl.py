"""JSON Lines articles: one JSON object per line, read line by line.

Dumps of news (crawls, Kaggle data sets, API exports) are often gigabytes,
so the file is streamed and memory stays flat. Each line is judged on its
own: a bad line is reported with its number and the next line is read.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..article import Article
from ..errors import ReadError
from ._fields import FieldError, build_article, decode, is_blank, json_type

# Article field -> record keys that commonly hold it, tried in order.
_KEYS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "title": ("title", "headline"),
    "body": ("body", "text", "content"),
    "published": ("date", "published", "published_at", "pubdate"),
    "source": ("source",),
    "url": ("url", "link"),
    "authors": ("authors", "author"),
    "language": ("language", "lang"),
    "topics": ("topics", "tags"),
    "places": ("places",),
}


def _candidate_keys(field_map: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Put the user's key for a field first, so it wins over the usual names when both are present."""
    return {
        field: tuple(dict.fromkeys((field_map[field], *keys) if field in field_map else keys))
        for field, keys in _KEYS.items()
    }


def _fallback_id(url: object, stem: str, number: int) -> str:
    """An id that stays the same when the file is re-read: from the URL, else from the file and line."""
    if isinstance(url, str) and url.strip():
        return "u" + hashlib.sha1(url.strip().encode("utf-8")).hexdigest()[:16]
    return f"{stem}-{number}"


def _article(
    record: dict[str, Any], keys: Mapping[str, tuple[str, ...]], origin: str, stem: str, number: int
) -> Article:
    values: dict[str, Any] = {}
    used: set[str] = set()
    for field, candidates in keys.items():
        key = next((k for k in candidates if not is_blank(record.get(k))), None)
        if key is not None:
            values[field] = record[key]
            used.add(key)
    if "id" not in values:
        values["id"] = _fallback_id(values.get("url"), stem, number)
    extra = {k: v for k, v in record.items() if k not in used and not is_blank(v)}
    return build_article(values, origin=origin, extra=extra)


def read_jsonl(path: str, field_map: Mapping[str, str] | None = None) -> Iterator[Article | ReadError]:
    """Read a JSON Lines file; yield an Article per object and a ReadError per bad line.

    ``field_map`` maps Article field -> record key (``{"title": "headline"}``).
    Keys that no field uses go to ``extra``, so nothing in the record is lost.
    Blank lines are skipped; a file with no records at all is reported as
    empty. Raises OSError if the file cannot be read.
    """
    keys = _candidate_keys(field_map or {})
    stem = Path(path).stem
    records = 0
    with open(path, "rb") as lines:
        for number, raw in enumerate(lines, 1):
            text = decode(raw).strip()
            if not text:
                continue
            records += 1
            position = f"line {number}"
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                yield ReadError(f"invalid JSON: {exc.msg} (column {exc.colno})", path, position)
                continue
            if not isinstance(record, dict):
                yield ReadError(f"expected a JSON object, got {json_type(record)}", path, position)
                continue
            try:
                yield _article(record, keys, f"{path}:{number}", stem, number)
            except FieldError as exc:
                yield ReadError(str(exc), path, position)
    if not records:
        yield ReadError("empty file", path)
