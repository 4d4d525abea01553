"""Where the engines' hit counts agree, and the likely reason where they do not.

Engines cannot all agree: newsindex and tantivy stem with Snowball, stock
Whoosh and FTS5 with Porter, so a word family can be grouped differently;
stock Whoosh leaves stop words out of its index, so its phrases skip over
them ("interest in rates" matches "interest rates"). And stock Whoosh's
``len(results)`` can undercount (its top-N collector prunes the matcher, then
trusts its own count): the search worker recounts every match for the
Whoosh-based engines, and a total that differs from that recount is shown as
such rather than taken as a disagreement.
"""

from __future__ import annotations

from dataclasses import dataclass

from .engines import ENGINES


@dataclass(frozen=True)
class Agreement:
    """The verdict on one query's counts across engines."""

    counts: dict[str, int]        # what each engine reported
    recounted: dict[str, int]     # full recount where it differed from the report
    agree: bool                   # all engines' (recounted) totals are equal
    groups: str                   # e.g. "newsindex=tantivy 131 · whoosh=fts5 124"
    reason: str                   # why they differ, or ""


def _groups(counts: dict[str, int]) -> list[tuple[int, list[str]]]:
    by_count: dict[int, list[str]] = {}
    for engine, count in counts.items():
        by_count.setdefault(count, []).append(engine)
    return sorted(by_count.items(), key=lambda item: (-len(item[1]), -item[0]))


def judge(per_engine: dict[str, dict], has_phrase: bool) -> Agreement:
    """Compare one query's results (``{engine: {"total", "full_count"}}``) across engines."""
    counts = {e: r["total"] for e, r in per_engine.items()}
    recounted = {
        e: r["full_count"] for e, r in per_engine.items()
        if r.get("full_count") is not None and r["full_count"] != r["total"]
    }
    true = {e: recounted.get(e, c) for e, c in counts.items()}
    groups = _groups(true)
    agree = len(groups) == 1
    text = " · ".join(f"{'='.join(names)} {count:,}" for count, names in groups)
    reason = ""
    if not agree:
        reason = _reason(groups, has_phrase)
    elif recounted:
        reason = "they agree once the total of " + " and ".join(sorted(recounted)) + " is recounted"
    return Agreement(counts, recounted, agree, text, reason)


def _reason(groups: list[tuple[int, list[str]]], has_phrase: bool) -> str:
    """The likeliest cause of a disagreement, from which engines fall in which group."""
    families = [{ENGINES[e].stemmer for e in names} for _count, names in groups]
    if all(len(f) == 1 for f in families) and len({next(iter(f)) for f in families}) == len(groups):
        return "stemmers differ (Snowball vs Porter)"
    loners = [names[0] for _count, names in groups if len(names) == 1]
    if len(groups) == 2 and len(loners) == 1 and ENGINES[loners[0]].drops_stop_words and has_phrase:
        return f"{loners[0]} indexes no stop words, so its phrases skip over them"
    return "analysis details: stemming, stop words, tokenizing of numbers and hyphens"


# -- coverage answers ---------------------------------------------------------


def same_top(a: list, b: list, top: int) -> bool:
    """Whether two top-``top`` lists of (value, count) agree.

    Values with equal counts may come in any order, and when the list is
    full, which of the values tied at the last count made the cut is each
    engine's choice (newsindex keeps the first seen, SQL the first by name),
    so only the values counted above that last count must be the same.
    """
    if [count for _value, count in a] != [count for _value, count in b]:
        return False
    cut = a[-1][1] if len(a) == top else 0
    return {v: c for v, c in a if c > cut} == {v: c for v, c in b if c > cut}


def _timeline_difference(base: dict, other: dict) -> str:
    weeks = set(base) | set(other)
    differing = sum(1 for week in weeks if list(base.get(week, ())) != list(other.get(week, ())))
    return f"timeline differs in {differing} of {len(weeks)} weeks" if differing else ""


def _facets_difference(base: dict, other: dict, top: int) -> str:
    differing = [name for name in base if not same_top(base[name], other.get(name, []), top)]
    return f"top {', '.join(differing)} differ" if differing else ""


def coverage_difference(base: dict, other: dict, top: int) -> str:
    """How one engine's coverage answers to one query differ from newsindex's ("" when they agree).

    ``base`` and ``other`` are a query's entries of two coverage runs
    (``matched`` and ``answers``); only what both engines answered is compared.
    """
    found = []
    if base["matched"] != other["matched"]:
        found.append(f"matched {other['matched']:,}, not {base['matched']:,}")
    theirs = other["answers"]
    if "timeline" in theirs and "timeline" in base["answers"]:
        found.append(_timeline_difference(base["answers"]["timeline"], theirs["timeline"]))
    if "facets" in theirs and "facets" in base["answers"]:
        found.append(_facets_difference(base["answers"]["facets"], theirs["facets"], top))
    return "; ".join(f for f in found if f)
