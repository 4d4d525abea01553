"""An independent, slow answer to "which articles contain this?", to check the index against.

It shares nothing with newsindex's analyzer but NLTK's Snowball stemmer: the
README's token rules (dotted abbreviations lose their dots, numbers keep their
separators, possessives go, everything else splits at non-letters) written
again as three regular expressions, scanned article by article.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nltk.stem.snowball import SnowballStemmer

_ABBREVIATION = re.compile(r"(?<![^\W\d_])(?:[^\W\d_]\.)+[^\W\d_]\.?(?![^\W\d_])")
_WORD = re.compile(r"\d+(?:[.,]\d+)*%?(?![^\W_])|[^\W_]+(?:['\u2019][^\W_]+)*")
_POSSESSIVE = re.compile(r"['\u2019]s$")
_stem = lru_cache(maxsize=None)(SnowballStemmer("english").stem)


@lru_cache(maxsize=None)
def words(text: str) -> tuple[str, ...]:
    """The stemmed words of ``text``. Kept: the Reuters tests ask for the same articles' words test
    after test, and scanning all of Reuters-21578 again took seconds each time."""
    text = _ABBREVIATION.sub(lambda m: m.group().replace(".", ""), text)
    return tuple(_stem(_POSSESSIVE.sub("", w)) for w in _WORD.findall(text.lower()))


def contains_phrase(text: str, phrase: str) -> bool:
    needle = words(phrase)
    hay = words(text)
    n = len(needle)
    if needle and needle[0] not in hay:  # most texts: no need to try every place
        return False
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


def matching_ids(articles, phrase: str, fields=("title", "body")) -> set[str]:
    """Ids of articles whose given fields contain ``phrase`` (stemmed words in order)."""
    return {a.id for a in articles if any(contains_phrase(getattr(a, f), phrase) for f in fields)}
