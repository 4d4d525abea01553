"""Two tellings side by side: a comparison's sentences laid out in rows a reader can scan.

:func:`newsindex.stories.compare.compare` says, for each sentence of each
article, which sentences of the other say the same. A page wants rows: a
sentence of A next to the sentence(s) of B that say it, and a sentence only
one article has on a row of its own, where it stands in its article. Both
columns stay in reading order; when a rewrite moves a sentence elsewhere
(crossing matches), the row says which sentence of the other side it
matches rather than breaking either article's order.

Above the rows, the page lists what changed inside the statements both make
(:func:`changes`): the title, then each statement with a few words changed,
the older wording's words struck through inline and the changed figures,
negations, names and sources named, then those told in other words. A
sentence in a row that is part of one says so and links to it, so a
statement with an internal change never looks plainly shared.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

from markupsafe import Markup

from .marks import Marker, spans_html


@dataclass
class Cell:
    """One sentence as the page shows it."""

    number: int
    html: Markup
    status: str
    coverage: float
    in_title: bool
    details: list[tuple[str, str]]
    #: Indexes of the other side's sentences that say what this one says.
    matched: list[int] = field(default_factory=list)
    #: Numbers of sentences of the other side it matches that stand on other rows.
    elsewhere: list[int] = field(default_factory=list)
    #: The anchor of the change (:class:`ShownChange`) it is part of, if its words changed.
    change: str = ""


@dataclass
class Row:
    a: list[Cell]
    b: list[Cell]


@dataclass
class ShownChange:
    """A statement both articles make with words changed (or the two titles), as the page lists it.

    ``a`` and ``b`` are the numbers of its sentences as the rows show them;
    ``html`` is B's wording with A's words inline (``<del>``/``<ins>``),
    ``edits`` the (kind, description) of the edits worth naming.
    """

    anchor: str
    a: list[int]
    b: list[int]
    title: bool
    retold: bool
    old: str
    new: str
    html: Markup
    edits: list[tuple[str, str]]
    similarity: float


def changes(comparison: Any, marker: Marker) -> list[ShownChange]:
    """The comparison's changes as the page lists them: the title first, then the most telling."""
    shown = []
    for n, change in enumerate(sorted(comparison.changes, key=lambda c: (not c.title, c.retold))):
        words = change.words
        shown.append(ShownChange(
            anchor="title-change" if change.title else f"change-{n + 1}",
            a=[i + 1 for i in change.a], b=[i + 1 for i in change.b], title=change.title, retold=words.retold,
            old=words.old, new=words.new, html=marker.diff_html(words),
            # Told in other words, the two wordings are shown whole (as the terminal shows them).
            edits=[] if words.retold else [(e.kind, e.describe()) for e in words.telling_edits()],
            similarity=words.similarity,
        ))
    return shown


def _cell(match: Any) -> Cell:
    spans = [(d.start, d.end, d.kind) for d in match.details]
    return Cell(
        number=match.sentence.index + 1,
        html=spans_html(match.sentence.text, spans),
        status=match.status,
        coverage=match.coverage,
        in_title=match.sentence.in_title,
        details=[(d.kind, d.text) for d in match.details],
        matched=sorted(match.matched) if match.status != "only" else [],
    )


def rows(comparison: Any, listed: Iterable[ShownChange] = ()) -> list[Row]:
    """The sentences of both sides in rows, matched sentences on the same row, each side in order;
    a sentence that is part of a ``listed`` change links to it."""
    b_sentences = list(comparison.b.sentences)
    placed: set[int] = set()
    out: list[Row] = []

    def flush_b(before: float) -> None:
        for match in b_sentences:
            index = match.sentence.index
            if index < before and index not in placed:
                placed.add(index)
                out.append(Row([], [_cell(match)]))

    by_index = {m.sentence.index: m for m in b_sentences}
    for match in comparison.a.sentences:
        targets = _run(sorted(i for i in match.matched if i not in placed and i in by_index))
        if match.status != "only" and targets:
            flush_b(targets[0])
            placed.update(targets)
            out.append(Row([_cell(match)], [_cell(by_index[i]) for i in targets]))
        else:
            out.append(Row([_cell(match)], []))
    flush_b(math.inf)
    out = _packed(out)
    anchors = {(side, n): c.anchor for c in listed for side, numbers in (("a", c.a), ("b", c.b)) for n in numbers}
    for row in out:
        for side, mine, other in (("a", row.a, row.b), ("b", row.b, row.a)):
            here = {c.number - 1 for c in other}
            for cell in mine:
                cell.elsewhere = [i + 1 for i in cell.matched if i not in here]
                cell.change = anchors.get((side, cell.number), "")
    return out


def _run(targets: list[int]) -> list[int]:
    """The first target and those right after it: a row takes no sentence past one it leaves out.

    Every B sentence before the row's last is on this row or an earlier one, so
    column B stays in reading order; a match further on is noted, not moved.
    """
    run = targets[:1]
    for index in targets[1:]:
        if index != run[-1] + 1:
            break
        run.append(index)
    return run


def _packed(out: list[Row]) -> list[Row]:
    """Runs of one-sided rows packed into one row each, as a diff shows a changed block side by side.

    Without it, an article's run of sentences the other lacks takes a row per
    sentence with an empty cell beside each, and the page grows twice as long.
    """
    packed: list[Row] = []
    block: Row | None = None
    for row in out:
        if row.a and row.b:
            block = None
            packed.append(row)
        elif block is None:
            block = Row(list(row.a), list(row.b))
            packed.append(block)
        else:
            block.a += row.a
            block.b += row.b
    return packed
