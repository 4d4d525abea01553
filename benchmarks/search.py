"""Time the query mix against one engine's index, in a fresh process with a warm searcher.

Run by the driver as ``python -m benchmarks.search ENGINE --index DIR --out FILE.json
--reps N [--max-seconds S]``. The searcher is opened once and every query is
run once untimed (warm-up; its total and top ids are what the report
compares). Then the whole mix is repeated up to ``reps`` times, query after
query, so the same query never runs twice in a row; every repetition is a
real search (no engine here caches results) that counts all matches and
fetches the top 10 ids. Repetitions stop early, after at least one, once
``max-seconds`` have been spent, so one slow engine cannot take the whole
run's time; the report gives the number of repetitions each engine did.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from . import QUERIES_FILE
from .engines import ENGINES
from .querymix import load_queries
from .resources import cpu_seconds, load_average

TOP = 10


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search", description=__doc__)
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--max-seconds", type=float, default=float("inf"))
    parser.add_argument("--queries", type=Path, default=QUERIES_FILE)
    args = parser.parse_args(argv)

    queries = load_queries(args.queries)
    engine = ENGINES[args.engine](args.index)
    began = time.perf_counter()
    engine.open()
    open_seconds = time.perf_counter() - began
    natives = [engine.translate(q) for q in queries]

    first: list[tuple[int, list[str], float]] = []
    for native in natives:
        start = time.perf_counter()
        total, ids = engine.search(native, TOP)
        first.append((total, ids, time.perf_counter() - start))
    full_counts = [engine.full_count(native) for native in natives]

    latencies: list[list[float]] = [[] for _ in queries]
    unstable: set[str] = set()
    reps_done = 0
    cpu_from = cpu_seconds()
    timed_from = time.perf_counter()
    while reps_done < args.reps:
        for i, native in enumerate(natives):
            start = time.perf_counter()
            total, _ids = engine.search(native, TOP)
            latencies[i].append(time.perf_counter() - start)
            if total != first[i][0]:
                unstable.add(queries[i].id)
        reps_done += 1
        if time.perf_counter() - timed_from > args.max_seconds:
            break
    timed_wall = time.perf_counter() - timed_from
    timed_cpu = cpu_seconds() - cpu_from
    engine.close()

    out = {
        "engine": args.engine,
        "open_seconds": open_seconds,
        "reps_requested": args.reps,
        "reps": reps_done,
        "unstable_totals": sorted(unstable),
        "seconds": timed_wall,
        "cpu_seconds": timed_cpu,
        "load_1min": load_average(),
        "queries": [
            {
                "id": q.id,
                "native": repr(native),
                "total": total,
                "full_count": full,
                "top": ids,
                "first_seconds": first_seconds,
                "seconds": lat,
            }
            for q, native, (total, ids, first_seconds), full, lat in zip(
                queries, natives, first, full_counts, latencies
            )
        ],
    }
    args.out.write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
