"""Which characters belong to words in scripts the ASCII-minded rules of the tokenizer miss.

Two classes of characters, as ``re`` character-class contents (Python's
``re`` has no ``\\p{...}``, and the ``regex`` module costs an import and is
slower):

* :data:`MARKS`: every combining mark (Unicode categories Mn, Mc, Me). Python's
  ``\\w`` leaves them out, so without them a Hindi, Thai, Hebrew or Arabic word
  with vowel signs, or a Latin word written decomposed (``e`` + U+0301), falls
  apart into pieces at every mark. Generated from Unicode 14.0's character
  database (``unicodedata`` of Python 3.11); ``tests/test_languages.py`` checks
  that each is still a mark in the running Python.

* :data:`UNSPACED`: the scripts written without spaces between words (Han,
  Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) and Hangul. A run of them is
  indexed as overlapping two-character pieces, as Lucene's CJK analysis does
  (see :class:`~newsindex.text.analysis.NewsTokenizer`): any word of two or more
  characters is then a phrase of pieces, whatever the dictionary of a
  segmenter would have cut. Hangul is written with spaces, but its particles
  are glued to the word (``서울시는``: "Seoul city" + topic particle), so it is
  cut the same way, as Lucene and Elasticsearch's ``cjk`` analyzer do. Their
  punctuation (``、。・「」``), digits and the Thai and Lao digit signs are left
  out: they are not part of words.

A text of none of them (:data:`PLAIN`: most English, German, French or Russian
text) is cut by rules without these classes (:func:`is_plain`), which are
costly to compile and change nothing there.
"""

from __future__ import annotations

import functools
import re

#: Combining marks (Mn, Mc, Me), as the contents of a character class.
MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1-\u05c2\u05c4-\u05c5\u05c7\u0610-\u061a"
    "\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7-\u06e8\u06ea-\u06ed\u0711\u0730-\u074a"
    "\u07a6-\u07b0\u07eb-\u07f3\u07fd\u0816-\u0819\u081b-\u0823\u0825-\u0827\u0829-\u082d"
    "\u0859-\u085b\u0898-\u089f\u08ca-\u08e1\u08e3-\u0903\u093a-\u093c\u093e-\u094f\u0951-\u0957"
    "\u0962-\u0963\u0981-\u0983\u09bc\u09be-\u09c4\u09c7-\u09c8\u09cb-\u09cd\u09d7\u09e2-\u09e3"
    "\u09fe\u0a01-\u0a03\u0a3c\u0a3e-\u0a42\u0a47-\u0a48\u0a4b-\u0a4d\u0a51\u0a70-\u0a71\u0a75"
    "\u0a81-\u0a83\u0abc\u0abe-\u0ac5\u0ac7-\u0ac9\u0acb-\u0acd\u0ae2-\u0ae3\u0afa-\u0aff"
    "\u0b01-\u0b03\u0b3c\u0b3e-\u0b44\u0b47-\u0b48\u0b4b-\u0b4d\u0b55-\u0b57\u0b62-\u0b63\u0b82"
    "\u0bbe-\u0bc2\u0bc6-\u0bc8\u0bca-\u0bcd\u0bd7\u0c00-\u0c04\u0c3c\u0c3e-\u0c44\u0c46-\u0c48"
    "\u0c4a-\u0c4d\u0c55-\u0c56\u0c62-\u0c63\u0c81-\u0c83\u0cbc\u0cbe-\u0cc4\u0cc6-\u0cc8"
    "\u0cca-\u0ccd\u0cd5-\u0cd6\u0ce2-\u0ce3\u0d00-\u0d03\u0d3b-\u0d3c\u0d3e-\u0d44\u0d46-\u0d48"
    "\u0d4a-\u0d4d\u0d57\u0d62-\u0d63\u0d81-\u0d83\u0dca\u0dcf-\u0dd4\u0dd6\u0dd8-\u0ddf"
    "\u0df2-\u0df3\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd\u0f18-\u0f19"
    "\u0f35\u0f37\u0f39\u0f3e-\u0f3f\u0f71-\u0f84\u0f86-\u0f87\u0f8d-\u0f97\u0f99-\u0fbc\u0fc6"
    "\u102b-\u103e\u1056-\u1059\u105e-\u1060\u1062-\u1064\u1067-\u106d\u1071-\u1074\u1082-\u108d"
    "\u108f\u109a-\u109d\u135d-\u135f\u1712-\u1715\u1732-\u1734\u1752-\u1753\u1772-\u1773"
    "\u17b4-\u17d3\u17dd\u180b-\u180d\u180f\u1885-\u1886\u18a9\u1920-\u192b\u1930-\u193b"
    "\u1a17-\u1a1b\u1a55-\u1a5e\u1a60-\u1a7c\u1a7f\u1ab0-\u1ace\u1b00-\u1b04\u1b34-\u1b44"
    "\u1b6b-\u1b73\u1b80-\u1b82\u1ba1-\u1bad\u1be6-\u1bf3\u1c24-\u1c37\u1cd0-\u1cd2\u1cd4-\u1ce8"
    "\u1ced\u1cf4\u1cf7-\u1cf9\u1dc0-\u1dff\u20d0-\u20f0\u2cef-\u2cf1\u2d7f\u2de0-\u2dff"
    "\u302a-\u302f\u3099-\u309a\ua66f-\ua672\ua674-\ua67d\ua69e-\ua69f\ua6f0-\ua6f1\ua802\ua806"
    "\ua80b\ua823-\ua827\ua82c\ua880-\ua881\ua8b4-\ua8c5\ua8e0-\ua8f1\ua8ff\ua926-\ua92d"
    "\ua947-\ua953\ua980-\ua983\ua9b3-\ua9c0\ua9e5\uaa29-\uaa36\uaa43\uaa4c-\uaa4d\uaa7b-\uaa7d"
    "\uaab0\uaab2-\uaab4\uaab7-\uaab8\uaabe-\uaabf\uaac1\uaaeb-\uaaef\uaaf5-\uaaf6\uabe3-\uabea"
    "\uabec-\uabed\ufb1e\ufe00-\ufe0f\ufe20-\ufe2f\U000101fd\U000102e0\U00010376-\U0001037a"
    "\U00010a01-\U00010a03\U00010a05-\U00010a06\U00010a0c-\U00010a0f\U00010a38-\U00010a3a"
    "\U00010a3f\U00010ae5-\U00010ae6\U00010d24-\U00010d27\U00010eab-\U00010eac"
    "\U00010f46-\U00010f50\U00010f82-\U00010f85\U00011000-\U00011002\U00011038-\U00011046"
    "\U00011070\U00011073-\U00011074\U0001107f-\U00011082\U000110b0-\U000110ba\U000110c2"
    "\U00011100-\U00011102\U00011127-\U00011134\U00011145-\U00011146\U00011173"
    "\U00011180-\U00011182\U000111b3-\U000111c0\U000111c9-\U000111cc\U000111ce-\U000111cf"
    "\U0001122c-\U00011237\U0001123e\U000112df-\U000112ea\U00011300-\U00011303"
    "\U0001133b-\U0001133c\U0001133e-\U00011344\U00011347-\U00011348\U0001134b-\U0001134d"
    "\U00011357\U00011362-\U00011363\U00011366-\U0001136c\U00011370-\U00011374"
    "\U00011435-\U00011446\U0001145e\U000114b0-\U000114c3\U000115af-\U000115b5"
    "\U000115b8-\U000115c0\U000115dc-\U000115dd\U00011630-\U00011640\U000116ab-\U000116b7"
    "\U0001171d-\U0001172b\U0001182c-\U0001183a\U00011930-\U00011935\U00011937-\U00011938"
    "\U0001193b-\U0001193e\U00011940\U00011942-\U00011943\U000119d1-\U000119d7"
    "\U000119da-\U000119e0\U000119e4\U00011a01-\U00011a0a\U00011a33-\U00011a39"
    "\U00011a3b-\U00011a3e\U00011a47\U00011a51-\U00011a5b\U00011a8a-\U00011a99"
    "\U00011c2f-\U00011c36\U00011c38-\U00011c3f\U00011c92-\U00011ca7\U00011ca9-\U00011cb6"
    "\U00011d31-\U00011d36\U00011d3a\U00011d3c-\U00011d3d\U00011d3f-\U00011d45\U00011d47"
    "\U00011d8a-\U00011d8e\U00011d90-\U00011d91\U00011d93-\U00011d97\U00011ef3-\U00011ef6"
    "\U00016af0-\U00016af4\U00016b30-\U00016b36\U00016f4f\U00016f51-\U00016f87"
    "\U00016f8f-\U00016f92\U00016fe4\U00016ff0-\U00016ff1\U0001bc9d-\U0001bc9e"
    "\U0001cf00-\U0001cf2d\U0001cf30-\U0001cf46\U0001d165-\U0001d169\U0001d16d-\U0001d172"
    "\U0001d17b-\U0001d182\U0001d185-\U0001d18b\U0001d1aa-\U0001d1ad\U0001d242-\U0001d244"
    "\U0001da00-\U0001da36\U0001da3b-\U0001da6c\U0001da75\U0001da84\U0001da9b-\U0001da9f"
    "\U0001daa1-\U0001daaf\U0001e000-\U0001e006\U0001e008-\U0001e018\U0001e01b-\U0001e021"
    "\U0001e023-\U0001e024\U0001e026-\U0001e02a\U0001e130-\U0001e136\U0001e2ae"
    "\U0001e2ec-\U0001e2ef\U0001e8d0-\U0001e8d6\U0001e944-\U0001e94a\U000e0100-\U000e01ef"
)

#: Scripts cut into overlapping two-character pieces, as the contents of a character class.
UNSPACED = (
    "\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3038-\u303c"  # Han radicals, 々〆〇, numerals
    "\u3041-\u3096\u3099-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"  # Hiragana, Katakana (not ・)
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # Han
    "\uff66-\uff9f"  # half-width Katakana
    "\u1100-\u11ff\u3131-\u318e\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff\uffa0-\uffdc"  # Hangul
    "\u0e01-\u0e3a\u0e40-\u0e4e"  # Thai (not its digits and signs)
    "\u0e81-\u0ecf\u0edc-\u0edf"  # Lao
    "\u1780-\u17d3\u17d7\u17dc-\u17dd"  # Khmer
    "\u1000-\u103f\u1050-\u109f"  # Myanmar (not its digits and punctuation)
)


#: Ranges of characters that are in neither class (Latin, Greek and Cyrillic letters and their
#: precomposed accented forms, general punctuation, currency signs): a text made only of these
#: is tokenized by rules without the two classes, with the same tokens (see :func:`is_plain`).
PLAIN = (
    (0x0000, 0x02FF),  # ASCII, Latin-1, Latin Extended-A and B, IPA, spacing modifiers
    (0x0370, 0x0482),  # Greek, Cyrillic (before its combining marks)
    (0x048A, 0x052F),  # Cyrillic, Cyrillic Supplement
    (0x1E00, 0x1FFF),  # Latin Extended Additional (Vietnamese), Greek Extended
    (0x2000, 0x20CF),  # general punctuation (’ “ ” — …), super- and subscripts, currency signs
)


@functools.cache
def _beyond_plain() -> re.Pattern[str]:
    return re.compile("[^%s]" % "".join(f"{chr(low)}-{chr(high)}" for low, high in PLAIN))


def is_plain(text: str) -> bool:
    """Whether ``text`` has no character of :data:`MARKS` or :data:`UNSPACED` (all of it in :data:`PLAIN`).

    Why: rules that leave those classes out compile in a fraction of a millisecond, the whole
    rules in about 25 ms (Python's regular expression compiler fills a table entry by entry for
    each of the tens of thousands of characters of the scripts cut into pairs, for every copy of
    the class), which every process that indexes or tokenizes would pay for English text too.
    """
    return text.isascii() or _beyond_plain().search(text) is None


@functools.cache
def _unspaced() -> re.Pattern[str]:
    # Compiled on first use: Python's compiler takes 3 to 10 ms over the Han and Hangul ranges,
    # which a command that meets no such character (most searches) should not pay at start.
    return re.compile(f"[{UNSPACED}]")


def has_unspaced(text: str) -> bool:
    """Whether ``text`` holds a character of :data:`UNSPACED`."""
    return not is_plain(text) and _unspaced().search(text) is not None
