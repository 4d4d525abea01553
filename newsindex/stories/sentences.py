"""An article's sentences: the unit in which tellings are compared and claims are traced.

NLTK's punkt needs downloaded data, which this project never fetches, and
the traps of English news text ("U.S.", "Mr.", "No. 5", "5.93", initials)
are few and known, so a small splitter does the job. It knows scripts other
than Latin too: Chinese and Japanese end a sentence with 。！？ (full-width
marks, no space after them, no capital letters), Hindi with ।, Arabic with
؟ and Urdu with ۔; a sentence there ends at the mark whatever follows.

:func:`article_sentences` gives an article's sentences, title first, each
with its paragraph (quotes run over several sentences of one paragraph):
what :mod:`~newsindex.stories.compare` aligns and
:mod:`~newsindex.stories.trace` looks claims up in, numbered the same way in
both, so ``newsindex trace ID --sentence N`` means the sentence a comparison
calls N.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from ..ingest.article import Article
from ..text.analysis import stop_words

# Paragraphs: blank lines, or a line break followed by indentation (Reuters wraps lines at
# 70 characters and indents paragraphs; a plain line break inside a paragraph is a wrap).
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]+\S)")
# A possible sentence end. Latin-style: terminator, closing quotes/brackets, space (whether the
# next word may open a sentence is checked in code, for every script's lower case). Wide: the
# sentence marks of scripts written without spaces between sentences (or words), with their
# closing brackets and quotes; they end a sentence whatever follows.
_BOUNDARY = re.compile(
    r"""(?P<end>[.!?\u2026]+)(?P<close>["'\u201d\u2019\u201c\u00bb\u203a)\]]*)\s+(?=["'\u201c\u2018\u201e\u00ab\u2039(\[]*[^\W_])
      | (?P<wide>[\u3002\uff01\uff1f\uff0e\uff61\u0964\u0965\u061f\u06d4\u1362]+)
        (?P<wide_close>[\u300d\u300f\uff09\u3011\u3015\u301e"'\u201d\u2019)\]]*)\s*(?![\u300d\u300f\uff09\u3011\u3015\u301e"'\u201d\u2019)\]])""",
    re.VERBOSE,
)
# The first letter or digit after a boundary: a sentence does not start in lower case.
_OPENING = re.compile(r"""["'\u201c\u2018\u201e\u00ab\u2039(\[]*([^\W_])""")
# Titles before a name: never the end of a sentence.
_TITLES = frozenset(
    "mr mrs ms dr prof sen rep gov gen lt col sgt capt cmdr adm maj rev hon pres fr messrs mme mlle".split()
)
# Abbreviations that may also end a sentence ("... said Acme Co. The company ...").
_ABBREVIATIONS = frozenset(
    "inc corp co ltd plc bros jr sr st ave blvd rd mt ft dept univ assn approx est vs no nos vol fig ch art"
    " jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_WORD_BEFORE = re.compile(r"([^\W\d_][\w.]*)$")
_NEXT_WORD = re.compile(r"""["'\u201c\u2018\u201e\u00ab\u2039(\[]*([^\W_]+)""")


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: where it is and what it says.

    ``index`` counts the article's sentences from 0 (the title, when there is
    one); ``in_title`` tells the headline from the body, since a headline is
    written in another register (title case, no verb) and a reader weighs it
    differently.
    """

    index: int
    text: str
    in_title: bool = False


@dataclass(frozen=True)
class Located:
    """A sentence as split, with its paragraph and its span there (quotes run over sentences)."""

    sentence: Sentence
    paragraph: str
    start: int
    end: int


def split_sentences(text: str) -> list[tuple[int, int]]:
    """The (start, end) character spans of the sentences of ``text``.

    A period ends a sentence unless it follows a title ("Mr."), an initial
    ("J."), "No." before a number, or an abbreviation ("U.S.", "Corp.",
    "Jan.") followed by a word that is not a capitalised function word: a
    capitalised "The" or "It" can only start a sentence, which is the same
    orthographic evidence punkt relies on. Nor does one end before a word in
    lower case. Paragraph breaks always end one; so do 。！？ and the other
    sentence marks of scripts without spaces.
    """
    return [span for _, spans in _split(text) for span in spans]


def _split(text: str) -> Iterable[tuple[tuple[int, int], list[tuple[int, int]]]]:
    """Each paragraph's span with the spans of its sentences. The abbreviation rules are
    English ones, as are the seeds and Reuters; other languages still split at every
    sentence-ending punctuation mark before a word that is not in lower case."""
    stops = stop_words("english")
    for para_start, para_end in _paragraphs(text):
        spans: list[tuple[int, int]] = []
        start = para_start
        para = text[para_start:para_end]
        for match in _BOUNDARY.finditer(para):
            if match.group("end") is not None and not _ends_sentence(para, match, stops):
                continue
            end = para_start + match.end("close" if match.group("end") is not None else "wide_close")
            spans.append(_strip_span(text, start, end))
            start = para_start + match.end()
        spans.append(_strip_span(text, start, para_end))
        yield (para_start, para_end), [(s, e) for s, e in spans if s < e]


def _paragraphs(text: str) -> Iterable[tuple[int, int]]:
    start = 0
    for match in _PARAGRAPH.finditer(text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding space, or punctuation left at its start (". upstairs")."""
    while start < end and (text[start].isspace() or text[start] in ".,;:"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _ends_sentence(para: str, match: re.Match[str], stops: frozenset[str]) -> bool:
    """Whether a Latin-style terminator ends a sentence here."""
    opening = _OPENING.match(para, match.end())
    if opening is None or opening.group(1).islower():
        return False
    if match.group("end") != ".":
        return True
    before = _WORD_BEFORE.search(para, 0, match.start())
    if before is None:
        return True
    word = before.group(1)
    bare = word.lower().rstrip(".")
    after = _NEXT_WORD.match(para, match.end())
    following = after.group(1) if after else ""
    if bare in _TITLES:
        return False
    if len(word) == 1 and word.isupper():  # an initial: "J. Smith"
        return False
    if bare in ("no", "nos") and following[:1].isdigit():  # "No. 5"
        return False
    if "." in word or bare in _ABBREVIATIONS:  # "U.S.", "Corp.": a sentence ends only before "The", "It", ...
        return following.lower() in stops and following[:1].isupper()
    return True


def article_paragraphs(article: Article) -> list[str]:
    """The article's title and the paragraphs of its body, in order: a cheap first look, since every
    sentence lies inside one of them."""
    title = article.title.strip()
    return ([title] if title else []) + [article.body[a:b] for a, b in _paragraphs(article.body)]


def article_sentences(article: Article) -> list[Located]:
    """The article's sentences (title first), without repeats: a body that restates the
    headline says it once, not twice. Each sentence's text has its white space made single
    spaces, since wire copy wraps lines where another telling does not."""
    out: list[Located] = []
    seen: set[str] = set()
    for text, in_title in ((article.title.strip(), True), (article.body, False)):
        for (p_start, p_end), spans in _split(text):
            para = text[p_start:p_end]
            for start, end in spans:
                sentence = " ".join(text[start:end].split())
                norm = re.sub(r"\W+", " ", sentence.lower()).strip()
                if not norm or norm in seen:
                    continue
                seen.add(norm)
                out.append(Located(Sentence(len(out), sentence, in_title), para, start - p_start, end - p_start))
    return out
