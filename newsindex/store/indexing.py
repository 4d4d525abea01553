"""One indexing run: articles in, batches committed, a summary out.

The run reads an iterable of articles (and the readers' :class:`ReadError`
records, so one bad file is counted rather than ending the run), skips
articles whose content is already indexed, writes the rest in batches and
commits each batch, so a crash loses at most one batch and re-running the
same command resumes. Ctrl-C, a full disk or any error rolls back the open
batch: the index is then exactly as at its last commit.

Story grouping (a higher stage) rides along through the :class:`Grouping`
protocol: it is told of each written article and committed right after each
batch, so this module never imports it.
"""

from __future__ import annotations

import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Protocol

from ..errors import DateError, NewsIndexError, ReadError
from ..ingest.article import Article
from ..ingest.dates import in_range
from ..ingest.languages import with_language
from .schema import to_document

if TYPE_CHECKING:
    from .writing import IndexingSession

#: Articles written between commits: a crash loses at most this many, and
#: each commit costs a Whoosh segment (merged later), so not too few either.
COMMIT_EVERY = 10_000


@dataclass
class IndexSummary:
    """What one :meth:`NewsIndex.add` run did, article by article."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[ReadError] = field(default_factory=list)
    #: Articles read more than once in this run with the same id and content (indexed once).
    duplicates: int = 0
    #: Articles of this run that are committed (all of them, unless interrupted).
    committed: int = 0
    #: Who held the write lock when a killed writer left it behind (it was cleared).
    stale_lock: str | None = None

    @property
    def read(self) -> int:
        """Articles read successfully (whatever was then done with them)."""
        return self.added + self.updated + self.unchanged


class IndexingInterrupted(NewsIndexError):
    """Indexing was interrupted; the batch being written was rolled back, earlier batches kept."""

    def __init__(self, summary: IndexSummary, rolled_back: int) -> None:
        self.summary = summary
        self.rolled_back = rolled_back
        super().__init__(
            f"interrupted: kept the {summary.committed:,} articles committed by this run, "
            f"rolled back the {rolled_back:,} not yet committed; run the same command again to resume"
        )


class Grouping(Protocol):
    """What a run tells the story grouping that rides along (see :mod:`newsindex.stories.grouping`)."""

    def assign(self, article: Article) -> None: ...
    def catch_up(self) -> None: ...
    def commit(self, marker: str) -> None: ...
    def finish(self, left: Callable[[int], None] | None = None) -> None: ...
    def rollback(self) -> None: ...


class Batch:
    """The writer of the batch being written, opened on the first write.

    The writer (:class:`~newsindex.store.writing.BatchWriter`) buffers the batch and
    writes it as one segment at commit. What the batches of one run share (word
    caches, a helper process indexing the body on a second core) is an
    :class:`~newsindex.store.writing.IndexingSession`, ended with the run.
    """

    def __init__(self, open_writer: Callable[[IndexingSession], Any], procs: int | None = None) -> None:
        from .writing import IndexingSession  # Whoosh's writing machinery: only when a run writes

        self._open = open_writer
        self._writer: Any = None
        #: ``procs``: processes that may index (default: two where there are two cores; see IndexingSession).
        self._session = IndexingSession(procs)
        weakref.finalize(self, self._session.close)  # the run is over when add() lets go of its batch
        self.pending = 0
        #: Articles committed by this run.
        self.kept = 0

    @property
    def parallel(self) -> bool:
        """Whether this run may use more than one process."""
        return self._session.procs > 1

    def write(self, doc: dict[str, Any], replace: bool) -> None:
        if self._writer is None:
            self._writer = self._open(self._session)
        if replace:
            self._writer.update_document(**doc)
        else:
            self._writer.add_document(**doc)
        self.pending += 1

    def commit(self) -> None:
        """Commit what is pending, adding it to :attr:`kept`.

        It is kept as soon as the commit point is passed, even if an
        interruption lands before the writer returns: so what the run reports
        as kept is what the index holds.
        """
        done, self.pending = self.pending, 0
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer.commit()
            except BaseException:
                from .writing import committed

                if committed(writer):
                    self.kept += done
                else:
                    cancel_quietly(writer)
                raise
        self.kept += done

    def cancel(self) -> int:
        """Roll back what is pending; return how many articles that was (the run ends)."""
        lost, self.pending = self.pending, 0
        writer, self._writer = self._writer, None
        if writer is not None:
            cancel_quietly(writer)
        self._session.close()
        return lost


def cancel_quietly(writer: Any) -> None:
    """Cancel a Whoosh writer; a failing disk must not hide the error that led here."""
    try:
        writer.cancel()
    except Exception:  # noqa: BLE001 - the original error is the one to report
        pass


def _rollback(stories: Grouping | None) -> None:
    """Roll back the stories of a cancelled batch; a failing store must not hide the error that led here."""
    if stories is not None:
        try:
            stories.rollback()
        except Exception:  # noqa: BLE001 - the original error is the one to report
            pass


def _place(article: Article) -> tuple[str, str]:
    """The file and position an article was read from (its ``origin``), as a ReadError names them."""
    path, _, position = article.origin.rpartition(":")
    return path, f"line {position}" if position.isdigit() else position


class Run:
    """One indexing run taken a step at a time: :meth:`add` articles, :meth:`commit`, :meth:`end`.

    :func:`run` drives it over an iterable; a caller that receives the run's
    articles in parts (a shard of a collection, fed part by part by a
    cluster) drives it itself, each step inside :meth:`guarded`, which rolls
    the open batch back on any error, so the index stays at its last commit.
    ``known`` maps every indexed id to its content hash: an article with the
    same hash is unchanged and skipped, one with another hash replaces it.
    After each commit the story grouping (if any) commits too, marked with the
    index's new ``generation()``. ``step`` is told what the run does once
    every article is read (the last commit, the stories still to group), so a
    long final wait is never silent.
    """

    def __init__(
        self,
        batch: Batch,
        known: dict[str, str],
        stories: Grouping | None,
        summary: IndexSummary,
        generation: Callable[[], str],
        directory: Path,
    ) -> None:
        self.batch = batch
        self.summary = summary
        self._known = known
        self._stories = stories
        self._generation = generation
        self._directory = directory
        self._seen: dict[str, tuple[str, str]] = {}  # id -> (where it was read, content hash)

    def add(self, item: Article | ReadError, seq: int | None = None) -> bool:
        """Take one article (or a reader's error) of the run; return whether it is written.

        ``seq`` is its place in the collection's order of arrival (see
        :func:`~newsindex.store.schema.to_document`), when a collection assigns one.
        """
        summary = self.summary
        if isinstance(item, ReadError):
            summary.failed.append(item)
            return False
        if item.published is not None:
            try:
                in_range(item.published)
            except DateError as exc:  # an article made in Python: readers report these themselves
                summary.failed.append(ReadError(f"article {item.id!r}: {exc}", *_place(item)))
                return False
        digest = item.content_hash
        if item.id in self._seen:
            first, first_digest = self._seen[item.id]
            if first_digest == digest:  # the same article again (a copy, a re-crawl): once is enough
                summary.duplicates += 1
                return False
            summary.failed.append(ReadError(
                f"duplicate id {item.id!r} with other content, also read from {first}", *_place(item)
            ))
            return False
        self._seen[item.id] = (item.origin, digest)
        old = self._known.get(item.id)
        if old == digest:
            summary.unchanged += 1
            return False
        # Detected only now, for what is written: the hash stays that of the article as read.
        article = with_language(item)
        self.batch.write(to_document(article, digest, seq), replace=old is not None)
        if self._stories is not None:
            self._stories.assign(article)
        if old is None:
            summary.added += 1
        else:
            summary.updated += 1
        return True

    def commit(self) -> None:
        """Commit the open batch (and then its stories)."""
        stories = self._stories
        # The batch is counted as soon as the index has it, so that an interruption
        # while the stories commit still reports it as kept (they catch up next run).
        if stories is not None:
            stories.catch_up()
        try:
            self.batch.commit()
        finally:
            self.summary.committed = self.batch.kept
        if stories is not None:
            stories.commit(self._generation())

    def end(self, step: Callable[[str], None] | None = None) -> IndexSummary:
        """Commit what is left and wait for the stories: the run is done. ``step`` is told what the
        run does once every article is read (the last commit, the stories still to group), so a
        long final wait is never silent."""
        if step is not None:
            step(f"writing the last {self.batch.pending:,} articles")
        self.commit()
        if self._stories is not None:
            self._stories.finish(None if step is None else lambda left: step(f"grouping stories: {left:,} articles left"))
        return self.summary

    @contextmanager
    def guarded(self) -> Iterator[None]:
        """Steps of the run; any error rolls back the open batch (and its stories), then is raised.

        Ctrl-C becomes :class:`IndexingInterrupted` and a failing disk a
        :class:`NewsIndexError` that says the index is as at its last commit.
        """
        try:
            yield
        except KeyboardInterrupt:
            rolled_back = self.batch.cancel()
            _rollback(self._stories)
            raise IndexingInterrupted(self.summary, rolled_back) from None
        except OSError as exc:
            self.batch.cancel()
            _rollback(self._stories)
            raise NewsIndexError(
                f"{self._directory}: cannot write the index: {exc.strerror or exc}; "
                f"it is as it was at its last commit ({self.summary.committed:,} articles of this run committed)"
            ) from None
        except BaseException:
            self.batch.cancel()
            _rollback(self._stories)
            raise


def run(
    items: Iterable[Article | ReadError], steps: Run, commit_every: int | None, step: Callable[[str], None] | None = None,
) -> IndexSummary:
    """Index ``items`` in batches of ``commit_every`` through ``steps``; return the summary (``step``: see :meth:`Run.end`)."""
    with steps.guarded():
        for item in items:
            if steps.add(item) and commit_every and steps.batch.pending >= commit_every:
                steps.commit()
        return steps.end(step)
