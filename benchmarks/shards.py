"""Collections on Dask: indexing throughput with 1 and 2 workers, and the cost of searching shards.

Run by the driver as ``python -m benchmarks.shards --work DIR --out FILE.json
[--scale 5] [--shards 2] [--pairs 1] [--reps 5]``, in a fresh process. The
scaled Reuters corpus is written once as JSON Lines files (44 files at x5)
into the work folder, since a collection is built from files that every
worker reads; then, timed as wall time of ``newsindex.collection.building.build``
(the cluster's start-up, about 2 s, apart):

* a collection of ``--shards`` shards built on a ``LocalCluster`` of 1 worker,
  then of 2 workers, ``--pairs`` times alternately (paired runs, so that the
  ratio is fair even when the machine is shared);
* one index of the same files (``NewsIndex.add``, as ``newsindex index``), for
  reference and as the base of the search comparison;
* the 68-query mix on the single index and on the 2-worker collection (shards
  searched in this process, one after the other; for comparison, with a
  thread per shard; and kept open by the workers of a 2-worker ``LocalCluster``,
  as ``open_on_cluster`` searches on a real cluster, three round trips a query):
  p50/p95 per query, and whether every query gives the same ids in the same
  order and the same total.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from newsindex import NewsIndex
from newsindex.collection import Collection
from newsindex.collection.building import build
from newsindex.collection.cluster import close, connect, open_on_cluster
from newsindex.collection.manifest import Manifest
from newsindex.collection.shards import LocalShards
from newsindex.ingest.readers import input_files, read_paths
from newsindex.store.schema import article_fields

from . import DEFAULT_CORPORA
from .corpora import ReutersCorpus, text_bytes
from .engines.newsindex_engine import to_newsindex
from .querymix import load_queries

#: Articles per JSON Lines file written for the build (about 2.4 MB of text each).
PER_FILE = 2_500


def write_corpus(articles: list, folder: Path) -> list[Path]:
    """The articles as JSON Lines files, in order (what a user would index)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for start in range(0, len(articles), PER_FILE):
        path = folder / f"part-{start // PER_FILE:04d}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for article in articles[start : start + PER_FILE]:
                out.write(json.dumps(article_fields(article), ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def timed_build(paths: list[Path], directory: Path, shards: int, workers: int) -> dict[str, Any]:
    """Build a collection on a local cluster of ``workers`` processes; seconds of the cluster's start and of the build."""
    shutil.rmtree(directory, ignore_errors=True)
    Collection.create(directory, shards=shards).close()
    start = time.perf_counter()
    client, cluster = connect(workers=workers)
    started = time.perf_counter() - start
    try:
        start = time.perf_counter()
        summary = build(directory, input_files(paths), client)
        seconds = time.perf_counter() - start
    finally:
        close(client, cluster)
    if summary.failed:
        raise RuntimeError(f"the build failed on {summary.failed[0]}")
    return {"workers": workers, "seconds": seconds, "cluster_start_seconds": started, "articles": summary.added}


class ThreadShards(LocalShards):
    """Shards searched with a thread each (the alternative measured against one after the other)."""

    def __init__(self, paths: list[Path], collection: Path) -> None:
        super().__init__(paths, collection)
        self._pool = ThreadPoolExecutor(len(self.indexes))

    def each(self, method: str, *args: Any) -> list[Any]:
        return list(self._pool.map(lambda ix: getattr(ix, method)(*args), self.indexes))

    def close(self) -> None:
        self._pool.shutdown()
        super().close()


def latencies(search: Any, queries: list, reps: int) -> tuple[list[float], list[tuple[int, list[str]]]]:
    """Per-query median seconds over ``reps`` rounds (after one warm-up), and each query's answer."""
    answers = []
    for q in queries:
        res = search(q)
        answers.append((res.total, [h.id for h in res]))
    times: list[list[float]] = [[] for _ in queries]
    for _ in range(reps):
        for i, q in enumerate(queries):
            start = time.perf_counter()
            search(q)
            times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times], answers


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.shards", description=__doc__)
    parser.add_argument("--work", type=Path, required=True, help="folder for the corpus files and indexes")
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON figures")
    parser.add_argument("--scale", type=int, default=5)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--pairs", type=int, default=1, help="1-worker/2-worker build pairs, alternating")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--files", default="", help="comma-separated Reuters files (default: all 22)")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    args = parser.parse_args(argv)

    articles = ReutersCorpus(args.corpora, args.scale, tuple(args.files.split(",")) if args.files else None).articles()
    paths = write_corpus(articles, args.work / "corpus")
    builds = []
    for _ in range(args.pairs):
        for workers in (1, 2):
            builds.append(timed_build(paths, args.work / f"collection-{workers}", args.shards, workers))
    single_dir = args.work / "single"
    start = time.perf_counter()
    with NewsIndex.create(single_dir, overwrite=True) as ix:
        ix.add(read_paths(paths))
    single_seconds = time.perf_counter() - start

    queries = [to_newsindex(q) for q in load_queries()]

    def runner(target: Any) -> Any:
        return lambda q: target.search(q.text, limit=10, sort=q.sort, operator=q.operator)

    collection_dir = args.work / "collection-2"
    with NewsIndex.open(single_dir) as ix:
        single, expected = latencies(runner(ix), queries, args.reps)
    with Collection.open(collection_dir) as coll:
        merged, found = latencies(runner(coll), queries, args.reps)
    shard_paths = Manifest.read(collection_dir).shard_paths(collection_dir)
    with Collection.open(collection_dir, ThreadShards(shard_paths, collection_dir)) as coll:
        threaded, _ = latencies(runner(coll), queries, args.reps)
    with open_on_cluster(collection_dir) as coll:
        on_cluster, remote = latencies(runner(coll), queries, args.reps)
    differing = [q.text for q, a, b, c in zip(queries, expected, found, remote) if not a == b == c]
    pairs = [(builds[i]["seconds"], builds[i + 1]["seconds"]) for i in range(0, len(builds), 2)]
    figures = {
        "scale": args.scale,
        "shards": args.shards,
        "articles": len(articles),
        "mb": text_bytes(articles) / 1e6,
        "builds": builds,
        "speedups": [one / two for one, two in pairs],
        "single_build_seconds": single_seconds,
        "search": {
            name: {"p50_ms": percentile(values, 50) * 1e3, "p95_ms": percentile(values, 95) * 1e3}
            for name, values in (("single index", single), ("collection", merged), ("collection, threads", threaded),
                                 ("collection, on the cluster's workers", on_cluster))
        },
        "queries": len(queries),
        "differing": differing,
    }
    args.out.write_text(json.dumps(figures, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
