"""Turning raw field values into an :class:`Article`, shared by every reader.

Every format ends up with "a value for some Article fields" (a header line, a
JSON key, a CSV column, a feed element); checking types, splitting lists and
parsing the date in one place means a ``Date:`` header, a ``"date"`` key and
a ``date`` column are judged by the same rules. Records with named keys (JSON
Lines, CSV) also share how keys are recognised and mapped (:func:`record_article`).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from typing import Any, Mapping

from ..article import Article
from ..dates import DATE_RANGE, in_range, parse_date
from ..languages import language_code
from ...errors import DateError

ARTICLE_FIELDS: tuple[str, ...] = (
    "id", "title", "body", "published", "source", "url",
    "authors", "language", "topics", "places",
)
LIST_FIELDS = frozenset({"authors", "topics", "places"})
_LIST_SEPARATORS = re.compile(r"[,;]")

# Article field -> record keys that commonly hold it, tried in order (JSON Lines keys, CSV columns).
RECORD_KEYS: dict[str, tuple[str, ...]] = {
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


class FieldError(ValueError):
    """A field value cannot be used; ``field`` lets the reader point at the line that gave it."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f")


def looks_binary(data: bytes) -> bool:
    """True for data that is not text: a NUL byte, or many control bytes, near the start.

    Such a file (an image, an archive with the wrong extension) would
    otherwise be indexed as an article full of noise.
    """
    head = data[:8192]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return b"\0" in head or controls > len(head) // 10


def squeeze(text: str) -> str:
    """Collapse runs of whitespace (line breaks in titles, double spaces) into single spaces."""
    return " ".join(text.split())


def json_type(value: object) -> str:
    """Name a value's type the way JSON does, for messages about JSON records."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    return "object"


def is_blank(value: object) -> bool:
    """A missing value: ``None`` or only whitespace, which says nothing about the article."""
    return value is None or (isinstance(value, str) and not value.strip())


def _scalar(field: str, value: object) -> str:
    # Exports such as NewsAPI's write named things as objects: {"id": "bbc-news", "name": "BBC News"}.
    if isinstance(value, Mapping) and isinstance(value.get("name"), str):
        value = value["name"]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FieldError(field, f"{field}: expected text, got {json_type(value)}")
    return str(value).strip()


def split_list(field: str, value: object) -> tuple[str, ...]:
    """A list field from a list of values, or from one string separated by ``,`` or ``;``.

    Items of a real list are not split again: ``["Smith, John"]`` is one author.
    """
    if isinstance(value, (list, tuple)):
        items = [_scalar(field, item) for item in value]
    else:
        items = [part.strip() for part in _LIST_SEPARATORS.split(_scalar(field, value))]
    return tuple(item for item in items if item)


def _published(value: object) -> datetime | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A Unix timestamp, in seconds or (as JavaScript writes them) milliseconds.
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            return in_range(datetime.fromtimestamp(seconds, tz=timezone.utc))
        except (OverflowError, OSError, ValueError, DateError):
            raise FieldError("published", f"bad date: timestamp {value} is out of range ({DATE_RANGE})") from None
    text = _scalar("published", value)
    if not text:
        return None
    try:
        return parse_date(text)
    except DateError as exc:
        raise FieldError("published", f"bad date: {exc}") from None


def build_article(
    values: Mapping[str, object], *, origin: str, extra: Mapping[str, Any] | None = None
) -> Article:
    """Build an Article from raw values keyed by Article field name (``id`` required).

    ``None`` values are treated as absent. Raises :class:`FieldError` naming
    the field when a value has the wrong type or the date cannot be read.
    """
    fields: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if name in LIST_FIELDS:
            fields[name] = split_list(name, value)
        elif name == "published":
            fields[name] = _published(value)
        else:
            fields[name] = _scalar(name, value)
    fields["title"] = squeeze(fields.get("title", ""))
    if "language" in fields:
        fields["language"] = language_code(fields["language"])
    return Article(**fields, extra=dict(extra or {}), origin=origin)


def hashed_id(key: str) -> str:
    """A short, stable id for an article known by a URL or a feed guid: ``u`` + 16 hex digits of its SHA-1.

    Stable across runs and machines, so re-indexing the same page, record
    or feed item updates it instead of adding it again.
    """
    return "u" + hashlib.sha1(key.strip().encode("utf-8")).hexdigest()[:16]


def record_keys(field_map: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """The keys to try per field, the user's key for a field first, so it wins over the usual names."""
    return {
        field: tuple(dict.fromkeys((field_map[field], *keys) if field in field_map else keys))
        for field, keys in RECORD_KEYS.items()
    }


def record_article(
    record: Mapping[str, Any], keys: Mapping[str, tuple[str, ...]], *, origin: str, fallback_id: str
) -> Article:
    """Build an Article from a record with named keys (a JSON object, a CSV row).

    Each field takes the first non-blank key of ``keys`` (see
    :func:`record_keys`). The id is the record's own, else a hash of its
    URL, else ``fallback_id``. Keys that no field uses go to ``extra``, so
    nothing in the record is lost. Raises :class:`FieldError` naming the field
    when a value cannot be used.
    """
    values: dict[str, Any] = {}
    used: set[str] = set()
    for field, candidates in keys.items():
        key = next((k for k in candidates if not is_blank(record.get(k))), None)
        if key is not None:
            values[field] = record[key]
            used.add(key)
    if "id" not in values:
        url = values.get("url")
        values["id"] = hashed_id(url) if isinstance(url, str) else fallback_id
    extra = {k: v for k, v in record.items() if k not in used and not is_blank(v)}
    return build_article(values, origin=origin, extra=extra)
