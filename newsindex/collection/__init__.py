"""Collections: one archive split into shards, each an ordinary newsindex index, used as one index.

A collection is a directory with a manifest (:mod:`.manifest`) and N shards;
an article's shard is a stable function of its id (:func:`.manifest.shard_of`).
:class:`Collection` has the methods of :class:`~newsindex.index.NewsIndex` and
answers them exactly as one index holding the same articles would: searches
gather collection statistics from every shard first and score with them
(:mod:`newsindex.search.statistics`), then merge the shards' best hits in one
index's order; facets, timelines and terms add up the shards' counts; stories
live in one store at the collection level, fed with every article in the
order one index would have seen them, so no story is split by a shard
boundary. Building runs on Dask distributed (:mod:`.building`, :mod:`.cluster`):
files are read on every worker and each shard is written by one worker.
"""

from __future__ import annotations

from .collection import Collection, open_any
from .manifest import is_collection

__all__ = ["Collection", "is_collection", "open_any"]
