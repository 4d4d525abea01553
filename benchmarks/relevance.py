"""Ranking quality of one engine on Cranfield: nDCG@10 and MAP, in a fresh process.

Run by the driver as ``python -m benchmarks.relevance ENGINE --index DIR --out FILE.json``.
Every engine indexes the same 1,400 abstracts (.T as title, .W as body) and
runs the 225 questions as bags of words (any word may match), ranked by its
own default scoring; the top ``--depth`` ids (1,000, as trec_eval's default
cut-off) are scored against the graded judgements (see :mod:`benchmarks.metrics`).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from . import DEFAULT_CORPORA
from .cranfield import load_cranfield
from .engines import ENGINES, RANKING_VARIANTS
from .metrics import average_precision, mean, ndcg_at
from .querymix import bag_of_words


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.relevance", description=__doc__)
    rankers = {**ENGINES, **{n: cls for variants in RANKING_VARIANTS.values() for n, cls in variants.items()}}
    parser.add_argument("engine", choices=sorted(rankers))
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--depth", type=int, default=1000)
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    args = parser.parse_args(argv)

    cran = load_cranfield(args.corpora)
    engine = rankers[args.engine](args.index)
    start = time.perf_counter()
    indexed = engine.build(cran.articles)
    build_seconds = time.perf_counter() - start
    engine.open()

    ndcg: dict[str, float] = {}
    ndcg_linear: dict[str, float] = {}
    ap: dict[str, float] = {}
    start = time.perf_counter()
    for qid, text in cran.queries.items():
        ranking = engine.rank(engine.translate(bag_of_words(text, qid)), args.depth)
        grades = cran.qrels.get(qid, {})
        ndcg[qid] = ndcg_at(ranking, grades, 10)
        ndcg_linear[qid] = ndcg_at(ranking, grades, 10, gain="linear")
        ap[qid] = average_precision(ranking, grades)
    search_seconds = time.perf_counter() - start
    engine.close()

    out = {
        "engine": args.engine,
        "documents": indexed,
        "queries": len(cran.queries),
        "depth": args.depth,
        "ndcg@10": mean(ndcg.values()),
        "ndcg@10_linear": mean(ndcg_linear.values()),
        "map": mean(ap.values()),
        "build_seconds": build_seconds,
        "search_seconds": search_seconds,
        "per_query": {
            qid: {"ndcg@10": ndcg[qid], "ndcg@10_linear": ndcg_linear[qid], "ap": ap[qid]}
            for qid in cran.queries
        },
    }
    args.out.write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
