"""Grouping a run's articles into stories while the run indexes them: in a process of its own.

Story grouping (:mod:`newsindex.stories`) is sequential -- an article joins
the story of an earlier one -- and costs about as much CPU as all the rest of
indexing. Done in the indexing process it made a Reuters-21578 build three
times slower than without it, while the helper indexing the body waited.
So :class:`StoryGrouping`, once a run has had :data:`PARALLEL_MIN` articles
to group and may fork, hands the grouping to a forked process: the indexer
sends it the articles as it writes them and goes on indexing. At each index
commit the indexer asks it to commit the stories of the batch, marked with
the index's new generation, without waiting: the worker commits when it has
caught up, while the next batch is indexed; the run waits for it only at its
end (:meth:`StoryGrouping.finish`), still holding the index's write lock.
The worker takes the articles off the pipe as they come, so the indexer is
never kept waiting by a send.

The stories are the same either way: they are a function of the set of
articles (:mod:`newsindex.stories.store`). Smaller runs, one core, or no
``fork`` group in the indexing process, just before each commit. The commits
inside a run are not final: when the run doubles the collection, grouping
waits for its last commit (:meth:`StoryGrouping.finish`), which groups the
whole collection from scratch.

Failures rely on the store's two-commit protocol (see :mod:`newsindex.stories`):
a cancelled run stops the worker once it has committed the batches the index
committed, and what it assigned after them is discarded with its open
transaction; a worker that fails or dies is reported (at a later commit or at
the end), when the index has already committed those articles, and the next
indexing run groups the articles the store lacks (``StoryStore.sync``).
"""

from __future__ import annotations

from collections import deque
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Callable, Iterator

from ..store import processes
from ..ingest.article import Article
from ..errors import NewsIndexError
from .counted import Prepared
from .keys import Linked, Part
from .store import StoryStore

#: Articles a run must have to group before a worker process is started for it
#: (starting one costs a fork and opening the store: ~50 ms).
PARALLEL_MIN = 1_000

#: Articles sent to the worker per message.
CHUNK = 64


class StoryGrouping:
    """The stories of one indexing run: :meth:`assign` each article written, :meth:`commit` after
    each index commit, :meth:`rollback` when a batch is cancelled, :meth:`close` at the end.

    It takes over ``store`` for the run (and closes it at the end): with a
    worker, only the worker writes the store, through its own connection.
    ``parallel`` says whether a worker may be started (the run's indexing
    session decides: two cores and ``fork``).
    """

    def __init__(self, store: StoryStore, parallel: bool) -> None:
        self._store: StoryStore | None = store
        self._directory = store.path.parent
        self._language = store.language
        self._parallel = parallel
        self._pending: list[Article | Prepared] = []
        self._assigned = 0  # in this run
        self._worker: _Worker | None = None
        self._marker: str | None = None  # of the last commit

    def assign(self, article: Article | Prepared) -> None:
        """Group ``article`` (after those assigned before it; its words may be counted already, see
        :meth:`StoryStore.assign`); it is kept with the next :meth:`commit`."""
        self._pending.append(article)
        self._assigned += 1
        if self._worker is not None:
            if len(self._pending) >= CHUNK:
                self._send()
        elif self._parallel and self._assigned >= PARALLEL_MIN:
            self._start_worker()

    def catch_up(self) -> None:
        """Group what was assigned, before the index commits, where that costs no waiting.

        In the indexing process this is where the work is done, so that a
        failure still cancels the batch before the index commits it; a worker
        is only sent what is left (it catches up while indexing goes on).
        """
        if self._worker is not None:
            self._send()
        elif self._pending:
            assert self._store is not None
            pending, self._pending = self._pending, []
            self._store.assign(pending)

    def commit(self, marker: str) -> None:
        """Make everything assigned so far permanent, marked with the index's generation.

        A commit inside the run (``final=False`` for the store): when the run
        makes the collection twice as large as the reference of its stories,
        grouping waits for :meth:`finish`. A worker is only asked to commit: it
        commits when it has caught up, while the next batch is indexed.
        """
        self.catch_up()
        self._marker = marker
        if self._worker is not None:
            self._worker.commit(marker, final=False)
        else:
            assert self._store is not None
            self._store.commit(marker, final=False)

    def finish(self, left: Callable[[int], None] | None = None) -> None:
        """The run's last commit: group what waited for it; wait until every commit is done; raise if one failed.

        ``left`` is told, while waiting, how many articles of the run are still to be grouped.
        """
        if self._worker is not None:
            self._worker.commit(self._marker, final=True)
            self._worker.finish(left)
        elif self._store is not None:
            self._store.commit(self._marker, final=True)

    @property
    def place(self) -> tuple[Path, str]:
        """The directory of the store and its language (to open it elsewhere, as a reader)."""
        return self._directory, self._language

    def begin_regroup(self, parts: int) -> list[Part]:
        """Begin grouping the collection from scratch in parts, when it is due (:meth:`StoryStore.begin_regroup`;
        commit first). Only for a grouping without a worker process: the parts are linked elsewhere."""
        assert self._worker is None and self._store is not None
        return self._store.begin_regroup(parts)

    def take_linked(self, linked: Linked) -> None:
        """Write what a part found (:meth:`StoryStore.take_linked`); :meth:`commit` then clusters."""
        assert self._store is not None
        self._store.take_linked(linked)

    def rollback(self) -> None:
        """Discard what was assigned since the last commit (a worker is stopped once it has done the
        commits asked for; what it assigned after them dies with its transaction)."""
        self._pending = []
        if self._worker is not None:
            worker, self._worker = self._worker, None
            worker.stop()
        elif self._store is not None:
            self._store.rollback()

    def close(self) -> None:
        """End the run: stop the worker, close the store (what was not committed is discarded)."""
        self.rollback()
        if self._store is not None:
            store, self._store = self._store, None
            store.close()

    def _send(self) -> None:
        assert self._worker is not None
        pending, self._pending = self._pending, []
        if pending:
            self._worker.send(pending)

    def _start_worker(self) -> None:
        """Hand the store over to a worker: the indexing process closes its connection before the fork
        (an SQLite connection must not cross one) and the worker opens its own."""
        assert self._store is not None
        store, self._store = self._store, None
        store.close()  # nothing is uncommitted in it: assignments wait in _pending until a commit
        try:
            self._worker = _Worker(self._directory, self._language)
        except OSError:  # no process to be had: group here after all
            self._parallel = False
            self._store = StoryStore.open(self._directory, self._language)
            return
        self._send()


class _Worker:
    """The forked process that assigns and commits stories for the indexing process.

    Messages are handled in the order sent: ("assign", articles) -- answered
    ("grouped", how many), so the indexer can say how far it is -- ("commit",
    marker, final) -- answered ("ok",) or ("error", exception) -- and ("stop",),
    which ends it with whatever was assigned after the last commit discarded.
    """

    def __init__(self, directory: Path, language: str) -> None:
        self._process, self._outbox, self._inbox = processes.start(
            _worker_main, (str(directory), language), "newsindex-stories"
        )
        self._unanswered = 0  # commits sent whose answer has not been read
        self._sent = 0  # articles sent to be grouped
        self._grouped = 0  # of those, how many the worker says it has grouped

    def send(self, articles: list[Article | Prepared]) -> None:
        self._sent += len(articles)
        try:
            self._outbox.send(("assign", articles))
        except (OSError, ValueError):
            pass  # the worker is gone: the next answer read says so

    def commit(self, marker: str | None, final: bool) -> None:
        """Ask for a commit without waiting for it; raise if an earlier one has already failed."""
        try:
            self._outbox.send(("commit", marker, final))
        except (OSError, ValueError):
            pass  # the worker is gone: the next answer read says so
        self._unanswered += 1
        self._answers(wait=False)

    def finish(self, left: Callable[[int], None] | None = None) -> None:
        """Wait until every commit asked for is done; raise if one failed (``left``: see StoryGrouping.finish)."""
        self._answers(wait=True, left=left)

    def _answers(self, wait: bool, left: Callable[[int], None] | None = None) -> None:
        while self._unanswered and (wait or self._inbox.poll()):
            try:
                answer = self._inbox.recv()
            except (EOFError, OSError, ValueError):
                raise NewsIndexError(
                    f"the story grouping process ended (exit code {self._process.exitcode}); "
                    "the articles are indexed, and the next indexing run groups them"
                ) from None
            if answer[0] == "grouped":  # how far it is: ("grouped", articles of one "assign")
                self._grouped += answer[1]
                if left is not None:
                    left(self._sent - self._grouped)
                continue
            if answer[0] == "error":
                raise NewsIndexError(
                    f"grouping stories failed: {answer[1]}; the articles are indexed, and the next indexing run "
                    "groups them"
                ) from answer[1]
            self._unanswered -= 1

    def stop(self) -> None:
        """End the worker once it has done the commits asked for (a second Ctrl-C kills it at once)."""
        try:
            self._outbox.send(("stop",))
            self._process.join()
        except (OSError, ValueError):
            pass  # already gone
        finally:
            processes.stop(self._process, self._outbox, self._inbox)


def _worker_main(inbox: Connection, outbox: Connection, parent_ends: tuple[Connection, ...],
                 directory: str, language: str) -> None:
    """The worker's loop: assign articles as they come, commit when told, and say how each commit went.

    Between two articles it takes whatever has arrived off the pipe into a
    backlog, so the indexer is never kept waiting by a full pipe (a reader
    thread would be, waiting for the interpreter lock while articles are grouped).
    """
    processes.enter(parent_ends)
    backlog: deque[tuple] = deque()
    ended = False

    def receive() -> None:
        nonlocal ended
        try:
            backlog.append(inbox.recv())
        except (EOFError, OSError):  # the indexer is gone
            ended = True
            backlog.append(("stop",))

    def taking_in(articles: list[Article | Prepared]) -> Iterator[Article | Prepared]:
        for article in articles:
            yield article
            while not ended and inbox.poll():
                receive()

    try:
        # Closed at the end (an open transaction is then rolled back): the last connection to close
        # folds SQLite's write-ahead log into the store, which a process that just exits leaves behind.
        with StoryStore.open(directory, language) as store:
            while True:
                if not backlog:
                    receive()
                message = backlog.popleft()
                if message[0] == "stop":
                    return
                if message[0] == "assign":
                    store.assign(taking_in(message[1]))
                    outbox.send(("grouped", len(message[1])))
                else:
                    store.commit(message[1], final=message[2])
                    outbox.send(("ok",))
    except Exception as exc:  # noqa: BLE001 - the indexer reports it; what is not committed is discarded
        try:
            outbox.send(("error", processes.portable(exc)))
        except OSError:
            pass  # the indexer is gone
