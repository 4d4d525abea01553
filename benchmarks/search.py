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

import json
import time
from functools import partial

from .engines import ENGINES
from .querymix import load_queries
from .timing import round_figures, rounds, warm_up, worker_parser

TOP = 10


def main(argv: list[str] | None = None) -> None:
    args = worker_parser("python -m benchmarks.search", __doc__).parse_args(argv)

    queries = load_queries(args.queries)
    engine = ENGINES[args.engine](args.index)
    began = time.perf_counter()
    engine.open()
    open_seconds = time.perf_counter() - began
    natives = [engine.translate(q) for q in queries]

    calls = [partial(engine.search, native, TOP) for native in natives]
    first = warm_up(calls)
    full_counts = [engine.full_count(native) for native in natives]
    timed = rounds(calls, [f.answer[0] for f in first], args.reps, args.max_seconds, key=lambda found: found[0])
    engine.close()

    out = {
        "engine": args.engine,
        "open_seconds": open_seconds,
        **round_figures(timed, args.reps),
        "unstable_totals": sorted(queries[i].id for i in timed.changed),
        "queries": [
            {
                "id": q.id,
                "native": repr(native),
                "total": f.answer[0],
                "full_count": full,
                "top": f.answer[1],
                "first_seconds": f.seconds,
                "seconds": lat,
            }
            for q, native, f, full, lat in zip(queries, natives, first, full_counts, timed.latencies)
        ],
    }
    args.out.write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
