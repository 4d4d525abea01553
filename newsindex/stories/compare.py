"""Compare two tellings of the same story: what each says that the other does not, and what changed.

A fact-checker holding an original report and a retelling (or a correction)
wants to know which statements were added, which were dropped, which were
changed inside and how, and which checkable details (figures, dates, quotes,
attributions, names) appear in only one of them. :func:`compare` answers
that sentence by sentence, then word by word.

How sentences are aligned, and why:

* Each article (title, then body) is split into sentences
  (:mod:`~newsindex.stories.sentences`) and each sentence reduced to its
  content words with the index's own analyzer (:mod:`~newsindex.stories.stems`),
  so "refusal" meets "refused" here exactly as in a search.
* Words are weighted by their inverse document frequency over the sentences
  of *both* articles: words every sentence repeats ("Russia", "Syria") say
  little about whether two sentences state the same thing; rare ones
  ("Khmeimim", "extradite") say a lot. Computing it over both articles keeps
  the comparison symmetric.
* A sentence is *shared* when the other article covers enough of its weight
  (:data:`SHARED_COVERAGE`) with its best sentence or best two sentences.
  Coverage, not a symmetric similarity such as Jaccard, because retellings
  merge two sentences into one or split one into two, and a long sentence
  that also says more must not hide that a short one is fully contained in
  it. Two sentences need not be adjacent: a rewrite regroups facts.
* Each shared sentence and the sentences that cover it are then lined up
  word by word (:mod:`~newsindex.stories.wording`): a shared sentence is
  ``"same"`` only when the words are the same, else ``"changed"``, with the
  edits (a corrected figure, a dropped "not", "imposed" for "proposed"),
  since that is where a correction hides inside familiar wording. The two
  titles are always lined up with each other.
* Under each sentence are its checkable details (:mod:`~newsindex.stories.details`)
  that the other article never mentions anywhere.

Limits: the details are found by English patterns (month names, "according
to", "said"), and names by capitalisation, so in German, which capitalises
every noun, common nouns come out as names. Paraphrase with other words
("asked" for "requested") is not recognised: such a sentence is reported
as said by one article only, which shows it to the reader rather than hide it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Literal

from ..ingest.article import Article
from .details import KINDS, Detail, Kind, capital_evidence, details
from .sentences import Located, Sentence, article_sentences
from .stems import Analyser, sentence_words
from .wording import EDIT_KINDS, RETOLD_SIMILARITY, WordChanges, similarity, word_changes

__all__ = [
    "KINDS", "MAX_MATCHED", "SHARED_COVERAGE", "Change", "Choice", "Comparison", "Detail", "Kind", "Sentence",
    "SentenceMatch", "Side", "Status", "compare",
]

#: A sentence is shared when the other article covers at least this share of its weighted words.
#: Measured on 52 sentences labelled by hand (the seed pair and a Reuters follow-up story,
#: reuters-7624/8122): 0.30 to 0.38 classify best (46 of 52, against 38 at 0.5, where
#: paraphrases fall out); 0.35 is inside that range, clear of the closest cases on both sides.
SHARED_COVERAGE = 0.35
#: Quoted words are meant verbatim: a quote counts as present in the other article only when
#: one of its sentences holds at least this share of the quote's words (quoted there or not).
QUOTE_COVERAGE = 0.8
#: How many sentences of the other article may together cover one sentence (a merge or a split).
MAX_MATCHED = 2

Status = Literal["same", "changed", "only"]


@dataclass(frozen=True)
class SentenceMatch:
    """One sentence of one article, aligned with the other article.

    ``status`` is ``"same"`` (the other article says it in the same words),
    ``"changed"`` (it says it, with words changed, added or removed: see the
    comparison's :attr:`Comparison.changes`) or ``"only"``. ``coverage`` is
    the share of the sentence's weighted words found in ``matched`` (indexes
    of the other article's best sentences), so a reader can see how close a
    call was. ``details`` are the sentence's checkable details that the other
    article never mentions.
    """

    sentence: Sentence
    status: Status
    coverage: float
    matched: tuple[int, ...]
    details: tuple[Detail, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.sentence.index,
            "text": self.sentence.text,
            "in_title": self.sentence.in_title,
            "status": self.status,
            "coverage": round(self.coverage, 3),
            "matched": list(self.matched),
            "details": [d.to_dict() for d in self.details],
        }


@dataclass(frozen=True)
class Side:
    """One article of a comparison: its identity and every sentence's alignment, in reading order."""

    id: str
    title: str
    published: datetime | None
    sentences: tuple[SentenceMatch, ...]

    @property
    def only(self) -> tuple[SentenceMatch, ...]:
        """Sentences the other article does not say."""
        return tuple(s for s in self.sentences if s.status == "only")

    @property
    def changed(self) -> tuple[SentenceMatch, ...]:
        """Sentences the other article says with words changed, added or removed."""
        return tuple(s for s in self.sentences if s.status == "changed")

    @property
    def same(self) -> tuple[SentenceMatch, ...]:
        """Sentences the other article says in the same words."""
        return tuple(s for s in self.sentences if s.status == "same")

    @property
    def shared(self) -> tuple[SentenceMatch, ...]:
        """Sentences the other article also says, changed or not."""
        return tuple(s for s in self.sentences if s.status != "only")

    @property
    def details(self) -> tuple[Detail, ...]:
        """Every detail of this article that the other never mentions, in reading order."""
        return tuple(d for s in self.sentences for d in s.details)

    def sentence(self, index: int) -> SentenceMatch:
        """The sentence with this index."""
        return next(s for s in self.sentences if s.sentence.index == index)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "sentences": len(self.sentences),
            "same": len(self.same),
            "changed": len(self.changed),
            "only": len(self.only),
            "alignment": [s.to_dict() for s in self.sentences],
        }


@dataclass(frozen=True)
class Change:
    """One statement both articles make, worded differently: A's sentences, B's, and the edits.

    ``a`` and ``b`` are sentence indexes (one or two on a side when a
    retelling merged or split sentences); ``words`` lines up their texts word
    by word, A's as the old wording and B's as the new, with the edits most
    telling first. ``title`` is set for the two titles.
    """

    a: tuple[int, ...]
    b: tuple[int, ...]
    words: WordChanges
    title: bool = False

    @property
    def retold(self) -> bool:
        """Told in other words rather than changed in a few (see :attr:`WordChanges.retold`)."""
        return self.words.retold

    @property
    def rank(self) -> int:
        """The kind of its most telling edit (0 = a figure): changes of figures are read first."""
        return min((EDIT_KINDS.index(e.kind) for e in self.words.edits), default=len(EDIT_KINDS))

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": list(self.a), "b": list(self.b), "title": self.title,
            "a_text": self.words.old, "b_text": self.words.new, **self.words.to_dict(),
        }


@dataclass(frozen=True)
class Choice:
    """Why B was compared with A when only B was named: the earlier telling it most likely corrects or rewrites.

    ``reason`` says it in words; ``score`` is the similarity of the two
    (TF-IDF cosine, 0..1), ``overlap`` the share of three-word runs they
    share, ``same_story`` whether the two were grouped into one story,
    ``earlier_by`` how many seconds earlier A was published (None when a
    date is missing), ``candidates`` how many earlier tellings were weighed.
    """

    id: str
    reason: str
    score: float
    overlap: float
    same_story: bool
    earlier_by: float | None
    candidates: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "reason": self.reason, "score": round(self.score, 3), "overlap": round(self.overlap, 3),
            "same_story": self.same_story, "earlier_by_seconds": self.earlier_by, "candidates": self.candidates,
        }


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare`: both articles, sentence by sentence, and what changed inside.

    ``a`` and ``b`` are symmetric: ``compare(b, a)`` gives the same two sides
    swapped, so nothing depends on which article is called the original.
    ``changes`` are the statements both make in different words, read from A
    to B, the most telling first (changed figures, then negations, names,
    attributions, other wording; then in A's reading order). ``chosen`` says
    why A was picked when only B was named (see :class:`Choice`).
    """

    a: Side
    b: Side
    changes: tuple[Change, ...] = ()
    language: str = "english"
    threshold: float = SHARED_COVERAGE
    chosen: Choice | None = None

    @property
    def title_change(self) -> Change | None:
        """The two titles lined up, when they differ."""
        return next((c for c in self.changes if c.title), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able types, for ``--json``."""
        return {
            "language": self.language,
            "threshold": self.threshold,
            "chosen": self.chosen.to_dict() if self.chosen else None,
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "changes": [c.to_dict() for c in self.changes],
        }


# --- analysis -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Analysed:
    """A sentence with its content words (stems) and its details, before alignment."""

    sentence: Sentence
    words: frozenset[str]
    details: tuple[Detail, ...]


class _Aligned:
    """One sentence's alignment before its status is known: how well it is covered, and by which."""

    def __init__(self, item: _Analysed, coverage: float, matched: tuple[int, ...], details: tuple[Detail, ...]) -> None:
        self.item = item
        self.coverage = coverage
        self.matched = matched
        self.details = details


# --- alignment ----------------------------------------------------------------------------------


def _idf(sentences: Iterable[frozenset[str]]) -> dict[str, float]:
    """Inverse sentence frequency over both articles: log(1 + N / df)."""
    sets = list(sentences)
    df: dict[str, int] = {}
    for words in sets:
        for w in words:
            df[w] = df.get(w, 0) + 1
    return {w: math.log(1 + len(sets) / d) for w, d in df.items()}


def _cover(
    words: frozenset[str], others: list[frozenset[str]], weight: dict[str, float], most: int = MAX_MATCHED,
    ties: list[Any] | None = None,
) -> tuple[float, tuple[int, ...]]:
    """The share of ``words``' weight found in the best ``most`` of ``others`` (greedy set
    cover: best sentence, then the one covering most of the rest), and which ones. Of sentences
    covering as much, the one with the smallest ``ties`` key wins (else the first)."""
    total = sum(weight.get(w, 1.0) for w in words)
    chosen: list[int] = []
    left = set(words)
    for _ in range(most):
        best, gain = -1, 0.0
        for j, other in enumerate(others):
            g = sum(weight.get(w, 1.0) for w in left if w in other)
            if g > gain + 1e-9 or (ties and best >= 0 and g > gain - 1e-9 and ties[j] < ties[best]):
                best, gain = j, g
        if best < 0:
            break
        chosen.append(best)
        left -= others[best]
    if not total:
        return 0.0, ()
    return 1.0 - sum(weight.get(w, 1.0) for w in left) / total, tuple(sorted(chosen))


def _present(detail: Detail, other: list[_Analysed], other_words: frozenset[str], idf: dict[str, float]) -> bool:
    """Whether the other article mentions this detail anywhere (not only in the matched sentence:
    rewrites move details around)."""
    if detail.kind == "name":
        return detail.key <= other_words
    if detail.kind == "quote":
        return _cover(detail.key, [a.words for a in other], {}, most=1)[0] >= QUOTE_COVERAGE
    same = [d.key for a in other for d in a.details if d.kind == detail.kind]
    if detail.kind == "date":
        return any(detail.key <= k for k in same)
    if detail.kind == "attribution":
        # The same source however it is titled ("Sharaa", "interim President Ahmed al-Sharaa"): the
        # two share at least half the weight of the shorter one; weighted, so that the "al" of
        # every Arabic name does not make al-Assad the same source as al-Sharaa.
        def weight(words: frozenset[str]) -> float:
            return sum(idf.get(w, 1.0) for w in words)

        return any(weight(detail.key & k) >= 0.5 * min(weight(detail.key), weight(k)) > 0 for k in same)
    return detail.key in same


def _new_details(
    item: _Analysed, other: list[_Analysed], other_words: frozenset[str], idf: dict[str, float]
) -> tuple[Detail, ...]:
    """The sentence's details the other article never mentions; a new name inside a new
    attribution ("According to the BBC") is said once, as the attribution."""
    new = [d for d in item.details if not _present(d, other, other_words, idf)]
    sources = [d for d in new if d.kind == "attribution"]
    return tuple(
        d for d in new if d.kind != "name" or not any(s.start <= d.start and d.end <= s.end for s in sources)
    )


def _align(mine: list[_Analysed], other: list[_Analysed], idf: dict[str, float], threshold: float) -> list[_Aligned]:
    other_words = frozenset().union(*(a.words for a in other))
    other_sets = [a.words for a in other]
    aligned = []
    for item in mine:
        # Of sentences covering as much: the same text, then one of the same part (title or body),
        # then the one saying least besides.
        ties = [(o.sentence.text != item.sentence.text, o.sentence.in_title != item.sentence.in_title, len(o.words)) for o in other]
        coverage, matched = _cover(item.words, other_sets, idf, ties=ties)
        indexes = tuple(other[j].sentence.index for j in matched) if coverage >= threshold else ()
        aligned.append(_Aligned(item, coverage, indexes, _new_details(item, other, other_words, idf)))
    return aligned


Unit = tuple[tuple[int, ...], tuple[int, ...]]


def _units(a: list[_Aligned], b: list[_Aligned]) -> tuple[Unit | None, list[Unit]]:
    """The statements both articles make: groups of A's and B's sentences to line up word by word.

    Each shared sentence brings itself and the one or two sentences covering
    it, from either side, so the groups are the same whichever article is A;
    a group inside a larger one (a sentence of a merge) is said by the larger
    one. A sentence that has a close wording on the other side (a copy, a
    correction) belongs with it, not with a neighbour it lent a few words to:
    "twice a year" is no part of "46,000 barrels a day", and a correction
    note "(Correcting output to barrels/day from barrels/year)" says
    something only the correction says. The two titles always make a group
    of their own, and of no other.
    """
    title_a = next((s.item.sentence.index for s in a if s.item.sentence.in_title), None)
    title_b = next((s.item.sentence.index for s in b if s.item.sentence.in_title), None)
    titles = ((title_a,), (title_b,)) if title_a is not None and title_b is not None else None
    text = {("a", s.item.sentence.index): s.item.sentence.text for s in a}
    text.update({("b", s.item.sentence.index): s.item.sentence.text for s in b})
    body = [("a", s) for s in a] + [("b", s) for s in b]
    body = [(side, s) for side, s in body if not (titles and s.item.sentence.in_title)]
    alike: dict[tuple[str, int], dict[int, float]] = {}  # a sentence -> its candidates' word similarity
    for side, s in body:
        other = "b" if side == "a" else "a"
        own = s.item.sentence.index
        for j in s.matched:
            value = similarity(text[(side, own)], text[(other, j)])
            alike.setdefault((side, own), {})[j] = value
            alike.setdefault((other, j), {})[own] = value

    def belongs(other: str, j: int, own: int) -> bool:
        """Whether sentence ``j`` of the other side may stand with ``own``: it has no close wording
        on this side, or ``own`` is (one of) its closest."""
        scores = alike.get((other, j), {})
        best = max(scores.values(), default=0.0)
        return best < RETOLD_SIMILARITY or scores.get(own, 0.0) >= best

    units: set[Unit] = set()
    for side, s in body:
        other = "b" if side == "a" else "a"
        own = s.item.sentence.index
        partners = tuple(j for j in s.matched if belongs(other, j, own) and not (titles and j == titles[other == "b"][0]))
        if partners:
            units.add(((own,), partners) if side == "a" else (partners, (own,)))
    kept = [
        u for u in units
        if not any(v != u and set(u[0]) <= set(v[0]) and set(u[1]) <= set(v[1]) for v in units)
    ]
    return titles, sorted(kept)


def _statuses(aligned: list[_Aligned], same: set[int], changed: set[int], title_same: bool | None) -> tuple[SentenceMatch, ...]:
    """Each sentence's status: ``only`` when the other article covers too little of it, or covers it
    only with sentences that have closer wordings of their own; else ``same`` when a group it is in
    has the same words on both sides (a title: when the two titles do), else ``changed``."""
    out = []
    for s in aligned:
        sentence = s.item.sentence
        if not s.matched:
            status: Status = "only"
        elif sentence.in_title and title_same is not None:
            status = "same" if title_same else "changed"
        elif sentence.index in same:
            status = "same"
        elif sentence.index in changed:
            status = "changed"
        else:
            status = "only"
        out.append(SentenceMatch(sentence, status, s.coverage, s.matched if status != "only" else (), s.details))
    return tuple(out)


def compare(a: Article, b: Article, language: str = "english", threshold: float = SHARED_COVERAGE) -> Comparison:
    """Align two articles sentence by sentence, then word by word, and report what each says that
    the other does not and what changed inside what both say.

    ``language`` is a Snowball language, the index's default: both articles are
    analysed in their language when they share one, else in that. ``threshold`` is the
    coverage from which a sentence counts as shared (see
    :data:`SHARED_COVERAGE`). The sides are symmetric: ``compare(b, a)``
    gives the same sides swapped (and the changes read from B to A).
    """
    an = Analyser(language, a.language if a.language == b.language else "")
    raw_a, raw_b = article_sentences(a), article_sentences(b)
    raws = raw_a + raw_b
    an.learn(t.stem for r in raws for t in an.tokens(r.sentence.text))
    vocabulary = frozenset(an.canon.values())
    capital, lower = capital_evidence((r.sentence.text for r in raws), an.stops)

    def analyse(side: list[Located]) -> list[_Analysed]:
        out = []
        for raw in side:
            words = sentence_words(raw.sentence.text, an, vocabulary)
            if words:
                out.append(_Analysed(raw.sentence, words, details(raw, an, capital, lower)))
        return out

    sa, sb = analyse(raw_a), analyse(raw_b)
    idf = _idf(s.words for s in sa + sb)
    aligned_a, aligned_b = _align(sa, sb, idf, threshold), _align(sb, sa, idf, threshold)
    text_a = {s.sentence.index: s.sentence.text for s in sa}
    text_b = {s.sentence.index: s.sentence.text for s in sb}
    titles, units = _units(aligned_a, aligned_b)
    same_a: set[int] = set()
    same_b: set[int] = set()
    changed_a: set[int] = set()
    changed_b: set[int] = set()
    title_same = None
    changes = []
    for unit in ([titles] if titles else []) + units:
        in_a, in_b = unit
        words = word_changes(" ".join(text_a[i] for i in in_a), " ".join(text_b[i] for i in in_b))
        if unit is titles:
            title_same = words.same
        else:
            (same_a if words.same else changed_a).update(in_a)
            (same_b if words.same else changed_b).update(in_b)
        if not words.same:
            changes.append(Change(in_a, in_b, words, title=unit is titles))
    changes.sort(key=lambda c: (not c.title, c.rank, c.a, c.b))
    side_a = Side(a.id, a.title, a.published, _statuses(aligned_a, same_a, changed_a, title_same))
    side_b = Side(b.id, b.title, b.published, _statuses(aligned_b, same_b, changed_b, title_same))
    return Comparison(side_a, side_b, tuple(changes), language, threshold)
