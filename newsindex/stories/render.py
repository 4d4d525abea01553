"""Comparisons and traces as text a fact-checker reads in a terminal.

The layout follows the order in which a fact-checker asks: which two
articles (and, when only one was named, why the other), did the title
change, what changed inside the statements both make (changed figures
first), what each says that the other does not, and how much is the same.
Changed words are marked inline as ``git diff --word-diff`` marks them:
``[-old-]{+new+}``. A statement retold in other words is shown as its two
sentences, since inline marks would hide both.

The text is plain: article text in it is not yet made safe for a terminal
(the command line does that to everything it prints), but it never breaks a
line of its own, so a title cannot forge a line of the output.
"""

from __future__ import annotations

import textwrap
from datetime import datetime
from typing import Iterable

from .compare import Change, Comparison, Side
from .details import Detail
from .trace import Trace
from .wording import Edit

#: How many edits are listed under one changed statement (the most telling first).
SHOWN_EDITS = 6


def when(moment: datetime | None) -> str:
    """A publication time as a reader wants it: ``1987-03-26 10:48 UTC``, or ``no date``."""
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip() if moment else "no date"


def render_text(comparison: Comparison, width: int = 100) -> str:
    """The comparison for a terminal; A is the older wording, B the newer, in every mark.

    A statement both make with a few words changed is shown inline under
    "Changed inside statements both make"; one both make in other words, as
    its two wordings under "Told by both in other words"; the sentences the
    other article hardly says under "Said only by A/B". Under each, the
    details the other article never mentions (each said once).
    """
    a, b = comparison.a, comparison.b
    lines = [_heading("A", a), _heading("B", b)]
    if comparison.chosen:
        lines += _wrap(comparison.chosen.reason, width, "", "  ")
    lines += ["", *_title(comparison, width)]
    body = [c for c in comparison.changes if not c.title]
    close = [c for c in body if not c.retold]
    retold = [c for c in body if c.retold]
    shown = ({i for c in close for i in c.a}, {i for c in close for i in c.b})
    lines.append(
        f"Changed inside statements both make ({len(close)}; A's words [-like this-], B's {{+like this+}}):"
        if close else "Changed inside statements both make: none"
    )
    for change in close:
        lines += _wrap(change.words.marked(), width, "  ~ ", "    ")
        lines += _edits(change, width)
        lines += _unit_details(change, a, b, width)
    lines.append("")
    if retold:
        lines.append(f"Told by both in other words ({len(retold)}):")
        for change in retold:
            lines += _wrap(change.words.old, width, "  ~ A: ", "       ")
            lines += _wrap(change.words.new, width, "    B: ", "       ")
            lines += _unit_details(change, a, b, width, skip=shown)
            # Sentences the other article hardly says are listed below, as said by one only.
            shown[0].update(i for i in change.a if a.sentence(i).status != "only")
            shown[1].update(i for i in change.b if b.sentence(i).status != "only")
        lines.append("")
    for label, side, done in (("A", a, shown[0]), ("B", b, shown[1])):
        only = [s for s in side.only if not s.sentence.in_title and s.sentence.index not in done]
        lines.append(f"Said only by {label} ({_count(len(only), 'sentence')}):" if only else f"Said only by {label}: nothing")
        for item in only:
            lines += _wrap(item.sentence.text, width, "  - ", "    ")
            lines += _details(item.details, width, "never in " + ("B" if label == "A" else "A"))
        lines.append("")
    lines.append(
        f"Same words in both: {len(a.same)} of A's {len(a.sentences)} sentences, {len(b.same)} of B's "
        f"{len(b.sentences)}. Changed or retold: {len(a.changed)} of A's, {len(b.changed)} of B's. "
        f"Only in A: {len(a.only)}. Only in B: {len(b.only)}."
    )
    return "\n".join(lines)


def _heading(label: str, side: Side) -> str:
    # One line whatever the title holds: a line break in it must not forge a line of the output.
    return " ".join(f"{label}: {side.id} \u00b7 {when(side.published)} \u00b7 {side.title or '(no title)'}".split())


def _title(comparison: Comparison, width: int) -> list[str]:
    change = comparison.title_change
    if change is None:
        a, b = comparison.a, comparison.b
        if a.title and b.title:
            return ["Title: the same words in both", ""]
        return [f"Title: {'only A has one' if a.title else 'only B has one' if b.title else 'neither has one'}", ""]
    if change.retold:
        return [
            "Title changed:", *_wrap(change.words.old, width, "  A: ", "     "),
            *_wrap(change.words.new, width, "  B: ", "     "), "",
        ]
    return ["Title changed:", *_wrap(change.words.marked(), width, "  ~ ", "    "), *_edits(change, width), ""]


def _unit_details(
    change: Change, a: Side, b: Side, width: int, skip: tuple[set[int], set[int]] = (set(), set())
) -> list[str]:
    """The details of a statement's sentences that the other article never mentions."""
    lines = []
    for side, indexes, other, done in ((a, change.a, "B", skip[0]), (b, change.b, "A", skip[1])):
        found = [d for i in indexes if i not in done and side.sentence(i).status != "only" for d in side.sentence(i).details]
        lines += _details(found, width, f"never in {other}")
    return lines


def _edits(change: Change, width: int) -> list[str]:
    """The telling edits under a statement (plain wording is visible in the inline marks)."""
    return _edit_lines(list(change.words.telling_edits()), width)


def _edit_lines(shown: list[Edit], width: int) -> list[str]:
    lines = []
    for edit in shown[:SHOWN_EDITS]:
        lines += _wrap(f"{edit.kind}: {edit.describe()}", width, "      ", "        ")
    if len(shown) > SHOWN_EDITS:
        lines.append(f"      (and {len(shown) - SHOWN_EDITS} more)")
    return lines


def _details(found: Iterable[Detail], width: int, where: str) -> list[str]:
    lines = []
    for detail in found:
        text = f"\u201c{detail.text}\u201d" if detail.kind == "quote" else detail.text
        lines += _wrap(f"{where}: {detail.kind} {text}", width, "      * ", "        ")
    return lines


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False) or [first]


def render_trace(found: Trace, width: int = 100) -> str:
    """A trace for a terminal: the claim, then every telling oldest first, each later one with what
    it changed against the earliest (marked inline as in a comparison)."""
    lines = _wrap(f"Claim: \u201c{found.claim}\u201d", width, "", "  ")
    if found.origin:
        lines.append(f"  (sentence {found.origin[1]} of {found.origin[0]})")
    if not found.tellings:
        lines.append("No article carries it.")
    else:
        lines.append(
            f"{_count(len(found.tellings), 'article')} {'carries' if len(found.tellings) == 1 else 'carry'} it, oldest first "
            f"(the earliest telling first; later ones with the words they changed against it):"
        )
    if not found.complete:
        lines += _wrap(
            f"(Only the {found.verified:,} articles holding most of its words were read, of {found.candidates:,} "
            "that hold enough of them: a claim this common may be carried by more.)", width, "", " ",
        )
    for telling in found.tellings:
        lines.append("")
        lines += _wrap(
            f"{when(telling.published)}  {telling.id} \u00b7 {telling.source or '-'} \u00b7 {telling.title or '(no title)'}",
            width, "  ", "    ",
        )
        numbers = ", ".join(str(i) for i in telling.sentences)
        how = f"{telling.match} \u00b7 sentence{'s' if len(telling.sentences) > 1 else ''} {numbers} \u00b7 {telling.coverage:.0%} of the claim's words"
        changes = telling.changes
        shown = telling.against_earliest
        if shown == "earliest":
            lines.append(f"    EARLIEST \u00b7 {how}")
        elif shown == "same":
            lines.append(f"    {how} \u00b7 the same words as the earliest")
        elif shown == "changed" and changes:
            lines.append(f"    {how} \u00b7 against the earliest:")
            lines += _wrap(changes.marked(), width, "    ~ ", "      ")
        elif changes:
            lines.append(f"    {how} \u00b7 told otherwise than the earliest ({changes.similarity:.0%} of the words in common):")
        if shown != "changed":
            lines += _wrap(telling.text, width, "    ", "    ")
        if changes:
            lines += _edit_lines(list(changes.telling_edits()), width)
    return "\n".join(lines)
