"""Counting stories, not copies: each matching story once in timelines, facets and terms.

Forty syndicated copies of one wire report are one story
(:mod:`newsindex.stories`), and counting them as forty reports makes a
timeline spike and a source look prolific where one report was sent round.
With stories counted, the rules for a story whose articles fall apart are:

- **timeline**: a story counts once, in the period of its *earliest matching*
  article (tellings ordered as ``trace`` orders them: oldest first, undated
  last); a story whose matching articles are all undated is left out, as
  undated articles are. A period's total is the number of stories with an
  article published in it, so the share (matching / total, Media Cloud's
  "relevant / total" ratio) never exceeds one;
- **facets**: a story counts once for each value any of its matching articles
  has: a story told by three sources counts once for each source;
- **sources** (:class:`SourceStories`): per source, its matching articles,
  its stories, the stories it told first, and how many of its articles retell
  a story another source told first, "first" being the story's earliest
  article in the whole index (the article the story is named after);
- **terms**: one article per story (its earliest matching one) stands for
  it, so a copied report's words count once (see
  :func:`newsindex.coverage.terms.significant_terms`).

An article not grouped into any story counts as a story of its own.
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Sequence

#: The code of a document whose story is not read yet.
_UNREAD = -1


class StoryCodes:
    """Each document's story as a small integer, read once per index and story state.

    Why codes: a story id per document would be a string per match, read from
    the story store (SQLite) for every query; a code per document, read the
    first time the document is counted, makes counting stories a tally of
    integers. ``names[code]`` is the story's id (its first article's id). A
    collection keeps one per shard's document numbers (``part``), the codes
    shared, since a story's tellings are in several shards.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._codes: dict[int, array[int]] = {}
        self._known: dict[str, int] = {}
        self.names: list[str] = []

    def of(self, size: int, docnums: Sequence[int], keys_of: Callable[[list[int]], list[str]], part: int = 0) -> array[int]:
        """The story codes of an index (or shard ``part``) of ``size`` documents, those of ``docnums``
        read if not yet; ``keys_of`` gives the story id of each document (its own id when it is in none)."""
        codes = self._codes.get(part)
        if codes is None:
            codes = self._codes[part] = array("l", [_UNREAD]) * size
        known, names = self._known, self.names
        unread = [d for d in docnums if codes[d] == _UNREAD]
        if unread:
            for docnum, key in zip(unread, keys_of(unread)):
                code = known.get(key)
                if code is None:
                    code = known[key] = len(names)
                    names.append(key)
                codes[docnum] = code
        return codes


def earliest(docnums: Sequence[int], codes: Sequence[int], order: Callable[[int], Any]) -> dict[int, int]:
    """Story code -> its earliest document among ``docnums`` by ``order`` (a sort key)."""
    first: dict[int, tuple[Any, int]] = {}
    for docnum in docnums:
        code, key = codes[docnum], order(docnum)
        known = first.get(code)
        if known is None or key < known[0]:
            first[code] = (key, docnum)
    return {code: docnum for code, (_, docnum) in first.items()}


def distinct_values(docnums: Sequence[int], codes: Sequence[int], values: Callable[[int], Sequence[str]]) -> dict[str, set[int]]:
    """Value -> the stories (codes) with a matching article that has it."""
    found: dict[str, set[int]] = {}
    for docnum in docnums:
        for value in values(docnum):
            found.setdefault(value, set()).add(codes[docnum])
    return found


def story_value_counts(docnums: Sequence[int], codes: Sequence[int], values: Callable[[int], Sequence[str]],
                       top: int) -> list[tuple[str, int]]:
    """The ``top`` values of a facet (``values`` of a document) among ``docnums``, each counted once per
    story; equal counts in the order the values were first seen among ``docnums``."""
    return Counter({value: len(told) for value, told in distinct_values(docnums, codes, values).items()}).most_common(top)


@dataclass(frozen=True)
class SourceStories:
    """What one source contributed to the matching stories.

    ``articles``: its matching articles; ``stories``: the distinct stories
    among them; ``first``: those of them it told first (the story's earliest
    article is its own); ``retold``: its articles in stories another source
    told first: copies of a wire report, rewrites, follow-ups. So ``articles -
    retold`` of its articles are in stories of its own, and ``stories -
    first`` of its stories began elsewhere.
    """

    source: str
    articles: int
    stories: int
    first: int
    retold: int

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "articles": self.articles, "stories": self.stories,
                "first": self.first, "retold": self.retold}


def source_stories(
    docnums: Sequence[int], codes: Sequence[int], sources: Callable[[int], Sequence[str]],
    first_sources: Callable[[int], Sequence[str]], top: int,
) -> list[SourceStories]:
    """Per source of the matching articles (``sources`` of a document), its :class:`SourceStories`,
    most stories first; ``first_sources`` gives the sources of a story's (code's) earliest article.
    Equal counts are ordered by name, so the order does not depend on which article was read first."""
    articles: dict[str, int] = {}
    retold: dict[str, int] = {}
    stories: dict[str, set[int]] = {}
    firsts: dict[int, frozenset[str]] = {}
    for docnum in docnums:
        code = codes[docnum]
        began = firsts.get(code)
        if began is None:
            began = firsts[code] = frozenset(first_sources(code))
        for source in sources(docnum):
            articles[source] = articles.get(source, 0) + 1
            stories.setdefault(source, set()).add(code)
            if source not in began:
                retold[source] = retold.get(source, 0) + 1
    found = [
        SourceStories(source, articles[source], len(told), sum(source in firsts[code] for code in told),
                      retold.get(source, 0))
        for source, told in stories.items()
    ]
    found.sort(key=lambda s: (-s.stories, -s.articles, s.source))
    return found[:top]
