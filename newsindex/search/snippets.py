"""Snippets: the passages of an article where the query's words are, with the words marked.

Why not Whoosh's highlighter: measured on Reuters-21578 it spent about 3 ms
per hit (fragment scoring and phrase filtering in Python), a quarter of a
whole search. This one reuses the index's analyzer (so ``refusal`` is marked
for ``refused``, and the cached stems make it cheap), scores fixed windows of
text by the distinct query words they hold and marks them with plain marks.
"""

from __future__ import annotations

from typing import Any, Iterable

from whoosh import query as wq

from ..text.scripts import has_unspaced

#: Characters of context on each side of a cluster of matches, and the most fragments shown.
CONTEXT = 60
FRAGMENTS = 3


def searched_terms(q: wq.Query, reader: Any) -> set[tuple[str, bytes | str]]:
    """Every (field, word) a query looks for, prefixes and wildcards expanded to the indexed words.

    (Whoosh's ``existing_terms`` drops phrase words here, so the leaves are read one by one.)
    A word of a script cut into overlapping pairs is a phrase of its pairs: it is marked as that
    phrase (see :func:`query_phrases`), never pair by pair (the pair ``กร`` of ``เกษตรกร`` in
    ``ผลกระทบ`` is no match), so such pairs are left out here.
    """
    terms: set[tuple[str, bytes | str]] = set()
    for leaf in q.leaves():
        if isinstance(leaf, (wq.Prefix, wq.Wildcard)):
            terms |= leaf.existing_terms(reader, expand=True)
        elif isinstance(leaf, wq.Phrase):
            terms |= {(f, t) for f, t in leaf.iter_all_terms(phrases=True) if not has_unspaced(str(t))}
        else:
            terms |= set(leaf.iter_all_terms(phrases=True))
    return terms


def query_words(terms: Iterable[tuple[str, bytes | str]], fields: tuple[str, ...], stop_words: frozenset[str]) -> frozenset[str]:
    """The indexed words of ``fields`` that a query looks for, without stop words when others remain.

    Stop words are searched for in phrases, but marking every "to" of an
    article would hide the words that matter.
    """
    words = {t.decode("utf-8") if isinstance(t, bytes) else t for f, t in terms if f in fields}
    content = {w for w in words if w not in stop_words}
    return frozenset(content or words)


def query_phrases(q: wq.Query, fields: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    """The indexed words of each phrase the query looks for in ``fields`` (stop words included)."""
    return frozenset(tuple(leaf.words) for leaf in q.leaves() if isinstance(leaf, wq.Phrase) and leaf.fieldname in fields)


def headline_end(body: str, title: str, within: int = 400) -> int:
    """Where the body's own copies of the headline end, if it repeats it near its start (else 0).

    Saved web pages often start their text with the headline (and, before
    it, page furniture); a snippet that starts there repeats the title shown
    right above it.
    """
    title = title.strip().lower()
    if len(title) < 12:
        return 0
    lower, end = body.lower(), 0
    while (at := lower.find(title, end, end + within + len(title))) >= 0:  # some pages repeat it twice
        end = at + len(title)
    return end


def make_snippet(text: str, analyzer: Any, words: frozenset[str], marks: tuple[str, str], width: int = 200,
                 phrases: frozenset[tuple[str, ...]] = frozenset(), skip: int = 0) -> str:
    """Up to three passages of about ``width`` characters around the matches, joined by ``...``.

    A phrase of the query is marked as one passage (``**refused to
    extradite**``), not word by word. The text before ``skip`` (a repeated
    headline, see :func:`headline_end`) is left out when the rest says
    anything. Falls back to the start of the text when nothing matches (a
    hit found by its title, or by a date filter alone).
    """
    if skip and text[skip:].strip():
        text = text[skip:]
    matches = find_matches(text, analyzer, words, phrases)
    if not matches:
        return _squeeze(text[:width])
    windows = _windows(matches, width)
    best = sorted(windows, key=lambda w: (-len({m[2] for m in w}), w[0][0]))[:FRAGMENTS]
    passages: list[list[Any]] = []  # [start, end, matches], merged where their context overlaps
    for window in sorted(best, key=lambda w: w[0][0]):
        start, end = _extent(text, window)
        if passages and start <= passages[-1][1]:
            passages[-1][1] = max(passages[-1][1], end)
            passages[-1][2] = passages[-1][2] + window
        else:
            passages.append([start, end, window])
    return " ... ".join(_format(text, start, end, window, marks) for start, end, window in passages)


def mark_all(text: str, analyzer: Any, words: frozenset[str], marks: tuple[str, str],
             phrases: frozenset[tuple[str, ...]] = frozenset()) -> str:
    """The whole text with every match of the query's words and phrases between ``marks``."""
    out, at = [], 0
    for first, last, _ in find_matches(text, analyzer, words, phrases):
        out += [text[at:first], marks[0], text[first:last], marks[1]]
        at = last
    out.append(text[at:])
    return "".join(out)


def find_matches(text: str, analyzer: Any, words: frozenset[str],
                 phrases: frozenset[tuple[str, ...]]) -> list[tuple[int, int, str]]:
    """(start, end, what) of each match in ``text``: a phrase's whole run of words, or one word
    (overlapping matches as one, see :func:`_merged`)."""
    tokens = [(t.startchar, t.endchar, t.text) for t in analyzer(text, chars=True)]
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        run = next((len(p) for p in phrases if tuple(t[2] for t in tokens[i : i + len(p)]) == p), 0)
        if run:
            found.append((tokens[i][0], tokens[i + run - 1][1], " ".join(t[2] for t in tokens[i : i + run])))
            i += run
            continue
        if tokens[i][2] in words:
            found.append(tokens[i])
        i += 1
    return _merged(found)


def _merged(matches: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping matches as one: a word of a script cut into overlapping pairs (``東京都`` is
    ``東京`` + ``京都``) is marked once, as a whole."""
    merged: list[tuple[int, int, str]] = []
    for match in matches:
        if merged and match[0] < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(match[1], merged[-1][1]), merged[-1][2])
        else:
            merged.append(match)
    return merged


def _windows(matches: list[tuple[int, int, str]], width: int) -> list[list[tuple[int, int, str]]]:
    """Group matches into runs that fit, with their context, in one passage of ``width`` characters."""
    windows: list[list[tuple[int, int, str]]] = [[matches[0]]]
    for match in matches[1:]:
        if match[1] - windows[-1][0][0] <= width - 2 * CONTEXT:
            windows[-1].append(match)
        else:
            windows.append([match])
    return windows


def _extent(text: str, window: list[tuple[int, int, str]]) -> tuple[int, int]:
    """The passage around a window of matches, starting and ending on word boundaries."""
    start = max(0, window[0][0] - CONTEXT)
    end = min(len(text), window[-1][1] + CONTEXT)
    if start > 0:
        space = text.find(" ", start, window[0][0])
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", window[-1][1], end)
        end = space if space >= 0 else end
    return start, end


def _format(text: str, start: int, end: int, window: list[tuple[int, int, str]], marks: tuple[str, str]) -> str:
    return _squeeze(_marked(text, start, end, window, marks))


def _marked(text: str, start: int, end: int, matches: list[tuple[int, int, str]], marks: tuple[str, str]) -> str:
    out, at = [], start
    for first, last, _ in matches:
        out += [text[at:first], marks[0], text[first:last], marks[1]]
        at = last
    out.append(text[at:end])
    return "".join(out)


def _squeeze(text: str) -> str:
    return " ".join(text.split())
