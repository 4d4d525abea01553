"""The shards of a collection, opened in this process, asked the same question at once.

A collection's searches are put together from the answers of every shard to
the same call of :class:`~newsindex.index.NewsIndex` (its statistics, its best
hits, its counts). :class:`LocalShards` asks shards opened here, one after the
other; :class:`newsindex.collection.cluster.ClusterShards` asks the workers of
a Dask cluster that keep them open. Both answer :meth:`each`, :meth:`one` and :meth:`several`
with the same plain values, so the collection does not know which it has.

Why one after the other, not in threads: a shard's answer is Python work
(the evaluator's set operations and scoring) that holds the interpreter
lock, so threads only add their switching. Measured on a 2-shard collection
of Reuters-21578, the 68-query mix with a thread per shard had a p50 of 12.5
ms against 12.8 ms in turn: no gain worth a thread pool (the README's
"Collections" section; ``benchmarks/shards.py`` measures both).
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any, Sequence

from ..errors import IndexNotFoundError, NewsIndexError
from ..index import NewsIndex


def open_shard(path: Path, number: int, collection: Path) -> NewsIndex:
    """Open one shard, saying which shard of which collection is missing or unreadable."""
    try:
        return NewsIndex.open(path)
    except IndexNotFoundError:
        raise IndexNotFoundError(
            f"{collection}: shard {number} ({path}) is missing; the collection cannot be used without it "
            "(restore it, or rebuild the collection with --rebuild)"
        ) from None
    except NewsIndexError as exc:
        raise type(exc)(f"{collection}: shard {number}: {exc}") from None


class LocalShards:
    """Every shard of a collection opened as a :class:`NewsIndex` in this process."""

    def __init__(self, paths: Sequence[Path], collection: Path) -> None:
        with ExitStack() as stack:
            self.indexes = []
            for number, path in enumerate(paths):
                ix = open_shard(path, number, collection)
                stack.callback(ix.close)
                self.indexes.append(ix)
            stack.pop_all()  # opened: closed by close()

    def __len__(self) -> int:
        return len(self.indexes)

    def each(self, method: str, *args: Any) -> list[Any]:
        """Every shard's answer to ``NewsIndex.method(*args)``, in shard order."""
        return [getattr(ix, method)(*args) for ix in self.indexes]

    def one(self, shard: int, method: str, *args: Any) -> Any:
        """One shard's answer to ``NewsIndex.method(*args)``."""
        return getattr(self.indexes[shard], method)(*args)

    def several(self, calls: Sequence[tuple[int, str, tuple]]) -> list[Any]:
        """The answers to several calls, each (shard, method, args), in their order."""
        return [getattr(self.indexes[shard], method)(*args) for shard, method, args in calls]

    def close(self) -> None:
        for ix in self.indexes:
            ix.close()
