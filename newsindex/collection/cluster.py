"""The Dask side of a collection: which cluster, and workers that keep shards open.

Only collections import this module (and with it Dask), so commands on a
plain index do not pay for importing Dask (about 0.5 s).

* :func:`connect` gives a ``distributed.Client``: to the scheduler at
  ``--scheduler ADDRESS`` (or ``$NEWSINDEX_SCHEDULER``), else to a
  ``LocalCluster`` started for the run with one single-threaded worker
  process per core (Python holds its interpreter lock while it analyses
  text, so parallel work needs processes, not threads).
* :class:`ShardHost` is a worker plugin: each worker keeps the shard runs it
  writes (an indexing run spans many tasks) and the shards it searches open
  between tasks, as Dask actors would, and closes them when the worker ends.
* :class:`ClusterShards` asks those workers the questions a
  :class:`~newsindex.collection.Collection` asks its shards.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
import warnings
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable, Sequence

from distributed import Client, LocalCluster, WorkerPlugin, get_worker

from ..errors import NewsIndexError
from ..index import NewsIndex
from ..store.processes import cpu_count
from .collection import Collection
from .manifest import Manifest
from .shards import open_shard

#: The environment variable naming the scheduler to use when ``--scheduler`` is not given.
SCHEDULER_ENV = "NEWSINDEX_SCHEDULER"

PLUGIN = "newsindex-shards"


def connect(scheduler: str | None = None, workers: int | None = None) -> tuple[Client, LocalCluster | None]:
    """A client of the cluster to use, and the local cluster started for it (None for a scheduler's).

    ``scheduler`` (else ``$NEWSINDEX_SCHEDULER``) is the address of a running
    ``dask scheduler``; without one a ``LocalCluster`` of ``workers`` worker
    processes (default: one per core) is started, and the caller closes it.
    """
    address = scheduler or os.environ.get(SCHEDULER_ENV)
    try:
        if address:
            return Client(address, timeout="20s"), None
        with warnings.catch_warnings():
            # The scheduler's HTTP endpoint moves to a free port when 8787 is taken (another local
            # cluster); nothing of ours uses it, so the move is not the user's concern.
            warnings.filterwarnings("ignore", message="Port .* is already in use")
            cluster = LocalCluster(
                n_workers=workers or cpu_count(), threads_per_worker=1, processes=True,
                # Not even ERROR: a worker whose heartbeat meets the scheduler closing at the end of a run
                # (a loaded machine) logs a traceback; what goes wrong in a run is told by our own message.
                dashboard_address=None, silence_logs=logging.CRITICAL,
            )
    except (OSError, TimeoutError) as exc:
        raise NewsIndexError(f"cannot reach the Dask scheduler at {address or 'a local cluster'}: {exc}") from None
    return Client(cluster), cluster


def close(client: Client, cluster: LocalCluster | None) -> None:
    client.close()
    if cluster is not None:
        cluster.close()


def workers(client: Client) -> list[str]:
    """The addresses of the cluster's workers now, asked of the scheduler.

    Not ``Client.scheduler_info()``: the client refreshes that in the background
    without the workers, so it may answer with none.
    """
    return sorted(client.run_on_scheduler(_worker_addresses))


def _worker_addresses(dask_scheduler: Any = None) -> list[str]:
    return list(dask_scheduler.workers)


def install(client: Client) -> None:
    """Make every worker of the cluster (and every worker that joins later) a :class:`ShardHost`."""
    client.register_plugin(ShardHost(), name=PLUGIN)


def host() -> "ShardHost":
    """The shard host of the worker running the current task."""
    return get_worker().plugins[PLUGIN]  # type: ignore[return-value]


class ShardHost(WorkerPlugin):
    """What one worker keeps open between tasks: shards being written, and shards being searched.

    Runs and indexes are keyed by the job they belong to (one indexing run,
    or one opening of a collection for searching), so jobs never share state.
    """

    def setup(self, worker: Any) -> None:
        self._lock = threading.Lock()
        self._stacks: dict[str, ExitStack] = {}
        self._open: dict[tuple[str, str], Any] = {}

    def teardown(self, worker: Any) -> None:
        # The worker is closing: what a job left open is rolled back (the shards' open batches are
        # dropped, their locks released); an error here must not keep the others from closing.
        for job in list(self._stacks):
            try:
                self.end(job)
            except Exception:  # noqa: BLE001
                pass

    def keep(self, job: str, key: str, make: Callable[[ExitStack], Any]) -> Any:
        """What ``make`` opened for ``job`` under ``key``, opened the first time (closed by :meth:`end`)."""
        with self._lock:
            found = self._open.get((job, key))
            if found is None:
                stack = self._stacks.setdefault(job, ExitStack())
                found = self._open[(job, key)] = make(stack)
            return found

    def end(self, job: str) -> None:
        """Close what ``job`` opened here (a run not committed by then is rolled back)."""
        with self._lock:
            stack = self._stacks.pop(job, None)
            for key in [k for k in self._open if k[0] == job]:
                del self._open[key]
        if stack is not None:
            stack.close()


def end_job(job: str) -> None:
    """Close, on this worker, what ``job`` left open: a task, so that it runs in the thread the job's
    tasks ran in (an SQLite connection may only be closed by the thread that opened it)."""
    host().end(job)


def end_everywhere(client: Client, job: str) -> None:
    """Close what ``job`` left open on every worker of the cluster."""
    futures = [client.submit(end_job, job, workers=[w], allow_other_workers=False, pure=False) for w in workers(client)]
    client.gather(futures, errors="skip")


def _searching(job: str, path: str, number: int, collection: str, method: str, args: tuple) -> Any:
    """A shard's answer, from the shard this worker keeps open for ``job``."""

    def make(stack: ExitStack) -> NewsIndex:
        ix = open_shard(Path(path), number, Path(collection))
        stack.callback(ix.close)
        return ix

    return getattr(host().keep(job, path, make), method)(*args)


class ClusterShards:
    """The shards of a collection, each kept open by one worker of a cluster and asked there.

    Shard ``i`` is searched by the ``i % workers``-th worker, which opens it
    on first use and keeps it open (its caches warm) until :meth:`close`.
    """

    def __init__(self, client: Client, paths: list[Path], collection: Path, cluster: LocalCluster | None = None) -> None:
        self._client = client
        self._cluster = cluster
        self._paths = [str(p) for p in paths]
        self._collection = str(collection)
        self._job = f"search-{uuid.uuid4().hex}"
        install(client)
        found = workers(client)
        if not found:
            raise NewsIndexError("the Dask cluster has no workers")
        self._placed = [found[i % len(found)] for i in range(len(paths))]
        self.each("__len__")  # open every shard now: a missing one is reported at once

    def __len__(self) -> int:
        return len(self._paths)

    def _submit(self, shard: int, method: str, args: tuple) -> Any:
        return self._client.submit(
            _searching, self._job, self._paths[shard], shard, self._collection, method, args,
            workers=[self._placed[shard]], allow_other_workers=False, pure=False,
        )

    def each(self, method: str, *args: Any) -> list[Any]:
        return self._client.gather([self._submit(i, method, args) for i in range(len(self._paths))])

    def one(self, shard: int, method: str, *args: Any) -> Any:
        return self._submit(shard, method, args).result()

    def several(self, calls: Sequence[tuple[int, str, tuple]]) -> list[Any]:
        """The answers to several calls, each (shard, method, args), asked at once: one round trip."""
        return self._client.gather([self._submit(shard, method, args) for shard, method, args in calls])

    @property
    def indexes(self) -> list[NewsIndex]:
        raise NewsIndexError("a collection opened on a cluster is written with `newsindex index`, not add()")

    def close(self) -> None:
        try:
            end_everywhere(self._client, self._job)
        finally:
            close(self._client, self._cluster)


def open_on_cluster(directory: str | os.PathLike[str], scheduler: str | None = None) -> Collection:
    """The collection in ``directory`` with its shards kept open by the workers of a cluster."""
    path = Path(directory)
    manifest = Manifest.read(path)
    client, cluster = connect(scheduler)
    try:
        shards = ClusterShards(client, manifest.shard_paths(path), path, cluster)
    except BaseException:
        close(client, cluster)
        raise
    return Collection(path, manifest, shards)
