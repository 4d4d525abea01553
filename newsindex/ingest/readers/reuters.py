"""Reuters-21578 SGML (``reut2-NNN.sgm``): many ``<REUTERS>`` stories per file.

The file is read a megabyte at a time and cut into stories, so memory holds
one chunk and one story at a time. Files are decoded as Latin-1, which accepts every byte
(``reut2-017.sgm`` has one byte that is not valid UTF-8, and the rest is
ASCII). The collection is real wire copy: some stories have no title or no
body, some dates carry junk, so the reader is lenient about content and
strict only about markup it cannot make sense of.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import BinaryIO, Iterable, Iterator

from ..article import Article
from ..dates import parse_date
from ...errors import DateError, ReadError
from ._fields import squeeze
from .compressed import open_input
from ..limits import DEFAULT_LIMITS, Limits, over

#: Bytes read at a time (Latin-1 is one byte a character, so a chunk never cuts one).
CHUNK_BYTES = 1 << 20

_BOUNDARY = re.compile(r"<REUTERS\b|</REUTERS>", re.IGNORECASE)
_OPEN_TAG = re.compile(r"<REUTERS\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'([A-Za-z]+)\s*=\s*"([^"]*)"')
_TAG = re.compile(r"<(/?)([A-Za-z]+)\b[^>]*>")
_ELEMENTS = {
    name: re.compile(rf"<{name}\b([^>]*)>(.*?)</{name}>", re.IGNORECASE | re.DOTALL)
    for name in ("DATE", "TOPICS", "PLACES", "PEOPLE", "ORGS", "EXCHANGES", "COMPANIES",
                 "TEXT", "TITLE", "DATELINE", "BODY", "AUTHOR", "MKNOTE")
}
_D = re.compile(r"<D>(.*?)</D>", re.IGNORECASE | re.DOTALL)
# Control characters, from entities like &#3; and &#31; that mark wire-service framing.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_REUTERS_DATE = re.compile(r"(\d{1,2}-[A-Za-z]{3}-\d{4})(?:\s+(\d{1,2}:\d{2}:\d{2}(?:\.\d+)?))?")
# The wire signature ending most bodies: "Reuter", "REUTER...", "reuter^M" (a literal ^M).
_SIGNATURE = re.compile(r"reuters?\.*(\^M)?", re.IGNORECASE)
_LEADING_STARS = re.compile(r"^\*+\s*")
_BYLINE = re.compile(r"^by\s+|,\s*reuters?$", re.IGNORECASE)


def _whole_tags(chunks: Iterable[str], limit: int) -> Iterator[str]:
    """The text in pieces that never cut a tag: a ``<`` left open at a piece's end goes to the next
    (unless more than ``limit`` characters follow it: that is no tag, and must not fill memory)."""
    carry = ""
    for chunk in chunks:
        text = carry + chunk
        cut = text.rfind("<")
        if cut >= 0 and text.find(">", cut) < 0 and len(text) - cut <= limit:
            text, carry = text[:cut], text[cut:]
        else:
            carry = ""
        yield text
    if carry:
        yield carry


def _stories(chunks: Iterable[str], limit: int) -> Iterator[tuple[int, str, str | None]]:
    """Cut the file into ``(first line number, story text, problem)``; ``problem`` is None if well formed.

    The file comes in large chunks, scanned for story boundaries only (line
    numbers are counted, not split): reading it line by line was a third of
    the time of reading Reuters. A ``<REUTERS`` before the previous story's
    ``</REUTERS>`` ends that story as unclosed, so one broken story does not
    swallow the rest of the file.
    """
    start: int | None = None
    parts: list[str] = []
    size = 0  # characters of the story so far: one over ``limit`` is reported, not kept
    too_long = over("record", limit)
    line = 1  # the line at ``counted`` in the current piece
    for text in _whole_tags(chunks, limit):
        position = counted = 0
        for match in _BOUNDARY.finditer(text):
            line += text.count("\n", counted, match.start())
            counted = match.start()
            if match.group().startswith("</"):
                if start is None:
                    yield line, "", "</REUTERS> without an opening <REUTERS>"
                else:
                    piece = text[position:match.end()]
                    size += len(piece)
                    yield (start, "", too_long) if size > limit else (start, "".join(parts) + piece, None)
                    start = None
                position = match.end()
            else:
                if start is not None:
                    piece = text[position:match.start()]
                    size += len(piece)
                    unclosed = "unclosed <REUTERS> (no </REUTERS> before the next story)"
                    yield (start, "", too_long) if size > limit else (start, "".join(parts) + piece, unclosed)
                start, parts, size, position = line, [], 0, match.start()
        if start is not None:
            piece = text[position:]
            size += len(piece)
            if size <= limit:
                parts.append(piece)
            else:
                parts.clear()
        line += text.count("\n", counted)
    if start is not None:
        yield (start, "", too_long) if size > limit else (start, "".join(parts), "unclosed <REUTERS> at end of file")


def _attributes(tag_inside: str) -> dict[str, str]:
    """The ``NAME="value"`` attributes of a start tag, names upper-cased as SGML treats them."""
    return {name.upper(): value for name, value in _ATTRIBUTE.findall(tag_inside)}


def _unbalanced_tag(story: str) -> str | None:
    """Name the first tag whose opening and closing counts differ, a sign the markup is cut or garbled."""
    balance: dict[str, int] = {}
    for closing, name in _TAG.findall(story):
        balance[name.upper()] = balance.get(name.upper(), 0) + (-1 if closing else 1)
    return next((name for name, count in balance.items() if count), None)


def _clean(text: str) -> str:
    """Decode entities, then drop the control characters that some of them stand for."""
    return _CONTROL.sub("", html.unescape(text))


def _element(story: str, name: str) -> str:
    match = _ELEMENTS[name].search(story)
    return match.group(2) if match else ""


def _values(story: str, name: str) -> list[str]:
    """The ``<D>`` values of a category element such as TOPICS or PLACES."""
    return [value for value in (squeeze(_clean(d)) for d in _D.findall(_element(story, name))) if value]


def _published(raw: str) -> datetime | None:
    """Read a Reuters date, trying hard: junk after it is ignored, an impossible time keeps the day.

    A date that still cannot be read gives ``None`` rather than losing the
    story: the text is worth indexing even when its date is garbled.
    """
    text = _clean(raw).strip()
    match = _REUTERS_DATE.search(text)
    candidates = [text] + ([match.group(0), match.group(1)] if match else [])
    for candidate in candidates:
        try:
            return parse_date(candidate)
        except DateError:
            continue
    return None


def _body(story: str) -> str:
    """The BODY, or for stories without one (BRIEF, UNPROC) the TEXT minus its title, dateline and byline.

    The trailing "Reuter" signature line and the run of asterisks that
    precedes the title of BRIEF stories are wire framing, not content, and are removed.
    """
    match = _ELEMENTS["BODY"].search(story)
    if match:
        text = _clean(match.group(2)).strip()
    else:
        raw = _element(story, "TEXT")
        for name in ("TITLE", "DATELINE", "AUTHOR"):
            raw = _ELEMENTS[name].sub("\n", raw)
        text = _LEADING_STARS.sub("", _clean(_TAG.sub("", raw)).strip())
    head, _, last = text.rpartition("\n")
    return (head if _SIGNATURE.fullmatch(last.strip()) else text).strip()


def _article(story: str, path: str, line: int) -> Article:
    """Build the Article for one well-delimited story; raises ReadError if its markup is broken."""
    position = f"line {line}"
    opening = _OPEN_TAG.match(story)
    if opening is None:
        raise ReadError("broken <REUTERS> tag", path, position)
    attributes = _attributes(opening.group(1))
    newid = attributes.get("NEWID", "").strip()
    if not newid:
        raise ReadError("story has no NEWID", path, position)
    unbalanced = _unbalanced_tag(story)
    if unbalanced:
        raise ReadError(f"story NEWID={newid}: unclosed or stray <{unbalanced}>", path, position)

    author = squeeze(_clean(_element(story, "AUTHOR")))
    author = _BYLINE.sub("", author).strip()
    text_tag = _ELEMENTS["TEXT"].search(story)
    text_type = _attributes(text_tag.group(1)).get("TYPE", "") if text_tag else ""
    extra = {
        "people": _values(story, "PEOPLE"),
        "orgs": _values(story, "ORGS"),
        "exchanges": _values(story, "EXCHANGES"),
        "companies": _values(story, "COMPANIES"),
        "dateline": squeeze(_clean(_element(story, "DATELINE"))).rstrip(" -"),
        "mknote": squeeze(_clean(_element(story, "MKNOTE"))),
        "lewissplit": attributes.get("LEWISSPLIT", ""),
        "cgisplit": attributes.get("CGISPLIT", ""),
        "oldid": attributes.get("OLDID", ""),
        "topics_attr": attributes.get("TOPICS", ""),
        "text_type": text_type,
    }
    return Article(
        id=f"reuters-{newid}",
        title=squeeze(_clean(_element(story, "TITLE"))),
        body=_body(story),
        published=_published(_element(story, "DATE")),
        source="Reuters",
        authors=(author,) if author else (),
        topics=tuple(_values(story, "TOPICS")),
        places=tuple(_values(story, "PLACES")),
        extra={key: value for key, value in extra.items() if value},
        origin=f"{path}:{line}",
    )


def read_reuters(
    path: str, stream: BinaryIO | None = None, *, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Article | ReadError]:
    """Read a Reuters-21578 SGML file story by story; a broken story is yielded as a ReadError.

    Ids are ``reuters-{NEWID}``, unique across the 22 files of the collection.
    A story longer than ``limits.record`` is reported and skipped. ``stream``
    is the file's bytes when the caller opened it (an archive member). Raises
    OSError if the file cannot be read.
    """
    stories = 0
    with open_input(path, stream, limits) as handle:
        chunks = iter(lambda: handle.read(CHUNK_BYTES), b"")
        for line, story, problem in _stories((chunk.decode("latin-1") for chunk in chunks), limits.record):
            stories += 1
            if problem:
                yield ReadError(problem, path, f"line {line}")
                continue
            try:
                yield _article(story, path, line)
            except ReadError as exc:
                yield exc
    if not stories:
        yield ReadError("no <REUTERS> stories found", path)
