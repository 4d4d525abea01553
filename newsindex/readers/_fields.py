"""Turning raw field values into an :class:`Article`, shared by the text and JSON Lines readers.

Both formats end up with "a value for some Article fields" (a header line, a
JSON key); checking types, splitting lists and parsing the date in one place
means a ``Date:`` header and a ``"date"`` key are judged by the same rules.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Mapping

from ..article import Article
from ..dates import parse_date
from ..errors import DateError

ARTICLE_FIELDS: tuple[str, ...] = (
    "id", "title", "body", "published", "source", "url",
    "authors", "language", "topics", "places",
)
LIST_FIELDS = frozenset({"authors", "topics", "places"})
_LIST_SEPARATORS = re.compile(r"[,;]")


class FieldError(ValueError):
    """A field value cannot be used; ``field`` lets the reader point at the line that gave it."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def decode(data: bytes) -> str:
    """Decode UTF-8 (tolerating a BOM); on invalid bytes replace them rather than lose the article."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("utf-8-sig", errors="replace")


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
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise FieldError("published", f"bad date: timestamp {value} is out of range") from None
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
    return Article(**fields, extra=dict(extra or {}), origin=origin)
