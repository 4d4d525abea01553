"""The article's text in a saved news page: pruning, rendering to lines, and which lines are kept.

Page furniture is pruned before extraction (:func:`without_furniture`),
trafilatura's XML body is rendered to one line per paragraph (:func:`render`),
the other blocks of a split story are found (:func:`sibling_blocks`), and
pointer paragraphs, the repeated headline and byline, and trailing headings and
credit lines are dropped (:func:`refine`). :mod:`newsindex.ingest.readers.html` runs
these steps around trafilatura and says why each rule is there.
"""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Iterable

from lxml.etree import _Element
from lxml.html import HtmlElement

from ._fields import squeeze
from .html_metadata import LABELLED_LINE, ancestors, clean, person_name, person_names

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


def without_furniture(tree: HtmlElement) -> HtmlElement:
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


# Stands for a <br> while a paragraph's text is put together (a private-use character, never in text).
_BREAK = "\ue000"


def render(body: _Element) -> list[tuple[str, str]]:
    """trafilatura's XML body as ``(kind, line)`` pairs: one line per paragraph, heading, list item or row.

    A line break in the page (``<br>``) starts a new line, as in trafilatura's
    text; the line breaks of the HTML source inside a paragraph are spaces.
    """
    for lb in body.iter("lb"):
        lb.tail = _BREAK + (lb.tail or "")
    lines: list[tuple[str, str]] = []

    def add(kind: str, text: str, prefix: str = "") -> None:
        lines.extend((kind, prefix + line) for line in map(clean, text.split(_BREAK)) if line)

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
                    add("row", " | ".join(c for c in (clean("".join(cell.itertext())) for cell in row) if c))
            elif any(isinstance(g.tag, str) and g.tag in ("p", "list", "table", "div", "head", "quote") for g in child):
                walk(child)
            else:
                add(child.tag, "".join(child.itertext()))
            add("p", child.tail or "")

    walk(body)
    return lines


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
        own = clean(element.text or "")
        if line[:30] in own or (len(own) >= 8 and line.startswith(own)):
            while element is not None and element.tag not in _BLOCKS:
                element = element.getparent()
            return element
    return None


def common_ancestor(a: HtmlElement, b: HtmlElement) -> HtmlElement | None:
    above_a = set(ancestors(a))
    return next((e for e in ancestors(b) if e in above_a), None)


def text_container(root: HtmlElement, lines: list[str]) -> HtmlElement | None:
    """The element of the page that holds the extracted text: the common ancestor of its first and last lines."""
    first = next((e for e in (_source_element(root, line) for line in lines[:3]) if e is not None), None)
    last = next((e for e in (_source_element(root, line) for line in lines[:-4:-1]) if e is not None), None)
    return None if first is None or last is None else common_ancestor(first, last)


_COMMENTS = re.compile(r"(?:^|[\s_-])(?:comments?|repl(?:y|ies)|discussion|disqus)(?:$|[\s_-])", re.IGNORECASE)


def sibling_blocks(root: HtmlElement, lines: list[str]) -> list[HtmlElement]:
    """The blocks of text the extraction came from plus the others shaped like it, or [] if none.

    The extracted text came from one container (the common ancestor of its
    first and last lines). Other elements with the same tag and class hold
    more of the same article (a newsletter's further stories, an article cut
    by ads) unless they belong to another article (one whose part of the page
    has an ``<h1>`` of its own), to an aside, a footer or the comments.
    """
    container = text_container(root, lines)
    if container is None or container.tag in _KEEP_TAGS or not (container.get("class") or "").strip():
        return []
    same = [e for e in root.iter(container.tag) if e.get("class") == container.get("class")]
    blocks = []
    for element in same:
        if element is container:
            blocks.append(element)
            continue
        shared = common_ancestor(container, element)
        if shared is None or shared is element or shared is container:
            continue  # nested in or around the text already taken
        between = ancestors(element)[: ancestors(element).index(shared)]
        if (next(between[-1].iter("h1"), None) is None and len(clean(element.text_content())) >= 100
                and not any(e.tag in ("aside", "nav", "footer") or _COMMENTS.search(_names_of(e)) for e in between)):
            blocks.append(element)
    return blocks if len(blocks) > 1 else []


_EMPHASIS = frozenset({"b", "strong", "i", "em"})


def _pointer(element: HtmlElement) -> bool:
    """True for a short block that only points elsewhere: a related link, a "click here" note.

    That is: most of its text is one link; or a label and a link (``MORE:
    <a>``, ``Read more: <a>``, ``A SIMPLE GUIDE: <a>``); or a note wholly in
    bold or italics that holds a link (``<i>If you're on our app, <a>click
    here</a></i>``).
    """
    text = clean(element.text_content())
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
        piece = clean(str(node))
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


def furniture_texts(root: HtmlElement) -> set[str]:
    """The texts of the page's pointer blocks (:func:`_pointer`), to drop them from the extracted lines."""
    texts = set()
    for element in root.iter("p", "li", "div", "dd"):
        if element.tag == "div" and any(isinstance(c.tag, str) and c.tag in _BLOCKS | {"ul", "ol"} for c in element):
            continue
        if _pointer(element):
            texts.add(clean(element.text_content()))
    return texts


_CREDIT = re.compile(r"^[^\W\d][\w .'’-]{1,30}?\s*:\s*(\S.*)$")


def _credit(line: str) -> bool:
    """A credit line (``Auteur : Kossivi Tiassou``, ``Editing: Jane Doe``): a label, a colon, a person."""
    match = _CREDIT.match(line)
    return bool(match and person_name(match.group(1)))


_BYLINE = re.compile(r"^(?:by|von|par|por|door)\s+\S", re.IGNORECASE)


def _byline(line: str) -> bool:
    """A byline that heads the text (``By Jane Doe``, ``Von Clemens Höges``): it names the authors, it is not text."""
    return (len(line) <= 100 and bool(_BYLINE.match(line) or LABELLED_LINE.match(line))
            and bool(person_names(line, set())))


def refine(lines: list[tuple[str, str]], pointers: set[str], titles: Iterable[str]) -> list[tuple[str, str]]:
    """Drop pointer paragraphs (``pointers``: :func:`furniture_texts`), the headline and the byline at the
    top, and what ends the text without being text: headings with nothing under them (print pull
    quotes), credit lines."""
    lines = [(kind, line) for kind, line in lines if (line[2:] if kind == "item" else line) not in pointers]
    while lines and (lines[-1][0] == "head" or _credit(lines[-1][1])):
        lines.pop()
    headlines = {t.casefold() for t in titles}
    while lines and (lines[0][1].casefold() in headlines or _byline(lines[0][1])):
        lines.pop(0)
    return lines
