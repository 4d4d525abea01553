"""Deterministic light variations of an article, to grow Reuters-21578 into bigger corpora.

Why vary at all: exact duplicates would flatter every engine (identical
posting lists compress and cache unrealistically well, and content hashing
could skip them). Copy ``n`` of a story therefore gets its own id, its date
moved ``n`` whole years later, a few words swapped for synonyms, a few
filler words dropped and two body words dropped at positions chosen by ``n``,
so no two copies of a story with a real body are equal.

The edits are plain ``str.replace`` and ``str.split`` calls: cheap enough to
regenerate 500,000 articles in each benchmark process (nothing is written
to disk), and the same on every run.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from newsindex import Article

#: Word -> replacement; copy n applies the pairs whose index i has (i + n) % 3 == 0.
SYNONYMS: tuple[tuple[str, str], ...] = (
    ("said", "stated"), ("company", "firm"), ("rose", "climbed"), ("fell", "dropped"),
    ("expected", "anticipated"), ("reported", "announced"), ("sales", "revenues"),
    ("total", "overall"), ("major", "leading"), ("began", "started"), ("buy", "purchase"),
    ("big", "large"), ("help", "assist"), ("show", "indicate"), ("cut", "reduce"),
    ("talks", "negotiations"), ("officials", "authorities"), ("agreed", "consented"),
)

#: Filler words; copy n drops those whose index i has (i + n) % 2 == 0.
FILLERS: tuple[str, ...] = ("also", "very", "still", "already", "just", "further", "currently", "recently")


def _edits(copy: int) -> list[tuple[str, str]]:
    """The (old, new) substring replacements of one copy, in lower and upper case."""
    words = [(a, b) for i, (a, b) in enumerate(SYNONYMS) if (i + copy) % 3 == 0]
    words += [(w, "") for i, w in enumerate(FILLERS) if (i + copy) % 2 == 0]
    edits: list[tuple[str, str]] = []
    for old, new in words:
        for o, n in ((old, new), (old.upper(), new.upper())):
            edits.append((f" {o} ", f" {n} " if n else " "))
    return edits


_EDITS: dict[int, list[tuple[str, str]]] = {}


def vary_text(text: str, copy: int) -> str:
    """The text of copy ``copy`` (0 is the original, unchanged)."""
    if copy == 0 or not text:
        return text
    edits = _EDITS.get(copy)
    if edits is None:
        edits = _EDITS[copy] = _edits(copy)
    for old, new in edits:
        if old in text:
            text = text.replace(old, new)
    return text


def shift_years(value: datetime | None, years: int) -> datetime | None:
    """The same instant ``years`` later (29 February becomes the 28th in a common year)."""
    if value is None or years == 0:
        return value
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return value.replace(year=value.year + years, day=28)


def drop_words(text: str, copy: int) -> str:
    """Drop the two space-separated words at positions derived from ``copy`` (Knuth's multiplicative hash)."""
    words = text.split(" ")
    if len(words) < 8:
        return text
    first = (copy * 2654435761) % len(words)
    second = (copy * 40503 + 17) % len(words)
    for position in sorted({first, second}, reverse=True):
        del words[position]
    return " ".join(words)


def variant(article: Article, copy: int) -> Article:
    """Copy ``copy`` of an article: unique id, date ``copy`` years later, lightly edited text."""
    if copy == 0:
        return article
    return replace(
        article,
        id=f"{article.id}-copy{copy}",
        title=vary_text(article.title, copy),
        body=drop_words(vary_text(article.body, copy), copy),
        published=shift_years(article.published, copy),
    )
