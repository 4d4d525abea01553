"""Time the coverage measurement, a weekly timeline and facet counts over every match, in a fresh process.

Run by the driver as ``python -m benchmarks.coverage ENGINE --index DIR --out FILE.json
--reps N [--max-seconds S]``, on the index the query mix was timed on. Why
a measurement of its own: the coverage issue promises that on Reuters-21578
a timeline or a facet count over a query matching 5,000 articles answers in
well under a second on a warm index, and such a call visits every match,
not a top 10, so the query mix says nothing about it.

The queries are under ``coverage`` in ``queries.json`` (about 5,000, 1,000
and 100 matches at x1). For each, the worker first counts the matches
(untimed: the number every engine must agree on), then times what the engine
answers of: ``timeline`` (matches and all articles per ISO week) and
``facets`` (the top 10 topics and places among all matches), with the same
warm-up and rounds as the query mix (:mod:`benchmarks.timing`). What an
engine cannot answer is recorded with the reason, not timed.
"""

from __future__ import annotations

import json
import time
from functools import partial
from typing import Any, Callable

from .engines import ENGINES, Engine
from .querymix import load_queries
from .timing import round_figures, rounds, warm_up, worker_parser

#: The measurements, in the order they run for each query.
MEASUREMENTS: tuple[str, ...] = ("timeline", "facets")
#: The facets counted (newsindex's names; Reuters-21578 has topics and places for most stories).
FACET_NAMES: tuple[str, ...] = ("topic", "place")
#: How many values of each facet are returned.
TOP = 10


def measurement_calls(engine: Engine, native: Any) -> dict[str, Callable[[], Any]]:
    """One query's calls, by measurement, for the measurements this engine answers."""
    calls: dict[str, Callable[[], Any]] = {
        "timeline": partial(engine.timeline, native),
        "facets": partial(engine.facets, native, FACET_NAMES, TOP),
    }
    return {name: calls[name] for name in MEASUREMENTS if name not in engine.coverage_gaps}


def matched(engine: Engine, native: Any) -> int:
    """How many articles the query matches: the full recount where an engine has one (Whoosh's total can undercount)."""
    full = engine.full_count(native)
    return full if full is not None else engine.search(native, 1)[0]


def main(argv: list[str] | None = None) -> None:
    args = worker_parser("python -m benchmarks.coverage", __doc__).parse_args(argv)

    queries = load_queries(args.queries, key="coverage")
    engine = ENGINES[args.engine](args.index)
    began = time.perf_counter()
    engine.open()
    open_seconds = time.perf_counter() - began
    natives = [engine.translate(q) for q in queries]
    counts = [matched(engine, native) for native in natives]

    # One flat list of (query, measurement) calls, so a round runs each once, in order.
    labels: list[tuple[int, str]] = []
    calls: list[Callable[[], Any]] = []
    for i, native in enumerate(natives):
        for name, call in measurement_calls(engine, native).items():
            labels.append((i, name))
            calls.append(call)
    first = warm_up(calls)
    timed = rounds(calls, [f.answer for f in first], args.reps, args.max_seconds)
    engine.close()

    per_query: list[dict[str, Any]] = [
        {"id": q.id, "native": repr(native), "matched": count, "answers": {}, "first_seconds": {}, "seconds": {}}
        for q, native, count in zip(queries, natives, counts)
    ]
    for (i, name), f, latencies in zip(labels, first, timed.latencies):
        per_query[i]["answers"][name] = f.answer
        per_query[i]["first_seconds"][name] = f.seconds
        per_query[i]["seconds"][name] = latencies

    out = {
        "engine": args.engine,
        "setup": engine.coverage_setup,
        "not_measured": engine.coverage_gaps,
        "open_seconds": open_seconds,
        **round_figures(timed, args.reps),
        "changed_answers": sorted(f"{queries[labels[c][0]].id} {labels[c][1]}" for c in timed.changed),
        "queries": per_query,
    }
    args.out.write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
