"""Ranking-quality and latency statistics, written out so they can be read and tested.

nDCG discounts by ``log2(rank + 1)`` and normalises by the ideal ranking of
every judged document of the query. Its gain is ``2**grade - 1`` by default
(the Burges et al. form that rewards a complete answer much more than a
marginal one, and the one this project's earlier Cranfield figures used);
``gain="linear"`` uses the grade itself, as trec_eval's ``ndcg_cut`` does.
Average precision counts documents with grade > 0 as relevant and divides by
all relevant documents, retrieved or not, as trec_eval does.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence


def dcg(gains: Iterable[float]) -> float:
    """Discounted cumulative gain of gains in rank order (rank 1 first)."""
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def gain_of(grade: int, gain: str = "exponential") -> float:
    """The gain of one judged grade (negative or missing grades count as 0)."""
    grade = max(grade, 0)
    if gain == "exponential":
        return float(2**grade - 1)
    if gain == "linear":
        return float(grade)
    raise ValueError(f"unknown gain {gain!r}")


def ndcg_at(ranking: Sequence[str], grades: Mapping[str, int], k: int = 10, gain: str = "exponential") -> float:
    """nDCG@k of one ranking; 0 when the query has no relevant document."""
    ideal = dcg(sorted((gain_of(g, gain) for g in grades.values()), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(gain_of(grades.get(doc, 0), gain) for doc in ranking[:k]) / ideal


def average_precision(ranking: Sequence[str], grades: Mapping[str, int]) -> float:
    """Average precision of one ranking, relevant meaning grade > 0."""
    relevant = {doc for doc, grade in grades.items() if grade > 0}
    if not relevant:
        return 0.0
    found = 0
    total = 0.0
    for rank, doc in enumerate(ranking, start=1):
        if doc in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean (0 for no values)."""
    items = list(values)
    return sum(items) / len(items) if items else 0.0


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100) with linear interpolation between order statistics.

    The same definition as numpy's default, written here so that the suite
    needs nothing beyond the standard library to measure.
    """
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100.0
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 and mean of latencies, in milliseconds."""
    return {
        "p50_ms": percentile(seconds, 50) * 1000,
        "p95_ms": percentile(seconds, 95) * 1000,
        "p99_ms": percentile(seconds, 99) * 1000,
        "mean_ms": mean(seconds) * 1000,
        "n": len(seconds),
    }
