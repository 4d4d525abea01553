"""What a saved news page says about itself: headline, first publication date, authors.

The page is read once into a :class:`Page` (its ``<h1>`` elements, meta tags
and JSON-LD articles) before anything is pruned from it; the rules that choose
the headline, the date and the authors from it are described, with the
reasons for them, in :mod:`newsindex.ingest.readers.html`. :func:`clean` and
:func:`ancestors` are here because both this module and
:mod:`newsindex.ingest.readers.html_text` use them, and the text rules depend on this
module (a byline is recognised by the names in it), not the other way round.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from ..dates import parse_date
from ...errors import DateError
from ..languages import language_code
from ._fields import squeeze

# --- shared with the text rules ---------------------------------------------------------------------

_ZERO_WIDTH = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")


def clean(text: str) -> str:
    return squeeze(_ZERO_WIDTH.sub("", text))


def ancestors(element: HtmlElement) -> list[HtmlElement]:
    chain = []
    while element is not None:
        chain.append(element)
        element = element.getparent()
    return chain


# --- what the page declares: headlines, JSON-LD, meta tags ---------------------------------------------

_WORD = re.compile(r"\w+")
# Share of words an <h1> and a declared title must have in common to be the same headline.
SAME_HEADLINE = 0.6

def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def similarity(a: str, b: str) -> float:
    wa, wb = _words(a), _words(b)
    return len(wa & wb) / max(len(wa), len(wb), 1)


def choose_headline(h1s: list[str], declared: list[str]) -> str:
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
            if similarity(h1, title) >= SAME_HEADLINE:
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


class Page:
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
            return isinstance(headline, str) and similarity(headline, title) >= SAME_HEADLINE

        return sorted(self.ld_articles, key=lambda article: not about(article))


# --- the published date -----------------------------------------------------------------------------

# Meta tags that name the first publication, most specific first (never a "modified"/"revision" date).
_PUBLISHED_META = ("article:published_time", "og:article:published_time", "article:published",
                   "datepublished", "dcterms.issued", "dc.date.issued")


def published_value(page: Page, title: str) -> str | None:
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


def published_date(values: Iterable[str | None], fallback: datetime | None) -> datetime | None:
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
LABELLED_LINE = re.compile(
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


def person_name(text: str) -> str:
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


def person_names(value: str, site_names: set[str]) -> list[str]:
    """The people a raw author value names: ``"By Jane Doe and John Roe, Example News"`` -> both names."""
    value = squeeze(re.sub(r"\([^)]*\)", " ", value))
    if not value or _is_url(value):
        return []
    parts = [p for p in _SPLIT_NAMES.split(_LABEL.sub("", value)) if p.strip()]
    people = []
    for part in parts:
        if _bare_name(part) in site_names:
            break  # "Name, Publication, Place": nothing after the publication is a person
        person = person_name(part)
        if person and person not in people:
            people.append(person)
    return people


def _ld_authors(page: Page, title: str) -> list[str]:
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
    seen = headline is None or all(e is not root for e in ancestors(headline))
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
            match = LABELLED_LINE.match(text) if len(text) <= 90 else None
            if match:
                yield [match.group(1)]
        if element.tag == "a" and _AUTHOR_PAGE.search(urlsplit(element.get("href") or "").path):
            yield [squeeze(element.text_content()) or element.get("title") or ""]


def find_authors(page: Page, title: str, trafilatura_author: str, headline: HtmlElement | None,
                 scope: HtmlElement | None) -> tuple[str, ...]:
    """The article's authors: the first source that names people (see :mod:`newsindex.ingest.readers.html`).

    Bylines are looked for after the headline in ``scope``, the part of the
    page that holds the headline and the article's text (the whole page when
    that is not known), so that the bylines of related stories are not taken.
    """
    # trafilatura looks for bylines over the whole page; a name it found outside the article's part of
    # the page is the byline of another story (a related link), not this one's.
    around = clean(scope.text_content()) if scope is not None else None
    sources: list[Iterable[str]] = [
        _ld_authors(page, title),
        [v for key in _AUTHOR_META for v in page.meta.get(key, [])],
        [v for v in trafilatura_author.split(";") if around is None or v.strip().casefold() in around.casefold()],
    ]
    for values in [*sources, *_byline_values(page.tree if scope is None else scope, headline)]:
        people: list[str] = []
        for value in values:
            people += [p for p in person_names(value, page.site_names) if p not in people]
        if people:
            return tuple(people)
    return ()
