"""The one model of a news article that every reader produces and the index stores."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Mapping


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
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]
