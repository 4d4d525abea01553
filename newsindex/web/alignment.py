"""Two tellings side by side: a comparison's sentences laid out in rows a reader can scan.

:func:`newsindex.stories.compare.compare` says, for each sentence of each
article, which sentences of the other say the same. A page wants rows: a
sentence of A next to the sentence(s) of B that say it, and a sentence only
one article has on a row of its own, where it stands in its article. Both
columns stay in reading order; when a rewrite moves a sentence elsewhere
(crossing matches), the row says which sentence of the other side it
matches rather than breaking either article's order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from .marks import spans_html


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


@dataclass
class Row:
    a: list[Cell]
    b: list[Cell]


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


def rows(comparison: Any) -> list[Row]:
    """The sentences of both sides in rows, matched sentences on the same row, each side in order."""
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
    for row in out:
        for mine, other in ((row.a, row.b), (row.b, row.a)):
            here = {c.number - 1 for c in other}
            for cell in mine:
                cell.elsewhere = [i + 1 for i in cell.matched if i not in here]
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
