"""Indexing a collection on a Dask cluster: every worker reads, analyses and writes at once.

The input files are cut into *splits* (consecutive files, about
:data:`SPLIT_BYTES` each) and the run is a graph of ordinary Dask tasks:

* ``read`` (any worker): read one split, give each article its place in the
  order of arrival (``seq``: the run's base + split number * 2**32 + its
  place in the split, the order one index would have read them in) and cut
  the split into one part per shard (:func:`~.manifest.shard_of`);
* ``write`` (the worker that owns the shard): add the shard's part of the
  split to the shard's open indexing run, committing every ``commit_every``
  articles written; each write task depends on the previous one of its
  shard, so a shard takes its parts in the order of arrival, and the parts
  move from reader to writer through Dask, worker to worker;
* ``group`` (the worker that owns the story store): take the written
  articles of the split, in the order of arrival, into the collection's one
  story store (a story is never split by shards), their words already
  counted by the writers (:mod:`~newsindex.stories.counted`);
* ``finish``: commit what is left, then the stories: when the run has grown
  the collection enough to group it from scratch, the keeper begins that,
  every worker links a part of the articles in the order of time (a reader
  of the store's last commit, :meth:`~newsindex.stories.store.StoryStore.linked`),
  and the keeper writes the parts in order and clusters.

The shard runs and the story grouping stay open between tasks in the
workers (:class:`~.cluster.ShardHost`), so each shard keeps every guarantee of
one index: batched commits, one writer (its lock), resumable runs (articles
already indexed with the same content are skipped). The client keeps at most
:data:`WINDOW` splits per worker in flight, so memory is bounded by the
splits in flight and each worker's open batch, however large the input.

If a worker that writes a shard (or the stories) dies, the run stops with a
message; every shard is at its last commit (what the dead worker had not
committed is gone with it; the survivors roll back their open batches) and
the same command again resumes. Reading tasks are simply retried by Dask.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections import deque
from contextlib import ExitStack
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from distributed import Client, Future, wait

from ..errors import NewsIndexError, ReadError
from ..index import COMMIT_EVERY, IndexingInterrupted, IndexSummary, rebuilt_beside
from ..ingest.article import Article
from ..ingest.limits import DEFAULT_LIMITS, Limits
from ..ingest.readers import read_inputs
from ..store.directory import locked, rebuild_place
from ..store.locking import WriteLock
from ..stories.counted import Counted, Prepared, WordCounter
from ..stories.keys import Linked, Part
from ..stories.store import StoryStore
from .cluster import end_everywhere, host, install, workers
from .collection import Collection, merge_summaries, take_place
from .manifest import Manifest, is_collection, old_shards, shard_of
from .shards import open_shard

#: Input bytes per split: big enough that a task is worth its overhead (~1 ms), small
#: enough that every worker has several to read and memory stays low.
SPLIT_BYTES = 2 << 20

#: Splits in flight per worker: the readers stay ahead of the writers, memory stays bounded.
WINDOW = 3

#: Places in the order of arrival one split may use (its articles are numbered within it).
SPLIT_SPAN = 1 << 32

#: One input: a (path, format) pair as ``input_files`` lists it.
Input = tuple[str, str]


def splits_of(inputs: Iterable[Input], split_bytes: int = SPLIT_BYTES) -> list[list[Input]]:
    """Consecutive inputs grouped into splits of about ``split_bytes`` (a bigger file is a split alone)."""
    found: list[list[Input]] = []
    current: list[Input] = []
    size = 0
    for item in inputs:
        try:
            length = os.path.getsize(item[0])
        except OSError:
            length = 0
        if current and size + length > split_bytes:
            found.append(current)
            current, size = [], 0
        current.append(item)
        size += length
    if current:
        found.append(current)
    return found


# -- the tasks (run on the workers) -----------------------------------------------


def read_split(
    inputs: list[Input], field_map: Mapping[str, str], limits: Limits, shards: int, base: int,
) -> tuple[list, list, int]:
    """(one list of (seq, article) per shard, the readers' errors, articles read) of one split."""
    parts: list[list[tuple[int, Article]]] = [[] for _ in range(shards)]
    errors: list[ReadError] = []
    count = 0
    for item in read_inputs(inputs, field_map, limits):
        if isinstance(item, ReadError):
            errors.append(item)
        else:
            parts[shard_of(item.id, shards)].append((base + count, item))
            count += 1
    if count >= SPLIT_SPAN:
        raise NewsIndexError(f"{inputs[0][0]}: more than {SPLIT_SPAN:,} articles in one split")
    return parts, errors, count


def errors_of(split: tuple[list, list, int]) -> tuple[list, int]:
    return split[1], split[2]


def part_of(split: tuple[list, list, int], shard: int) -> list[tuple[int, Article]]:
    return split[0][shard]


def _shard_run(job: str, path: str, number: int, collection: str) -> Any:
    """The indexing run of a shard that this worker keeps open for ``job``."""

    def make(stack: ExitStack) -> Any:
        ix = open_shard(Path(path), number, Path(collection))
        stack.callback(ix.close)
        run = stack.enter_context(ix.writing(group=False, procs=1))
        return ix, run

    return host().keep(job, f"write:{path}", make)


def _counter(job: str, language: str) -> WordCounter:
    """The word counter of the stories this worker keeps for ``job`` (its caches last the run)."""
    return host().keep(job, "counter", lambda stack: WordCounter(language))


def write_part(
    job: str, path: str, number: int, collection: str, commit_every: int, group: bool,
    part: list[tuple[int, Article]], previous: Any,
) -> tuple[list[tuple[int, Counted | None]], int]:
    """Add one shard's part of a split to the shard's run; (seq of each article written, with its words
    counted for the stories when the run groups them; generation).

    The words are counted here, by every writer in parallel, rather than by
    the one worker that groups: that is half of grouping's CPU.
    """
    ix, run = _shard_run(job, path, number, collection)
    count = _counter(job, ix.language) if group else None
    written = []
    with run.guarded():
        for seq, article in part:
            if run.add(article, seq):
                written.append((seq, count(article) if count is not None else None))
                if run.batch.pending >= commit_every:
                    run.commit()
    return written, ix.committed()


def finish_shard(job: str, path: str, number: int, collection: str, previous: Any) -> tuple[IndexSummary, int]:
    """Commit what the shard's run has left; its summary and generation."""
    ix, run = _shard_run(job, path, number, collection)
    with run.guarded():
        summary = run.end()
    return summary, ix.committed()


def _grouping(job: str, collection: str) -> Any:
    """The collection's story grouping this worker keeps open for ``job`` (the store brought up to
    the shards' last commits first, as one index's is)."""

    def make(stack: ExitStack) -> Any:
        opened = stack.enter_context(Collection.open(collection))
        grouping = opened._stories.grouping(opened._known(), parallel=False)
        stack.callback(grouping.close)
        return {"grouping": grouping, "since_commit": 0}

    return host().keep(job, "stories", make)


def start_stories(job: str, collection: str) -> None:
    _grouping(job, collection)


def group_split(job: str, collection: str, commit_every: int, split: tuple[list, list, int],
                written: list[tuple[list[int], int]], previous: Any) -> None:
    """Take the split's written articles into the stories, in the order of arrival."""
    state = _grouping(job, collection)
    grouping = state["grouping"]
    chosen: dict[int, Counted | None] = {}
    for seqs, _ in written:
        chosen.update(seqs)
    articles = sorted((pair for part in split[0] for pair in part if pair[0] in chosen), key=itemgetter(0))
    for seq, article in articles:
        grouping.assign(Prepared(article, chosen[seq]))
    grouping.catch_up()  # group them now, while the shards write the next splits
    state["since_commit"] += len(articles)
    if state["since_commit"] >= commit_every:
        grouping.commit(".".join(str(generation) for _, generation in written))
        state["since_commit"] = 0


def _marker(finished: list[tuple[IndexSummary, int]]) -> str:
    """What the stories are marked with: the shards' final generations."""
    return ".".join(str(generation) for _, generation in finished)


def begin_regroup(
    job: str, collection: str, finished: list[tuple[IndexSummary, int]], parts: int, previous: Any,
) -> tuple[str, str, list[Part]]:
    """Commit the stories (not finally); when the collection is due to be grouped from scratch, begin it.

    Returns where the story store is, its language, and the parts to link
    (none when no grouping from scratch is due).
    """
    grouping = _grouping(job, collection)["grouping"]
    grouping.commit(_marker(finished))
    directory, language = grouping.place
    return str(directory), language, grouping.begin_regroup(parts)


def link_part(directory: str, language: str, part: Part) -> Linked:
    """Link one part of the collection grouped from scratch (any worker; it reads the store's last commit)."""
    return StoryStore.linked(directory, language, part)


def take_part(job: str, collection: str, linked: Linked, previous: Any) -> None:
    _grouping(job, collection)["grouping"].take_linked(linked)


def finish_stories(job: str, collection: str, finished: list[tuple[IndexSummary, int]], previous: Any) -> None:
    """Commit the stories finally (clustering them, when they were grouped from scratch)."""
    grouping = _grouping(job, collection)["grouping"]
    grouping.commit(_marker(finished))
    grouping.finish()
    host().end(job)  # closes the story store in the thread that opened it


# -- the client's side ----------------------------------------------------------------


class Plan:
    """Which worker writes which shard, and which keeps the stories.

    The story store has one writer, so it is one worker's (the words of the
    articles are counted by their shards' writers, and grouping from scratch
    is linked in parts by every worker; the keeper stores and clusters). When there are more workers
    than shards, that worker groups only; otherwise it also writes a shard:
    with as many workers as shards, a worker kept for the stories would leave
    another writing two shards, and the build would wait on that one.
    Reading is anyone's, so Dask gives it to the workers with the least to do.
    """

    def __init__(self, workers: Sequence[str], shards: int, group: bool) -> None:
        if not workers:
            raise NewsIndexError("the Dask cluster has no workers")
        self.stories = workers[0]
        writers = list(workers[1:]) if group and len(workers) > shards else list(workers)
        self.shards = [writers[i % len(writers)] for i in range(shards)]

    def needed(self, group: bool) -> set[str]:
        return set(self.shards) | ({self.stories} if group else set())


def build(
    directory: Path,
    inputs: Iterable[Input | ReadError],
    client: Client,
    field_map: Mapping[str, str] | None = None,
    commit_every: int = COMMIT_EVERY,
    group: bool = True,
    wait_lock: float = 0.0,
    progress: Callable[[int], None] | None = None,
    split_bytes: int = SPLIT_BYTES,
    limits: Limits = DEFAULT_LIMITS,
) -> IndexSummary:
    """Index ``inputs`` (``input_files``' listing) into the collection in ``directory`` on ``client``'s cluster.

    Returns the run's summary, as :meth:`NewsIndex.add` does. ``progress(n)``
    is called with the number of articles of each split as it is written.
    Raises :class:`NewsIndexError` if a worker that writes dies (every shard
    is then at its last commit; the same call again resumes) and
    :class:`IndexingInterrupted` on Ctrl-C. ``limits`` bound what the
    readers take in, as for one index.
    """
    manifest = Manifest.read(directory)
    lock = WriteLock(directory)
    lock.acquire(wait_lock)
    summary = IndexSummary(stale_lock=lock.stale_owner)
    job = f"build-{uuid.uuid4().hex}"
    try:
        files: list[Input] = []
        for item in inputs:
            if isinstance(item, ReadError):
                summary.failed.append(item)
            else:
                files.append(item)
        install(client)
        plan = Plan(workers(client), len(manifest.shards), group)
        run = _Run(client, directory, manifest, plan, job, (dict(field_map or {}), limits), commit_every, group,
                   progress)
        try:
            result = run.go(splits_of(files, split_bytes), summary)
        except KeyboardInterrupt:
            run.abandon()
            raise BuildInterrupted(summary) from None
        except BaseException:
            run.abandon()
            raise
        manifest.next_seq = run.next_seq
        manifest.write(directory)
        return result
    finally:
        try:
            end_everywhere(client, job)
        except Exception:  # noqa: BLE001 - a dead worker left nothing to close; the run's error is the one to report
            pass
        lock.release()


def rebuild(
    directory: Path,
    inputs: Iterable[Input | ReadError],
    client: Client,
    shards: int | None = None,
    language: str = "english",
    field_map: Mapping[str, str] | None = None,
    commit_every: int = COMMIT_EVERY,
    group: bool = True,
    wait_lock: float = 0.0,
    progress: Callable[[int], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> IndexSummary:
    """Replace the collection in ``directory`` by one of ``inputs`` alone, built beside it on ``client``'s
    cluster, as :meth:`NewsIndex.rebuild` replaces one index.

    The old collection stays whole and searchable until the new one is
    built, then takes its place with one write of the manifest
    (:func:`~.collection.take_place`), so a crash or a kill leaves one whole
    collection, old or new. It needs room for both while it runs. An
    interruption abandons the new one (:class:`RebuildInterrupted`); no other
    writer can write meanwhile. ``shards``: as many as the old collection's
    by default.
    """
    path = Path(directory)
    if not is_collection(path):
        Collection.create(path, shards or 2, language).close()
        return build(path, inputs, client, field_map, commit_every, group, wait_lock, progress, limits=limits)
    with locked(path, wait_lock) as lock:
        place = rebuild_place(path)

        def build_beside() -> IndexSummary:
            shutil.rmtree(place, ignore_errors=True)  # what a killed rebuild left
            Collection.create(place, shards or len(old_shards(path)) or 2, language).close()
            summary = build(place, inputs, client, field_map, commit_every, group, 0.0, progress, limits=limits)
            take_place(place, path)
            return summary

        summary = rebuilt_beside(path, place, build_beside)
    summary.stale_lock = lock.stale_owner
    return summary


class _Run:
    """The client's bookkeeping of one build: submits the tasks, watches the workers, adds up."""

    def __init__(self, client: Client, directory: Path, manifest: Manifest, plan: Plan, job: str,
                 reading: tuple[dict[str, str], Limits], commit_every: int, group: bool,
                 progress: Callable[[int], None] | None) -> None:
        self.client = client
        self.collection = str(directory)
        self.paths = [str(p) for p in manifest.shard_paths(directory)]
        self.plan = plan
        self.job = job
        self.reading = reading  # the field map and the limits every split is read with
        self.commit_every = commit_every
        self.group = group
        self.progress = progress
        self.next_seq = manifest.next_seq
        self._base = manifest.next_seq
        #: The tasks not known to be done. Only these are held: Dask keeps a task's result in memory
        #: while the client holds its future, so holding every split's would hold the whole input.
        self._futures: set[Future] = set()

    def _submit(self, func: Callable[..., Any], *args: Any, worker: str | None = None) -> Future:
        if worker is None:
            future = self.client.submit(func, *args, pure=False)
        else:
            future = self.client.submit(func, *args, workers=[worker], allow_other_workers=False, pure=False)
        self._futures.add(future)
        return future

    def _release(self, futures: Iterable[Future]) -> None:
        """Stop holding tasks that are done (or that a task still held depends on, which Dask keeps)."""
        self._futures.difference_update(futures)

    def go(self, splits: list[list[Input]], summary: IndexSummary) -> IndexSummary:
        shards = len(self.paths)
        plan = self.plan
        previous: list[Any] = [None] * shards
        stories = self._submit(start_stories, self.job, self.collection, worker=plan.stories) if self.group else None
        in_flight: deque[tuple[Future, list[Future], int, list[Future]]] = deque()
        window = WINDOW * len(plan.needed(self.group))
        for number, split in enumerate(splits):
            while len(in_flight) >= window:
                self._settle(in_flight.popleft(), summary)
            read = self._submit(read_split, split, *self.reading, shards, self._base + number * SPLIT_SPAN)
            parts = [self._submit(part_of, read, s) for s in range(shards)]
            writes = [
                self._submit(write_part, self.job, self.paths[s], s, self.collection, self.commit_every, self.group,
                             parts[s], previous[s], worker=plan.shards[s])
                for s in range(shards)
            ]
            if stories is not None:
                grouped = stories
                stories = self._submit(group_split, self.job, self.collection, self.commit_every, read, writes,
                                       stories, worker=plan.stories)
                self._release([grouped])  # the next grouping task depends on it: Dask keeps it until then
            previous = writes
            errors = self._submit(errors_of, read)
            in_flight.append((errors, writes, len(split), [read, *parts, *writes, errors]))
        while in_flight:
            self._settle(in_flight.popleft(), summary)
        finished = [self._submit(finish_shard, self.job, self.paths[s], s, self.collection, previous[s],
                                 worker=plan.shards[s]) for s in range(shards)]
        done = self._wait(finished)
        if stories is not None:
            self._wait([self._submit(finish_stories, self.job, self.collection, finished, self._regroup(finished, stories),
                                     worker=plan.stories)])
        self.next_seq = self._base + len(splits) * SPLIT_SPAN
        return merge_summaries([summary, *(s for s, _ in done)])

    def _regroup(self, finished: list[Future], stories: Future) -> Future:
        """Group the collection from scratch, when due, on every worker: the worker that keeps the
        stories begins it, any worker links a part (a reader of the store), the keeper writes the
        parts in order. At most one part per worker waits to be written (memory). Returns the last task."""
        helpers = len(workers(self.client))
        begun = self._submit(begin_regroup, self.job, self.collection, finished, helpers, stories,
                             worker=self.plan.stories)
        directory, language, parts = self._wait([begun])[0]
        last: Future = begun
        taking: deque[tuple[Future, Future]] = deque()
        for part in parts:
            if len(taking) >= helpers:
                taken = taking.popleft()
                self._wait([taken[0]])
                self._release(taken)
            linked = self._submit(link_part, directory, language, part)
            last = self._submit(take_part, self.job, self.collection, linked, last, worker=self.plan.stories)
            taking.append((last, linked))
        return last

    def _settle(self, split: tuple[Future, list[Future], int, list[Future]], summary: IndexSummary) -> None:
        """Wait until a split is written everywhere; count it and its readers' errors; stop holding it."""
        errors, writes, files, held = split
        (found, _), *_ = self._wait([errors, *writes])
        summary.failed.extend(found)
        self._release(held)
        if self.progress is not None:
            self.progress(files)

    def _wait(self, futures: list[Future]) -> list[Any]:
        """The futures' results, checking every second that the workers holding shards are alive."""
        while True:
            try:
                wait(futures, timeout=1.0)
                return self.client.gather(futures)
            except TimeoutError:
                pass
            for future in futures:
                if future.status == "error":
                    future.result()  # raises the task's exception here
            alive = set(workers(self.client))
            lost = sorted(self.plan.needed(self.group) - alive)
            if lost:
                what = [f"shard {s}" for s, w in enumerate(self.plan.shards) if w in lost]
                if self.group and self.plan.stories in lost:
                    what.append("the stories")
                raise NewsIndexError(
                    f"the Dask worker {lost[0]} ({', '.join(what)}) died during the run; every shard is as at its "
                    "last commit; run the same command again to resume"
                )

    def abandon(self) -> None:
        """Stop the run's tasks; what is open on the workers is rolled back when the job ends."""
        try:
            self.client.cancel(self._futures)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and any(
                state == "processing" for state in self._states()
            ):
                time.sleep(0.1)
        except Exception:  # noqa: BLE001 - the original error is the one to report
            pass

    def _states(self) -> list[str]:
        keys = {f.key for f in self._futures}
        found = self.client.run_on_scheduler(_task_states, list(keys))
        return list(found)


def _task_states(keys: list, dask_scheduler: Any = None) -> list[str]:
    tasks = dask_scheduler.tasks
    return [tasks[k].state for k in keys if k in tasks]


class BuildInterrupted(IndexingInterrupted):
    """A collection's build was interrupted: every shard kept its last commit, the rest was rolled back."""

    def __init__(self, summary: IndexSummary) -> None:
        NewsIndexError.__init__(
            self, "interrupted: every shard kept what it had committed and rolled back the rest; "
            "run the same command again to resume"
        )
        self.summary = summary
        self.rolled_back = 0
