"""The one model of a news article that every reader produces and the index stores."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Mapping


#: A UTF-16 surrogate standing alone: JSON's ``"\\udfff"`` and Python's name for a byte of a file
#: name that is not UTF-8 decode to one, and no UTF-8 text (the index, a terminal) can hold it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_TEXT_FIELDS = ("id", "title", "body", "source", "url", "language", "origin")
_LIST_FIELDS = ("authors", "topics", "places")


def valid_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD, as undecodable bytes are."""
    return text if text.isascii() else _LONE_SURROGATE.sub("\ufffd", text)


def is_valid_id(text: str) -> bool:
    """Whether ``text`` can be an article's id: ids are repaired text (:func:`valid_text`), so an id
    holding a lone surrogate (a command-line argument that is not UTF-8) names no article."""
    return text.isascii() or not _LONE_SURROGATE.search(text)


@dataclass(frozen=True)
class Article:
    """A news article, independent of the format it was read from.

    ``published`` is timezone-aware or ``None`` when the source gives no date:
    a date filter never matches an article without a date, rather than
    guessing one. ``extra`` keeps format-specific metadata (Reuters' PEOPLE,
    ORGS, DATELINE, ...) so nothing the source says is thrown away.
    ``origin`` says where the article came from (``path:line``); it is for
    messages and is not part of the content hash, so moving a file does not
    make its articles look changed.
    """

    id: str
    title: str = ""
    body: str = ""
    published: datetime | None = None
    source: str = ""
    url: str = ""
    authors: tuple[str, ...] = ()
    language: str = ""
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    origin: str = ""

    def __post_init__(self) -> None:
        if self.published is not None and self.published.tzinfo is None:
            raise ValueError(f"article {self.id!r}: published must be timezone-aware")
        # Text that is not valid Unicode (lone surrogates) is repaired here, once for every reader
        # and for articles made in Python, as undecodable bytes are: one odd character must not
        # make the article unindexable (its words could not be indexed, nor the text printed).
        # ``extra`` is kept as given (it is stored, never indexed; the hash and the printers cope).
        for name in _TEXT_FIELDS:
            value = getattr(self, name)
            if not value.isascii() and _LONE_SURROGATE.search(value):
                object.__setattr__(self, name, valid_text(value))
        for name in _LIST_FIELDS:
            values = getattr(self, name)
            if not all(v.isascii() for v in values):
                object.__setattr__(self, name, tuple(valid_text(v) for v in values))

    @cached_property
    def content_hash(self) -> str:
        """A digest of everything the article says, to skip re-indexing unchanged articles.

        Worked out once per article (indexing asks twice: to compare, and to store it).
        """
        payload = {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "published": self.published.isoformat() if self.published else None,
            "source": self.source,
            "url": self.url,
            "authors": list(self.authors),
            "language": self.language,
            "topics": list(self.topics),
            "places": list(self.places),
            "extra": self.extra,
        }
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()[:32]
