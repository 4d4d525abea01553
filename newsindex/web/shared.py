"""One open index shared by every request of the web server.

Opening an index per request would throw away what makes searches fast (the
searcher, the evaluator's cached postings, the stem cache, the timeline
totals), so the server opens it once. Whoosh's readers and those caches are
not made for concurrent use, so requests take turns with the index under a
lock: each holds it only while it asks the index (a few milliseconds), and
renders its page after releasing it. With Python's global interpreter lock
the index work could not run in parallel anyway; what runs in parallel is
waiting on sockets and rendering.

Commits made meanwhile by another process (``newsindex index`` in a second
terminal) are picked up at most a second later, except while an export is
streaming: an export reads one state of the index from its first row to its
last, so the state it records is the state it read.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Callable, Hashable, Iterator

from ..index import NewsIndex

#: How often (seconds) the server looks for new commits of the index.
REFRESH_EVERY = 1.0
#: How many answers of the costlier panels (timeline, facets, terms) are kept per index state.
CACHED_ANSWERS = 256


class SharedIndex:
    """An open :class:`NewsIndex` (or anything with its API) that requests use in turn."""

    def __init__(self, index: NewsIndex, refresh_every: float = REFRESH_EVERY) -> None:
        self.index = index
        self._lock = threading.Lock()
        self._refresh_every = refresh_every
        self._checked = time.monotonic()
        self._pinned = 0
        self._answers: OrderedDict[Hashable, Any] = OrderedDict()

    @contextmanager
    def use(self) -> Iterator[NewsIndex]:
        """The index, for this thread alone until the block ends."""
        with self._lock:
            now = time.monotonic()
            if not self._pinned and now - self._checked >= self._refresh_every:
                self._checked = now
                if self.index.refresh():
                    self._answers.clear()
            yield self.index

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Keep the index at its current commit while the block runs (an export reads one state)."""
        with self._lock:
            self._pinned += 1
        try:
            yield
        finally:
            with self._lock:
                self._pinned -= 1

    def cached(self, ix: NewsIndex, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()``, remembered for this index state; call it inside :meth:`use`.

        For the panels that depend on the query but not on the page (timeline,
        facets, significant terms): paging through a result set, or a panel
        loaded after its page, does not count them again. Hits are never cached.
        """
        key = (ix.generation(), key)
        if key in self._answers:
            self._answers.move_to_end(key)
            return self._answers[key]
        value = compute()
        self._answers[key] = value
        if len(self._answers) > CACHED_ANSWERS:
            self._answers.popitem(last=False)
        return value
