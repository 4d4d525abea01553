"""Whether two articles tell one story: the score of a pair, and the checks it must pass.

Pure functions of two articles' weighted words and dates (and the document
frequencies the weights come from), so that a pair scores the same whichever
article came first, in a store, on a shard or in a stream.

**Weights.** Each content word weighs ``(1 + ln tf) * ln(1 + N / df)``
(TF-IDF, with ``N`` at least :data:`~newsindex.stories.vectors.MIN_COLLECTION`),
times :data:`NAME_WEIGHT` when the word is *marked* -- written with a capital
inside a sentence or holding a digit (:meth:`ContentWords.marked`): names and
figures. Independent reports of one event by different outlets share far
less wording than wire copies (cosine 0.2-0.4), but they name the same
people, places and figures; two events of one kind share the vocabulary of
the kind but not the names. On events-dev (462 articles, 40 events, each
with a hard negative of the same kind) the weight of names is what lifts
pairwise F1 from 0.86 to 0.88-0.90 at the same precision (weights 3 to 6 all
within 0.02 of each other; 4 chosen).

**Score.** The cosine of the two weighted vectors (0..1), divided by
``1 + dt / DECAY`` when both are dated, ``dt`` apart. On Reuters-21578 the
similarity at which half of the pairs are one story (the excess over the
pairs found that far apart by chance) rises from about 0.3 for items sent
within the hour to 0.4 at half a day, 0.45 at a day and a half, 0.6 at two
and a half days and 0.8 at six days: ``0.3 * (1 + dt / 2.5 days)`` follows
it, and :data:`DECAY` rounds 2.5 days up to 3, because wire series (a daily
report that repeats yesterday's words) make Reuters the strict case, and a
weekly's retelling of an event comes days later. So there is no fixed window:
a copy can join a story 10 days on, a loose retelling only within a day or
two. An undated article is not decayed: it can join any story.

**Checks.** A pair is refused when either text is a table (40% or more of
its words are figures: price and rate tables share most of their numbers
from one hour to the next) unless the cosine is 0.9, and when *each* side
has a word the other lacks carrying 30% of its squared weight, or title words
the other lacks carrying 30% of its plain TF-IDF weight: two templated
notices ("X sets quarterly payout", "Y sets quarterly payout") that differ
in the name of the company. On Reuters-21578 (two files) the title check
takes the stories that join dividend notices of different companies from 11
to 1; on events-dev it costs pairwise F1 0.886 -> 0.879 (0.2: 0.852). When the
rarest word of a title (figures aside) is one the other never uses and
:data:`NAMED_RARER` times rarer in the collection than any word the two share
-- a name, where all they share is the template -- title words carrying 25% are
enough: on all of Reuters-21578 the pairs of different companies' articles in
one story fall from 178 to 167 (dividend notices with one-word names, "Lowe's
Cos Inc <LOW> Qtly div"), at events-dev F1 0.869 -> 0.867 (20%: 0.855).
And when the rarest word of each one's *subject* (the title words its body
repeats, or its title when the body repeats none) is one the other never uses
and :data:`NAMED_RARER` times rarer than any word the two share, the pair is
refused whatever the shares: each names a company the other never mentions,
in the same wording ("Essex Chemical <ESX> sells convertible debt" / "Oakwood
Homes <OH> ...", "Ryland Group Inc <RYL> sets quarterly" / "USAir Group Inc <U>
..."). On Reuters-21578 those pairs fall from 167 to 161, and no pair of
events-dev changes: different outlets' titles often name what the other's text
does not (the subject alone refused 245 pairs of one event there), but not a
word far rarer than all they share. A correction that says so
(:func:`~newsindex.stories.notices.announces_correction`) and an article it
is alike are checked with figures aside (it changes a figure, even in the
title), and score the better of their cosine with and without figures
(41.6 -> 83.2 mln dlrs: the rest is a repeat). A refused template pair is kept
with a negative score (:data:`APART`), so that the clustering keeps the two apart.
"""

from __future__ import annotations

import math
from itertools import filterfalse
from operator import mul
from typing import AbstractSet, Mapping, Protocol, Sequence

#: Weight of a marked word (a name or a figure) against an unmarked one.
NAME_WEIGHT = 4.0
#: A pair scoring at least this is kept as an edge of the story graph.
EDGE = 0.2
#: Seconds over which the score of two dated articles is divided by 2 (then 3, 4 ...).
DECAY = 3 * 86_400
#: Beyond this no pair can reach :data:`EDGE` (a score is at most 1): the span of a lookup.
WINDOW = int(DECAY * (1 / EDGE - 1))
#: Cosine needed when either article is a table (see :data:`TABLE_SHARE`).
TABLE_COSINE = 0.9
#: Share of an article's words that are figures from which it counts as a table.
TABLE_SHARE = 0.4
#: A word one side lacks that carries this share of the other's squared weight, or the words of its
#: title that do, are what it is about: "names" (see :func:`conflict`).
CONFLICT = 0.3
#: ... or this share, when the rarest word of its title is one the other never uses and is
#: :data:`NAMED_RARER` times rarer in the collection than any word the two share (figures aside);
#: the rarest word of each one's subject that far rarer and never used by the other is enough alone.
NAMED_CONFLICT = 0.25
NAMED_RARER = 4.0

#: The score of a pair refused as templates of different names: counted against their joining
#: (average link), so that two notices alike in all but the name are not one story through a third.
APART = -1.0

#: Flags of an article (stored with it).
TABLE = 1
CORRECTION = 2

#: The ``t`` of an undated article (seconds since 1970 otherwise).
UNDATED = -(2**62)


class Telling(Protocol):
    """One article as a pair is scored: its weighted words and their squared norm, its flags
    (:data:`TABLE`, :data:`CORRECTION`), its date (seconds since 1970, or :data:`UNDATED`),
    the words of its title, its marked words (names and figures, weighed :data:`NAME_WEIGHT`),
    its figures, its subject, and the collection's inverse document frequency of its words."""

    @property
    def vector(self) -> Mapping[int, float]: ...
    @property
    def norm2(self) -> float: ...
    @property
    def flags(self) -> int: ...
    @property
    def t(self) -> int: ...
    @property
    def title(self) -> AbstractSet[int]: ...
    @property
    def names(self) -> AbstractSet[int]: ...
    @property
    def figures(self) -> AbstractSet[int]: ...
    @property
    def subject(self) -> AbstractSet[int]:
        """The words of its title that its body repeats (all of its title's when it repeats none)."""
    @property
    def idf(self) -> Mapping[int, float]:
        """The inverse document frequency of (at least) each of its words in the collection."""


def decayed(score: float, t: int, u: int) -> float:
    """The score of a pair ``t`` and ``u`` seconds (since 1970) apart in time."""
    if t == UNDATED or u == UNDATED:
        return score
    return score / (1.0 + abs(t - u) / DECAY)


def cosine(a: Mapping[int, float], a2: float, b: Mapping[int, float], b2: float) -> float:
    """Cosine of two weighted vectors with squared norms ``a2`` and ``b2``, rounded to 9 decimals
    (so that a pair scores the same whichever side is ``a``, whatever order the words were summed in).

    The dot product is summed over the shared words only, at C speed."""
    if len(a) > len(b):
        a, b = b, a
    shared = list(filter(b.__contains__, a))
    return cosine_of(sum(map(mul, map(a.__getitem__, shared), map(b.__getitem__, shared))), a2, b2)


def cosine_of(dot: float, a2: float, b2: float) -> float:
    """The cosine of two vectors from their dot product and squared norms, as :func:`cosine` rounds it."""
    return min(1.0, round(dot / math.sqrt(a2 * b2), 9)) if dot > 0 else 0.0


def surely_below(shared: Sequence[float], norm2: float, needed: float) -> bool:
    """Is the cosine of a vector of squared norm ``norm2`` with another surely below ``needed``, given
    its weights ``shared`` in the words the two share?

    By Cauchy-Schwarz it is at most the root of the share of the vector's squared
    norm that is in those words, which needs none of the other's weights.
    The margin is far above rounding, so what it turns away the cosine would have.
    """
    return sum(map(mul, shared, shared)) < norm2 * (needed * (1 - 1e-6)) ** 2


def _about_what_the_other_lacks(a: Telling, b: Telling, figures: AbstractSet[int] = frozenset(),
                                shared_df: float = math.inf) -> bool:
    """Is ``a`` about something ``b`` lacks: one of its words carrying :data:`CONFLICT` of its squared
    weight, or the words of its title together carrying :data:`CONFLICT` of its plain TF-IDF weight
    (:data:`NAMED_CONFLICT` when its title's rarest word is one ``b`` lacks and :data:`NAMED_RARER`
    times rarer than ``shared_df``, the document frequency of the rarest word the two share)?

    The title check is what tells apart two templated notices ("Owens and Minor Inc raises qtly
    dividend", "Tultex Corp sets quarterly dividend"): a short notice is mostly its title, and the
    company's name in it is several words, none heavy alone. It uses the weights before names and
    figures are weighed up, since the dates such notices share ("Record March 13") are marked and
    would otherwise outweigh the name. A long article's title is a small part of it, so two
    outlets' differently titled tellings of one event pass. Words in ``figures`` are not counted
    as lacking (a correction changes figures, not names).
    """
    vector = a.vector
    lacking = [term for term in filterfalse(b.vector.__contains__, vector) if term not in figures]
    top = max(map(vector.__getitem__, lacking), default=0.0)  # weights are >= 0
    if top * top >= CONFLICT * a.norm2:
        return True
    names, words = a.names, a.title
    title = [vector[term] / NAME_WEIGHT if term in names else vector[term] for term in lacking if term in words]
    if not title:  # (the plain weights' squared norm is positive: a has words, or it returned above)
        return False
    share = sum(map(mul, title, title)) / _squared(plain(a))
    if share >= CONFLICT:
        return True
    if share < NAMED_CONFLICT:
        return False
    return _names_unused(a, b, words, shared_df)


def _df(idf: float) -> float:
    """The share of the collection (df / N) that a word of this :func:`~newsindex.stories.vectors.idf` is in."""
    return 1.0 / math.expm1(idf)


def plain(a: Telling) -> Mapping[int, float]:
    """An article's TF-IDF weights before names and figures are weighed up."""
    names = a.names
    return {term: w / NAME_WEIGHT if term in names else w for term, w in a.vector.items()} if names else a.vector


def _squared(vector: Mapping[int, float]) -> float:
    return sum(w * w for w in vector.values())


def plain_cosine(a: Telling, b: Telling) -> float:
    """The cosine of two articles' plain TF-IDF vectors (what :mod:`~newsindex.stories.similar` scores):
    copies and corrections score by the words they share, figures as much as any."""
    x, y = plain(a), plain(b)
    return cosine(x, _squared(x), y, _squared(y))


def _cosine_without(a: Mapping[int, float], b: Mapping[int, float], left_out: AbstractSet[int]) -> float:
    """The cosine of two vectors with the words ``left_out`` taken out of both."""
    x = {term: w for term, w in a.items() if term not in left_out}
    y = {term: w for term, w in b.items() if term not in left_out}
    x2, y2 = _squared(x), _squared(y)
    return cosine(x, x2, y, y2) if x2 and y2 else 0.0


def conflict(a: Telling, b: Telling, figures: AbstractSet[int] = frozenset()) -> bool:
    """Are the two templates of different names (each side about something the other lacks,
    ``figures`` aside)?"""
    x, y = (a, b) if len(a.vector) <= len(b.vector) else (b, a)
    both = [term for term in x.vector if term in y.vector and term not in a.figures and term not in b.figures]
    shared_df = min((_df(a.idf[term]) for term in both), default=math.inf)
    if _names_unused(a, b, a.subject, shared_df) and _names_unused(b, a, b.subject, shared_df):
        return True
    return (_about_what_the_other_lacks(a, b, figures, shared_df)
            and _about_what_the_other_lacks(b, a, figures, shared_df))


def _names_unused(a: Telling, b: Telling, words: AbstractSet[int], shared_df: float) -> bool:
    """Is the rarest of ``a``'s ``words`` (figures aside) one ``b`` never uses, and :data:`NAMED_RARER`
    times rarer than ``shared_df``, the document frequency of the rarest word the two share: a name,
    where what they share is a template?"""
    idf, figures = a.idf, a.figures
    rarest = max((term for term in words if term not in figures), key=lambda term: (idf[term], term), default=None)
    return rarest is not None and rarest not in b.vector and _df(idf[rarest]) * NAMED_RARER < shared_df


def pair_score(a: Telling, b: Telling) -> float:
    """The edge score of two articles: 0.0 when they are not alike, :data:`APART` when they are
    alike but refused as templates of two different names, else the decayed cosine, for a
    correction and what it corrects taken with figures aside if higher (see the module's checks)."""
    flags, t, u = a.flags | b.flags, a.t, b.t
    needed = TABLE_COSINE if flags & TABLE else EDGE * (1.0 + abs(t - u) / DECAY if UNDATED not in (t, u) else 1.0)
    if needed > 1.0:
        return 0.0
    correction = flags & CORRECTION
    # The words both have, in the order cosine() sums them (the smaller vector's), and their weights:
    # found once for the bound on either side and the cosine.
    x, y, x2, y2 = a.vector, b.vector, a.norm2, b.norm2
    if len(x) > len(y):
        x, y, x2, y2 = y, x, y2, x2
    shared = list(filter(y.__contains__, x))
    xs, ys = list(map(x.__getitem__, shared)), list(map(y.__getitem__, shared))
    if not correction and (surely_below(xs, x2, needed) or surely_below(ys, y2, needed)):
        return 0.0
    score = cosine_of(sum(map(mul, xs, ys)), a.norm2, b.norm2)
    figures: AbstractSet[int] = a.figures | b.figures if correction else frozenset()
    if correction:
        score = max(score, _cosine_without(a.vector, b.vector, figures))
    if score < needed:
        return 0.0
    if conflict(a, b, figures):
        return APART
    return round(decayed(score, t, u), 9)
