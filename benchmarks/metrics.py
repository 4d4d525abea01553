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


def _prf(precision: float, recall: float) -> dict[str, float]:
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def pairwise(found: Mapping[str, str], truth: Mapping[str, str]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against labels (items of ``truth`` only).

    A pair of items is put together when both have the same cluster in ``found``; it belongs
    together when both have the same label. Precision is 1 when nothing is put together.
    """
    pairs_found = pairs_true = both = 0
    by_cluster: dict[str, list[str]] = {}
    for item in truth:
        by_cluster.setdefault(found[item], []).append(item)
    for members in by_cluster.values():
        pairs_found += len(members) * (len(members) - 1) // 2
        labels: dict[str, int] = {}
        for item in members:
            labels[truth[item]] = labels.get(truth[item], 0) + 1
        both += sum(n * (n - 1) // 2 for n in labels.values())
    sizes: dict[str, int] = {}
    for label in truth.values():
        sizes[label] = sizes.get(label, 0) + 1
    pairs_true = sum(n * (n - 1) // 2 for n in sizes.values())
    return _prf(both / pairs_found if pairs_found else 1.0, both / pairs_true if pairs_true else 1.0)


def b_cubed(found: Mapping[str, str], truth: Mapping[str, str]) -> dict[str, float]:
    """B-cubed precision, recall and F1 (Bagga and Baldwin 1998): per item, the share of its cluster
    that has its label and the share of its label that is in its cluster, averaged over items."""
    cluster_size: dict[str, int] = {}
    label_size: dict[str, int] = {}
    joint: dict[tuple[str, str], int] = {}
    for item, label in truth.items():
        cluster_size[found[item]] = cluster_size.get(found[item], 0) + 1
        label_size[label] = label_size.get(label, 0) + 1
        joint[found[item], label] = joint.get((found[item], label), 0) + 1
    n = len(truth)
    precision = sum(joint[found[i], l] / cluster_size[found[i]] for i, l in truth.items()) / n if n else 1.0
    recall = sum(joint[found[i], l] / label_size[l] for i, l in truth.items()) / n if n else 1.0
    return _prf(precision, recall)
