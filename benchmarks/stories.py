"""How well and how fast newsindex groups articles into stories, and how fast ``similar`` answers.

Run by the driver as ``python -m benchmarks.stories --index DIR --out FILE.json
[--files a.sgm,b.sgm] [--corpora PATH]``, in a fresh process; newsindex only (the
peers have no stories). Four parts:

- events-dev (462 articles on 40 labelled events from many outlets, each event with a
  hard negative of the same kind): the stories of an index built with the library, scored
  against the labels, pairwise and B-cubed; ``similar``'s first hit and R-precision (the
  R most similar articles, R the other articles of the event); the same collection indexed
  in reverse order must give the same stories.
- Reuters-21578 and the two seed articles (one event told by two outlets, days apart),
  indexed with the library: count and size distribution of the stories; how many
  articles whose title says CORRECTED end up in a story with an earlier article; stories
  whose titles name different tickers (templated notices of different companies merged
  would show there; mergers and bids legitimately do too, so they are listed to read);
  whether the seeds are one story.
- The grouping's own cost: the same articles grouped again by a story store alone, in
  reverse order, timed as process CPU per article (analysis included), phase by phase as a
  collection's build spreads them (words counted by any worker, taken in by the store's
  writer, linked in parts by any worker, links written and clustered by the writer); its
  stories must equal the index's.
- ``similar`` on Reuters-21578: latency of 200 calls on random articles (p50, p95).

``--similar N`` asks ``similar`` of N random articles of each corpus instead (the quick run's).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import time
from pathlib import Path

from newsindex import NewsIndex
from newsindex.ingest.readers import read_paths
from newsindex.stories.counted import Prepared, WordCounter
from newsindex.stories.store import StoryStore

from .corpora import read_reuters, worker_arguments
from .metrics import b_cubed, latency_summary, mean, pairwise
from .resources import cpu_seconds

EVENTS = Path("events-dev") / "ecbplus-topics-1-22.jsonl"
SEEDS = Path("seeds")
#: Calls of ``similar`` timed on Reuters-21578, and stories sampled for reading by eye.
SIMILAR_CALLS = 200
SAMPLE = 30
TICKER = re.compile(r"<([A-Z0-9.]+)>")


def partition(directory: Path, ids: list[str]) -> dict[str, str]:
    """The story of each id in the story store of an index (or a store) in ``directory``."""
    store = StoryStore.open(directory, create=False)
    try:
        refs = store.stories_of(ids, sizes=False)
    finally:
        store.close()
    return {article_id: refs[article_id].story if article_id in refs else article_id for article_id in ids}


def same_partition(a: dict[str, str], b: dict[str, str]) -> bool:
    """Whether two story assignments make the same groups (names aside)."""
    groups = lambda found: {frozenset(i for i in found if found[i] == s) for s in set(found.values())}  # noqa: E731
    return groups(a) == groups(b)


def events_dev(corpora: Path, work: Path, calls: int | None) -> dict:
    path = corpora / EVENTS
    articles = list(read_paths([path]))
    labels = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            labels[item["id"]] = item["story"]
    ids = [a.id for a in articles]
    found = {}
    for name, order in (("given", articles), ("reversed", articles[::-1])):
        with NewsIndex.create(work / f"events-{name}", overwrite=True) as ix:
            ix.add(order)
            if name == "given":
                hits, r_precision, seconds = 0, [], []
                asked = articles if calls is None else random.Random(462).sample(articles, min(calls, len(articles)))
                for article in asked:
                    wanted = sum(1 for other in labels.values() if other == labels[article.id]) - 1
                    start = time.perf_counter()
                    similar = ix.similar(article.id, limit=wanted)
                    seconds.append(time.perf_counter() - start)
                    same = [labels.get(item.id) == labels[article.id] for item, _ in similar]
                    hits += bool(same and same[0])
                    r_precision.append(sum(same) / wanted)
        found[name] = partition(work / f"events-{name}", ids)
    stories = set(found["given"].values())
    return {
        "articles": len(articles),
        "events": len(set(labels.values())),
        "stories": len(stories),
        "pairwise": pairwise(found["given"], labels),
        "b_cubed": b_cubed(found["given"], labels),
        "similar_asked": len(seconds),
        "similar_p_at_1": hits / len(seconds),
        "similar_r_precision": mean(r_precision),
        "similar_latency": latency_summary(seconds),
        "reversed_same_stories": same_partition(found["given"], found["reversed"]),
    }


def size_distribution(sizes: list[int]) -> dict[str, int]:
    """How many stories have 1, 2, 3, 4-5... articles."""
    bands = {"1": 0, "2": 0, "3": 0, "4-5": 0, "6-10": 0, "11-20": 0, "21+": 0}
    for size in sizes:
        band = next(b for b, top in (("1", 1), ("2", 2), ("3", 3), ("4-5", 5), ("6-10", 10), ("11-20", 20), ("21+", 10**9))
                    if size <= top)
        bands[band] += 1
    return bands


def reuters(corpora: Path, files: tuple[str, ...] | None, work: Path, calls: int) -> dict:
    articles = read_reuters(corpora, files)
    seeds = list(read_paths([corpora / SEEDS]))
    everything = [*articles, *seeds]
    ids = [a.id for a in everything]
    start, cpu = time.perf_counter(), cpu_seconds()
    with NewsIndex.create(work / "reuters", overwrite=True) as ix:
        ix.add(everything)
        build = {"seconds": time.perf_counter() - start, "cpu_seconds": cpu_seconds() - cpu}
        rng = random.Random(21578)
        seconds = []
        for article in rng.sample(articles, min(calls, len(articles))):
            start = time.perf_counter()
            ix.similar(article.id, limit=10)
            seconds.append(time.perf_counter() - start)
    found = partition(work / "reuters", ids)

    shutil.rmtree(work / "store-alone", ignore_errors=True)
    store = StoryStore.open(work / "store-alone")
    phases = {}
    cpu = cpu_seconds()
    count = WordCounter(store.language)
    counted = [Prepared(article, count(article)) for article in everything[::-1]]
    phases["count words (any worker)"], cpu = cpu_seconds() - cpu, cpu_seconds()
    store.assign(counted)
    store.commit(final=False)
    parts = store.begin_regroup(1)
    phases["take in (the store's writer)"], cpu = cpu_seconds() - cpu, cpu_seconds()
    linked = [StoryStore.linked(work / "store-alone", store.language, part) for part in parts]
    phases["link (in parts, any worker)"], cpu = cpu_seconds() - cpu, cpu_seconds()
    for links in linked:
        store.take_linked(links)
    store.commit()
    phases["write links, cluster (the store's writer)"] = cpu_seconds() - cpu
    store.close()
    del counted, linked
    grouping_cpu = sum(phases.values())
    alone = partition(work / "store-alone", ids)

    by_id = {a.id: a for a in everything}
    members: dict[str, list[str]] = {}
    for article_id in [a.id for a in articles]:
        members.setdefault(found[article_id], []).append(article_id)
    multi = [story for story, group in members.items() if len(group) > 1]
    corrected = [a.id for a in articles if "CORRECTED" in a.title.upper()]
    tickers = [story for story in multi
               if len({t for m in members[story] for t in TICKER.findall(by_id[m].title)}) > 1]
    sample = random.Random(15).sample(sorted(multi), min(SAMPLE, len(multi)))
    return {
        "articles": len(articles),
        "build": build,
        "stories": len(members),
        "multi": len(multi),
        "grouped": sum(len(members[s]) for s in multi),
        "largest": max((len(g) for g in members.values()), default=0),
        "sizes": size_distribution([len(group) for group in members.values()]),
        "corrected": len(corrected),
        "corrected_with_earlier": sum(1 for i in corrected if found[i] != i),
        "stories_naming_different_tickers": len(tickers),
        "seeds_one_story": found[seeds[0].id] == found[seeds[1].id],
        "grouping_cpu_ms_per_article": grouping_cpu / len(everything) * 1000,
        "grouping_phases_ms_per_article": {phase: seconds / len(everything) * 1000 for phase, seconds in phases.items()},
        "store_alone_reversed_same_stories": same_partition(found, alone),
        "similar_latency": latency_summary(seconds),
        "sample": [[by_id[m].title[:90] for m in members[s]] for s in sample],
        "different_tickers_sample": [[by_id[m].title[:90] for m in members[s]] for s in tickers[:SAMPLE]],
    }


def main(argv: list[str] | None = None) -> None:
    def similar_calls(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--similar", type=int, default=None, help=(
            f"calls of similar timed on each corpus (default: every events-dev article, {SIMILAR_CALLS} on Reuters)"))

    args = worker_arguments("python -m benchmarks.stories", __doc__, argv, similar_calls)
    args.index.mkdir(parents=True, exist_ok=True)
    files = args.files
    figures = {
        "events_dev": events_dev(args.corpora, args.index, args.similar),
        "reuters": reuters(args.corpora, files, args.index, args.similar or SIMILAR_CALLS),
    }
    args.out.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
