"""``python -m benchmarks``: run the comparison and write report.md, results.json and benchmark.png.

Examples (from the repository root)::

    python -m benchmarks                      # full run: x1, x5, x25, all engines (~15 min on 2 cores)
    python -m benchmarks --quick              # two Reuters files + Cranfield, under a minute
    python -m benchmarks --sizes 1,5 --engines newsindex,fts5 --out ../bench-out
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from . import DEFAULT_CORPORA, DEFAULT_OUT
from .chart import write_chart
from .corpora import CorpusMissing, reuters_dir
from .cranfield import cranfield_dir
from .engines import ENGINES
from .report import render
from .runner import Plan, run


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in ENGINES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown engine(s) {', '.join(unknown)}; known: {', '.join(ENGINES)}")
    return names


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s.strip().lstrip("x")) for s in text.split(",") if s.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes are whole numbers of copies, e.g. 1,5,25 (not {text!r})") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be 1 or more")
    return sizes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark newsindex against stock Whoosh, SQLite FTS5 and tantivy on Reuters-21578 and Cranfield.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="small run: 2 Reuters files, Cranfield, 3 repetitions (the tests run this)")
    parser.add_argument("--sizes", type=_sizes, default=[1, 5, 25],
                        help="Reuters-21578 copies to index, e.g. 1,5,25 (default; ignored with --quick)")
    parser.add_argument("--engines", type=_names, default=list(ENGINES),
                        help=f"comma-separated engines (default: {','.join(ENGINES)})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    parser.add_argument("--reps", type=int, default=None, help="repetitions of the query mix (default 10; 3 with --quick)")
    parser.add_argument("--max-build-seconds", type=float, default=240.0,
                        help="skip an engine at a size whose build is predicted to take longer (default 240)")
    parser.add_argument("--max-search-seconds", type=float, default=60.0,
                        help="stop repeating an engine's query mix after this long (default 60)")
    parser.add_argument("--max-coverage-seconds", type=float, default=30.0,
                        help="stop repeating an engine's coverage timeline and facets after this long (default 30)")
    parser.add_argument("--max-trace-seconds", type=float, default=60.0,
                        help="stop repeating newsindex's trace of claims after this long (default 60)")
    parser.add_argument("--shards-scale", type=int, default=5,
                        help="Reuters copies of the shards section: a collection built on 1 and 2 Dask workers, "
                             "searched against one index (default 5; 0 leaves it out; --quick leaves it out)")
    parser.add_argument("--shards-pairs", type=int, default=1,
                        help="1-worker/2-worker build pairs of the shards section, alternating (default 1)")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA,
                        help=f"the shared corpora folder (default: {DEFAULT_CORPORA})")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = "python -m benchmarks " + shlex.join(sys.argv[1:] if argv is None else argv)
    try:
        reuters_dir(args.corpora)
        cranfield_dir(args.corpora)
    except CorpusMissing as exc:
        print(f"benchmarks: {exc}", file=sys.stderr)
        return 2
    if args.quick:
        plan = Plan.quick(args.engines, args.out, args.corpora, command=command.strip())
        if args.reps:
            plan.reps = args.reps
    else:
        plan = Plan(args.engines, args.sizes, args.out, args.corpora, reps=args.reps or 10,
                    max_build_seconds=args.max_build_seconds, max_search_seconds=args.max_search_seconds,
                    max_coverage_seconds=args.max_coverage_seconds, max_trace_seconds=args.max_trace_seconds,
                    command=command.strip(), shards_scale=args.shards_scale, shards_pairs=args.shards_pairs)
    results = run(plan)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        write_chart(results, args.out / "benchmark.png")
        results["meta"]["chart"] = {"file": "benchmark.png"}
    except ImportError as exc:  # matplotlib is in the bench extra, not a dependency of newsindex
        results["meta"]["chart"] = {"missing": f"matplotlib is not installed ({exc}); pip install -e '.[bench]'"}
        print(f"benchmarks: no chart: {results['meta']['chart']['missing']}", file=sys.stderr)
    (args.out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    report = render(results)
    (args.out / "report.md").write_text(report, encoding="utf-8")
    print(report)
    print(f"wrote {args.out}/: report.md, results.json" + (", benchmark.png" if "file" in results["meta"]["chart"] else ""),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
