"""Article vectors: content words, TF-IDF weights, cosine, word shingles, weighted samples.

The arithmetic that both :mod:`newsindex.stories.similar` (one article's
neighbours) and :mod:`newsindex.stories.store` (grouping as articles arrive)
stand on, kept here so neither imports the other.

The one similarity score is the **cosine of TF-IDF vectors of content words**
(title and body, analysed like the index analyses them, stop words removed,
weight ``(1 + ln tf) * ln(1 + N / df)``). It is symmetric, lies in 0..1, is
1.0 for identical texts and means the same thing whatever article it is
computed for, because it depends only on the two texts and the collection's
document frequencies, not on a query's length or on a ranking. Rare shared
words (names, places, figures) weigh most, so a retelling in other words
still scores high when it is about the same people and facts (the two seed
articles: about 0.6), while two dividend notices of different companies,
which share only boilerplate, score lower than their word overlap suggests.

Why not the Jaccard overlap of word shingles (MinHash) as the score: it only
sees copied wording, so a retelling scores near 0 (the seeds share almost no
three-word sequence), and over the short templated notices of a wire service
it is high for unrelated items. It is still reported (as ``overlap``), since
it says something the cosine does not: how much of the text was copied.
Taking ``max(jaccard, cosine)`` was rejected: near-copies already have a
cosine close to 1, so the maximum would only add the false highs.

The weighted sample (:func:`weighted_sample`) is the locality-sensitive
signature the story store uses: the ``k`` content words with the smallest
``-ln(u(word)) / weight(word)``, ``u`` a fixed hash of the word in (0, 1).
It is a bottom-k MinHash in which each word's chance of being drawn is
proportional to its TF-IDF weight (the "exponential race" of consistent
weighted sampling): two texts draw the same word when they share the words
that matter, and boilerplate (``div``, ``cts``, ``said``) is almost never
drawn, so its buckets do not fill with thousands of unrelated notices. Each
word is hashed once, instead of once per hash function as in classic
MinHash, which keeps the per-article path (one article in pure Python) cheap.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import math
import operator
import re
from collections import Counter
from itertools import accumulate, chain, compress, islice
from typing import Any, Callable, Hashable, Mapping, Sequence, TypeVar

from ..ingest.article import Article
from ..text.analysis import (
    LANGUAGES, KnownStems, LanguageMarkFilter, SnowballFilter, language_analyzer, language_stop_words, word_terms,
)

K = TypeVar("K", bound=Hashable)

#: Document frequencies are judged against at least this many articles. In a
#: small collection every shared word is "common" (two articles: df 2 of 2),
#: which would make the idf of exactly the words two tellings share the
#: lowest; a floor of 1,000 keeps words nearly equal until there is evidence.
MIN_COLLECTION = 1000

#: Words per shingle for the copied-text overlap.
SHINGLE_SIZE = 3


def idf(df: int, articles: int) -> float:
    """Inverse document frequency ``ln(1 + N / df)``, with ``N`` at least :data:`MIN_COLLECTION`.

    Always positive, so a word every article has still counts a little, and
    finite for a word no other article has (``df`` is at least 1).
    """
    return math.log(1.0 + max(articles, MIN_COLLECTION) / max(df, 1))


def tf_weight(count: int) -> float:
    """Sublinear term frequency ``1 + ln tf``: the tenth "Assad" adds less than the second."""
    return 1.0 + math.log(count) if count > 0 else 0.0


#: Distinct words whose content words are remembered (the cache starts over past this).
WORD_CACHE = 250_000

#: The last characters of a word that end a sentence (or open a quote): the next word's capital is no name.
_SENTENCE_END = frozenset(".!?:;\"\u201d\u00bb")
#: Where a paragraph begins: after a blank line, or at an indented line.
_PARAGRAPHS = re.compile(r"\n[ \t\r]*\n|\n[ \t]+").split


class ContentWords:
    """The content words of articles: the index's analysis of each article's language (tokens,
    folding, Snowball stems, language marks) with stop words and single letters removed.

    Stop words are removed before stemming, on the folded word, because the
    stop lists hold words, not stems. Single letters are mostly the debris of
    possessives and hyphens (``T-72`` gives ``t``, ``72``); numbers are kept,
    since a figure is often what tells two wire items apart. The words are
    index terms (``ru:медвед`` for a Russian article in an English index), so
    document frequencies come from the index as they are. One object per
    index keeps the stemmers' caches between articles; ``language`` is the
    index's default language. ``known`` gives the stems an index keeps of its
    own words (:mod:`newsindex.text.stems`), so that reading its articles
    loads NLTK only for a word it never indexed (importing NLTK is most of a
    one-shot ``newsindex similar``).
    """

    def __init__(self, language: str = "english", known: Callable[[str], KnownStems] | None = None) -> None:
        self.language = language
        self._known = known
        self._languages: dict[str, _LanguageWords] = {}

    def _of(self, code: str) -> "_LanguageWords":
        found = self._languages.get(code)
        if found is None:
            analyzer = language_analyzer(code, self.language)
            if self._known is not None:
                for item in getattr(analyzer, "items", ()):
                    if isinstance(item, SnowballFilter):
                        item.use_known(self._known(item.language))
            found = self._languages[code] = _LanguageWords(analyzer, code, self.language)
        return found

    def words(self, text: str, code: str = "") -> list[str]:
        """The content words of ``text``, in the language ``code`` ("" the default), in order."""
        return self._of(code).words(text)

    def text(self, article: Article) -> str:
        """The text an article is compared by: title, then body."""
        return f"{article.title}\n{article.body}"

    def of(self, article: Article) -> list[str]:
        """The content words of an article (title and body) in its language, in order."""
        return self.words(self.text(article), article.language)

    def __call__(self, article: Article) -> Counter[str]:
        """Term frequencies of the article's content words (title and body)."""
        return Counter(self.of(article))

    def marked(self, article: Article) -> tuple[Counter[str], set[str], set[str], set[str]]:
        """Term frequencies of the article's content words in its language, those written with a
        capital inside a sentence, the content words of its title, and those of them its body
        repeats (see :meth:`_LanguageWords.marked`)."""
        return self._of(article.language).marked(article)


class _LanguageWords:
    """:class:`ContentWords` for one language."""

    def __init__(self, analyzer: Any, code: str, default: str) -> None:
        items = list(getattr(analyzer, "items", ()))
        # Stop words are words: they are taken out after folding and elisions, before stems and marks.
        cut = next((i for i, item in enumerate(items) if isinstance(item, (SnowballFilter, LanguageMarkFilter))), len(items))
        #: whitespace-separated word -> its tokens folded, elisions cut (the index's word cache of the
        #: analysis up to the stems: exact, see :class:`~newsindex.text.analysis.WordTerms`).
        tokens = word_terms(functools.reduce(operator.or_, items[:cut]), WORD_CACHE)
        assert tokens is not None  # a newsindex analyzer always has its word cache
        self._tokens = tokens
        self._after = [item.word for item in items[cut:]]
        self._stops = language_stop_words(code or LANGUAGES[default])
        #: whitespace-separated word -> its content words (see :meth:`words`).
        self._cache = _WordCache(self._analyse)

    def _cached(self) -> Callable[[str], tuple[str, ...]]:
        """The content words of a whitespace-separated word, worked out once (the cache starts over when full)."""
        cache = self._cache
        if len(cache) > WORD_CACHE:
            cache.clear()
            self._tokens.clear()
        return cache.__getitem__

    def words(self, text: str) -> list[str]:
        """The content words of ``text`` in order (stemmed).

        Worked out once per whitespace-separated word and then looked up, as
        :class:`~newsindex.text.analysis.WordTerms` does for indexing (exact for the
        same reason: no token spans whitespace); grouping stories analyses
        every article again, and this made it several times cheaper.
        """
        return list(chain.from_iterable(map(self._cached(), text.split())))

    def _analyse(self, word: str) -> tuple[str, ...]:
        kept = [token for token in self._tokens[word] if token not in self._stops and (len(token) > 1 or token.isdigit())]
        for change in self._after:
            kept = [change(token) for token in kept]
        return tuple(kept)

    def marked(self, article: Article) -> tuple[Counter[str], set[str], set[str], set[str]]:
        """Term frequencies of the article's content words, those of them written with a
        capital inside a sentence (names of people, places, organisations), the content
        words of its title, and those of them its body repeats (what the article is about).

        Why: two outlets telling one event name the same people and places and
        quote the same figures in other words, while two events of one kind
        (two actresses in rehab, two earthquakes in Iran) share the vocabulary
        of the kind but not the names. A text without lower case (a wire
        headline in capitals) says nothing by its capitals, so none is taken
        from it; a script without case (Chinese, Japanese) has none; in German
        every noun is one. Words holding a digit (figures, dates) are marked
        too (:class:`~newsindex.stories.counted.WordCounter`, which knows them
        from its cache). See :mod:`newsindex.stories.store` for the weight this carries.

        A paragraph's first word starts a sentence even where the line before
        ends without a full stop: wire notices are lines of items ("Qtly div
        10 cts vs 10 cts prior / Pay April 30 / Record April 15"), and taking
        "Pay" and "Record" for names made two companies' notices alike by
        their template (on Reuters-21578 the pairs of articles of different
        companies in one story fall from 195 to 178, dividend and earnings
        notices; no story of events-dev changes). A paragraph begins after a blank line or at an indented
        line; a single line break does not begin one (hard-wrapped text).

        The title words the body repeats say what the article is about (the
        company of "Essex Chemical <ESX> sells convertible debt", whose body
        begins "Essex Chemical Corp is raising"); a notice whose body repeats no
        word of its headline ("Qtly div 10 cts vs 10 cts prior") is about all of it.

        Every article of a collection is counted, so the words are looked up
        in one C loop (a map over the split text), and only the words whose
        first character is upper case (found by maps in C) are read one by one,
        for the word before them and whether a paragraph begins with them
        (the indexes where paragraphs begin, a set); reading every word in
        Python was the largest part of counting.
        """
        cached = self._cached()
        tf: Counter[str] = Counter()
        names: list[str] = []
        title: dict[str, int] = {}
        for first, text in ((True, article.title), (False, article.body)):
            words = text.split()
            stems = list(map(cached, words))
            tf.update(chain.from_iterable(stems))
            if first:
                title.update(tf)
            if text != text.upper():
                starts = set(accumulate(map(len, map(str.split, _PARAGRAPHS(text)))))
                for i in compress(range(1, len(words)), map(str.isupper, map(_FIRST, islice(words, 1, None)))):
                    if words[i - 1][-1] not in _SENTENCE_END and i not in starts:
                        names += stems[i]
        words_of_title = set(title)
        repeated = {word for word, count in title.items() if tf[word] > count}
        return tf, set(names), words_of_title, repeated or words_of_title


_FIRST = operator.itemgetter(0)


class _WordCache(dict):  # type: ignore[type-arg]
    """whitespace-separated word -> its content words, worked out by ``analyse`` when first asked."""

    def __init__(self, analyse: Callable[[str], tuple[str, ...]]) -> None:
        super().__init__()
        self._analyse = analyse

    def __missing__(self, word: str) -> tuple[str, ...]:
        found = self[word] = self._analyse(word)
        return found


def term_hash(term: str) -> int:
    """A stable 32-bit hash of a word (the same in every process and on every machine).

    Python's ``hash()`` of a string changes between runs, so it cannot be stored.
    """
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest(), "little")


def tfidf(tf: Mapping[K, int], idf_of: Callable[[K], float]) -> dict[K, float]:
    """The TF-IDF vector ``(1 + ln tf) * idf`` of a bag of words."""
    return {term: tf_weight(count) * idf_of(term) for term, count in tf.items() if count > 0}


def norm(vector: Mapping[Any, float]) -> float:
    """Euclidean length of a sparse vector."""
    return math.sqrt(sum(x * x for x in vector.values()))


def cosine(a: Mapping[K, float], b: Mapping[K, float]) -> float:
    """Cosine of two non-negative sparse vectors: 0 (nothing shared) .. 1 (same direction).

    Rounded to 9 decimals so that an article compared with itself scores exactly 1.0.
    """
    if len(a) > len(b):
        a, b = b, a
    dot = sum(x * b.get(term, 0.0) for term, x in a.items())
    if dot <= 0.0:
        return 0.0
    return min(1.0, round(dot / (norm(a) * norm(b)), 9))


def shingles(words: Sequence[str], size: int = SHINGLE_SIZE) -> set[tuple[str, ...]]:
    """Runs of ``size`` consecutive words (a text shorter than that is one shingle).

    Kept as word tuples, not hashed: they are compared in memory only, and
    Python hashes a tuple of words (each caching its own hash) several times
    faster than a stable hash of their text (``similar`` makes a few thousand a call)."""
    if not words:
        return set()
    if len(words) < size:
        return {tuple(words)}
    return set(zip(*(words[i:] for i in range(size))))


def jaccard(a: set[Any], b: set[Any]) -> float:
    """``|a & b| / |a | b|``: 1.0 for equal sets, 0.0 for disjoint ones (or both empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def weighted_sample(weights: Mapping[int, float], k: int) -> list[int]:
    """The ``k`` hashed words with the smallest ``-ln(u) / weight`` (a weighted bottom-k MinHash).

    ``u`` is derived from the word's own 32-bit hash, so a word gets the same
    draw in every article, and two articles that weigh a word alike rank it
    alike. A word is drawn with probability proportional to its weight, so
    rare, repeated words (names, places) are what two articles meet on.
    """
    def rank(term: int) -> float:
        return -math.log((term + 0.5) / 4294967296.0) / weights[term]

    positive = [term for term, weight in weights.items() if weight > 0]
    return heapq.nsmallest(k, positive, key=rank)
