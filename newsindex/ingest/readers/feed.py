"""RSS and Atom feeds: one article per item or entry, read with feedparser.

Feeds come in a dozen dialects (RSS 0.9x, 1.0 and 2.0, Atom 0.3 and 1.0),
many of them malformed, with dates in every format; feedparser is the
standard library that copes with all of that (and with undeclared or wrong
encodings). It parses a whole document at once, so a feed is held in
memory: feeds are small (one page of recent items), unlike dumps.

An item's text is its full content when the feed carries it, else its
summary: many feeds give only a teaser, and a teaser is still worth finding.
The id is a hash of the item's guid (else its link), which a feed keeps the
same across fetches, so re-reading tomorrow's copy of a feed updates the
items it already had.
"""

from __future__ import annotations

import calendar
import time
from datetime import datetime, timezone
from typing import Any, BinaryIO, Iterator

import feedparser
import lxml.html
from lxml.etree import ParserError

from ..article import Article
from ..dates import in_range
from ...errors import DateError, ReadError
from ..languages import language_code
from ._fields import hashed_id, squeeze
from .compressed import file_stem, open_input
from ..limits import DEFAULT_LIMITS, Limits, read_whole

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Elements after which an HTML fragment's text starts a new line.
_BLOCKS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "pre"})


def _fragment_text(markup: str) -> str:
    """The text of an HTML fragment (a feed's summary or content), one block per line."""
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except ParserError:
        return ""
    for element in root.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    lines = (squeeze(line) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _text(detail: Any) -> str:
    """Plain text of a feedparser text construct, whether the feed sent it as HTML or as text."""
    if not detail or not detail.get("value"):
        return ""
    if detail.get("type") in _HTML_TYPES:
        return _fragment_text(detail["value"])
    return "\n".join(line for line in (squeeze(line) for line in detail["value"].splitlines()) if line)


def _first(entry: Any, *keys: str) -> Any:
    """The first of ``keys`` the item really has. (feedparser answers a missing ``updated`` with
    ``published`` and a DeprecationWarning; reading the dict itself avoids both.)"""
    return next((value for value in (dict.get(entry, key) for key in keys) if value), None)


def _published(entry: Any) -> datetime | None:
    """The item's date, as feedparser reads it (in UTC); None when it has none, or it cannot be read
    or lies outside the dates an index accepts (the item is then reported as having a bad date)."""
    parsed: time.struct_time | None = _first(entry, "published_parsed", "updated_parsed")
    if not parsed:
        return None
    try:
        return in_range(datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc))
    except (DateError, OverflowError, OSError, ValueError):
        return None


def _article(entry: Any, feed: Any, origin: str, fallback_id: str) -> Article:
    content = entry.get("content") or []
    body = _text(content[0]) if content else ""
    guid, link = entry.get("id", ""), entry.get("link", "")
    authors = [a.get("name", "") for a in entry.get("authors", [])] or [entry.get("author", "")]
    return Article(
        id=hashed_id(guid or link) if guid or link else fallback_id,
        title=squeeze(_text(entry.get("title_detail"))),
        body=body or _text(entry.get("summary_detail")),
        published=_published(entry),
        source=squeeze(feed.get("title", "")),
        url=link,
        authors=tuple(squeeze(a) for a in authors if a and a.strip()),
        language=language_code(feed.get("language")),
        topics=tuple(squeeze(t["term"]) for t in entry.get("tags", []) if t.get("term")),
        extra={"guid": guid} if guid and guid != link else {},
        origin=origin,
    )


def read_feed(
    path: str, stream: BinaryIO | None = None, *, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Article | ReadError]:
    """Read an RSS or Atom feed; yield an Article per item and a ReadError per unusable item.

    A file that is XML but not a feed (a sitemap, an SVG, a config file) is
    one ReadError "not a feed". An item with neither a title nor any text, or
    whose date is given but cannot be read, is reported as ``item N``.
    ``stream`` is the file's bytes when the caller opened it (an archive
    member). Raises OSError if the file cannot be read, and
    :class:`~.limits.LimitExceeded` for a feed over ``limits.page``.
    """
    with open_input(path, stream, limits) as handle:
        parsed = feedparser.parse(read_whole(handle, limits.page, "page", path))
    if not parsed.version:
        problem = parsed.get("bozo_exception")
        detail = f" ({problem})" if problem else ""
        yield ReadError(f"not a feed: no RSS or Atom document found{detail}", path)
        return
    stem = file_stem(path)
    for number, entry in enumerate(parsed.entries, 1):
        position = f"item {number}"
        article = _article(entry, parsed.feed, f"{path}:{position}", f"{stem}-{number}")
        if not article.title and not article.body:
            yield ReadError("item has no title and no text", path, position)
        elif article.published is None and _first(entry, "published", "updated"):
            yield ReadError(f"bad date: {_first(entry, 'published', 'updated')!r}", path, position)
        else:
            yield article
    if not parsed.entries:
        yield ReadError("feed has no items", path)
