"""A sentence's content words as the index sees them: stems, stop words out, word forms joined.

Comparing two tellings and tracing a claim both ask how much of one
sentence's meaning another sentence holds. They reduce words with the
index's own analyzer (Snowball stems, stop words dropped), so "refusal" meets
"refused" here exactly as in a search, and join derived forms the stemmer
keeps apart ("syrian"/"syria") and compounds written in two words ("air
base"/"airbase").
"""

from __future__ import annotations

from typing import Callable, Iterable, NamedTuple

from ..text.analysis import LANGUAGES, SnowballFilter, language_analyzer, language_stop_words

#: Derived forms the stemmer keeps apart are joined when one stem is at least MIN_ROOT letters
#: and the other adds at most MAX_SUFFIX ("syria"/"syrian", "russia"/"russian").
MIN_ROOT = 5
MAX_SUFFIX = 3


class Token(NamedTuple):
    """A content word of a sentence: its position, where it is, as written (lower case) and its stem."""

    pos: int
    start: int
    end: int
    word: str  # lower case, as written
    stem: str


def stems_in(tokens: list[Token], start: int, end: int) -> frozenset[str]:
    """The stems of the sentence's words within ``start:end``. A detail's words are taken from the
    sentence's own tokens, never by analysing the detail's text again, so that the same words
    always give the same stems ("Sino-U.S." is "sino" and "us" in both)."""
    return frozenset(t.stem for t in tokens if t.start < end and start < t.end)


class Analyser:
    """The index's analyzer and stop words for one language, and the word forms of one comparison.

    ``canon`` maps a stem to a shorter stem of the same two articles that it
    only extends by a suffix the Snowball stemmer keeps ("syrian" ->
    "syria", "russian" -> "russia"): a retelling says "Syrian government"
    where the original says "Syria's government".
    """

    def __init__(self, language: str, code: str = "") -> None:
        """``language`` is the index's default (a Snowball language); ``code`` the articles' own
        language when it is another (their words are then analysed as they were indexed)."""
        self.analyzer = language_analyzer(code, language, mark=False)
        stemmers = [item for item in self.analyzer.items if isinstance(item, SnowballFilter)]
        self.stem: Callable[[str], str] = stemmers[0].stem if stemmers else str
        self.stops = language_stop_words(code or LANGUAGES[language])
        self.canon: dict[str, str] = {}

    def tokens(self, text: str) -> list[Token]:
        """The content words of ``text`` (stop words dropped), with where they are."""
        out = []
        for t in self.analyzer(text, positions=True, chars=True, keeporiginal=True):
            low = t.original.lower()
            if low not in self.stops:
                out.append(Token(t.pos, t.startchar, t.endchar, low, self.canon.get(t.text, t.text)))
        return out

    def learn(self, vocabulary: Iterable[str]) -> None:
        """Set ``canon`` for the stems of both articles: a stem of 5 or more letters absorbs stems
        that add at most :data:`MAX_SUFFIX` letters to it."""
        canon: dict[str, str] = {}
        for word in sorted(set(vocabulary), key=len):
            canon[word] = word
            if word.isalpha():
                for cut in range(1, MAX_SUFFIX + 1):
                    head = word[:-cut]
                    if len(head) >= MIN_ROOT and head in canon:
                        canon[word] = canon[head]
                        break
        self.canon = canon


def sentence_words(text: str, an: Analyser, vocabulary: frozenset[str]) -> frozenset[str]:
    """A sentence's content stems, plus the compound two adjacent words make when the articles
    also write it as one word ("air base" and "airbase")."""
    tokens = an.tokens(text)
    words = {t.stem for t in tokens}
    for (p1, _, _, w1, _), (p2, _, _, w2, _) in zip(tokens, tokens[1:]):
        if p2 == p1 + 1 and w1.isalpha() and w2.isalpha():
            compound = an.canon.get(an.stem(w1 + w2), an.stem(w1 + w2))
            if compound in vocabulary:
                words.add(compound)
    return frozenset(words)
