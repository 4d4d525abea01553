"""Where a claim came from: every article that carries it, oldest first, and what each changed.

A fact-checker holding a sentence, a quote or a figure with its context
("Russia provided up to 40% of Syria's wheat imports") asks who said it
first and who repeated it, word for word, with a changed number, shortened,
or in other words. :func:`trace` answers from the index:

1. **Candidates, without reading every article.** The claim is reduced to
   its content words as the index reduces them (stems, stop words out;
   derived forms the stemmer keeps apart, "syria"/"syrian", count as one),
   each weighted by its rarity in the index (``log(1 + N / df)``). An
   article can only carry the claim if it holds at least
   :data:`MIN_COVERAGE` of that weight, so the words are visited rarest
   first and, once the words left cannot lift an article that has none of
   the rarer ones over the bar, the common words only add to the articles
   already seen (MaxScore, as Lucene's disjunctions do). Only the
   :data:`MAX_CANDIDATES` articles holding most of the weight are read.
2. **The sentence that carries it.** In each candidate, the sentence (or two
   adjacent sentences, for a claim a telling splits) holding most of the
   claim's weight; the article carries the claim when that is at least
   :data:`MIN_COVERAGE` (the bar of step 1 cannot drop one that passes here).
3. **How.** Lined up word by word with the claim
   (:mod:`~newsindex.stories.wording`): ``exact`` when the claim's words
   stand in it in the same order, ``near`` when most do (a changed number, a
   shortened quote), ``retold`` otherwise (the same words in another order
   and wording).
4. **Oldest first.** The tellings are ordered by publication (undated ones
   last); the earliest is marked, and every later one is lined up word by
   word with the earliest's sentence: what it changed.

Limits: a retelling in other words (synonyms, another language) shares too
little of the claim's vocabulary to be found; a claim of a few common words
("the company said") matches too much to mean anything, and only the
:data:`MAX_CANDIDATES` closest articles are verified (the result says so).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from difflib import SequenceMatcher
from datetime import datetime
from typing import Any, Callable, Literal

from whoosh import query as wq

from ..errors import NewsIndexError
from ..ingest.article import Article
from ..search.ranking import TEXT_FIELDS
from ..store.schema import from_stored
from ..text.analysis import stop_words, word_terms
from .sentences import article_paragraphs, article_sentences
from .stems import MAX_SUFFIX, MIN_ROOT
from .wording import WordChanges, word_changes, words

#: Share of the claim's weighted words a telling must hold (in one sentence, or two adjacent ones)
#: with most of the claim's content words in the claim's order (``near``), and without (``retold``).
#: Measured on 80 sentences taken at random from Reuters-21578 stories: their copies and
#: corrections hold 0.73 to 1.0 of the weight; sentences of other stories that share a name and
#: the topic ("Drexel Burnham Lambert Inc is lead manager") hold 0.5 to 0.7 and few of them keep the
#: claim's word order, while retellings of the claim in other words hold 0.7 to 0.9 (and so do
#: notices that repeat a template with another company's name, which no word count can tell apart).
MIN_COVERAGE = 0.5
RETOLD_COVERAGE = 0.7
#: The longest claim traced, in words: a claim is a sentence or two, and every word costs a lookup.
MAX_CLAIM_WORDS = 200
#: How many of the articles holding most of the claim's weight are read and verified.
MAX_CANDIDATES = 400
#: A telling with at least this share of the claim's content words in the claim's order is ``near``
#: (one word in four changed: a figure, a name); with less, it needs RETOLD_COVERAGE. At 0.6, "the EC
#: to introduce a vegetable oils tax" was a near telling of "the EC imposed a levy on vegetable oils".
NEAR_SHARE = 0.75
#: Two adjacent sentences carry a claim together when they hold this much more of it than either.
PAIR_GAIN = 0.2

Match = Literal["exact", "near", "retold"]


@dataclass(frozen=True)
class Telling:
    """One article carrying the claim: where, how, and what it changed against the earliest telling.

    ``sentences`` are the indexes of the sentence(s) carrying it (as
    ``newsindex compare`` and ``trace ID --sentence N`` number them: 0 is
    the title) and ``text`` their words; ``match`` is ``exact``, ``near``
    or ``retold``; ``coverage`` the share of the claim's weighted words they
    hold; ``changes`` the words changed against the earliest telling's
    sentence (None for the earliest itself).
    """

    id: str
    title: str
    published: datetime | None
    source: str
    url: str
    sentences: tuple[int, ...]
    text: str
    match: Match
    coverage: float
    earliest: bool = False
    changes: WordChanges | None = None

    @property
    def against_earliest(self) -> Literal["earliest", "same", "changed", "retold"]:
        """How it stands against the earliest telling, which says how to show it: the earliest itself,
        the same words, a few words changed (read inline) or told otherwise (read as its own sentence)."""
        if self.earliest:
            return "earliest"
        if self.changes is None or self.changes.same:
            return "same"
        return "retold" if self.changes.retold else "changed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "published": self.published.isoformat() if self.published else None,
            "source": self.source, "url": self.url, "sentences": list(self.sentences), "text": self.text,
            "match": self.match, "coverage": round(self.coverage, 3), "earliest": self.earliest,
            "changes": self.changes.to_dict() if self.changes is not None else None,
        }


@dataclass(frozen=True)
class Trace:
    """The result of :func:`trace`: the claim and its tellings, oldest first (undated last).

    ``candidates`` is how many articles held enough of the claim's words to
    be read, ``verified`` how many of them were (at most
    :data:`MAX_CANDIDATES`, the closest first): when fewer, ``complete`` is
    False and the list may miss tellings of a very common claim. ``origin``
    is the article and sentence number the claim was taken from, if it was.
    """

    claim: str
    tellings: tuple[Telling, ...]
    candidates: int
    verified: int
    origin: tuple[str, int] | None = None

    @property
    def complete(self) -> bool:
        return self.verified == self.candidates

    @property
    def earliest(self) -> Telling | None:
        return next((t for t in self.tellings if t.earliest), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "from": {"id": self.origin[0], "sentence": self.origin[1]} if self.origin else None,
            "candidates": self.candidates, "verified": self.verified, "complete": self.complete,
            "tellings": [t.to_dict() for t in self.tellings],
        }


class Tracer:
    """Traces claims in one index. It keeps the stems of the words it has seen: the claims of one
    session and the articles that carry them share most of their words, and stemming is most of
    the work of reading a candidate."""

    def __init__(self, analyzer: Any, stops: frozenset[str] = stop_words("english")) -> None:
        """``analyzer`` is how the index analysed the articles of the claim's language, ``stops`` that
        language's stop words."""
        terms = word_terms(analyzer)
        if terms is None:  # pragma: no cover - every newsindex index has a newsindex analyzer
            raise NewsIndexError("this index's analyzer cannot be used to trace a claim")
        self.terms = terms
        self.surface_stops = stops
        self.stops = frozenset(t for w in self.surface_stops for t in terms.terms(w))

    def trace(self, claim: str, searcher: Any, matches: Callable[[wq.Query], set[int]], limit: int | None = None) -> Trace:
        """Every article of the index carrying ``claim``, oldest first, with how and what it changed.

        ``searcher`` is the index's Whoosh searcher and ``matches`` answers a
        query with the set of document numbers it matches (the search stage's
        evaluator). ``limit`` keeps the oldest ``limit`` tellings. Raises
        :class:`NewsIndexError` for a claim with no words.
        """
        reader = searcher.reader()
        return self.trace_in(
            claim, lambda stem: word_forms(stem, reader), matches, reader.doc_count(),
            lambda docnums: [from_stored(searcher.stored_fields(d)["article"]) for d in docnums], limit,
        )

    def trace_in(
        self, claim: str, forms: Callable[[str], set[str]], matches: Callable[[wq.Query], set[int]], articles: int,
        load: Callable[[list[int]], list[Article]], limit: int | None = None,
    ) -> Trace:
        """:meth:`trace` over any articles numbered in the order they were indexed: one index's
        documents, or a collection's articles in their order of arrival (``forms`` gives the forms of
        a stem its words hold, :func:`word_forms`; ``matches`` the numbers of the articles a query
        matches, of ``articles`` in all; ``load`` the articles of some numbers, in that order)."""
        groups = self._groups(claim, forms)
        form_of = {f: s for s, found in groups.items() for f in found}
        postings: dict[str, set[int]] = {}
        weight: dict[str, float] = {}
        for stem, found in groups.items():
            q = wq.Or([wq.Term(field, form) for form in sorted(found) for field in TEXT_FIELDS])
            postings[stem] = matches(q)
            weight[stem] = math.log(1 + articles / max(len(postings[stem]), 1))
        total = sum(weight.values())
        ranked = _candidates(postings, weight, total)

        def held(text: str) -> set[str]:
            return {form_of[t] for t in form_of.keys() & self.terms.terms(text)}

        tellings = []
        for article in load([number for number, _ in ranked[:MAX_CANDIDATES]]):
            found = _carrier(article, claim, held, weight, total, self.surface_stops)
            if found is not None:
                tellings.append(found)
        return Trace(claim, _ordered(tellings, limit), len(ranked), min(len(ranked), MAX_CANDIDATES))

    def _groups(self, claim: str, forms: Callable[[str], set[str]]) -> dict[str, set[str]]:
        """The claim's content words as the index has them: each stem with its derived forms."""
        size = len(words(claim))
        if size > MAX_CLAIM_WORDS:
            raise NewsIndexError(
                f"the claim is {size:,} words long; trace takes a sentence, a quote or a figure with its "
                f"context, at most {MAX_CLAIM_WORDS} words (newsindex similar finds articles like a whole one)"
            )
        stems = list(dict.fromkeys(self.terms.terms(claim)))
        content = [s for s in stems if s not in self.stops] or stems
        if not content:
            raise NewsIndexError("the claim has no words to look for")
        return {s: forms(s) for s in content}


def sentence_of(article: Article, number: int) -> str:
    """The text of sentence ``number`` of the article, as comparisons and traces number them (0 is the
    title when there is one); raises :class:`NewsIndexError` naming the numbers there are."""
    located = article_sentences(article)
    if not 0 <= number < len(located):
        there = f"sentences 0 to {len(located) - 1}" if located else "no sentences"
        raise NewsIndexError(f"article {article.id!r} has {there}; there is no sentence {number}")
    return located[number].sentence.text


def word_forms(stem: str, reader: Any) -> set[str]:
    """The stem and the derived forms of it that the index holds ("syria" -> "syrian", "syrians")."""
    forms = {stem}
    if stem.isalpha() and len(stem) >= MIN_ROOT:
        for field in TEXT_FIELDS:
            for term in reader.expand_prefix(field, stem):
                word = term.decode("utf-8") if isinstance(term, bytes) else term
                if len(word) - len(stem) <= MAX_SUFFIX and word.isalpha():
                    forms.add(word)
        for cut in range(1, MAX_SUFFIX + 1):
            head = stem[:-cut]
            if len(head) >= MIN_ROOT and any((f, head) in reader for f in TEXT_FIELDS):
                forms.add(head)
    return forms


def _candidates(postings: dict[str, set[int]], weight: dict[str, float], total: float) -> list[tuple[int, float]]:
    """The articles holding at least :data:`MIN_COVERAGE` of the claim's weight, most first.

    Words are visited rarest first; once the words left weigh less than the
    bar, an article none of the rarer words brought cannot reach it, so the
    rest only add to the articles already counted.
    """
    need = MIN_COVERAGE * total - 1e-9
    order = sorted(postings, key=lambda s: -weight[s])
    left = total
    score: dict[int, float] = {}
    for stem in order:
        w, docs = weight[stem], postings[stem]
        if left >= need:
            for d in docs:
                score[d] = score.get(d, 0.0) + w
        else:
            for d in docs & score.keys() if len(docs) > len(score) else (d for d in docs if d in score):
                score[d] += w
        left -= w
    found = [(d, s) for d, s in score.items() if s >= need]
    found.sort(key=lambda pair: (-pair[1], pair[0]))
    return found


def _carrier(
    article: Article, claim: str, words_in: Callable[[str], set[str]], weight: dict[str, float], total: float,
    stops: frozenset[str],
) -> Telling | None:
    """The telling of the claim in this article, if one of its sentences carries it (or two adjacent
    ones, when together they hold :data:`PAIR_GAIN` more of it than either: a claim split in two).

    Splitting an article into sentences costs more than finding the claim's words, and most
    candidates do not carry the claim: one whose paragraphs (alone or two by two) hold too little
    of it is passed over before it is split."""
    parts = [words_in(text) for text in article_paragraphs(article)]
    near = [sum(weight[s] for s in stems) for stems in parts]
    near += [sum(weight[s] for s in a | b) for a, b in zip(parts, parts[1:])]
    if not near or max(near) < MIN_COVERAGE * total - 1e-9:
        return None
    located = article_sentences(article)
    held = [words_in(item.sentence.text) for item in located]
    share = [sum(weight[s] for s in stems) / total for stems in held]
    if not share:
        return None
    best_at: tuple[int, ...] = (max(range(len(share)), key=lambda i: (share[i], -i)),)
    best = share[best_at[0]]
    for i in range(len(held) - 1):
        pair = sum(weight[s] for s in held[i] | held[i + 1]) / total
        if pair >= max(share[i], share[i + 1]) + PAIR_GAIN and pair > best + 1e-9:
            best, best_at = pair, (i, i + 1)
    if best < MIN_COVERAGE - 1e-9:
        return None
    text = " ".join(located[i].sentence.text for i in best_at)
    match = _match(claim, text, stops)
    if match == "retold" and best < RETOLD_COVERAGE - 1e-9:
        return None
    return Telling(
        id=article.id, title=article.title, published=article.published, source=article.source, url=article.url,
        sentences=tuple(located[i].sentence.index for i in best_at), text=text, match=match,
        coverage=min(best, 1.0),  # a sum of the same weights in another order may pass 1 by a rounding
    )


def _match(claim: str, text: str, stops: frozenset[str]) -> Match | None:
    """How ``text`` carries the claim, if it does: ``exact`` when the claim's words stand in it in
    order; ``near`` when most of the claim's content words do (:data:`NEAR_SHARE`: a changed
    number, a shortened quote); ``retold`` when they do not, but it holds :data:`RETOLD_COVERAGE`
    of the claim's weight (checked by the caller)."""
    keys = [w.key for w in words(claim)]
    found = [w.key for w in words(text)]
    n = len(keys)
    if n and any(found[i:i + n] == keys for i in range(len(found) - n + 1)):
        return "exact"
    content = [k for k in keys if k not in stops] or keys
    there = [k for k in found if k not in stops]
    kept = sum(block.size for block in SequenceMatcher(None, content, there, autojunk=False).get_matching_blocks())
    return "near" if content and kept / len(content) >= NEAR_SHARE else "retold"


def merged(claim: str, traces: list[Trace], limit: int | None) -> Trace:
    """One trace of ``claim`` from its traces in several languages (a claim whose language is not
    known is traced as each language of the index analyses it: each finds that language's articles)."""
    seen: dict[str, Telling] = {}
    for found in traces:
        for t in found.tellings:
            seen.setdefault(t.id, Telling(**{**t.__dict__, "earliest": False, "changes": None}))
    return Trace(claim, _ordered(list(seen.values()), limit), sum(t.candidates for t in traces),
                 sum(t.verified for t in traces))


def _ordered(tellings: list[Telling], limit: int | None) -> tuple[Telling, ...]:
    """Oldest first, undated last; the first is the earliest, and the others are lined up with it."""
    tellings.sort(key=lambda t: (t.published is None, t.published or datetime.min, t.id))
    if limit is not None:
        tellings = tellings[:limit]
    if not tellings:
        return ()
    first = tellings[0]
    out = [Telling(**{**first.__dict__, "earliest": True})]
    for t in tellings[1:]:
        out.append(Telling(**{**t.__dict__, "changes": word_changes(first.text, t.text)}))
    return tuple(out)
