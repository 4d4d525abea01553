"""An article's words as the story store keeps them: hashed, counted, marked, and its flags.

A pure function of the article (and the index's default language), so it can
be worked out anywhere: in the process that groups, or -- when a collection
is built on a cluster -- by the worker that writes the article's shard, in
parallel, leaving the one worker that groups the whole collection only the
grouping itself. That analysis is about half the CPU grouping costs.
"""

from __future__ import annotations

import re
from itertools import filterfalse
from typing import NamedTuple

from ..ingest.article import Article
from .notices import announces_correction
from .pairs import CORRECTION, TABLE, TABLE_SHARE
from .vectors import ContentWords, term_hash

#: Bits of a stored word's mark: a name or a figure (weighed :data:`~newsindex.stories.pairs.NAME_WEIGHT`),
#: a word of the title, a figure (a word holding a digit), a word of the subject (see
#: :meth:`~newsindex.stories.vectors.ContentWords.marked`).
NAME_MARK = 1
TITLE_MARK = 2
FIGURE_MARK = 4
SUBJECT_MARK = 8

#: Words whose hash is kept between articles (the cache is emptied when it is full).
HASH_CACHE = 1_000_000

_DIGIT = re.compile(r"\d").search


class Counted(NamedTuple):
    """An article's distinct hashed words with their counts (capped at 255) and marks, and its flags
    (:data:`~newsindex.stories.pairs.TABLE`, :data:`~newsindex.stories.pairs.CORRECTION`)."""

    hashes: list[int]
    counts: list[int]
    marks: list[int]
    flags: int


class Prepared(NamedTuple):
    """An article with its words counted (None: not yet), as :meth:`StoryStore.assign` takes it."""

    article: Article
    counted: Counted | None


class WordCounter:
    """Counts articles' words for a story store of ``language`` (the index's default language);
    one object keeps the stemmers' and the hashes' caches from one article to the next."""

    def __init__(self, language: str) -> None:
        self._words = ContentWords(language)
        #: word -> term_hash(word), and the words that hold a figure.
        self._hashes: dict[str, int] = {}
        self._figures: set[str] = set()

    def __call__(self, article: Article) -> Counted:
        tf, names, title, subject = self._words.marked(article)
        hashes, figures = self._hashes, self._figures
        if len(hashes) > HASH_CACHE:
            hashes.clear()
            figures.clear()
        for word in list(filterfalse(hashes.__contains__, tf)):
            hashes[word] = term_hash(word)
            if _DIGIT(word):
                figures.add(word)
        terms = list(map(hashes.__getitem__, tf))
        counts = list(tf.values())
        # Each word's marks: set in C for the names and figures, word by word for the title's few.
        in_figures = figures.intersection(tf)
        mark_of = dict.fromkeys(tf, 0)
        mark_of.update(dict.fromkeys(names, NAME_MARK))
        mark_of.update(dict.fromkeys(in_figures, NAME_MARK | FIGURE_MARK))
        for word in title:
            mark_of[word] |= TITLE_MARK
        for word in subject:
            mark_of[word] |= SUBJECT_MARK
        marks = list(mark_of.values())
        flags = 0
        total = sum(counts)
        if total and sum(map(tf.__getitem__, in_figures)) >= TABLE_SHARE * total:
            flags |= TABLE
        if announces_correction(article):
            flags |= CORRECTION
        if len(set(terms)) < len(terms) or max(counts, default=0) > 255:  # two words, one hash; or a count to cap
            merged: dict[int, list[int]] = {}
            for term, count, mark in zip(terms, counts, marks):
                entry = merged.setdefault(term, [0, 0])
                entry[0] = min(entry[0] + count, 255)
                entry[1] |= mark
            terms = list(merged)
            counts = [entry[0] for entry in merged.values()]
            marks = [entry[1] for entry in merged.values()]
        return Counted(terms, counts, marks, flags)
