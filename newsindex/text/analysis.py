"""Text analysis: news-aware tokens, lowercasing and NLTK's Snowball stemmer.

One analyzer object is used both when indexing and when parsing queries, so a
word is always reduced the same way on both sides. The tokenizer keeps what
news text needs to be findable:

* numbers with separators stay whole (``155,221``, ``5.93``, ``8,7``) and so do
  percentages (``40%``);
* abbreviations lose their dots (``U.S.`` -> ``us``, ``U.N.`` -> ``un``) so that
  ``US``, ``U.S.`` and ``u.s.`` find each other;
* hyphenated names and models are split into their parts at consecutive
  positions (``al-Sharaa`` -> ``al`` ``sharaa``; ``T-72`` -> ``t`` ``72``): the
  query side turns such a word into a phrase, so ``T-72`` finds exactly "T-72"
  (and "T 72") while ``Sharaa`` alone still finds "al-Sharaa", as in Lucene;
* the English possessive is dropped (``Syria's`` -> ``syria``).

Stop words are *not* removed at index time: every word keeps its position,
so a phrase such as ``"refused to extradite"`` matches exactly those words
(as Elasticsearch's standard analyzer does). The stop-word list is applied at
query time instead, where it drops words like ``the`` from bag-of-words
queries (see :mod:`newsindex.search.query`).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from itertools import chain
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Protocol

from whoosh.analysis import Composable, Filter, LowercaseFilter, Token, Tokenizer
from whoosh.lang.stopwords import stoplists

from ..errors import NewsIndexError

#: Snowball languages and the ISO code of their offline stop-word list (from Whoosh).
LANGUAGES: dict[str, str | None] = {
    "arabic": None, "danish": "da", "dutch": "nl", "english": "en", "finnish": "fi",
    "french": "fr", "german": "de", "hungarian": "hu", "italian": "it", "norwegian": "no",
    "portuguese": "pt", "romanian": None, "russian": "ru", "spanish": "es", "swedish": "sv",
}

_TOKEN = re.compile(
    r"""
    (?P<abbr>[^\W\d_](?:\.[^\W\d_])+\.?)(?![^\W\d_])  # U.S.  U.K  e.g.
    | (?P<num>\d+(?:[.,]\d+)*%?)(?![^\W_])              # 155,221  5.93  40% (not 4th)
    | (?P<word>[^\W_]+(?:['\u2019][^\W_]+)*)             # words, o'clock, Syria's
    """,
    re.VERBOSE | re.UNICODE,
)
_POSSESSIVE = re.compile(r"['\u2019]s$", re.IGNORECASE)
#: What WordTerms may split a word at: characters no token contains (every token character
#: is a letter, a digit, or one of . , ' ’ % between or after them), and the underscore.
_SEPARATORS = re.compile(r"[^\w.,'\u2019%]+|_+")
#: No token starts with these; none ends with these after a letter or digit (a % can).
_NEVER_FIRST = ".,'\u2019%"
_NEVER_LAST = ".,'\u2019"


class NewsTokenizer(Tokenizer):
    """Split text into news-aware tokens with positions and character offsets.

    Positions matter for phrases; character offsets matter for highlighting
    snippets in the original text.
    """

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        pos = start_pos
        for match in _TOKEN.finditer(value):
            kind = match.lastgroup
            text = match.group()
            if kind == "abbr":
                pieces = [(text.replace(".", ""), match.start(), match.end())]
            elif kind == "word":
                text = _POSSESSIVE.sub("", text)
                pieces = [(text, match.start(), match.start() + len(text))]
            else:
                pieces = [(text, match.start(), match.end())]
            for text, start, end in pieces:
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = text
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + start
                    token.endchar = start_char + end
                pos += 1
                yield token


class KnownStems(Protocol):
    """Stems NLTK gave before (see :mod:`newsindex.text.stems`): None / missing for a word never stemmed."""

    def lookup(self, word: str) -> str | None: ...

    def lookup_many(self, words: Iterable[str]) -> Mapping[str, str]: ...


def nltk_version() -> str:
    """NLTK's version, read from the file NLTK reads it from, without importing NLTK.

    Importing the ``nltk`` package loads most of NLTK (a quarter of a second
    and more); opening an index checks this version, and a search should not
    pay for that.
    """
    module = sys.modules.get("nltk")
    if module is not None:
        return str(module.__version__)
    spec = importlib.util.find_spec("nltk")
    if spec is None or spec.origin is None:
        raise NewsIndexError("NLTK is not installed (pip install nltk)")
    return Path(spec.origin).with_name("VERSION").read_text(encoding="utf-8").strip()


def snowball(language: str) -> Callable[[str], str]:
    """NLTK's Snowball stemming function for ``language``, NLTK imported now (see :class:`SnowballFilter`)."""
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer(language).stem


class SnowballFilter(Filter):
    """Stem alphabetic tokens with NLTK's Snowball stemmer, each distinct word once.

    News vocabularies follow Zipf's law: a few thousand words make up most of
    the text, so a per-analyzer dictionary of stems removes almost all stemming
    work. Tokens with digits (``t``-``72``, ``5.93``) are left alone, since
    stemming them only does harm. The cache is not pickled with the schema.

    NLTK is imported only for a word no one has stemmed yet: :meth:`use_known`
    gives a lookup of the stems NLTK already gave (an index keeps those of its
    own vocabulary, :mod:`newsindex.text.stems`), so a search stems its words
    without loading NLTK; after :meth:`record`, the stems NLTK gives are kept
    for :meth:`take_learned`, so that the index can keep them.
    """

    def __init__(self, language: str = "english") -> None:
        if language not in LANGUAGES:
            raise NewsIndexError(
                f"unsupported language {language!r}; choose one of: {', '.join(sorted(LANGUAGES))}"
            )
        self.language = language
        self._nltk: Callable[[str], str] | None = None
        self._cache: dict[str, str] = {}
        self._known: KnownStems | None = None
        self._learned: dict[str, str] | None = None

    def use_known(self, known: KnownStems) -> None:
        """Look words up among ``known`` stems before asking NLTK."""
        self._known = known

    def prefetch(self, words: Iterable[str]) -> None:
        """Look up at once the known stems of words about to be stemmed (a snippet's whole text):
        one query for them all rather than one a word."""
        if self._known is not None:
            cache = self._cache
            self._cache.update(self._known.lookup_many({w for w in words if w not in cache and w.isalpha()}))

    def record(self) -> None:
        """From now on, keep every stem NLTK gives, for :meth:`take_learned`."""
        self._learned = {}

    def take_learned(self) -> dict[str, str]:
        """The stems NLTK gave since the last call (word -> stem); recording goes on."""
        learned = self._learned or {}
        if self._learned is not None:
            self._learned = {}
        return learned

    def __getstate__(self) -> dict[str, str]:
        return {"language": self.language}

    def __setstate__(self, state: dict[str, str]) -> None:
        self.__init__(state["language"])  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SnowballFilter) and other.language == self.language

    def __hash__(self) -> int:
        return hash((type(self), self.language))

    def clear_cache(self) -> None:
        """Forget the stems worked out so far (a long run keeps its memory bounded so)."""
        self._cache.clear()

    def stem(self, word: str) -> str:
        """Return the stem of one lowercased word (cached)."""
        stem = self._cache.get(word)
        if stem is None:
            stem = self._stem(word) if word.isalpha() else word
            self._cache[word] = stem
        return stem

    def _stem(self, word: str) -> str:
        stem = self._known.lookup(word) if self._known is not None else None
        if stem is None:
            if self._nltk is None:
                self._nltk = snowball(self.language)
            stem = self._nltk(word)
            if self._learned is not None:
                self._learned[word] = stem
        return stem

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stem = self.stem
        for token in tokens:
            token.text = stem(token.text)
            yield token


class WordTerms(dict):
    """The terms one of newsindex's analyzers makes of each whitespace-separated word, worked out once per word.

    Indexing calls the analyzer a few million times per gigabyte of news, and
    a Whoosh analyzer makes a Token object per token and passes it through a
    generator per filter. The words of news follow Zipf's law, so nearly
    every word has been seen before: this dictionary maps a word exactly as
    it appears between whitespace (``said``, ``said,``, ``U.S.``,
    ``Syria's``) to the tuple of terms the analyzer makes of it, and a text
    becomes ``text.split()`` and one lookup per word, all in C.

    That is exact because no token spans whitespace (every token character
    is a letter or a digit, or a dot, comma, apostrophe or percent sign
    between or after them) and the token rules only look ahead at
    characters that are not letters or digits, where whitespace and the end
    of a word look the same; lowercasing and stemming work token by token.
    A word seen for the first time is run through the tokenizer and the
    analyzer's own filters. Build one with :func:`word_terms`, which only
    accepts the analyzers this holds for.

    At most ``limit`` words are kept (the cache starts over past that), so
    memory does not grow with the size of a collection.
    """

    def __init__(self, stemmer: "SnowballFilter | None", limit: int = 250_000) -> None:
        super().__init__()
        self._tokenizer = NewsTokenizer()
        self._stemmer = stemmer
        if stemmer is not None:
            stemmer.record()
        self.limit = limit

    def take_learned(self) -> tuple[str, dict[str, str]] | None:
        """(language, word -> stem) of the words NLTK stemmed since the last call (None: no stemming)."""
        if self._stemmer is None:
            return None
        return self._stemmer.language, self._stemmer.take_learned()

    def __missing__(self, word: str) -> tuple[str, ...]:
        if word.isalnum():  # one token, the word itself (the common case)
            texts = [word.lower()]
        else:
            # Characters that are never part of a token separate tokens just as whitespace
            # does; a piece that is letters and digits once stripped of the dots, commas and
            # apostrophes around it (said, -> said) is one token; the rest is tokenized.
            texts = []
            for piece in _SEPARATORS.split(word):
                core = piece.lstrip(_NEVER_FIRST).rstrip(_NEVER_LAST)
                if core.isalnum():
                    texts.append(core.lower())
                elif core:
                    texts.extend(token.text.lower() for token in self._tokenizer(piece))
        if self._stemmer is not None:
            stem = self._stemmer.stem
            texts = [stem(text) for text in texts]
        terms = self[word] = tuple(texts)
        return terms

    def terms(self, text: str) -> list[str]:
        """The terms of ``text`` in order: ``[t.text for t in analyzer(text)]``, position = index."""
        if len(self) > self.limit:
            self.clear()
            if self._stemmer is not None:
                self._stemmer.clear_cache()
        return list(chain.from_iterable(map(self.__getitem__, text.split())))


def word_terms(analyzer: object, limit: int = 250_000) -> WordTerms | None:
    """A :class:`WordTerms` for ``analyzer`` if it is one of newsindex's text or name analyzers, else None.

    It gets its own copy of the stemmer (and its cache), so it can outlive the
    schema it came from: a writer keeps it from batch to batch.
    """
    items = getattr(analyzer, "items", None)
    if not items or type(items[0]) is not NewsTokenizer or len(items) > 3:
        return None
    if len(items) < 2 or type(items[1]) is not LowercaseFilter:
        return None
    stemmer = None
    if len(items) == 3:
        if type(items[2]) is not SnowballFilter:
            return None
        stemmer = SnowballFilter(items[2].language)
    return WordTerms(stemmer, limit)


def words_in_order(text: str, words: tuple[str, ...]) -> bool:
    """Whether ``text`` holds ``words`` (lower-cased tokens, not stemmed) one after the other."""
    tokens = [token.text.lower() for token in NewsTokenizer()(text)]
    n = len(words)
    return any(tuple(tokens[i : i + n]) == words for i in range(len(tokens) - n + 1)) if n else False


def words_of(text: str) -> set[str]:
    """The distinct lower-cased words of ``text`` as the analyzer sees them before stemming."""
    return {token.text.lower() for token in NewsTokenizer()(text)}


def text_analyzer(language: str = "english") -> Composable:
    """The analyzer of full-text fields (title, body): tokens, lowercase, Snowball stems."""
    return NewsTokenizer() | LowercaseFilter() | SnowballFilter(language)


def name_analyzer() -> Composable:
    """The analyzer of name fields (source, authors): tokens and lowercase, no stemming.

    Names are not words of the language: stemming "Times" to "time" would make
    ``source:times`` match unrelated names.
    """
    return NewsTokenizer() | LowercaseFilter()


def analysis_signature(analyzer: Composable) -> list[str]:
    """What decides the tokens an analyzer makes: its parts, their settings, the token
    rules and the stemmer's version. An index records it, so that an index built by
    other analysis (a newer NLTK, changed token rules) is recognised instead of being
    silently searched with words it never indexed.
    """
    items = getattr(analyzer, "items", [analyzer])
    parts = [
        type(item).__qualname__ + repr(sorted((k, v) for k, v in vars(item).items() if not k.startswith("_")))
        for item in items
    ]
    return [*parts, _TOKEN.pattern, _POSSESSIVE.pattern, f"nltk {nltk_version()}"]


def stop_words(language: str = "english") -> frozenset[str]:
    """The offline stop-word list for ``language`` (empty where none is known)."""
    code = LANGUAGES.get(language)
    return stoplists.get(code, frozenset()) if code else frozenset()
