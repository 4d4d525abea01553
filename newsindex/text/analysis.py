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
* the English possessive is dropped (``Syria's`` -> ``syria``);
* scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer,
  Myanmar) and Hangul are cut into overlapping two-character pieces
  (``東京都`` -> ``東京`` ``京都``), as Lucene's CJK analysis does: a word of any
  length is then a phrase of pieces, found wherever it is written, with no
  dictionary and no model (see :mod:`newsindex.text.scripts`); combining marks
  (Hindi and Thai vowel signs, Arabic and Hebrew points) stay inside their word;
* letters are folded as well as lowercased (Unicode NFKC): full-width ``ＦＸ`` and
  ``４０`` are ``fx`` and ``40``, and a decomposed ``é`` is the composed one.

Each article is analysed in its own language (:func:`language_analyzer`):
Snowball stems for the languages it has, French and Italian elisions
(``l'armée`` -> ``armée``) removed first. The terms of every language other
than the index's default one carry their language's code (``ru:медвед``), so
that one language's words never share document frequencies with another's
(German ``die`` is not English ``die``); the query side looks a word up in
every language the index holds (see :mod:`newsindex.search.query`).

Stop words are *not* removed at index time: every word keeps its position,
so a phrase such as ``"refused to extradite"`` matches exactly those words
(as Elasticsearch's standard analyzer does). The stop-word list is applied at
query time instead, where it drops words like ``the`` from bag-of-words
queries (see :mod:`newsindex.search.query`).
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
import unicodedata
from itertools import chain
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Protocol

from whoosh.analysis import Composable, Filter, Token, Tokenizer
from whoosh.lang.stopwords import stoplists

from ..errors import NewsIndexError
from .scripts import MARKS, UNSPACED, has_unspaced, is_plain

#: Snowball languages and their ISO 639-1 codes (Whoosh keeps offline stop-word lists by code).
LANGUAGES: dict[str, str] = {
    "arabic": "ar", "danish": "da", "dutch": "nl", "english": "en", "finnish": "fi",
    "french": "fr", "german": "de", "hungarian": "hu", "italian": "it", "norwegian": "no",
    "portuguese": "pt", "romanian": "ro", "russian": "ru", "spanish": "es", "swedish": "sv",
}
#: ISO code -> Snowball language.
SNOWBALL: dict[str, str] = {code: name for name, code in LANGUAGES.items()}

#: The characters a Snowball stemmer can change: a word with none of them is its own stem, so NLTK
#: is not loaded for it (a Japanese or Russian query word looked up as English in a mixed index).
#: Every rule of the Latin-alphabet stemmers involves a Latin letter; NLTK's Russian stemmer returns a
#: word with no character above U+00FF as it is, and otherwise works on it with Cyrillic written in
#: ASCII letters, so a word with neither (Japanese, Thai, Greek) stays as it is. Checked: on the 14,572
#: words of the feeds, pages, test articles and a Reuters file, every stemmer gives NLTK's answer.
#: Arabic's normalisation is left to NLTK.
_LATIN = re.compile("[\x00-\u024f\u1e00-\u1eff]").search
_ABOVE_LATIN_1 = re.compile("[^\x00-\xff]").search
_CYRILLIC_OR_ASCII = re.compile("[\u0400-\u04ffa-z]").search
STEMMABLE: dict[str, Callable[[str], object]] = {
    **{name: _LATIN for name in LANGUAGES if name not in ("arabic", "russian")},
    "russian": lambda word: _ABOVE_LATIN_1(word) and _CYRILLIC_OR_ASCII(word),
}

#: Articles and pronouns elided before a vowel, cut off the word they are glued to
#: (``l'armée``, ``dell'anno``), as Lucene's ElisionFilter does for these languages.
ELISIONS: dict[str, tuple[str, ...]] = {
    "fr": ("l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"),
    "it": ("c", "l", "all", "dall", "dell", "nell", "sull", "coll", "pell", "gl", "agl", "dagl", "degl",
           "negl", "sugl", "un", "m", "t", "s", "v", "d", "quell", "quest", "anch"),
    "ca": ("d", "l", "m", "n", "s", "t"),
}

#: Between a language's code and a word, in the terms of every language but the index's default.
LANGUAGE_MARK = ":"

#: The token rules, for text in which ``{unspaced}`` (runs of a script written without spaces),
#: ``{letter}`` (a letter of a script written with spaces) and ``{word_char}`` (a letter or digit of
#: such a script, or a combining mark) are what they are.
_TOKEN_RULES = r"""
    (?P<unspaced>{unspaced})                                      # 東京都, ภาษาไทย: cut into pieces
    | (?P<abbr>{letter}(?:\.{letter})+\.?)(?!{letter})              # U.S.  U.K  e.g.
    | (?P<num>\d+(?:[.,]\d+)*%?)(?!{word_char})                      # 155,221  5.93  40% (not 4th)
    | (?P<word>{word_char}+(?:['\u2019]{word_char}+)*)               # words, o'clock, Syria's
    """
_TOKEN = _TOKEN_RULES.format(
    unspaced=f"[{UNSPACED}]+", letter=rf"[^\W\d_{UNSPACED}]", word_char=rf"(?:[^\W_{UNSPACED}]|[{MARKS}])"
)
#: The same rules for a text with no character of either class (:func:`~newsindex.text.scripts.is_plain`):
#: the same tokens, as the classes left out match none of its characters.
_PLAIN_TOKEN = _TOKEN_RULES.format(unspaced="(?!)", letter=r"[^\W\d_]", word_char=r"[^\W_]")
_POSSESSIVE = re.compile(r"['\u2019]s$", re.IGNORECASE)
#: What WordTerms may split a word at: characters no token contains (every token character
#: is a letter, a digit or a combining mark, or one of . , ' ’ % between or after them, or any
#: character of the scripts cut into pairs, even one Unicode has not assigned yet), and the underscore.
_SEPARATORS = rf"[^\w.,'\u2019%{MARKS}{UNSPACED}]+|_+"
_PLAIN_SEPARATORS = r"[^\w.,'\u2019%]+|_+"  # the same for a text with no character of either class
#: No token starts with these; none ends with these after a letter or digit (a % can).
_NEVER_FIRST = ".,'\u2019%"
_NEVER_LAST = ".,'\u2019"


@functools.cache
def _compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """The token rules or the separators compiled, on first use rather than on import.

    The whole rules' character classes (the scripts cut into pairs, seven times in the token
    rules; the combining marks) take Python's regular expression compiler about 25 ms, a sixth of
    the start of a search, which mostly looks up plain words whole (:class:`WordTerms`) and never
    tokenizes; they are compiled only for a text that has such characters (the plain rules
    otherwise, in well under a millisecond), so English, German or Russian text never pays for them.
    """
    return re.compile(pattern, flags)


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
        for match in _compiled(_PLAIN_TOKEN if is_plain(value) else _TOKEN, re.VERBOSE).finditer(value):
            kind = match.lastgroup
            text = match.group()
            if kind == "unspaced":
                pieces = _pieces(text, match.start())
            elif kind == "abbr":
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


def _pieces(run: str, start: int) -> list[tuple[str, int, int]]:
    """A run of characters written without spaces as overlapping pairs (one character alone stays one)."""
    if len(run) == 1:
        return [(run, start, start + 1)]
    return [(run[i : i + 2], start + i, start + i + 2) for i in range(len(run) - 1)]


def fold(text: str) -> str:
    """A token as it is indexed before stemming: lowercased and, if not ASCII, NFKC-normalised."""
    return text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).lower()


class FoldFilter(Filter):
    """Lowercase and fold (NFKC) each token: ``ＦＸ`` is ``fx``, a decomposed ``é`` the composed one."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = fold(token.text)
            yield token


class _WordFilter(Filter):
    """A filter that changes each token on its own: :meth:`word` is what it does to one token's text.

    :class:`WordTerms` applies the same :meth:`word` functions, so the word
    caches stay exactly the analyzer. One setting (the attribute named by
    :attr:`setting`) makes each filter what it is: it alone is pickled with the
    schema (not caches or compiled patterns) and compared.
    """

    setting = ""

    def __getstate__(self) -> dict[str, str]:
        return {self.setting: getattr(self, self.setting)}

    def __setstate__(self, state: dict[str, str]) -> None:
        self.__init__(state[self.setting])  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and getattr(other, self.setting) == getattr(self, self.setting)

    def __hash__(self) -> int:
        return hash((type(self), getattr(self, self.setting)))

    def word(self, text: str) -> str:
        raise NotImplementedError

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        word = self.word
        for token in tokens:
            token.text = word(token.text)
            yield token


class ElisionFilter(_WordFilter):
    """Cut an elided article or pronoun off the word it is glued to (French ``l'armée`` -> ``armée``)."""

    setting = "language"

    def __init__(self, language: str) -> None:
        self.language = language
        self._elided = re.compile(r"^(?:%s)['\u2019](?=\w)" % "|".join(ELISIONS[language]))

    def word(self, text: str) -> str:
        return self._elided.sub("", text) if "'" in text or "\u2019" in text else text


class LanguageMarkFilter(_WordFilter):
    """Put the language's code in front of each term (``ru:медвед``): one language's words never
    count in another's document frequencies. Not used for the index's default language."""

    setting = "code"

    def __init__(self, code: str) -> None:
        self.code = code
        self._mark = code + LANGUAGE_MARK

    def word(self, text: str) -> str:
        return self._mark + text


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


class SnowballFilter(_WordFilter):
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

    setting = "language"

    def __init__(self, language: str = "english") -> None:
        if language not in LANGUAGES:
            raise NewsIndexError(
                f"unsupported language {language!r}; choose one of: {', '.join(sorted(LANGUAGES))}"
            )
        self.language = language
        self._stemmable: Callable[[str], object] = STEMMABLE.get(language, bool)
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

    def clear_cache(self) -> None:
        """Forget the stems worked out so far (a long run keeps its memory bounded so)."""
        self._cache.clear()

    def stem(self, word: str) -> str:
        """Return the stem of one lowercased word (cached)."""
        stem = self._cache.get(word)
        if stem is None:
            stem = self._stem(word) if word.isalpha() and self._stemmable(word) else word
            self._cache[word] = stem
        return stem

    word = stem

    def _stem(self, word: str) -> str:
        stem = self._known.lookup(word) if self._known is not None else None
        if stem is None:
            if self._nltk is None:
                self._nltk = snowball(self.language)
            stem = self._nltk(word)
            if self._learned is not None:
                self._learned[word] = stem
        return stem


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
    is a letter, a digit or a combining mark, or a dot, comma, apostrophe or
    percent sign between or after them; a run of a script written without
    spaces is cut into pieces within the run) and the token rules only look
    ahead at characters that are not letters or digits, where whitespace and
    the end of a word look the same; folding, elisions, stemming and the
    language mark work token by token. A word seen for the first time is run
    through the tokenizer and the analyzer's own filters. Build one with
    :func:`word_terms`, which only accepts the analyzers this holds for.

    At most ``limit`` words are kept (the cache starts over past that), so
    memory does not grow with the size of a collection.
    """

    def __init__(self, filters: "list[_WordFilter]", limit: int = 250_000) -> None:
        super().__init__()
        self._tokenizer = NewsTokenizer()
        self._filters = filters
        self._words: list[Callable[[str], str]] = [f.word for f in filters]
        self._stemmers = [f for f in filters if isinstance(f, SnowballFilter)]
        for stemmer in self._stemmers:
            stemmer.record()
        self.limit = limit

    def take_learned(self) -> list[tuple[str, dict[str, str]]]:
        """(language, word -> stem) of the words NLTK stemmed since the last call (none: no stemming)."""
        return [(stemmer.language, stemmer.take_learned()) for stemmer in self._stemmers]

    def __missing__(self, word: str) -> tuple[str, ...]:
        if word.isascii() and word.isalnum():  # one token, the word itself (the common case)
            texts = [word.lower()]
        elif _one_token(word):
            texts = [fold(word)]
        else:
            # Characters that are never part of a token separate tokens just as whitespace
            # does; a piece that is letters and digits once stripped of the dots, commas and
            # apostrophes around it (said, -> said) is one token; the rest is tokenized.
            texts = []
            for piece in _compiled(_PLAIN_SEPARATORS if is_plain(word) else _SEPARATORS).split(word):
                core = piece.lstrip(_NEVER_FIRST).rstrip(_NEVER_LAST)
                if _one_token(core):
                    texts.append(fold(core))
                elif core:
                    texts.extend(fold(token.text) for token in self._tokenizer(piece))
        for change in self._words:
            texts = [change(text) for text in texts]
        terms = self[word] = tuple(texts)
        return terms

    def terms(self, text: str) -> list[str]:
        """The terms of ``text`` in order: ``[t.text for t in analyzer(text)]``, position = index."""
        if len(self) > self.limit:
            self.clear()
            for stemmer in self._stemmers:
                stemmer.clear_cache()
        return list(chain.from_iterable(map(self.__getitem__, text.split())))


class LanguageWords:
    """Word caches of one field's analyzer for articles of every language: :meth:`of` a language code.

    A full-text field is analysed per article in the article's language (see
    :func:`language_analyzer`); a name field (no stemmer) the same way whatever
    the language. Each language gets its own :class:`WordTerms`, made when its
    first article comes, so an English-only collection has exactly one.
    """

    def __init__(self, analyzer: object, base: WordTerms, limit: int = 250_000) -> None:
        self.default = analyzer_language(analyzer)
        self.limit = limit
        self.base = base
        self._of: dict[str, WordTerms] = {"": base}
        if self.default is not None:
            self._of[LANGUAGES[self.default]] = base

    def of(self, code: str | None) -> WordTerms:
        """The word cache for articles in the language ``code`` (``""`` or None: unknown)."""
        words = self._of.get(code or "")
        if words is None:
            made = None if self.default is None else word_terms(language_analyzer(code or "", self.default), self.limit)
            words = self._of[code or ""] = made if made is not None else self.base
        return words

    def take_learned(self) -> list[tuple[str, dict[str, str]]]:
        """(Snowball language, word -> stem) of the words NLTK stemmed since the last call, every language's."""
        distinct = {id(words): words for words in self._of.values()}
        return [found for words in distinct.values() for found in words.take_learned() if found[1]]


class Analysis:
    """How the words of one language are analysed in an index, for queries and for reading articles back.

    ``code`` is the language's ISO code, ``""`` for the index's default
    language (and for articles whose language is unknown). :meth:`terms`
    analyses a query's text as articles of that language were indexed;
    :attr:`stop_words` are that language's (query words, before analysis);
    :meth:`term` is the index term of one word (for a prefix: ``extradition*``
    must also find the stem ``extradit``); :attr:`mark` is what the language's
    terms start with (``"ru:"``; ``""`` for the default language).

    ``known`` gives the stems an index keeps of its own words for a Snowball
    language (see :mod:`newsindex.text.stems`): the language's words are
    stemmed from there, NLTK loaded only for a word the index never had.
    """

    def __init__(self, code: str, default: str = "english", known: Callable[[str], KnownStems] | None = None) -> None:
        self.analyzer = language_analyzer(code, default)
        self.code = Analysis.key(code, default)
        self.stop_words = language_stop_words(code or LANGUAGES[default])
        words = word_terms(self.analyzer)
        assert words is not None  # a newsindex analyzer always has its word cache
        self._words = words
        self.mark = self.code + LANGUAGE_MARK if self.code else ""
        self._stemmers = [item for item in self.analyzer.items if isinstance(item, SnowballFilter)]
        self._known = known
        if known is not None:
            for stemmer in [*self._stemmers, *words._stemmers]:
                stemmer.use_known(known(stemmer.language))

    def prefetch(self, texts: Iterable[str]) -> None:
        """Look up at once the known stems of the words of ``texts`` (a page of snippets) before
        :attr:`analyzer` stems them one by one."""
        for stemmer in self._stemmers:
            stemmer.prefetch(set().union(*map(words_of, texts)))

    @staticmethod
    def key(code: str, default: str) -> str:
        """``code``, or ``""`` when articles in that language are analysed as the default language."""
        return "" if not code or code == LANGUAGES.get(default) else code

    def terms(self, text: str) -> list[str]:
        """The index terms of ``text`` in this language (through a word cache: a query's words recur)."""
        return self._words.terms(text)

    def term(self, word: str) -> str:
        """The index term of one word (its first term, or the marked word if it has no token)."""
        found = self._words.terms(word)
        return found[0] if found else self.mark + word

    @functools.cached_property
    def stop_terms(self) -> frozenset[str]:
        """The index terms of the stop words (what feedback and snippets leave out).

        Where the index keeps its words' stems, the stop words it never held are
        left out: no text of the index has them, and stemming them would load NLTK.
        """
        words: Iterable[str] = self.stop_words
        if self._known is not None and self._words._stemmers:
            language = self._words._stemmers[0].language
            held = self._known(language).lookup_many(word for word in words if word.isalpha())
            if held:  # else no stems are kept (an index written by Whoosh's own writer): stem them all
                words = [word for word in words if word in held or not word.isalpha()]
                for stemmer in self._words._stemmers:
                    stemmer.prefetch(words)
        return frozenset(term for word in words for term in self.terms(word))


def unmarked(term: str) -> str:
    """A full-text term without its language's mark (``ru:медвед`` -> ``медвед``): what a reader is shown."""
    return term.rpartition(LANGUAGE_MARK)[2]


def analyzer_language(analyzer: object) -> str | None:
    """The default language of a newsindex full-text analyzer (its Snowball language, no language
    mark), or None for any other analyzer (names, keywords)."""
    items = getattr(analyzer, "items", ())
    if any(isinstance(item, LanguageMarkFilter) for item in items):
        return None
    return next((item.language for item in items if isinstance(item, SnowballFilter)), None)


def _one_token(text: str) -> bool:
    """Whether ``text`` is one token as it stands: letters and digits of scripts written with spaces."""
    return text.isalnum() and not has_unspaced(text)


def word_terms(analyzer: object, limit: int = 250_000) -> WordTerms | None:
    """A :class:`WordTerms` for ``analyzer`` if it is one of newsindex's text or name analyzers, else None.

    It gets its own copies of the filters (and the stemmer's cache), so it can
    outlive the schema it came from: a writer keeps it from batch to batch.
    """
    items = getattr(analyzer, "items", None)
    if not items or type(items[0]) is not NewsTokenizer or len(items) < 2 or type(items[1]) is not FoldFilter:
        return None
    if not all(isinstance(item, _WordFilter) for item in items[2:]):
        return None
    return WordTerms([type(item)(getattr(item, item.setting)) for item in items[2:]], limit)


def language_analyzer(code: str, default: str = "english", mark: bool = True) -> Composable:
    """The analyzer of the full text of an article in the language ``code`` (ISO 639-1), in an index
    whose default language is the Snowball language ``default``.

    Tokens and folding as everywhere; then the language's elisions and Snowball
    stems where it has them (a language without a stemmer is searched by its
    exact word forms); then, unless it is the default language, its mark.
    An empty ``code`` (language unknown) is analysed as the default language.
    """
    if default not in LANGUAGES:
        raise NewsIndexError(
            f"unsupported language {default!r}; choose one of: {', '.join(sorted(LANGUAGES))}"
        )
    code = code or LANGUAGES[default]
    analyzer: Composable = NewsTokenizer() | FoldFilter()
    if code in ELISIONS:
        analyzer = analyzer | ElisionFilter(code)
    if code in SNOWBALL:
        analyzer = analyzer | SnowballFilter(SNOWBALL[code])
    if mark and code != LANGUAGES[default]:
        analyzer = analyzer | LanguageMarkFilter(code)
    return analyzer


def words_in_order(text: str, words: tuple[str, ...]) -> bool:
    """Whether ``text`` holds ``words`` (lower-cased tokens, not stemmed) one after the other."""
    tokens = [fold(token.text) for token in NewsTokenizer()(text)]
    n = len(words)
    return any(tuple(tokens[i : i + n]) == words for i in range(len(tokens) - n + 1)) if n else False


def words_of(text: str) -> set[str]:
    """The distinct lower-cased words of ``text`` as the analyzer sees them before stemming."""
    return {fold(token.text) for token in NewsTokenizer()(text)}


def text_analyzer(language: str = "english") -> Composable:
    """The analyzer of full-text fields (title, body) for articles in the index's default ``language``
    (a Snowball language): tokens, folding, elisions, Snowball stems."""
    return language_analyzer(LANGUAGES.get(language, ""), language)


def name_analyzer() -> Composable:
    """The analyzer of name fields (source, authors): tokens and folding, no stemming.

    Names are not words of the language: stemming "Times" to "time" would make
    ``source:times`` match unrelated names.
    """
    return NewsTokenizer() | FoldFilter()


def analysis_signature(analyzer: Composable) -> list[str]:
    """What decides the tokens an analyzer makes: its parts, their settings, the token
    rules, the languages' stemmers, elisions and mark, the Unicode version (folding)
    and the stemmer's version. An index records it, so that an index built by
    other analysis (a newer NLTK, changed token rules) is recognised instead of being
    silently searched with words it never indexed.
    """
    items = getattr(analyzer, "items", [analyzer])
    parts = [
        type(item).__qualname__ + repr(sorted((k, v) for k, v in vars(item).items() if not k.startswith("_")))
        for item in items
    ]
    languages = repr([sorted(SNOWBALL.items()), sorted(ELISIONS.items()), LANGUAGE_MARK])
    return [*parts, _TOKEN, _POSSESSIVE.pattern, languages, f"unicode {unicodedata.unidata_version}",
            f"nltk {nltk_version()}"]


def stop_words(language: str = "english") -> frozenset[str]:
    """The offline stop-word list for the Snowball ``language`` (empty where none is known)."""
    return language_stop_words(LANGUAGES.get(language, ""))


def language_stop_words(code: str) -> frozenset[str]:
    """The offline stop-word list for the language ``code`` (ISO 639-1; empty where none is known)."""
    return stoplists.get(code, frozenset())
