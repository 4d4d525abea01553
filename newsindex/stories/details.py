"""The checkable details of a sentence: figures, dates, quotes, attributions and names.

A fact-checker comparing two tellings checks these first: a figure that
changed, a date added, words put in someone's mouth, a new source. They are
found by patterns (English month names and verbs of saying; names by
capitalisation, judged on how the two articles write each word elsewhere),
each with a key that is compared with the other article's details, so
"1,000" meets "1000" and "al-Sharaa" meets "Sharaa's".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal

from .sentences import Located
from .stems import Analyser, Token, stems_in
from .wording import SAYING

Kind = Literal["number", "date", "quote", "attribution", "name"]
KINDS: tuple[str, ...] = ("number", "date", "quote", "attribution", "name")

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        1,
    )
    for name in names
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_NAMES = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_YEAR = r"(?:1[89]|20)\d\d"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_DATE = re.compile(
    rf"""
    (?<![\w-])
    (?:
        (?:{_WEEKDAY},?\s+)?(?:{_DAY}\s+)?(?:{_MONTH_NAMES}|{_MONTH_ABBR})(?:\s+{_DAY}\b)?(?:,?\s+{_YEAR}\b)?
      | \d{{4}}-\d\d-\d\d\b                                                  # 2025-04-23
      | (?:mid-|early\s|late\s)?{_YEAR}(?:s\b|(?![\w%]|[.,]\d|\s*(?:%|pct\b|percent\b|per\scent\b)))  # 2024, 1980s
      | {_WEEKDAY}\b(?!\s+[A-Z])                                             # on Friday (not "Sunday Times")
    )
    """,
    re.VERBOSE,
)
# "May" and month abbreviations are dates only next to a day or a year ("may" is also a verb).
_AMBIGUOUS_MONTH = re.compile(rf"^(?:May|{_MONTH_ABBR})$")

# Spelled numbers count as figures: news style spells out numbers under ten ("four days",
# "two buildings"), so they are checkable quantities like digits. "One" is left out: it is
# mostly a pronoun ("one of the ...").
_UNITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine".split())}
_TEENS = {w: i + 10 for i, w in enumerate("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: (i + 2) * 10 for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SPELLED_VALUES = {**_UNITS, **_TEENS, **_TENS, "dozen": 12}
_SPELLED = (
    rf"(?:(?:{'|'.join(_TENS)})(?:-(?:{'|'.join(list(_UNITS)[1:])}))?|{'|'.join(_TEENS)}"
    rf"|{'|'.join(list(_UNITS)[2:])}|a\sdozen)"
)
_SCALE = r"(?:hundred|thousand|million|billion|trillion|mln|bln|bn|trn)"
_UNIT = (
    r"(?:dlrs?|dollars?|cts|cents?|stg|sterling|yen|marks|euros?|pounds?|francs?|lire|roubles?|rubles?|yuan|"
    r"rupees?|pesos?|tonnes?|tons?|barrels?|bpd|ounces?|km|kms|miles?|points?|shares?|people|persons?|civilians|"
    r"soldiers|troops|deaths|dead|casualties|years?|months?|weeks?|days?|hours?)"
)
_NUMBER = re.compile(
    rf"""
    (?<![\w\-/.,])                                    # not inside a word or a model code (T-72)
    (?:[$\u20ac\u00a3\u00a5]\s?)?                     # currency
    (?:
        \d+(?:[.,]\d+)*(?![^\W\d_])(?:-\d+/\d+|\s\d/\d)?  # 155,221  5.93  8,7  25-1/8 (not 4th, 3B)
        (?:\s?(?:%|pct\b|percent\b|per\scent\b))?
        (?:\s{_SCALE}\b)?
      | (?i:tens|hundreds|thousands|millions|billions)\sof\s(?i:thousands|millions)\b
      | (?i:dozens|scores|hundreds|thousands|millions|billions)\b(?=\sof\b)
      | (?i:(?:{_SPELLED}|one|a)\s{_SCALE}\b|{_SPELLED}\b)(?!-)   # two billion, four (not "two-thirds")
    )
    (?:-[^\W\d_]+)?                                   # 50-year, 600-member
    (?:\s{_UNIT}\b)?                                   # shown, not compared: 21 people
    """,
    re.VERBOSE,
)
_SCALES = {"mln": "million", "bln": "billion", "bn": "billion", "trn": "trillion"}
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")

_QUOTE = re.compile(
    r"\"([^\"]+)\"|\u201c([^\u201c\u201d]+)[\u201d\"]|\u00ab([^\u00ab\u00bb]+)\u00bb|\u201e([^\u201e\u201c\u201d]+)[\u201c\u201d]"
)

_SAY = f"(?-i:{'|'.join(SAYING)})"  # verbs of saying, in lower case only ("United States" is no attribution)
_SOURCE_WORD = r"(?:[^\W\d_][\w'\u2019&.-]*|\d{4})"
_SOURCE = rf"{_SOURCE_WORD}(?:\s+{_SOURCE_WORD}){{0,7}}"
# A capitalised word: "Reuters", "al-Sharaa" (a lower-case particle before a capital), a model
# ("T-72", "S-300"); runs of them, joined by the particles of names, make one name.
_NAME_WORD = r"(?:[A-Z](?:\.[A-Z])+\.?|(?:[a-z]{1,3}-)?[A-Z][^\W_]*(?:['\u2019&-](?:[A-Z](?:\.[A-Z])+\.?|[^\W_]+))*|[A-Z]+-\d+\w*|(?!\d+(?i:st|nd|rd|th)\b)\d+[A-Z][\w/]*)"
_NAME_SEQ = rf"{_NAME_WORD}(?:\s+(?:(?:of|for|the|de|du|da|del|der|van|von|bin|ibn|la|le)\s+)*{_NAME_WORD})*"
_NAME = re.compile(rf"(?<![\w'\u2019&.-]){_NAME_SEQ}")
_CONJUNCTION = r"(?:as|that|which|who|whom|and|but|or|if|when|while|because|so|then|than|he|she|it|they|we|i|you)"
_ADVERB = r"(?:also|however|later|earlier|again|further|still|then|now|today|yesterday|previously|repeatedly|separately)"
_ATTRIBUTION = re.compile(
    rf"""
      \b(?:according\sto|as\s(?:stated|reported|quoted|cited|said|told)\sby|cit(?:ed|ing)|told|quoted\sby|
         in\san?\s(?:interview|statement|report|letter|post|message|article|briefing)\s(?:with|to|by|from|for|on|in)|
         sources?\s(?:at|in|close\sto|familiar\swith)|
         (?:interviewed|reported|published|confirmed|issued|released)\sby)
      \s+(?P<after>{_SOURCE})
    | (?-i:\b(?P<before>{_NAME_SEQ}))(?:,[^,]{{1,60}},)?(?:\s+{_ADVERB})?\s+{_SAY}\b  # al-Sharaa said
    | (?:^|[,;]\s+)(?!(?:{_CONJUNCTION}|{_ADVERB})\b)
      (?P<plain>(?:[\w'\u2019-]+\s+){{0,4}}?[\w'\u2019-]+)(?:\s+{_ADVERB})?\s+{_SAY}\b  # , security sources said
    | [,\u201d"]\s+(?:said|says|added|wrote)\s+(?-i:(?P<inverted>{_NAME_SEQ}))(?=\s*(?:[,.;]|$))  # ," said Mercer.
    """,
    re.VERBOSE | re.IGNORECASE,
)
# Where the source of an attribution ends: a clause or a verb of saying after it.
_SOURCE_END = re.compile(rf"[,;:()\u2014]|\s(?:that|who|which|when|where|while|because|as|after|before|{_SAY})\b", re.I)
_PRONOUNS = frozenset("he she they it we i you who this that which there one".split())
_POSSESSIVE = re.compile(r"['\u2019]s?$")


@dataclass(frozen=True)
class Detail:
    """One checkable detail of a sentence: a figure, a date, a quote, an attribution or a name.

    ``start``/``end`` are character offsets in the sentence's text, so a
    renderer can mark the detail where it stands; ``key`` is what is compared
    with the other article (normalised numbers, date parts, or stems), so
    "1,000" meets "1000" and "al-Sharaa" meets "Sharaa's".
    """

    kind: Kind
    text: str
    start: int
    end: int
    key: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able fields (the comparison key is internal)."""
        return {"kind": self.kind, "text": self.text, "start": self.start, "end": self.end}


def is_headline(text: str, stops: frozenset[str]) -> bool:
    """Title case or capitals: every content word capitalised, so capitals say nothing about names."""
    words = [w for w in re.findall(r"[^\W\d_]+", text) if w.lower() not in stops]
    return len(words) >= 2 and all(w[0].isupper() for w in words)


def capital_evidence(sentences: Iterable[str], stops: frozenset[str]) -> tuple[set[str], set[str]]:
    """Words seen capitalised inside a running sentence, and words seen in lower case.

    The first word of a sentence (and every word of a headline) is
    capitalised whatever it is; whether it is a name is decided by how the
    two articles write it elsewhere, as punkt decides abbreviations.
    """
    capital: set[str] = set()
    lower: set[str] = set()
    for text in sentences:
        if is_headline(text, stops):
            continue
        for i, match in enumerate(re.finditer(r"[^\W\d_][\w'\u2019-]*", text)):
            for part in _POSSESSIVE.sub("", match.group()).split("-"):
                if not part:
                    continue
                if not part[0].isupper():
                    lower.add(part.lower())
                elif i > 0 and not _after_opening(text, match.start()):
                    capital.add(part.lower())
    return capital, lower


def _after_opening(text: str, pos: int) -> bool:
    """Whether a word at ``pos`` opens a quote, a bracket or a clause after a colon (capitalised by rule)."""
    return text[:pos].rstrip().endswith(("\u201c", '"', ":", "(", "\u2018", "\u2014"))


def details(raw: Located, an: Analyser, capital: set[str], lower: set[str]) -> tuple[Detail, ...]:
    """Every checkable detail of a sentence, whether or not the other article has it."""
    text = raw.sentence.text
    tokens = an.tokens(text)
    found: list[Detail] = []

    def add(kind: Kind, start: int, end: int, key: frozenset[str], blocked: tuple[str, ...]) -> None:
        # A detail overlapping one of a kind in ``blocked`` is part of it ("March" in "March 2025").
        if key and not any(d.kind in blocked and d.start < end and start < d.end for d in found):
            found.append(Detail(kind, text[start:end], start, end, key))

    for m in _DATE.finditer(text):
        if not _AMBIGUOUS_MONTH.match(m.group()):
            add("date", m.start(), m.end(), _date_key(m.group()), ("date",))
    for m in _NUMBER.finditer(text):
        add("number", m.start(), m.end(), _number_key(m.group()), ("date", "number"))
    for start, end in _quotes(raw):
        add("quote", start, end, stems_in(tokens, start, end), ("quote",))
    for m in _ATTRIBUTION.finditer(text):
        group = next(g for g in ("after", "before", "plain", "inverted") if m.group(g))
        source = _SOURCE_END.split(m.group(group), maxsplit=1)[0].strip().rstrip(".")
        named = _NAME.match(source, len(re.match(r"(?:the\s+|a\s+|an\s+)?", source, re.I).group()))
        if group == "after" and named and not m.group().lower().startswith("according"):
            source = source[: named.end()]  # "told the BBC on Monday": the source is the name
        if not source or source.split()[0].lower() in _PRONOUNS:
            continue  # "he said": who "he" is, is said elsewhere
        key = stems_in(tokens, m.start(group), m.start(group) + len(source)) - _PRONOUNS
        start = m.start(group) if group in ("before", "plain") else m.start()
        end = m.end() if group in ("before", "plain") else m.start(group) + len(source)
        add("attribution", start, end, key, ("attribution",))
    headline = raw.sentence.in_title or is_headline(text, an.stops)
    for m in _NAME.finditer(text):
        start, end = _name_span(text, m.start(), m.end(), headline, an.stops, capital, lower)
        if start < end:
            add("name", start, end, stems_in(tokens, start, end), ("date", "number"))
    found.sort(key=lambda d: (d.start, KINDS.index(d.kind)))
    return tuple(found)


def _name_span(
    text: str, start: int, end: int, headline: bool, stops: frozenset[str], capital: set[str], lower: set[str]
) -> tuple[int, int]:
    """The part of a capitalised run that is a name.

    Leading function words ("The") go, and so do leading words capitalised
    only by their place (a sentence's first word, a headline's words) unless
    the articles show them capitalised mid-sentence too, or the run is two
    capitalised words at a sentence start never seen in lower case ("Middle East").
    """
    words = list(re.finditer(r"\S+", text[start:end]))
    first = re.search(r"[^\W_]", text)
    keep = 0
    for i, w in enumerate(words):
        bare = _POSSESSIVE.sub("", w.group()).rstrip(".,").lower()
        parts = [p for p in bare.split("-") if p]
        if bare in stops or not parts:
            keep = i + 1
            continue
        at_start = (first is not None and start + w.start() == first.start()) or _after_opening(text, start + w.start())
        if not (headline or at_start):
            break
        if any(p in capital for p in parts) or re.search(r"\d", bare):
            break
        if at_start and not headline and i + 1 < len(words) and not any(p in lower for p in parts):
            break
        keep = i + 1
    if keep >= len(words):
        return start, start
    name_start = start + words[keep].start()
    name = _POSSESSIVE.sub("", text[name_start:start + words[-1].end()].rstrip(".,"))
    return name_start, name_start + len(name)


def _date_key(text: str) -> frozenset[str]:
    """The parts a date names (year, month, day, weekday): "December" is contained in
    "December 2024", so a retelling that adds the year adds a detail, not the other way round."""
    iso = re.search(r"(\d{4})-(\d\d)-(\d\d)", text)
    if iso:
        return frozenset({f"year:{iso.group(1)}", f"month:{int(iso.group(2))}", f"day:{int(iso.group(3))}"})
    key: set[str] = set()
    for token in re.findall(r"[A-Za-z]+|\d+", text):
        low = token.lower()
        if low in _MONTHS:
            key.add(f"month:{_MONTHS[low]}")
        elif low in _WEEKDAYS:
            key.add(f"weekday:{low}")
        elif token.isdigit():
            key.add(f"year:{token}" if len(token) == 4 else f"day:{int(token)}")
        elif low == "s" and key:
            key = {f"decade:{k[5:]}" for k in key}
    return frozenset(key)


def _number_key(text: str) -> frozenset[str]:
    """A figure's value as written, thousands separators dropped, spelled numbers and scale
    words normalised ("four" = "4", "mln" = "million"). The unit is left out, so "21 people"
    meets "21 killed"; "12.1 mln" and "12,141,000" stay different, as a correction that
    changes a figure's precision should."""
    low = text.lower()
    value = ""
    number = re.search(r"\d+(?:[.,]\d+)*(?:[- ]\d+/\d+)?", low)
    if number:
        value = number.group()
        value = value.replace(",", "") if _GROUPED.match(value) else value
    else:
        words = re.findall(r"[a-z]+", low.split("-")[0] if "-" in low and " " not in low else low)
        spelled = [_SPELLED_VALUES[w] for w in words if w in _SPELLED_VALUES]
        value = str(sum(spelled)) if spelled else " ".join(w for w in words if w != "of")
    if re.search(r"%|pct|percent|per cent", low):
        value += "%"
    scale = re.search(rf"\b{_SCALE}\b", low)
    if scale and value:
        value += " " + _SCALES.get(scale.group(), scale.group())
    return frozenset({value}) if value else frozenset()


def _quotes(raw: Located) -> Iterable[tuple[int, int]]:
    """Quoted speech in this sentence: quotes are found in the whole paragraph, since one quote
    often runs over several sentences, and each sentence gets the part inside it."""
    text, para = raw.sentence.text, raw.paragraph
    for m in _QUOTE.finditer(para):
        inner = next(g for g in m.groups() if g is not None)
        inner_start = m.start() + m.group().index(inner)
        lo, hi = max(inner_start, raw.start), min(inner_start + len(inner), raw.end)
        if lo >= hi:
            continue
        piece = " ".join(para[lo:hi].split()).strip(" .,;:")
        where = text.find(piece) if piece else -1
        if where >= 0:
            yield where, where + len(piece)
