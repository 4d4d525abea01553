"""Web pages saved from news sites: the article's main text and metadata, via trafilatura.

A saved page is mostly not the article: navigation, cookie banners, share
buttons, related links, comments and footers surround a few paragraphs.
Telling them apart is a research problem of its own, so it is left to
trafilatura, the reference library for main-text extraction, chosen by
measurement on the 17 real pages of ``shared/corpora/html-news`` (headline
right / date right / whole article text / no page furniture in it):
trafilatura 12/16/16/13, readability-lxml 12/0/16/15; readability reads no
dates, authors or site names at all. trafilatura's ``favor_precision`` mode
leaves less furniture but cuts linked words out of sentences ("high for Joe
Biden" becomes "high for ."), and ``favor_recall`` brings none of the
missing text back, so the default mode is used. Extraction runs on the bytes
given, with no network access.

On top of trafilatura come a few rules, each about how pages are built, never
about one site (the tests in ``tests/test_formats.py`` measure them on the 17
pages; see ``PAGES`` there):

- **Headline** (:func:`html_metadata.choose_headline`): the page's ``<h1>``
  when it tells the same story as a declared title (``og:title``, JSON-LD),
  which is sometimes a social-media variant, carries a `` | Site | date``
  suffix or is a CMS placeholder.
- **Published date** (:func:`html_metadata.published_value`): what the page
  declares as its first publication (JSON-LD ``datePublished`` of the article,
  then ``article:published_time`` and its kin, then
  ``itemprop="datePublished"``) before htmldate's choice, which can be a
  revision date.
- **Authors** (:func:`html_metadata.find_authors`): people named by the
  article's JSON-LD, the author meta tags, trafilatura, then the byline near
  the headline (an element whose class or id says byline/author, a labelled
  line such as ``Author: ...``, a link to an author page), each cleaned: no
  ``By``, no organisation or site names, no role words (``Staff Writer``,
  ``Letters to the Editor``), lists split at ``and``/``,``/``;``.
- **Page furniture** (:func:`html_text.without_furniture`,
  :func:`html_text.refine`): elements whose class or id says gallery, cookie,
  newsletter, share, related or promo are pruned before extraction
  (trafilatura's own list misses some, and its fallback extractors apply
  none); paragraphs that only point elsewhere (:func:`html_text._pointer`:
  ``MORE: <link>``, a paragraph that is mostly one link, an emphasised "click
  here" note with a link) are dropped, and so are the headline and the byline
  repeated at the top of the text, and what ends it without being text:
  headings with nothing under them (print pull quotes) and credit lines
  (``Auteur : ...``).
- **Split text** (:func:`html_text.sibling_blocks`, :func:`_more_text`): when
  the text trafilatura chose is one of several blocks of the same kind in the
  same article (a newsletter's stories, an article cut by ads), the other
  blocks are extracted too.
- **Paragraphs**: one line each; the HTML source's own line breaks inside a
  paragraph are spaces (a ``<br>`` still starts a new line).

Each rule is guarded: if one fails on an odd page, the article keeps what
trafilatura gave rather than being lost; a page that trafilatura itself
cannot take is a :class:`NoArticle` (a ReadError for that file or WARC
record), never an exception that ends the run.

This module runs trafilatura and puts the article together; the rules live in
:mod:`newsindex.ingest.readers.html_metadata` (what the page declares: headline, date,
authors) and :mod:`newsindex.ingest.readers.html_text` (what is kept of the text).
"""

from __future__ import annotations

import logging
import re
from copy import deepcopy
from datetime import datetime
from typing import Any, BinaryIO, Iterator

import lxml.html
from lxml.html import HtmlElement
from trafilatura import bare_extraction, load_html

from ..article import Article
from ...errors import ReadError
from ..languages import language_code
from ._fields import hashed_id, squeeze
from .compressed import file_stem, open_input
from ..limits import DEFAULT_LIMITS, Limits, read_whole
from .html_metadata import SAME_HEADLINE, Page, choose_headline, published_date, published_value, similarity
from .html_metadata import find_authors as _authors  # under this name tests/test_formats.py makes it fail
from .html_text import common_ancestor, furniture_texts, render, sibling_blocks, text_container, without_furniture
from .html_text import refine as _refine  # under this name tests/test_formats.py makes it fail

log = logging.getLogger(__name__)

# trafilatura and htmldate log what they cannot parse; the reader reports it as a ReadError with the
# file's name, so without this their bare lines ("Document is empty") would be printed beside it.
for _library in ("trafilatura", "htmldate"):
    logging.getLogger(_library).addHandler(logging.NullHandler())

# Dates from the page's markup (meta tags, JSON-LD, <time>, the URL), not guessed from its text: the
# text search found the same dates on the 17 test pages but also dates like "Copyright 2024" on pages
# with none, where a WARC record's fetch date is the better fallback. Keep the time of day when the
# page gives one (htmldate's default output is the day only).
_DATE_PARAMS = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


class NoArticle(ValueError):
    """The bytes are not a page with article text (not HTML, or no text in it at all)."""


#: The most attributes of one tag that are kept. libxml2 (under lxml, trafilatura, jusText and
#: htmldate, which parse a page several times) checks each attribute against the tag's others, so a
#: tag with n attributes costs n² : one 1 MB tag of 100,000 attributes took 6 minutes. Real tags
#: have a few dozen.
MAX_ATTRIBUTES = 256
#: A start tag long enough to hold more attributes than that (shorter tags cannot).
_LONG_TAG = re.compile(rb"<[A-Za-z][^<>]{%d,}>" % (MAX_ATTRIBUTES * 2))
_ATTRIBUTE = re.compile(rb"""[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")


def _few_attributes(data: bytes) -> bytes:
    """``data`` with every start tag cut to its first :data:`MAX_ATTRIBUTES` attributes."""
    def cut(tag: re.Match[bytes]) -> bytes:
        parts = _ATTRIBUTE.findall(tag.group(), 1)  # the first is the tag's name
        if len(parts) <= MAX_ATTRIBUTES + 1:
            return tag.group()
        return b"<" + b" ".join(parts[: MAX_ATTRIBUTES + 1]) + b">"

    return _LONG_TAG.sub(cut, data)


# --- extraction: trafilatura, then our rules ------------------------------------------------------


def _extract(tree: HtmlElement, **options: Any) -> tuple[Any, list[tuple[str, str]]]:
    doc = bare_extraction(tree, include_comments=False, **options)
    return doc, (render(doc.body) if doc is not None and doc.body is not None else [])


def _more_text(root: HtmlElement, lines: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """The text of all the blocks :func:`sibling_blocks` finds, if there are others and it keeps ``lines``."""
    blocks = sibling_blocks(root, [line for _, line in lines])
    if not blocks:
        return None
    page, body, article = (lxml.html.Element(tag) for tag in ("html", "body", "article"))
    page.append(body)
    body.append(article)
    article.extend(deepcopy(block) for block in blocks)
    for block in article:
        block.tail = None
    _, more = _extract(page)
    have = {line for _, line in more}
    kept = sum(len(line) for _, line in lines if line in have)
    return more if kept >= 0.9 * sum(len(line) for _, line in lines) else None


def _text(lines: list[tuple[str, str]], root: HtmlElement, titles: list[str]) -> list[str]:
    """The article's lines: refined, with the other blocks of a split article when there are some."""
    pointers = furniture_texts(root)
    lines = _refine(lines, pointers, titles)
    if lines:
        more = _more_text(root, lines)
        if more:
            lines = _refine(more, pointers, titles)
    return [line for _, line in lines]


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
    tree = load_html(_few_attributes(data))
    if tree is None:
        raise NoArticle("not an HTML page")
    page = Page(tree)
    try:
        pruned = without_furniture(tree)
    except Exception:  # noqa: BLE001 - a rule of ours must not lose the page
        log.debug("%s: furniture pruning failed", origin, exc_info=True)
        pruned = tree
    try:
        doc, lines = _extract(pruned, url=url or None, with_metadata=True, date_extraction_params=_DATE_PARAMS)
    except Exception as exc:  # noqa: BLE001 - one page that breaks the extractor is one failed page
        log.debug("%s: extraction failed", origin, exc_info=True)
        raise NoArticle(f"text extraction failed ({type(exc).__name__}: {exc})") from exc
    if doc is None or not lines:
        raise NoArticle("no article text found in the page")
    h1s = [squeeze(h1.text_content()) for h1 in page.h1s]
    title = choose_headline(h1s, [t for t in (squeeze(doc.title or ""), *page.titles) if t])
    # The element showing the headline (an <h2> on pages whose <h1> is the site's logo).
    headline = next((h for h in [*page.h1s, *tree.iter("h2")] if similarity(h.text_content(), title) >= SAME_HEADLINE), None)
    try:
        text = _text(lines, pruned, [title, *h1s, *page.titles])
    except Exception:  # noqa: BLE001
        log.debug("%s: text rules failed", origin, exc_info=True)
        text = [line for _, line in lines]
    body = "\n".join(text)
    try:
        container = text_container(tree, text)
        scope = common_ancestor(headline, container) if headline is not None and container is not None else None
        authors = _authors(page, title, doc.author or "", headline,
                           None if scope is None or scope.tag in ("html", "body") else scope)
        published = published_value(page, title)
    except Exception:  # noqa: BLE001
        log.debug("%s: metadata rules failed", origin, exc_info=True)
        authors, published = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip()), None
    if not body:
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
        title=title,
        body=body,
        published=published_date([published, doc.date], fallback_date),
        source=doc.sitename or "",
        url=url or canonical,
        authors=authors,
        language=language_code(doc.language) or page.lang,
        extra={key: value for key, value in extra.items() if value},
        origin=origin,
    )


def read_html(
    path: str, stream: BinaryIO | None = None, *, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Article | ReadError]:
    """Read one saved web page as one article, or yield a ReadError saying why it has none.

    Without a canonical URL the id is the file name without extension.
    ``stream`` is the file's bytes when the caller opened it (an archive
    member). Raises OSError if the file cannot be read, and
    :class:`~.limits.LimitExceeded` for a page over ``limits.page``.
    """
    with open_input(path, stream, limits) as handle:
        data = read_whole(handle, limits.page, "page", path)
    try:
        yield extract_article(data, origin=f"{path}:1", fallback_id=file_stem(path))
    except NoArticle as exc:
        yield ReadError(str(exc), path)
