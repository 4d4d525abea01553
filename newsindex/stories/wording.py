"""What changed inside a statement two articles both make: word-level edits, the most telling first.

A correction rarely adds a sentence: it changes a word inside one ("64" to
"59 cents", "barrels a year" to "barrels a day", "imposed" to "proposed", a
dropped "not"). :func:`word_changes` lines up two wordings of one statement
word by word (the longest common runs, as ``diff`` does, from
:mod:`difflib`) and reports each run of words that was replaced, inserted or
deleted as an :class:`Edit`.

Words are compared as written, lower-cased, with the dots of abbreviations
and the thousands separators of numbers dropped, and fractions as decimals
("U.S." = "US", "1,000" = "1000", "41-1/2" = "41.5"): a change of tense or number ("refused" to "refuses") is a change a
fact-checker wants to see, so nothing is stemmed. Punctuation is not a word,
so a moved comma is no edit. Scripts written without spaces (Chinese,
Japanese, Thai...) are compared character by character, since a "word" there
would be a whole clause.

Each edit gets a kind, and edits are ordered by it: a changed figure (digits,
spelled numbers, units and scale words such as "mln", "pct", "cents", or "a
day"), a negation added or dropped, a name (a capitalised word inside a
sentence that is not a headline), an attribution (a verb of saying,
"according to"), then any other wording. The word lists are English, with
the negations of a few other languages; in other languages an edit is still
found and shown, only perhaps called "wording" where it is a name.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Literal, NamedTuple

from ..text.scripts import is_plain

Op = Literal["replace", "insert", "delete"]
EditKind = Literal["number", "negation", "name", "attribution", "wording"]
#: The kinds of edit, the most important first (a fact-checker reads figures first).
EDIT_KINDS: tuple[str, ...] = ("number", "negation", "name", "attribution", "wording")

#: Two wordings with less than this share of their words in common are a retelling, not an edit.
RETOLD_SIMILARITY = 0.5
#: A run of at most this many changed words (on its longer side) is one edit; a longer one is cut by kind.
SHORT_EDIT = 4

#: Verbs of saying, as written in English news ("said", "told"): also used to find attributions.
SAYING: tuple[str, ...] = (
    "said", "says", "say", "stated", "states", "told", "tells", "reported", "reports", "stressed", "noted",
    "notes", "added", "adds", "announced", "confirmed", "claimed", "claims", "wrote", "writes", "argued",
    "warned", "insisted", "explained", "denied", "estimated", "acknowledged", "admitted", "alleged",
    "declared", "predicted",
)
_ATTRIBUTING = frozenset(SAYING) | {"according", "quoted", "cited", "citing", "sources", "source", "spokesman", "spokeswoman"}

# Letters of scripts written without spaces between words: each is a word of its own.
_UNSPACED = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u31f0-\u31ff\uff66-\uff9f"  # kana, CJK ideographs
    "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Myanmar, Khmer
    "\U00020000-\U0002fa1f"
)
_NUMBER = r"\d+(?:[.,]\d+)*(?:-\d+/\d+|/\d+)?(?:%|(?![^\W_]))"  # 155,221  5.93  8,7  40%  17-1/4  1/4
_ABBREVIATION = r"[^\W_](?:\.[^\W\d_])+\.?(?![^\W_])"  # U.S.  U.K
# Texts in scripts with spaces (most): words, numbers and abbreviations whole.
_WORD = re.compile(rf"{_ABBREVIATION}|{_NUMBER}|[^\W_]+(?:['\u2019][^\W_]+)*")


@functools.cache
def _unspaced_words() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(a letter of a script written without spaces, the words of a text with such letters: each of
    them a word of its own). Compiled on first use, for a text that may have them: their classes took
    Python's compiler 20-30 ms at import, in every process that imports the stories (builds, searches)."""
    return re.compile(f"[{_UNSPACED}]"), re.compile(
        rf"""[{_UNSPACED}]|{_ABBREVIATION}|{_NUMBER}
        | (?:(?![{_UNSPACED}])[^\W_])+(?:['\u2019](?:(?![{_UNSPACED}])[^\W_])+)*   # words, Syria's, didn't""",
        re.VERBOSE,
    )


_DIGIT = re.compile(r"\d")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?%?$")
_FRACTION = re.compile(r"^(\d+)-(\d+)/(\d+)$")

_SPELLED = frozenset(
    "zero two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
    " seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand"
    " million billion trillion dozen half quarter third double triple twice".split()
)
# Words that are part of a figure wherever they stand: units of money and measure, scale words.
_FIGURE_WORDS = frozenset(
    "mln bln bn trn pct percent cent cents ct cts dlr dlrs dollar dollars stg sterling yen marks euro euros"
    " pound pounds franc francs lire rouble roubles ruble rubles yuan rupee rupees peso pesos tonne tonnes"
    " ton tons barrel barrels bpd ounce ounces km kms mile miles point points bushel bushels acre acres"
    " basis shr shrs".split()
) | _SPELLED
# Units of time: part of a figure after "a", "per" or a slash ("barrels a day", "barrels/year").
_TIME_UNITS = frozenset("day days week weeks month months year years hour hours quarter quarters annum".split())
_RATE = re.compile(r"(?:\b(?:a|an|per|each)\s+|/\s*)$", re.IGNORECASE)
_NEGATIONS = frozenset(
    # English, German, French, Spanish, Italian, Portuguese, Dutch, Russian
    "not no never none nothing nobody neither nor without cannot "
    "nicht kein keine keinen keinem keiner nie niemals ohne "
    "ne pas jamais aucun aucune sans non "
    "nunca sin ninguno ninguna tampoco "
    "mai senza nessun nessuno nessuna "
    "não nao sem nenhum nenhuma "
    "niet geen nooit zonder "
    "не нет ни никогда без".split()
)


class Word(NamedTuple):
    """A word of a text: as written, as compared (``key``), and where it is."""

    text: str
    key: str
    start: int
    end: int


def words(text: str) -> list[Word]:
    """The words of ``text`` in order (numbers and abbreviations whole; unspaced scripts by character)."""
    out = []
    pattern = _WORD
    if not is_plain(text):  # (a plain text has none of those letters: no need to compile their class)
        letter, unspaced_words = _unspaced_words()
        pattern = unspaced_words if letter.search(text) else _WORD
    for m in pattern.finditer(text):
        word = m.group()
        key = word.casefold().replace("\u2019", "'")
        if "," in key and _GROUPED.match(key):
            key = key.replace(",", "")
        elif "/" in key and (fraction := _FRACTION.match(key)) and int(fraction.group(3)):
            # 41-1/2 is 41.5, as wire copy writes it either way
            whole, top, bottom = (int(g) for g in fraction.groups())
            key = f"{whole + top / bottom:.6f}".rstrip("0").rstrip(".")
        elif "." in key and not key[0].isdigit():
            key = key.replace(".", "")
        out.append(Word(word, key, m.start(), m.end()))
    return out


@dataclass(frozen=True)
class Edit:
    """One run of words changed between two wordings.

    ``op`` is ``"replace"``, ``"insert"`` (words only the new wording has) or
    ``"delete"`` (words only the old one has); ``old``/``new`` are the words
    as written (empty for an insert/delete), and ``old_start``/``old_end``,
    ``new_start``/``new_end`` where they stand in the two texts (for an
    insert, ``old_start == old_end`` is where the words would go).
    ``kind`` says what changed: ``number``, ``negation``, ``name``,
    ``attribution`` or ``wording``.
    """

    op: Op
    kind: EditKind
    old: str
    new: str
    old_start: int
    old_end: int
    new_start: int
    new_end: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "op": self.op, "kind": self.kind, "old": self.old, "new": self.new,
            "old_start": self.old_start, "old_end": self.old_end, "new_start": self.new_start, "new_end": self.new_end,
        }

    def describe(self) -> str:
        """``64 -> 59``, ``added "not"``, ``removed "vegetable"``: one edit in a few words."""
        if self.op == "replace":
            return f"{self.old} -> {self.new}"
        if self.op == "insert":
            return f"added \u201c{self.new}\u201d"
        return f"removed \u201c{self.old}\u201d"


@dataclass(frozen=True)
class WordChanges:
    """Two wordings of one statement, word by word: the edits (most telling first) and how alike they are.

    ``similarity`` is the share of words the two have in the same order
    (2 x common / (old words + new words)): 1.0 for the same words, about
    0.9 for a corrected figure in a long sentence, under 0.5 for a retelling
    in other words, where the edits are better read as two sentences.
    """

    old: str
    new: str
    edits: tuple[Edit, ...]
    similarity: float

    @property
    def same(self) -> bool:
        """The same words in the same order (case, punctuation and spacing aside)."""
        return not self.edits

    @property
    def retold(self) -> bool:
        """Told in other words rather than changed in a few (under :data:`RETOLD_SIMILARITY` of the words
        in common): the two wordings are better read one under the other than merged."""
        return self.similarity < RETOLD_SIMILARITY

    def telling_edits(self) -> tuple[Edit, ...]:
        """The edits a reader should see listed, beside the wording marked inline: with a few words
        changed, every edit but plain wording (figures, negations, names, sources); told in other
        words, where word-by-word edits are mostly noise, only changed figures and negations."""
        if self.retold:
            return tuple(e for e in self.edits if e.kind == "negation" or _DIGIT.search(e.old + e.new))
        return tuple(e for e in self.edits if e.kind != "wording")

    def to_dict(self) -> dict[str, Any]:
        return {"similarity": round(self.similarity, 3), "edits": [e.to_dict() for e in self.edits]}

    def marked(self, deleted: tuple[str, str] = ("[-", "-]"), inserted: tuple[str, str] = ("{+", "+}")) -> str:
        """The new wording with the old one's words inline: ``barrels a [-year-]{+day+}``, as ``git diff
        --word-diff`` shows them."""
        old_words, new_words = words(self.old), words(self.new)
        out: list[str] = []
        cursor = 0
        for tag, i1, i2, j1, j2 in _opcodes(old_words, new_words):
            if tag == "equal":
                end = new_words[j2 - 1].end
                out.append(self.new[cursor:end])
                cursor = end
                continue
            start = new_words[j1].start if j1 < j2 else cursor
            out.append(self.new[cursor:start])
            if i1 < i2:
                if j1 == j2 and cursor and not self.new[cursor - 1].isspace():
                    out.append(" ")  # "will [-not-] extradite", not "will[-not-] extradite"
                out.append(deleted[0] + self.old[old_words[i1].start:old_words[i2 - 1].end] + deleted[1])
                if j1 == j2 and not cursor and self.new[:1].strip():
                    out.append(" ")
            if j1 < j2:
                out.append(inserted[0] + self.new[new_words[j1].start:new_words[j2 - 1].end] + inserted[1])
                cursor = new_words[j2 - 1].end
        out.append(self.new[cursor:])
        return "".join(out)


def _opcodes(old: list[Word], new: list[Word]) -> list[tuple[str, int, int, int, int]]:
    matcher = SequenceMatcher(None, [w.key for w in old], [w.key for w in new], autojunk=False)
    return matcher.get_opcodes()


def similarity(a: str, b: str) -> float:
    """How alike two wordings are (:attr:`WordChanges.similarity`), the same whichever comes first.

    difflib's matching is greedy and can find more words in common one way
    round than the other ("Russia Russia the Russia said" against "Russia
    said the Russia"); anything that must not depend on which article is A
    (how :func:`~newsindex.stories.compare.compare` groups sentences) takes
    the larger of the two.
    """
    return max(_similarity(words(a), words(b)), _similarity(words(b), words(a)))


def _similarity(old: list[Word], new: list[Word], ops: list[tuple[str, int, int, int, int]] | None = None) -> float:
    """2 x the words in common / all words of both (1.0 for two empty wordings)."""
    total = len(old) + len(new)
    common = sum(i2 - i1 for tag, i1, i2, _, _ in (_opcodes(old, new) if ops is None else ops) if tag == "equal")
    return 2 * common / total if total else 1.0


def word_changes(old: str, new: str) -> WordChanges:
    """The word-level edits that turn ``old`` into ``new``, the most telling first (then in reading order).

    A run of a few changed words (:data:`SHORT_EDIT` at most on either side)
    is one edit of its most telling kind ("The Syrian" -> "Syria's" is a
    name, "no present plans" -> "not agreed" a negation, "and employs 100
    people" dropped a figure). A longer run, or one that changes two telling
    kinds of word on both sides, is cut where the kind of word changes, and
    the pieces of one kind are paired in order: "Peskov said" -> "Lavrov told
    Reuters" is the name Peskov -> Lavrov, the attribution said -> told and
    the name Reuters added, and a clause added to a sentence shows the figure
    it brings apart from its other words.
    """
    old_words, new_words = words(old), words(new)
    old_kinds, new_kinds = _kinds(old, old_words), _kinds(new, new_words)
    ops = _opcodes(old_words, new_words)
    edits: list[Edit] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        old_runs, new_runs = _runs(old_kinds, i1, i2), _runs(new_kinds, j1, j2)
        telling = {r[0] for r in old_runs + new_runs} - {"wording"}
        if max(i2 - i1, j2 - j1) <= SHORT_EDIT and (len(telling) < 2 or i1 == i2 or j1 == j2):
            # A few words: one edit, of its most telling kind.
            kind = min((r[0] for r in old_runs + new_runs), key=EDIT_KINDS.index)
            old_runs = [(kind, i1, i2)] if i1 < i2 else []
            new_runs = [(kind, j1, j2)] if j1 < j2 else []
        old_at = old_words[i1].start if i1 < i2 else (old_words[i1 - 1].end if i1 else 0)
        new_at = new_words[j1].start if j1 < j2 else (new_words[j1 - 1].end if j1 else 0)
        for kind in EDIT_KINDS:
            mine = [(old_words[a].start, old_words[b - 1].end) for k, a, b in old_runs if k == kind]
            theirs = [(new_words[a].start, new_words[b - 1].end) for k, a, b in new_runs if k == kind]
            for n in range(max(len(mine), len(theirs))):
                # A piece without a partner stands after the last piece of its kind, or at the run's start.
                o = mine[n] if n < len(mine) else ((mine[-1][1],) * 2 if mine else (old_at, old_at))
                w = theirs[n] if n < len(theirs) else ((theirs[-1][1],) * 2 if theirs else (new_at, new_at))
                op: Op = "replace" if o[0] < o[1] and w[0] < w[1] else ("delete" if o[0] < o[1] else "insert")
                edits.append(Edit(op, kind, old[o[0]:o[1]], new[w[0]:w[1]], o[0], o[1], w[0], w[1]))  # type: ignore[arg-type]
    edits.sort(key=lambda e: (EDIT_KINDS.index(e.kind), e.old_start, e.new_start))
    return WordChanges(old, new, tuple(edits), _similarity(old_words, new_words, ops))


def _runs(kinds: list[str], start: int, end: int) -> list[tuple[str, int, int]]:
    """The words ``start:end`` cut into runs of one kind: (kind, first, end)."""
    runs: list[tuple[str, int, int]] = []
    for k in range(start, end):
        if runs and runs[-1][0] == kinds[k]:
            runs[-1] = (kinds[k], runs[-1][1], k + 1)
        else:
            runs.append((kinds[k], k, k + 1))
    return runs


def _kinds(text: str, ws: list[Word]) -> list[str]:
    """What each word is, for the kind of the edits that touch it."""
    headline = _headline(ws)
    out = []
    for k, w in enumerate(ws):
        if _figure(text, w):
            out.append("number")
        elif w.key in _NEGATIONS or w.key.endswith(("n't", "n\u2019t")):
            out.append("negation")
        elif not headline and _name(text, ws, k):
            out.append("name")
        elif w.key in _ATTRIBUTING:
            out.append("attribution")
        else:
            out.append("wording")
    return out


def _figure(text: str, word: Word) -> bool:
    if word.key in _FIGURE_WORDS or _DIGIT.search(word.key):
        return True
    return word.key in _TIME_UNITS and _RATE.search(text, 0, word.start) is not None


def _name(text: str, ws: list[Word], k: int) -> bool:
    """A capitalised word that is not the first of its sentence, in a text that is not a headline
    (where every word is capitalised); scripts without capitals have no names found this way."""
    word = ws[k].text
    if not word[:1].isupper() or k == 0:
        return False
    between = text[ws[k - 1].end : ws[k].start].rstrip()  # what stands between it and the word before
    return not between.endswith((".", "!", "?", ":", "\u201c", '"'))


def _headline(ws: list[Word]) -> bool:
    cased = [w.text for w in ws if w.text[:1].isalpha() and (w.text[:1].isupper() or w.text[:1].islower())]
    if len(cased) < 2:
        return False
    return sum(w[:1].isupper() for w in cased) >= 0.7 * len(cased)
