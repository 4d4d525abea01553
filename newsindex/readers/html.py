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

- **Headline** (:func:`_headline`): the page's ``<h1>`` when it tells the same
  story as a declared title (``og:title``, JSON-LD), which is sometimes a
  social-media variant, carries a `` | Site | date`` suffix or is a CMS
  placeholder.
- **Published date** (:func:`_published_value`): what the page declares as its
  first publication (JSON-LD ``datePublished`` of the article, then
  ``article:published_time`` and its kin, then ``itemprop="datePublished"``)
  before htmldate's choice, which can be a revision date.
- **Authors** (:func:`_authors`): people named by the article's JSON-LD, the
  author meta tags, trafilatura, then the byline near the headline (an element
  whose class or id says byline/author, a labelled line such as ``Author: ...``,
  a link to an author page), each cleaned: no ``By``, no organisation or site
  names, no role words (``Staff Writer``, ``Letters to the Editor``), lists
  split at ``and``/``,``/``;``.
- **Page furniture** (:func:`_without_furniture`, :func:`_refine`): elements
  whose class or id says gallery, cookie, newsletter, share, related or promo
  are pruned before extraction (trafilatura's own list misses some, and its
  fallback extractors apply none); paragraphs that only point elsewhere
  (:func:`_pointer`: ``MORE: <link>``, a paragraph that is mostly one link, an
  emphasised "click here" note with a link) are dropped, and so are the
  headline and the byline repeated at the top of the text, and what ends it
  without being text: headings with nothing under them (print pull quotes)
  and credit lines (``Auteur : ...``).
- **Split text** (:func:`_sibling_blocks`): when the text trafilatura chose is
  one of several blocks of the same kind in the same article (a newsletter's
  stories, an article cut by ads), the other blocks are extracted too.
- **Paragraphs**: one line each; the HTML source's own line breaks inside a
  paragraph are spaces (a ``<br>`` still starts a new line).

Each rule is guarded: if one fails on an odd page, the article keeps what
trafilatura gave rather than being lost; a page that trafilatura itself
cannot take is a :class:`NoArticle` (a ReadError for that file or WARC
record), never an exception that ends the run.
"""

from __future__ import annotations

import json
import logging
import re
from copy import deepcopy
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator
from urllib.parse import urlsplit

import lxml.html
from lxml.etree import _Element
from lxml.html import HtmlElement
from trafilatura import bare_extraction, load_html

from ..article import Article
from ..dates import parse_date
from ..errors import DateError, ReadError
from ._fields import hashed_id, language_code, squeeze
from .compressed import inner_name, open_input

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
_WORD = re.compile(r"\w+")
# Share of words an <h1> and a declared title must have in common to be the same headline.
_SAME_HEADLINE = 0.6


class NoArticle(ValueError):
    """The bytes are not a page with article text (not HTML, or no text in it at all)."""


# --- what the page declares: headlines, JSON-LD, meta tags ---------------------------------------------


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


# Schema.org types of the thing a news page is about (NewsArticle, ReportageNewsArticle, BlogPosting...).
_ARTICLE_TYPE = re.compile(r"(?:Article|Posting|^Report)$")


def _ld_objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from _ld_objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity"):
            if key in data:
                yield from _ld_objects(data[key], depth + 1)


def _ld_types(obj: dict[str, Any]) -> list[str]:
    types = obj.get("@type")
    return [t.rpartition("/")[2] for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)]


class _Page:
    """What a page says about itself, read once from the tree before anything is pruned."""

    def __init__(self, tree: HtmlElement) -> None:
        self.tree = tree
        self.h1s = [h1 for h1 in tree.iter("h1") if squeeze(h1.text_content())]
        self.meta: dict[str, list[str]] = {}
        for meta in tree.iter("meta"):
            key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
            content = squeeze(meta.get("content") or "")
            if key and content:
                self.meta.setdefault(key, []).append(content)
        objects: list[dict[str, Any]] = []
        for script in tree.iter("script"):
            if (script.get("type") or "").strip().lower() == "application/ld+json" and script.text:
                try:
                    objects.extend(_ld_objects(json.loads(script.text, strict=False)))
                except (ValueError, RecursionError):
                    continue
        self.ld_articles = [o for o in objects if any(_ARTICLE_TYPE.search(t) for t in _ld_types(o))]
        self.titles = [squeeze(t) for t in self.meta.get("og:title", []) + tree.xpath("//head/title/text()") if t.strip()]
        self.lang = language_code(tree.get("lang") or next(iter(self.meta.get("og:locale", [])), ""))
        # Names of the publication, which are never the names of authors.
        names = [*self.meta.get("og:site_name", []), *self.meta.get("publisher", []),
                 *self.meta.get("application-name", []), *self.meta.get("article:publisher", [])]
        for article in self.ld_articles:
            for key in ("publisher", "sourceOrganization"):
                value = article.get(key)
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, dict) and isinstance(item.get("name"), str):
                        names.append(item["name"])
        self.site_names = {_bare_name(n) for n in names if not _is_url(n)} - {""}

    def articles(self, title: str) -> list[dict[str, Any]]:
        """The page's JSON-LD articles, the one about this page's headline first (others may be related stories)."""
        def about(article: dict[str, Any]) -> bool:
            headline = article.get("headline") or article.get("name")
            return isinstance(headline, str) and _similarity(headline, title) >= _SAME_HEADLINE

        return sorted(self.ld_articles, key=lambda article: not about(article))


# --- the published date -----------------------------------------------------------------------------

# Meta tags that name the first publication, most specific first (never a "modified"/"revision" date).
_PUBLISHED_META = ("article:published_time", "og:article:published_time", "article:published",
                   "datepublished", "dcterms.issued", "dc.date.issued")


def _published_value(page: _Page, title: str) -> str | None:
    """The first publication date the page declares, as written: JSON-LD, meta tags, then microdata.

    htmldate (through trafilatura) weighs many signals and can end on a
    revision date (``sailthru.date``); a page that states its publication
    date is taken at its word.
    """
    candidates: list[object] = [a.get("datePublished") for a in page.articles(title)]
    candidates += [value for key in _PUBLISHED_META for value in page.meta.get(key, [])]
    for element in page.tree.xpath('//*[@itemprop="datePublished"]'):
        candidates.append(element.get("datetime") or element.get("content"))
    for value in candidates:
        if isinstance(value, str) and value.strip():
            try:
                parse_date(value)
            except DateError:
                continue
            return value
    return None


def _published(values: Iterable[str | None], fallback: datetime | None) -> datetime | None:
    for value in values:
        if value:
            try:
                return parse_date(value)
            except DateError:
                continue
    return fallback


# --- authors ---------------------------------------------------------------------------------------

# Words that make a byline a role, a desk or a publication rather than a person's name.
_NOT_A_PERSON = frozenset("""
    editor editors editorial board staff writer writers reporter reporters correspondent correspondents
    contributor contributors columnist desk team newsroom letters readers reader agency agencies agence
    agentur wire wires news online press media times post daily weekly magazine redaktion rédaction
    redacción redazione service services bureau group
    follow share twitter facebook email instagram linkedin whatsapp subscribe sign more show close view
    read bio profile contact image photo video logo all articles stories copy link url copied about print
    comment comments listen save menu search home
""".split())
# A name is letters, spaces, dots, hyphens and apostrophes (J.R. Stone, Jean-Luc O'Neill).
_NAME_CHARACTERS = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ .'’-])*$")
# Lower-case particles inside names: Ursula von der Leyen, Luiz da Silva, Ahmed bin Ali.
_PARTICLES = frozenset("von van der den de del della di da dos das du la le bin ibn al el y ter ten zu".split())
_LABEL = re.compile(
    r"^(?:by|von|par|por|door|written by|reporting by|text|texte|texto|"
    r"author|authors|auteur|auteurs|autor|autorin|autoren|autore|autori|autora)\b\s*[:\-–]?\s*",
    re.IGNORECASE,
)
_LABELLED_LINE = re.compile(
    r"^(?:author|authors|auteur|auteurs|autor|autorin|autoren|autore|autori|autora|byline)\s*:\s*(\S.{2,80})$",
    re.IGNORECASE,
)
_SPLIT_NAMES = re.compile(r"\s*(?:[,;|/&]|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*")
_BYLINE_ATTR = re.compile(r"byline|auth?or|auteur", re.IGNORECASE)
_AUTHOR_PAGE = re.compile(
    r"/(?:authors?|autor(?:en)?|auteurs?|people|profiles?|by|journalists?|reporters?|staff|contributors?|writers?)/[^/?#]+",
    re.IGNORECASE,
)
_AUTHOR_META = ("author", "article:author", "og:article:author", "article:author_name", "byl",
                "sailthru.author", "parsely-author", "dc.creator", "dcterms.creator")


def _is_url(text: str) -> bool:
    return "://" in text or text.startswith("www.") or ("/" in text and " " not in text)


def _bare_name(text: str) -> str:
    """A name without parenthesised additions (``Deutsche Welle (www.dw.com)``), compared case-blind."""
    return squeeze(re.sub(r"\([^)]*\)", " ", text)).casefold()


def _person(text: str) -> str:
    """``text`` as a person's name, or "" when it cannot be one (a role, a date, a site, a menu word)."""
    name = squeeze(_LABEL.sub("", squeeze(text))).strip(" ,:;|-–—")
    words = name.split()
    if len(name) > 60 or not _NAME_CHARACTERS.match(name):
        return ""
    if not any(c.isupper() or c.islower() for c in name):  # a script without capitals (张伟, محمد علي)
        return name if 2 <= len(name) and len(words) <= 5 else ""
    if not 2 <= len(words) <= 5 or words[-1].casefold() in _PARTICLES:
        return ""
    for word in words:
        bare = word.strip(".,'’").casefold()
        if bare in _NOT_A_PERSON or not (word[0].isupper() or bare in _PARTICLES or bare.startswith(("d'", "al-"))):
            return ""
    return name.title() if name.isupper() else name


def _names(value: str, site_names: set[str]) -> list[str]:
    """The people a raw author value names: ``"By Jane Doe and John Roe, Example News"`` -> both names."""
    value = squeeze(re.sub(r"\([^)]*\)", " ", value))
    if not value or _is_url(value):
        return []
    parts = [p for p in _SPLIT_NAMES.split(_LABEL.sub("", value)) if p.strip()]
    people = []
    for part in parts:
        if _bare_name(part) in site_names:
            break  # "Name, Publication, Place": nothing after the publication is a person
        person = _person(part)
        if person and person not in people:
            people.append(person)
    return people


def _ld_authors(page: _Page, title: str) -> list[str]:
    """The people the JSON-LD article names as its authors (not organisations)."""
    for article in page.articles(title):
        authors = article.get("author")
        values = []
        for author in authors if isinstance(authors, list) else [authors]:
            if isinstance(author, str):
                values.append(author)
            elif isinstance(author, dict) and "Organization" not in " ".join(_ld_types(author)):
                name = author.get("name")
                if isinstance(name, str):
                    values.append(name)
        if values:
            return values
    return []


def _after(root: HtmlElement, headline: HtmlElement | None) -> Iterator[HtmlElement]:
    """The elements of ``root`` after the headline, in document order (all of them without one)."""
    seen = headline is None or all(e is not root for e in _ancestors(headline))
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if seen:
            yield element
        elif element is headline:
            seen = True


def _byline_values(root: HtmlElement, headline: HtmlElement | None) -> Iterator[list[str]]:
    """Candidate author texts near the headline, one list per byline found, in document order.

    A byline is an element whose class, id, rel or itemprop says byline/author
    (its links first, then each piece of its text), a short labelled line
    (``Author: Jane Doe``, ``Auteur : ...``), or a link to an author page.
    ``root`` is the part of the page that holds the headline and the text.
    """
    for element in _after(root, headline):
        attributes = " ".join(element.get(a) or "" for a in ("class", "id", "rel", "itemprop", "data-testid"))
        if _BYLINE_ATTR.search(attributes):
            links = [squeeze(a.text_content()) or a.get("title") or "" for a in element.iter("a")]
            yield links
            yield [squeeze(t) for t in element.itertext()]
        elif element.tag in ("p", "div", "span", "li"):
            text = squeeze(element.text_content())
            match = _LABELLED_LINE.match(text) if len(text) <= 90 else None
            if match:
                yield [match.group(1)]
        if element.tag == "a" and _AUTHOR_PAGE.search(urlsplit(element.get("href") or "").path):
            yield [squeeze(element.text_content()) or element.get("title") or ""]


def _authors(page: _Page, title: str, trafilatura_author: str, headline: HtmlElement | None,
             scope: HtmlElement | None) -> tuple[str, ...]:
    """The article's authors: the first source that names people (see the module's docstring).

    Bylines are looked for after the headline in ``scope``, the part of the
    page that holds the headline and the article's text (the whole page when
    that is not known), so that the bylines of related stories are not taken.
    """
    # trafilatura looks for bylines over the whole page; a name it found outside the article's part of
    # the page is the byline of another story (a related link), not this one's.
    around = _clean(scope.text_content()) if scope is not None else None
    sources: list[Iterable[str]] = [
        _ld_authors(page, title),
        [v for key in _AUTHOR_META for v in page.meta.get(key, [])],
        [v for v in trafilatura_author.split(";") if around is None or v.strip().casefold() in around.casefold()],
    ]
    for values in [*sources, *_byline_values(page.tree if scope is None else scope, headline)]:
        people: list[str] = []
        for value in values:
            people += [p for p in _names(value, page.site_names) if p not in people]
        if people:
            return tuple(people)
    return ()


# --- the article's text ----------------------------------------------------------------------------

# Class or id tokens of page furniture that trafilatura's own lists miss, or that its fallback
# extractors (readability, jusText, baseline) do not look at.
_FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:gallery|lightbox|slideshow|carousel|cookies?|consent|gdpr|newsletters?|share|sharing|"
    r"social|related|recirc|promo|outbrain|taboola)(?:$|[\s_-])",
    re.IGNORECASE,
)
_KEEP_TAGS = frozenset({"html", "head", "body", "main", "article"})


def _names_of(element: HtmlElement) -> str:
    """An element's class and id, where pages say what a part of them is."""
    return f"{element.get('class') or ''} {element.get('id') or ''}"


def _paragraph_text(element: HtmlElement) -> int:
    return sum(len(squeeze(p.text_content())) for p in element.iter("p"))


def _without_furniture(tree: HtmlElement) -> HtmlElement:
    """A copy of the page without the elements whose class or id says they are furniture.

    An element is kept whatever its name when it holds an ``<h1>`` or half
    the paragraph text of the page: it is the article's container, or one
    with the article inside (``<div class="story promo-wrap">``, a recipe
    for cookies).
    """
    copy = deepcopy(tree)
    candidates = [
        element for element in copy.iter()
        if isinstance(element.tag, str) and element.tag not in _KEEP_TAGS
        and _FURNITURE.search(_names_of(element))
        and next(element.iter("h1"), None) is None
    ]
    if candidates:
        half = _paragraph_text(copy) / 2
        for element in candidates:
            if not half or _paragraph_text(element) < half:
                element.drop_tree()
    return copy


_ZERO_WIDTH = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")


def _clean(text: str) -> str:
    return squeeze(_ZERO_WIDTH.sub("", text))


# Stands for a <br> while a paragraph's text is put together (a private-use character, never in text).
_BREAK = "\ue000"


def _render(body: _Element) -> list[tuple[str, str]]:
    """trafilatura's XML body as ``(kind, line)`` pairs: one line per paragraph, heading, list item or row.

    A line break in the page (``<br>``) starts a new line, as in trafilatura's
    text; the line breaks of the HTML source inside a paragraph are spaces.
    """
    for lb in body.iter("lb"):
        lb.tail = _BREAK + (lb.tail or "")
    lines: list[tuple[str, str]] = []

    def add(kind: str, text: str, prefix: str = "") -> None:
        lines.extend((kind, prefix + line) for line in map(_clean, text.split(_BREAK)) if line)

    def walk(container: _Element) -> None:
        add("p", container.text or "")
        for child in container:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "list":
                for item in child:
                    if item.tag == "item":
                        add("item", "".join(item.itertext()).replace(_BREAK, " "), "- ")
            elif child.tag == "table":
                for row in child.iter("row"):
                    add("row", " | ".join(c for c in (_clean("".join(cell.itertext())) for cell in row) if c))
            elif any(isinstance(g.tag, str) and g.tag in ("p", "list", "table", "div", "head", "quote") for g in child):
                walk(child)
            else:
                add(child.tag, "".join(child.itertext()))
            add("p", child.tail or "")

    walk(body)
    return lines


def _extract(tree: HtmlElement, **options: Any) -> tuple[Any, list[tuple[str, str]]]:
    doc = bare_extraction(tree, include_comments=False, **options)
    return doc, (_render(doc.body) if doc is not None and doc.body is not None else [])


# Block elements of a page, for finding where a line of text came from.
_BLOCKS = frozenset("p li div dd dt td blockquote h1 h2 h3 h4 h5 h6 section article figcaption pre".split())


_NOT_TEXT = frozenset({"script", "style", "noscript", "template", "title"})


def _source_element(root: HtmlElement, line: str) -> HtmlElement | None:
    """The block element of the page where a line of extracted text begins."""
    line = line[2:] if line.startswith("- ") else line
    first_word = line.split(" ", 1)[0]
    body = root.find("body")
    for element in (body if body is not None else root).iter():
        if not isinstance(element.tag, str) or element.tag in _NOT_TEXT or first_word not in (element.text or ""):
            continue
        own = _clean(element.text or "")
        if line[:30] in own or (len(own) >= 8 and line.startswith(own)):
            while element is not None and element.tag not in _BLOCKS:
                element = element.getparent()
            return element
    return None


def _ancestors(element: HtmlElement) -> list[HtmlElement]:
    chain = []
    while element is not None:
        chain.append(element)
        element = element.getparent()
    return chain


def _common_ancestor(a: HtmlElement, b: HtmlElement) -> HtmlElement | None:
    above_a = set(_ancestors(a))
    return next((e for e in _ancestors(b) if e in above_a), None)


def _text_container(root: HtmlElement, lines: list[str]) -> HtmlElement | None:
    """The element of the page that holds the extracted text: the common ancestor of its first and last lines."""
    first = next((e for e in (_source_element(root, line) for line in lines[:3]) if e is not None), None)
    last = next((e for e in (_source_element(root, line) for line in lines[:-4:-1]) if e is not None), None)
    return None if first is None or last is None else _common_ancestor(first, last)


_COMMENTS = re.compile(r"(?:^|[\s_-])(?:comments?|repl(?:y|ies)|discussion|disqus)(?:$|[\s_-])", re.IGNORECASE)


def _sibling_blocks(root: HtmlElement, lines: list[str]) -> list[HtmlElement]:
    """The blocks of text the extraction came from plus the others shaped like it, or [] if none.

    The extracted text came from one container (the common ancestor of its
    first and last lines). Other elements with the same tag and class hold
    more of the same article (a newsletter's further stories, an article cut
    by ads) unless they belong to another article (one whose part of the page
    has an ``<h1>`` of its own), to an aside, a footer or the comments.
    """
    container = _text_container(root, lines)
    if container is None or container.tag in _KEEP_TAGS or not (container.get("class") or "").strip():
        return []
    same = [e for e in root.iter(container.tag) if e.get("class") == container.get("class")]
    blocks = []
    for element in same:
        if element is container:
            blocks.append(element)
            continue
        shared = _common_ancestor(container, element)
        if shared is None or shared is element or shared is container:
            continue  # nested in or around the text already taken
        between = _ancestors(element)[: _ancestors(element).index(shared)]
        if (next(between[-1].iter("h1"), None) is None and len(_clean(element.text_content())) >= 100
                and not any(e.tag in ("aside", "nav", "footer") or _COMMENTS.search(_names_of(e)) for e in between)):
            blocks.append(element)
    return blocks if len(blocks) > 1 else []


def _more_text(root: HtmlElement, lines: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """The text of all the blocks :func:`_sibling_blocks` finds, if there are others and it keeps ``lines``."""
    blocks = _sibling_blocks(root, [line for _, line in lines])
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


_EMPHASIS = frozenset({"b", "strong", "i", "em"})


def _pointer(element: HtmlElement) -> bool:
    """True for a short block that only points elsewhere: a related link, a "click here" note.

    That is: most of its text is one link; or a label and a link (``MORE:
    <a>``, ``Read more: <a>``, ``A SIMPLE GUIDE: <a>``); or a note wholly in
    bold or italics that holds a link (``<i>If you're on our app, <a>click
    here</a></i>``).
    """
    text = _clean(element.text_content())
    if not text or len(text) > 250 or next(element.iter("a"), None) is None:
        return False
    linked = plain = emphasised = 0
    before_link, after_link = "", ""
    for node in element.xpath(".//text()"):
        holder = node.getparent()
        scope = holder.getparent() if node.is_tail else holder
        tags = set()
        while scope is not None and scope is not element:
            tags.add(scope.tag)
            scope = scope.getparent()
        piece = _clean(str(node))
        if not piece:
            continue
        if "a" in tags:
            linked += len(piece)
            after_link = ""
            continue
        if linked:
            after_link += " " + piece
        else:
            before_link += " " + piece
        if re.search(r"\w", piece):
            plain += len(piece)
            emphasised += len(piece) * bool(_EMPHASIS & tags)
    if linked >= 0.8 * (linked + plain):
        return True
    label = before_link.strip()
    if label.endswith(":") and len(label) <= 40 and not re.search(r"\w", after_link):
        return True
    return plain > 0 and emphasised == plain


def _furniture_texts(root: HtmlElement) -> set[str]:
    """The texts of the page's pointer blocks (:func:`_pointer`), to drop them from the extracted lines."""
    texts = set()
    for element in root.iter("p", "li", "div", "dd"):
        if element.tag == "div" and any(isinstance(c.tag, str) and c.tag in _BLOCKS | {"ul", "ol"} for c in element):
            continue
        if _pointer(element):
            texts.add(_clean(element.text_content()))
    return texts


_CREDIT = re.compile(r"^[^\W\d][\w .'’-]{1,30}?\s*:\s*(\S.*)$")


def _credit(line: str) -> bool:
    """A credit line (``Auteur : Kossivi Tiassou``, ``Editing: Jane Doe``): a label, a colon, a person."""
    match = _CREDIT.match(line)
    return bool(match and _person(match.group(1)))


_BYLINE = re.compile(r"^(?:by|von|par|por|door)\s+\S", re.IGNORECASE)


def _byline(line: str) -> bool:
    """A byline that heads the text (``By Jane Doe``, ``Von Clemens Höges``): it names the authors, it is not text."""
    return len(line) <= 100 and bool(_BYLINE.match(line) or _LABELLED_LINE.match(line)) and bool(_names(line, set()))


def _refine(lines: list[tuple[str, str]], pointers: set[str], titles: Iterable[str]) -> list[tuple[str, str]]:
    """Drop pointer paragraphs (``pointers``: :func:`_furniture_texts`), the headline and the byline at the
    top, and what ends the text without being text: headings with nothing under them (print pull
    quotes), credit lines."""
    lines = [(kind, line) for kind, line in lines if (line[2:] if kind == "item" else line) not in pointers]
    while lines and (lines[-1][0] == "head" or _credit(lines[-1][1])):
        lines.pop()
    headlines = {t.casefold() for t in titles}
    while lines and (lines[0][1].casefold() in headlines or _byline(lines[0][1])):
        lines.pop(0)
    return lines


def _text(lines: list[tuple[str, str]], root: HtmlElement, titles: list[str]) -> list[str]:
    """The article's lines: refined, with the other blocks of a split article when there are some."""
    pointers = _furniture_texts(root)
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
    tree = load_html(data)
    if tree is None:
        raise NoArticle("not an HTML page")
    page = _Page(tree)
    try:
        pruned = _without_furniture(tree)
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
    title = _headline(h1s, [t for t in (squeeze(doc.title or ""), *page.titles) if t])
    # The element showing the headline (an <h2> on pages whose <h1> is the site's logo).
    headline = next((h for h in [*page.h1s, *tree.iter("h2")] if _similarity(h.text_content(), title) >= _SAME_HEADLINE), None)
    try:
        text = _text(lines, pruned, [title, *h1s, *page.titles])
    except Exception:  # noqa: BLE001
        log.debug("%s: text rules failed", origin, exc_info=True)
        text = [line for _, line in lines]
    body = "\n".join(text)
    try:
        container = _text_container(tree, text)
        scope = _common_ancestor(headline, container) if headline is not None and container is not None else None
        authors = _authors(page, title, doc.author or "", headline,
                           None if scope is None or scope.tag in ("html", "body") else scope)
        published = _published_value(page, title)
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
        published=_published([published, doc.date], fallback_date),
        source=doc.sitename or "",
        url=url or canonical,
        authors=authors,
        language=language_code(doc.language) or page.lang,
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
