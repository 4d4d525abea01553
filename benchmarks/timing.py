"""How a search worker times its calls: a warm-up pass, then whole rounds up to a count or a time limit.

Shared by the query mix (:mod:`benchmarks.search`) and the coverage
measurement (:mod:`benchmarks.coverage`) so that both time the same way and
their figures can be read side by side. Every call is run once untimed first
(the warm-up: caches and lazily opened files are then in place, as on a
long-lived searcher, and its answer is what the report compares between
engines). Then the whole list is repeated, call after call, so the same call
never runs twice in a row; rounds stop early, after at least one, once
``max_seconds`` have been spent, so one slow engine cannot take the whole
run's time. No engine caches answers, so every timed call really works.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Generic, Sequence, TypeVar

from . import QUERIES_FILE
from .engines import ENGINES
from .resources import cpu_seconds, load_average

T = TypeVar("T")


@dataclass(frozen=True)
class First(Generic[T]):
    """The untimed warm-up call's answer, and how long that cold call took."""

    answer: T
    seconds: float


@dataclass
class Rounds:
    """What the timed rounds measured."""

    latencies: list[list[float]]            # seconds per call, one list per call
    cpu_latencies: list[list[float]] = field(default_factory=list)  # CPU seconds per call, likewise
    changed: set[int] = field(default_factory=set)  # calls whose answer differed from the warm-up's
    reps: int = 0
    seconds: float = 0.0                    # wall time of all rounds
    cpu_seconds: float = 0.0                # CPU time of all rounds (a whole core means a fair measure)


def warm_up(calls: Sequence[Callable[[], T]]) -> list[First[T]]:
    """Run every call once, untimed for the figures; keep its answer."""
    first: list[First[T]] = []
    for call in calls:
        start = time.perf_counter()
        answer = call()
        first.append(First(answer, time.perf_counter() - start))
    return first


def rounds(
    calls: Sequence[Callable[[], T]],
    expected: Sequence[Any],
    reps: int,
    max_seconds: float = float("inf"),
    key: Callable[[T], Any] = lambda answer: answer,
) -> Rounds:
    """Time ``reps`` rounds of all ``calls``; note a call whose ``key(answer)`` is not ``expected``."""
    measured = Rounds(latencies=[[] for _ in calls], cpu_latencies=[[] for _ in calls])
    cpu_from = cpu_seconds()
    timed_from = time.perf_counter()
    while measured.reps < reps:
        for i, call in enumerate(calls):
            start, cpu_start = time.perf_counter(), time.process_time()
            answer = call()
            measured.latencies[i].append(time.perf_counter() - start)
            measured.cpu_latencies[i].append(time.process_time() - cpu_start)
            if key(answer) != expected[i]:
                measured.changed.add(i)
        measured.reps += 1
        if time.perf_counter() - timed_from > max_seconds:
            break
    measured.seconds = time.perf_counter() - timed_from
    measured.cpu_seconds = cpu_seconds() - cpu_from
    return measured


def round_figures(timed: Rounds, requested: int) -> dict[str, Any]:
    """What every timing worker reports of its rounds: how many ran (of how many asked), their wall
    and CPU time, and the machine's load, so a report can say when a figure rests on few rounds or
    a busy machine."""
    return {
        "reps_requested": requested,
        "reps": timed.reps,
        "seconds": timed.seconds,
        "cpu_seconds": timed.cpu_seconds,
        "load_1min": load_average(),
    }


def worker_parser(prog: str, description: str | None) -> argparse.ArgumentParser:
    """The command line every timing worker takes (the driver passes the same options to each)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--max-seconds", type=float, default=float("inf"))
    parser.add_argument("--queries", type=Path, default=QUERIES_FILE)
    return parser
