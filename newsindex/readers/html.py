"""Web pages saved from news sites: the article's main text and metadata, via trafilatura.

A saved page is mostly not the article: navigation, cookie banners, share
buttons, related links, comments and footers surround a few paragraphs.
Telling them apart is a research problem of its own, so it is left to
trafilatura, the reference library for main-text extraction, chosen by
measurement on the 17 real pages of ``shared/corpora/html-news`` (headline
right / date right / whole article text / no page furniture in it):
trafilatura 12/16/16/13, readability-lxml 12/0/16/15; readability reads no
dates, authors or site names at all. trafilatura's ``favor_precision`` mode
leaves less furniture (16) but cuts linked words out of sentences ("high for
Joe Biden" becomes "high for ."), so the default mode is used. Extraction
runs on the bytes given, with no network access.

The one thing added on top is the choice of headline (:func:`_headline`):
trafilatura takes the title a page *declares* (``og:title``, JSON-LD), which
is sometimes a social-media variant, carries a `` | Site | date`` suffix, or
is a CMS placeholder; the headline a reader sees is the page's ``<h1>`` when
one tells the same story.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Iterator

from lxml.html import HtmlElement
from trafilatura import bare_extraction, load_html

from ..article import Article
from ..dates import parse_date
from ..errors import DateError, ReadError
from ._fields import hashed_id, language_code, squeeze
from .compressed import inner_name, open_input

# trafilatura and htmldate log what they cannot parse; the reader reports it as a ReadError with the
# file's name, so without this their bare lines ("Document is empty") would be printed beside it.
for _library in ("trafilatura", "htmldate"):
    logging.getLogger(_library).addHandler(logging.NullHandler())

# Dates from the page's markup (meta tags, JSON-LD, <time>, the URL), not guessed from its text: the
# text search found the same dates on the 17 test pages but also dates like "Copyright 2024" on pages
# with none, where a WARC record's fetch date is the better fallback. Keep the time of day when the
# page gives one (htmldate's default output is the day only).
_DATE_PARAMS = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
_WORD = re.compile(r"\w+")
# Share of words an <h1> and a declared title must have in common to be the same headline.
_SAME_HEADLINE = 0.6


class NoArticle(ValueError):
    """The bytes are not a page with article text (not HTML, or no text in it at all)."""


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _similarity(a: str, b: str) -> float:
    wa, wb = _words(a), _words(b)
    return len(wa & wb) / max(len(wa), len(wb), 1)


def _headline(h1s: list[str], declared: list[str]) -> str:
    """The article's headline: the first ``<h1>`` that tells the same story as a declared title.

    ``declared`` is trafilatura's title first, then ``og:title`` and
    ``<title>``. An ``<h1>`` that shares most words with one of them is the
    headline as displayed (it drops suffixes such as `` | DW | 19.01.2020``
    and survives a JSON-LD placeholder such as ``escenic``), unless it merely
    wraps that title in a section name (``Letters to the Editor | Letters:
    ...``), in which case the declared title is the headline. A page whose
    ``<h1>`` is a logo or a menu keeps trafilatura's title.
    """
    for h1 in h1s:
        for title in declared:
            if _similarity(h1, title) >= _SAME_HEADLINE:
                return title if title.lower() in h1.lower() else h1
    return declared[0] if declared else ""


def _page_facts(tree: HtmlElement) -> tuple[list[str], list[str], str]:
    """``<h1>`` texts, other declared titles (``og:title``, ``<title>``) and the ``lang`` of the page.

    Read before extraction, which prunes the tree.
    """
    h1s = [squeeze(h1.text_content()) for h1 in tree.iter("h1")]
    titles = tree.xpath('//meta[@property="og:title"]/@content') + tree.xpath("//head/title/text()")
    lang = tree.get("lang") or next(iter(tree.xpath('//meta[@property="og:locale"]/@content')), "")
    return [h for h in h1s if h], [squeeze(t) for t in titles if t.strip()], language_code(lang)


def _body(text: str) -> str:
    """One paragraph per line, spaces squeezed, blank lines dropped."""
    return "\n".join(line for line in (squeeze(line) for line in text.splitlines()) if line)


def _published(value: str | None, fallback: datetime | None) -> datetime | None:
    if value:
        try:
            return parse_date(value)
        except DateError:
            pass
    return fallback


def extract_article(
    data: bytes, *, origin: str, fallback_id: str, url: str = "", fallback_date: datetime | None = None
) -> Article:
    """The article of one HTML page.

    The id is a hash of the page's canonical URL (else of ``url``, else
    ``fallback_id``), so the same page gets the same id wherever it was saved.
    ``url`` is where the page was fetched (a WARC record's target URI): it
    becomes the article's url, and the canonical URL, if different, goes to
    ``extra``. ``fallback_date`` is used when the page gives no date. Raises
    :class:`NoArticle` when there is no article text to index.
    """
    tree = load_html(data)
    if tree is None:
        raise NoArticle("not an HTML page")
    h1s, declared, lang = _page_facts(tree)
    doc = bare_extraction(
        tree, url=url or None, with_metadata=True, include_comments=False, date_extraction_params=_DATE_PARAMS
    )
    body = _body(doc.text or "") if doc is not None else ""
    if doc is None or not body:
        raise NoArticle("no article text found in the page")
    canonical = doc.url or ""
    extra = {
        "canonical_url": canonical if url and canonical != url else "",
        "description": doc.description or "",
        "categories": [c for c in doc.categories or [] if c],
        "tags": [t for t in doc.tags or [] if t],
    }
    return Article(
        id=hashed_id(canonical or url) if canonical or url else fallback_id,
        title=_headline(h1s, [t for t in (squeeze(doc.title or ""), *declared) if t]),
        body=body,
        published=_published(doc.date, fallback_date),
        source=doc.sitename or "",
        url=url or canonical,
        authors=tuple(a.strip() for a in (doc.author or "").split(";") if a.strip()),
        language=language_code(doc.language) or lang,
        extra={key: value for key, value in extra.items() if value},
        origin=origin,
    )


def read_html(path: str, stream: BinaryIO | None = None) -> Iterator[Article | ReadError]:
    """Read one saved web page as one article, or yield a ReadError saying why it has none.

    Without a canonical URL the id is the file name without extension.
    ``stream`` is the file's bytes when the caller opened it (an archive
    member). Raises OSError if the file cannot be read.
    """
    with open_input(path, stream) as handle:
        data = handle.read()
    try:
        yield extract_article(data, origin=f"{path}:1", fallback_id=Path(inner_name(path)).stem)
    except NoArticle as exc:
        yield ReadError(str(exc), path)
