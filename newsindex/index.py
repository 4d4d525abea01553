"""NewsIndex: one index of news articles, the door to everything done to it.

The facade keeps the lifecycle (create, open, lock, commit, close) and hands
each call to the stage that does it: indexing runs to :mod:`newsindex.store`,
searches to :mod:`newsindex.search`, stories and comparisons to
:mod:`newsindex.stories`, counts over time and by source to
:mod:`newsindex.coverage`. All state lives in the object, never in module
globals, so several indexes (later: shards of one collection) can be open in
one process.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from array import array
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from whoosh import index as windex

from .version import __version__
from .coverage.counting import StoryCodes
from .coverage.facets import Counts, FacetCounter
from .coverage.stats import IndexStats, collect_stats
from .coverage.timeline import Granularity, Period, Timelines
from .errors import ArticleNotFoundError, NewsIndexError, ReadError
from .ingest.article import Article, is_valid_id
from .search import ranking
from .search.query import Operator
from .search.results import SORTS, Hit, Results, Sort
from .search.searching import Searching, check_page
from .store.checksums import Damage
from .store.directory import (
    check_index, content_hashes, create_index, describe, finish_rebuild, is_index, locked, open_index, open_writer,
    start_rebuild,
)
from .store.indexing import COMMIT_EVERY, Batch, IndexingInterrupted, IndexSummary, Run, run
from .store.locking import WriteLock
from .store.schema import FACETS, UNDATED, from_stored
from .stories.store import FILE_NAME as STORY_STORE, REGROUP
from .stories.tellings import FILES as STORY_FILES, Tellings, check_store
from .text.stems import FILE_NAME as STEMS, StemTables

if TYPE_CHECKING:  # what only some calls need is imported by those calls: a search starts sooner
    from whoosh import query as wq

    from .coverage.counting import SourceStories
    from .coverage.overview import Overview
    from .coverage.terms import Term
    from .search.statistics import Statistics
    from .stories.compare import Comparison
    from .stories.sentences import Sentence
    from .stories.similar import SimilarArticle
    from .stories.vectors import ContentWords
    from .stories.store import StoryStats
    from .stories.trace import Trace, Tracer

#: A shard's part of a ranking: the exact number of matches and the best hits, each as
#: (order key, seq, docnum, score) (see :meth:`NewsIndex.ranked`).
Ranked = tuple[int, list[tuple[float, int, int, "float | None"]]]

__all__ = [
    "COMMIT_EVERY", "SORTS", "IndexSummary", "IndexingInterrupted", "NewsIndex", "RebuildInterrupted", "Sort",
    "default_index_dir",
]


class RebuildInterrupted(IndexingInterrupted):
    """A rebuild was interrupted: the index built beside the old one was abandoned; the old one is whole."""

    def __init__(self, path: Path, summary: IndexSummary, rolled_back: int) -> None:
        self.summary = summary
        self.rolled_back = rolled_back
        NewsIndexError.__init__(
            self, f"interrupted: the rebuild was abandoned ({summary.committed + rolled_back:,} articles had been "
                  f"written beside the index); {path} is as it was before it",
        )


def rebuilt_beside(path: Path, place: Path, build: Callable[[], IndexSummary]) -> IndexSummary:
    """``build()``, which builds an index (or a collection) in ``place`` and makes it ``path``'s; if it
    fails, ``place`` is removed and the error says that ``path`` is as it was before the rebuild."""
    try:
        return build()
    except IndexingInterrupted as exc:
        shutil.rmtree(place, ignore_errors=True)
        raise RebuildInterrupted(path, exc.summary, exc.rolled_back) from None
    except NewsIndexError as exc:
        shutil.rmtree(place, ignore_errors=True)
        raise NewsIndexError(f"{path}: the rebuild stopped, the index is as it was before it ({exc})") from None
    except BaseException:
        shutil.rmtree(place, ignore_errors=True)
        raise


def default_index_dir() -> Path:
    """``$NEWSINDEX_INDEX`` if set, else ``index`` in the current directory."""
    return Path(os.environ.get("NEWSINDEX_INDEX") or "index")


class NewsIndex:
    """A searchable collection of news articles stored in one directory.

    Open it with :meth:`open` (existing), :meth:`create` (new) or
    :meth:`open_or_create`; use it as a context manager so its searcher and
    files are released.
    """

    def __init__(self, directory: Path, ix: windex.Index, language: str) -> None:
        self.directory = directory
        self.language = language
        self._ix = ix
        self._searcher = None
        #: The stems NLTK gave the index's words, so that a search need not load NLTK.
        self._stems = StemTables(directory)
        self._search = Searching(ix.schema, language, lambda: self.searcher, known_stems=self._stems.of)
        #: Stories of the index's articles (:mod:`newsindex.stories`), opened when first needed.
        self._stories = Tellings(directory, language, lambda: str(ix.latest_generation()), self._stored)
        self._timelines = Timelines()
        self._closed = False
        self._facet_counter = FacetCounter()
        #: Each document's story as a small integer, for counting stories (read when first asked).
        self._story_codes = StoryCodes()
        self._story_state: str | None = None
        #: Tracers of claims (:mod:`newsindex.stories.trace`), one per language, made when first needed;
        #: each keeps its word stems.
        self._tracers: dict[str, Tracer] = {}
        #: Columns of the current searcher (``seq``, ``published``) a collection's searches read.
        self._columns: dict[str, Any] = {}
        #: Each document's place in its collection's order, read when first asked (see :meth:`_places`).
        self._seqs: array[int] | None = None
        #: The content words ``similar`` compares articles by, made when first needed; it keeps
        #: each word's analysis between calls.
        self._content_words: ContentWords | None = None

    # -- opening -----------------------------------------------------------

    @classmethod
    def create(
        cls, directory: str | os.PathLike[str], language: str = "english", overwrite: bool = False
    ) -> "NewsIndex":
        """Create an empty index in ``directory`` (made if missing).

        An existing index there is only replaced with ``overwrite=True``, so a
        typo in a path cannot wipe an archive.
        """
        path = Path(directory)
        if is_index(path) and not overwrite:
            raise NewsIndexError(f"{path}: an index already exists (use overwrite/--rebuild to replace it)")
        ix = create_index(path, language, created_by=f"newsindex {__version__}", side_files=STORY_FILES)
        return cls(path, ix, language)

    @classmethod
    def open(cls, directory: str | os.PathLike[str]) -> "NewsIndex":
        """Open an existing index; raise :class:`IndexNotFoundError` if there is none."""
        path = Path(directory)
        ix, language = open_index(path, __version__)
        return cls(path, ix, language)

    @classmethod
    def rebuild(
        cls,
        directory: str | os.PathLike[str],
        items: Iterable[Article | ReadError],
        language: str = "english",
        commit_every: int | None = COMMIT_EVERY,
        wait: float = 0.0,
        group: bool = True,
        step: Callable[[str], None] | None = None,
    ) -> IndexSummary:
        """Replace the index in ``directory`` by one of ``items`` alone, built beside it.

        The old index stays whole and searchable until the new one is done,
        then the new one takes its place in one commit (see
        :func:`newsindex.store.directory.finish_rebuild`), so a crash or a
        kill leaves one whole index, old or new, never none. It needs room for
        both on disk while it runs. An interruption abandons the new index
        (:class:`RebuildInterrupted`); no other writer can write meanwhile.
        """
        path = Path(directory)
        if not is_index(path):
            with cls.create(path, language) as ix:
                return ix.add(items, commit_every, wait, group, step)
        created_by = f"newsindex {__version__}"
        with locked(path, wait) as lock:
            place, ix = start_rebuild(path, language, created_by, STORY_FILES)

            def build() -> IndexSummary:
                with cls(place, ix, language) as new:
                    summary = new.add(items, commit_every, 0.0, group, step)
                finish_rebuild(place, path, STORY_FILES, describe(language, created_by))
                return summary

            summary = rebuilt_beside(path, place, build)
        summary.stale_lock = lock.stale_owner
        return summary

    @staticmethod
    def check(directory: str | os.PathLike[str]) -> list[Damage]:
        """Every damaged file of the index in ``directory`` (empty when it is sound), every byte read.

        Each file of the last commit is checked against the checksum written
        with it, and the story store by SQLite's own check. Unlike
        :meth:`open`, which checks cheaply (sizes, and the contents of files
        that were changed), this reads the whole index.
        """
        path = Path(directory)
        damaged = check_index(path)
        problem = check_store(path)
        if problem:
            damaged.append(Damage(STORY_STORE, f"{problem}; {REGROUP}"))
        problem = check_store(path, STEMS)
        if problem:
            damaged.append(Damage(STEMS, f"{problem}; delete it (it only remembers the stems NLTK gives again)"))
        return damaged

    @classmethod
    def open_or_create(cls, directory: str | os.PathLike[str], language: str = "english") -> "NewsIndex":
        """Open the index in ``directory``, creating it first if there is none."""
        if is_index(directory):
            return cls.open(directory)
        return cls.create(directory, language=language)

    def close(self) -> None:
        """Release the searcher and the index's files; the object can no longer search or write
        (results already returned stay readable)."""
        self._closed = True
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._stories.close()
        self._stems.close()
        self._ix.close()

    def __enter__(self) -> "NewsIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------

    def add(
        self,
        items: Iterable[Article | ReadError],
        commit_every: int | None = COMMIT_EVERY,
        wait: float = 0.0,
        group: bool = True,
        step: Callable[[str], None] | None = None,
    ) -> IndexSummary:
        """Index articles; return what was added, updated, unchanged or failed.

        ``items`` may mix articles and the :class:`ReadError` records a reader
        yields for bad input, so one bad file is counted and reported rather
        than ending the run. An article whose id is already indexed replaces
        it, unless its content hash is the same, in which case nothing is
        written: so re-running an interrupted run resumes where its last
        commit ended.

        Changes are committed every ``commit_every`` written articles (and at
        the end), so a crash loses at most one batch. If the run is
        interrupted (Ctrl-C) the open batch is rolled back and
        :class:`IndexingInterrupted` says what was kept; if the disk fails,
        the open batch is rolled back and :class:`NewsIndexError` says why.
        Either way the index is exactly as it was at its last commit.
        ``wait`` is how long to wait for another writer to finish.
        ``group=False`` skips grouping the articles into stories (see
        :mod:`newsindex.stories`; it is caught up on the next run that groups).
        ``step`` is told what the run does after the last article is read
        (``"grouping stories: 4,210 articles left"``), for a progress display.
        """
        with self.writing(wait, group) as steps:
            return run(items, steps, commit_every, step)

    @contextmanager
    def writing(self, wait: float = 0.0, group: bool = True, procs: int | None = None) -> Iterator[Run]:
        """An indexing run to drive a step at a time (:class:`~newsindex.store.indexing.Run`).

        What :meth:`add` does over an iterable, for a caller that gets the
        articles in parts: a shard of a collection, fed by a cluster. The
        write lock is held until the ``with`` block ends; what is not
        committed by then is rolled back. ``procs`` is how many processes
        may index (default: two on two cores; a cluster's worker uses one).
        """
        self._check_open()
        lock = WriteLock(self.directory)
        lock.acquire(wait)
        self._refresh()  # what another writer committed before the lock was ours is read from here on
        summary = IndexSummary(stale_lock=lock.stale_owner)
        batch = Batch(lambda session: open_writer(self._ix, self.directory, session), procs)
        stories = None
        try:
            known = content_hashes(self._ix)
            if group:
                stories = self._stories.grouping(known, parallel=batch.parallel)
            yield Run(batch, known, stories, summary, self._stories.generation, self.directory)
        finally:
            batch.cancel()
            if stories is not None:
                stories.close()
            lock.release()
            self._refresh()

    def delete(self, ids: Iterable[str], wait: float = 0.0) -> int:
        """Delete articles by id; return how many were deleted (their stories lose them too)."""
        self._check_open()
        ids = [article_id for article_id in ids if is_valid_id(article_id)]  # others name no article

        def delete() -> int:
            writer = open_writer(self._ix, self.directory)
            try:
                count = sum(writer.delete_by_term("id", article_id) for article_id in ids)
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            return count

        with locked(self.directory, wait):
            self._refresh()  # the story store is brought up to date from the articles as last committed
            count = self._stories.remove(ids, content_hashes(self._ix), delete)
        self._refresh()
        return count

    # -- reading -----------------------------------------------------------

    @property
    def searcher(self):  # type: ignore[no-untyped-def]
        """A Whoosh searcher kept open between queries (term statistics stay cached)."""
        self._check_open()
        if self._searcher is None:
            self._searcher = self._ix.searcher(weighting=ranking.weighting())
        return self._searcher

    def _check_open(self) -> None:
        if self._closed:
            raise NewsIndexError(f"{self.directory}: this index was closed; open it again to use it")

    def _refresh(self) -> None:
        self._columns.clear()
        self._seqs = None
        self._timelines.reset()
        self._facet_counter.reset()
        self._story_codes.reset()
        self._search.reset()
        if self._searcher is not None:
            # Not ``Searcher.refresh()``: it reuses the reader of every segment whose id is
            # unchanged, deletions included, so deleted and replaced articles kept matching.
            self._searcher.close()
            self._searcher = None

    def refresh(self) -> bool:
        """Catch up with commits made since this index was opened (by another process); True if any.

        A long-lived reader, such as the web server, calls this so that
        articles indexed meanwhile show up; a plain open index keeps reading
        the commit it started with.
        """
        if self._searcher is None or self._searcher.up_to_date():
            return False
        self._refresh()
        return True

    def generation(self) -> int:
        """The number of the commit this index reads (every write makes a new one).

        With the directory, it names the exact state of the index that a
        search answered from, for exports and caches.
        """
        return self.searcher.reader().generation()

    def __len__(self) -> int:
        return self.searcher.doc_count()

    def __contains__(self, article_id: object) -> bool:
        """Whether an article with this id is indexed (``"reuters-1" in ix``)."""
        return (isinstance(article_id, str) and is_valid_id(article_id)
                and self.searcher.document_number(id=article_id) is not None)

    def parse(self, query: str, operator: Operator = "and", feedback: bool = False) -> wq.Query:
        """The Whoosh query a query string means (raises :class:`QueryError`).

        Words searched in title and body are scored together by BM25F (see
        :mod:`newsindex.search.ranking`). With ``feedback=True`` the query is also
        re-weighted by pseudo-relevance feedback from its top hits: it then
        matches the same articles, ranked differently.
        """
        return self._search.parse(query, operator, feedback)

    def search(
        self,
        query: str,
        limit: int = 10,
        page: int = 1,
        sort: Sort = "relevance",
        operator: Operator = "and",
        since: str | None = None,
        until: str | None = None,
        highlight: tuple[str, str] = ("**", "**"),
        facets: Iterable[str] = (),
        facet_limit: int = 10,
        feedback: bool = False,
        collapse: bool = False,
        stories: bool = False,
    ) -> Results:
        """Search; return one page of hits and the exact total.

        ``since``/``until`` take the same periods as ``date:`` (``2025``,
        ``2025-04``, ``2025-04-23``) and include the whole period they name.
        ``operator="or"`` makes a bag of words match when any word does.
        ``facets`` (``source``, ``topic``, ``place``, ``author``) adds the top
        ``facet_limit`` values of each among *all* matching articles.
        ``feedback=True`` re-ranks by pseudo-relevance feedback (words of the
        top hits added to the query): better recall on vague questions, same
        matches and total; it costs a second search. ``collapse=True`` shows
        one hit per story (its best-placed telling), each saying how many
        other tellings the story has; the total still counts articles.
        ``stories=True`` counts the facets by story (:meth:`facets`) and, with
        the ``source`` facet, fills ``source_stories`` (:meth:`source_stories`).
        """
        check_page(limit, page, sort)
        search = self._search
        q = search.filtered(query, operator, since, until)
        ranked = search.expand(q) if feedback and sort == "relevance" else q
        if collapse:
            found, shown = search.collapsed(ranked, sort, page, limit, self._stories.keys)
        else:
            found = search.top(ranked, sort, page * limit)
            shown = found[(page - 1) * limit : page * limit]
        facets = list(facets)
        counts = self._facets(q, facets, facet_limit, stories) if facets else {}
        results = search.results(query, q, found, shown, page, limit, sort, highlight, self._stories.refs, counts)
        if stories and "source" in facets:
            results = dataclasses.replace(results, source_stories=self._source_stories(q, facet_limit))
        return results

    def hits(
        self,
        query: str,
        sort: Sort = "relevance",
        operator: Operator = "and",
        since: str | None = None,
        until: str | None = None,
        highlight: tuple[str, str] = ("", ""),
        feedback: bool = False,
        collapse: bool = False,
        limit: int | None = None,
        batch: int = 500,
    ) -> Iterator[Hit]:
        """Every hit of the query (or the first ``limit``), in :meth:`search`'s order, for exports.

        The ranking is worked out once; articles are read ``batch`` at a
        time as the hits are consumed, so an export of a hundred thousand
        hits streams in flat memory. Snippets are plain unless ``highlight``
        gives marks.
        """
        check_page(batch, 1, sort)
        search = self._search
        q = search.filtered(query, operator, since, until)
        ranked = search.expand(q) if feedback and sort == "relevance" else q
        wanted = limit if limit is not None else max(len(search.matches(q)), 1)
        if collapse:
            found, order = search.collapsed(ranked, sort, 1, wanted, self._stories.keys)
        else:
            found = search.top(ranked, sort, wanted)
            order = found[:wanted]
        for start in range(0, len(order), batch):
            page = search.results(query, q, found, order[start : start + batch], start // batch + 1, batch, sort,
                                  highlight, self._stories.refs, {})
            yield from page.hits

    def ids(self, query: str, limit: int = 10, operator: Operator = "and", feedback: bool = False) -> list[str]:
        """The ids of the ``limit`` best matches, best first, without reading the articles.

        The ranking is exactly :meth:`search`'s; this is for evaluation and
        pipelines that want a deep ranking (say 1,000 ids) without snippets.
        """
        ranked = self._search.parse(query, operator, feedback=feedback)
        return self._search.ids_of([hit.docnum for hit in self._search.top(ranked, "relevance", limit)])

    def count(self, query: str, operator: Operator = "and", since: str | None = None, until: str | None = None) -> int:
        """How many articles match, exactly, without ranking them (the total :meth:`search` reports)."""
        return len(self._matches(query, operator, since, until))

    def _matches(self, query: str, operator: Operator, since: str | None, until: str | None):  # type: ignore[no-untyped-def]
        return self._search.matches(self._search.filtered(query, operator, since, until))

    def _facets(self, q: wq.Query, names: Iterable[str], top: int, stories: bool = False) -> dict[str, list[tuple[str, int]]]:
        docnums = self._search.matches(q)
        if stories:
            codes = self._story_codes_of()(docnums)
            return self._facet_counter.story_counts(self.searcher.reader(), docnums, names, codes, top)
        return self._facet_counter.counts(self.searcher.reader(), docnums, names, top)

    def facets(
        self, query: str, names: Iterable[str] = tuple(FACETS), top: int = 10, operator: Operator = "and",
        since: str | None = None, until: str | None = None, stories: bool = False,
    ) -> dict[str, list[tuple[str, int]]]:
        """The ``top`` sources, topics, places or authors of *all* matching articles, with counts.

        ``stories=True`` counts stories, not articles: a story counts once for
        each value any of its matching articles has (forty copies of one report
        from one source count once for it; a story told by three sources counts
        once for each). Raises :class:`NoStoriesError` when the index has no
        stories, or they are behind its articles.
        """
        return self._facets(self._search.filtered(query, operator, since, until), names, top, stories)

    def source_stories(
        self, query: str, top: int = 10, operator: Operator = "and", since: str | None = None,
        until: str | None = None,
    ) -> list[SourceStories]:
        """Per source of the matching articles (the ``top`` with most stories): its articles, its
        stories, the stories it told first and how many of its articles retell a story another
        source told first (copies of a wire report, rewrites), "first" by date as :meth:`trace`
        orders tellings. See :mod:`newsindex.coverage.counting`."""
        return self._source_stories(self._search.filtered(query, operator, since, until), top)

    def _source_stories(self, q: wq.Query, top: int) -> list[SourceStories]:
        from .coverage.counting import source_stories

        docnums = self._search.matches(q)
        codes = self._story_codes_of()(docnums)
        sources = self._facet_counter.value_of(self.searcher.reader(), "source")
        names = self._story_codes.names
        searcher = self.searcher
        # A story's first article is most often among the matches: a lookup by id only for the others.
        matching = dict(zip(self._search.ids_of(docnums), docnums))

        def first_sources(code: int) -> Sequence[str]:
            first = matching.get(names[code])
            if first is None:
                first = searcher.document_number(id=names[code])
            return sources(first) if first is not None else ()

        return source_stories(docnums, codes, sources, first_sources, top)

    def _story_codes_of(self) -> Callable[[Sequence[int]], Sequence[int]]:
        """What gives the story codes of documents (:class:`StoryCodes`), for counting stories; raises
        :class:`NoStoriesError` when the index has no stories or they are behind its articles."""
        store = self._stories.current()
        if store.marker != self._story_state:  # regrouped since the codes were read
            self._story_codes.reset()
            self._timelines.reset()
            self._story_state = store.marker
        reader, ids_of = self.searcher.reader(), self._search.ids_of

        def keys_of(docnums: list[int]) -> list[str]:
            ids = ids_of(docnums)
            refs = store.stories_of(ids, sizes=False)
            return [refs[i].story if i in refs else i for i in ids]

        return lambda docnums: self._story_codes.of(reader.doc_count_all(), docnums, keys_of)

    def overview(
        self, query: str, operator: Operator = "and", since: str | None = None, until: str | None = None,
        top: int = 3,
    ) -> Overview:
        """How many articles and stories match, first and last date, the ``top`` sources, the best hit."""
        from .coverage.overview import Overview, date_range

        docnums = self._matches(query, operator, since, until)
        reader = self.searcher.reader()
        ids = self._search.ids_of(docnums)
        keys = self._stories.keys(ids)
        first, last = date_range(reader, docnums)
        best = self.search(query, limit=1, operator=operator, since=since, until=until, highlight=("", ""))
        return Overview(
            query=query, total=len(docnums), stories=len({keys.get(i, i) for i in ids}), first=first, last=last,
            sources=self._facet_counter.counts(reader, docnums, ["source"], top)["source"], best=best.hits[0] if best.hits else None,
        )

    def timeline(
        self, query: str, by: Granularity = "month", operator: Operator = "and",
        since: str | None = None, until: str | None = None, stories: bool = False,
    ) -> list[Period]:
        """Matching articles per day, week, month or year, empty periods included, with period totals.

        The timeline runs from the first match to the last, or over
        ``since``..``until`` when given (which also filter the matches).
        ``stories=True`` counts stories, not articles: each matching story
        once, in the period of its earliest matching article; a period's total
        is then the number of stories with an article published in it.
        Raises :class:`NoStoriesError` when the index has no stories, or they
        are behind its articles.
        """
        from .ingest.dates import parse_period

        start = parse_period(since)[0] if since else None
        end = parse_period(until)[1] - timedelta(microseconds=1) if until else None
        docnums = self._matches(query, operator, since, until)
        if stories:
            return self._timelines.story_timeline(self.searcher.reader(), docnums, self._story_codes_of(), by, start, end)
        return self._timelines.timeline(self.searcher.reader(), docnums, by, start, end)

    def terms(
        self, query: str, top: int = 20, operator: Operator = "and",
        since: str | None = None, until: str | None = None, stories: bool = False,
    ) -> list[Term]:
        """Words and two-word phrases much more frequent among the matching articles than in the index.

        ``stories=True`` counts stories, not articles: each matching story's
        earliest matching article stands for it, so the words of a report
        copied forty times count once, and ``in_results`` is a number of
        stories. Raises :class:`NoStoriesError` when the index has no stories,
        or they are behind its articles.
        """
        from .coverage.terms import significant_terms

        docnums = self._matches(query, operator, since, until)
        matched = None
        if stories:
            matched = len(docnums)
            codes = self._story_codes_of()(docnums)
            docnums = sorted(self._timelines.earliest(self.searcher.reader(), docnums, codes).values())
        return significant_terms(
            self.searcher, self._search.analysis, docnums, lambda q: len(self._search.matches(q)), top,
            matched=matched,
        )

    def get(self, article_id: str) -> Article:
        """The article with this id, exactly as it was indexed."""
        stored = self.searcher.document(id=article_id) if is_valid_id(article_id) else None
        if stored is None:
            raise ArticleNotFoundError(f"no article with id {article_id!r} in {self.directory}")
        return from_stored(stored["article"])

    def highlighted(self, article_id: str, query: str, marks: tuple[str, str] = ("**", "**"),
                    operator: Operator = "and") -> Article:
        """The article with every match of ``query``'s words and phrases between ``marks`` in its title and body."""
        article = self.get(article_id)
        mark = self._search.marker(query, operator, marks, article.language)
        return dataclasses.replace(article, title=mark(article.title), body=mark(article.body))

    def similar(self, article_id: str, limit: int = 10) -> list[tuple[SimilarArticle, Article]]:
        """The ``limit`` articles most like this one, best first, each with its similarity and article.

        The score is the cosine of the two articles' TF-IDF word vectors: 1.0
        for the same text, about 0.5 to 0.7 for a retelling of the same event,
        under 0.2 for other stories, whatever the query; ``overlap`` (the
        share of three-word sequences in common) tells a copy from a retelling.
        See :mod:`newsindex.stories.similar`.
        """
        from .stories.similar import similar
        from .stories.vectors import ContentWords

        loaded = {article_id: self.get(article_id)}  # the one-line error for an unknown id names the index
        if self._content_words is None:
            self._content_words = ContentWords(self.language, known=self._stems.of)
        found = similar(self.searcher, article_id, limit, self._stories.reading(), self.language,
                        words=self._content_words, loaded=loaded)
        return [(item, loaded.get(item.id) or self.get(item.id)) for item in found]

    def story(self, article_or_story_id: str) -> tuple[str, list[Article]]:
        """The story an article belongs to (or a story by its id): its id and its articles, oldest first.

        Stories are formed as articles are indexed (:mod:`newsindex.stories`):
        copies, corrections and close retellings of one event, found without
        comparing every pair.
        """
        found = self._stories.story(article_or_story_id) if is_valid_id(article_or_story_id) else None
        if found is None:
            self.get(article_or_story_id)  # an unknown id is the clearer error
            raise NewsIndexError(f"article {article_or_story_id!r} is in no story yet (index it again to group it)")
        story, members = found
        return story, [self.get(member) for member in members]

    def story_stats(self) -> StoryStats | None:
        """How articles are grouped into stories (None for an index without a story store)."""
        return self._stories.stats()

    def compare(self, id_a: str, id_b: str | None = None) -> Comparison:
        """What the articles ``id_a`` and ``id_b`` say differently, and what changed inside what both say
        (see :mod:`newsindex.stories.compare`).

        With one id, that article is B and A is the earlier telling it most
        likely corrects or rewrites: the closest earlier article of its story
        (or one at least as similar), with the reason in ``chosen`` (see
        :mod:`newsindex.stories.earlier`).
        """
        from .stories.compare import compare as compare_tellings
        from .stories.earlier import CANDIDATES as EARLIER_CANDIDATES, compare_with_earlier

        if id_b is not None:
            return compare_tellings(self.get(id_a), self.get(id_b), language=self.language)
        article = self.get(id_a)
        story = self._stories.story(id_a)
        members = story[1] if story else []
        return compare_with_earlier(article, self.similar(id_a, EARLIER_CANDIDATES), members, self.language)

    def trace(self, claim: str, limit: int | None = None) -> Trace:
        """Every article carrying ``claim`` exactly, nearly or retold, oldest first, the earliest marked
        and each later one lined up word by word with it (see :mod:`newsindex.stories.trace`).

        The claim's words are analysed in its language, as the articles of that language were
        indexed; a claim too short to tell (a few words of the Latin alphabet) is traced in each."""
        from .ingest.languages import detect_language

        return self._trace(claim, detect_language(claim), limit)

    def trace_sentence(self, article_id: str, number: int, limit: int | None = None) -> Trace:
        """:meth:`trace` of sentence ``number`` of an article (0 is its title; see :meth:`sentences`),
        analysed in the article's language."""
        from .stories.trace import sentence_of

        article = self.get(article_id)
        found = self._trace(sentence_of(article, number), article.language, limit)
        return dataclasses.replace(found, origin=(article_id, number))

    def _trace(self, claim: str, code: str, limit: int | None) -> Trace:
        """The trace of ``claim`` in the language ``code``; in every language the index holds when it is unknown."""
        from .stories.trace import Tracer, merged

        analyses = [self._search.analysis(code)] if code else self._search.parser.analyses
        traces = []
        for analysis in analyses:
            tracer = self._tracers.get(analysis.code)
            if tracer is None:
                tracer = self._tracers[analysis.code] = Tracer(analysis.analyzer, analysis.stop_words)
            traces.append(self._traced(tracer, claim, limit if len(analyses) == 1 else None))
        return traces[0] if len(traces) == 1 else merged(claim, traces, limit)

    def _traced(self, tracer: Tracer, claim: str, limit: int | None) -> Trace:
        """One tracer's trace of ``claim`` over this index (a collection traces over its shards)."""
        return tracer.trace(claim, self.searcher, self._search.match_set, limit)

    def sentences(self, article_id: str) -> list[Sentence]:
        """The article's sentences as :meth:`compare` and :meth:`trace_sentence` number them."""
        from .stories.sentences import article_sentences

        return [located.sentence for located in article_sentences(self.get(article_id))]

    def stats(self) -> IndexStats:
        """Counts, date range, sources and size on disk."""
        return collect_stats(self.searcher.reader(), self.directory)

    def _stored(self, article_id: str) -> Article:
        return self.get(article_id)

    # -- the parts of a search a collection of shards puts together (newsindex.collection) --------
    #
    # Each answers with plain values (numbers, ids, articles, Whoosh queries), so a shard can be
    # searched in this process or on a cluster's worker alike.

    def query(self, query: str, operator: Operator = "and", since: str | None = None, until: str | None = None) -> wq.Query:
        """The query string as the Whoosh query every shard runs (``since``/``until`` as a date filter)."""
        return self._search.filtered(query, operator, since, until)

    def statistics(self, q: wq.Query) -> Statistics:
        """This index's share of the collection statistics ``q`` is scored with."""
        return self._search.statistics(q)

    def ranked(self, q: wq.Query, sort: Sort, limit: int, statistics: Statistics | None = None) -> Ranked:
        """The exact number of matches and the best ``limit``, each as (order key, seq, docnum, score).

        The order key sorts ascending in ``sort`` order (minus the score; minus
        or plus the date, undated last), ``seq`` is the article's place in its
        collection's order (:func:`~newsindex.store.schema.to_document`): the
        hits of several shards merge in one index's order by (key, seq).
        """
        found = self._search.top(q, sort, limit, statistics)
        docnums = found.docnums()
        order = self._places(docnums)
        if sort == "relevance":
            keys = [-score for score, _ in found.items]
        else:
            dates = self._column("published")
            keys = [-dates[d] if sort == "date" else (dates[d] if dates[d] != UNDATED else 2**63) for d in docnums]
        return len(found), [(key, order[d], d, score) for key, d, (score, _) in zip(keys, docnums, found.items)]

    def snippet_words(self, q: wq.Query) -> frozenset[str]:
        """The words snippets of this index's hits mark for ``q`` (its prefixes expanded here)."""
        return self._search.snippet_words(q)

    def matching(self, q: wq.Query) -> list[tuple[int, int]]:
        """(seq, docnum) of every match of ``q``, in document order."""
        docnums = self._search.matches(q)
        order = self._places(docnums)
        return [(order[d], d) for d in docnums]

    def articles(self, docnums: Iterable[int]) -> list[Article]:
        """The stored articles of these documents."""
        searcher = self.searcher
        return [from_stored(searcher.stored_fields(d)["article"]) for d in docnums]

    def value_counts(self, q: wq.Query, names: Iterable[str]) -> Counts:
        """Every value of these facets among the matches, with counts and where each was first seen."""
        docnums = self._search.matches(q)
        return self._facet_counter.values(self.searcher.reader(), docnums, names, self._places(docnums))

    def period_counts(self, q: wq.Query, by: Granularity) -> tuple[Counter, Counter]:
        """Matching articles, and all articles, per period."""
        return self._timelines.counts(self.searcher.reader(), self._search.matches(q), by)

    def word_frequencies(self, stem: str) -> tuple[int, int]:
        """A stem's document frequencies in body and in title (similarity and terms weigh by the larger)."""
        reader = self.searcher.reader()
        return reader.doc_frequency("body", stem), reader.doc_frequency("title", stem)

    def ids_at(self, docnums: list[int]) -> list[str]:
        """The ids of these documents (from the id column, no stored article read)."""
        return self._search.ids_of(docnums)

    def committed(self) -> int:
        """The number of the index's last commit (what a reader opened now reads)."""
        return self._ix.latest_generation()

    def content_hashes(self) -> dict[str, str]:
        """id -> content hash of every indexed article."""
        return content_hashes(self._ix)

    def languages(self) -> list[str]:
        """The language codes of the indexed articles (the query parser looks a word up in each)."""
        return list(self.searcher.reader().field_terms("language"))

    def date_range(self, docnums: list[int]) -> tuple[datetime | None, datetime | None]:
        """The first and last publication time among these documents."""
        from .coverage.overview import date_range

        return date_range(self.searcher.reader(), docnums)

    def word_forms(self, stem: str) -> set[str]:
        """The stem and the forms derived from it that this index's words hold (as a trace looks for them)."""
        from .stories.trace import word_forms

        return word_forms(stem, self.searcher.reader())

    def phrase_frequency(self, first: str, second: str) -> int:
        """How many articles have the two words as a phrase in title or body."""
        from .coverage.terms import phrase_query

        return len(self._search.matches(phrase_query(first, second)))

    def story_rows(self, q: wq.Query | None, names: Sequence[str]) -> tuple[int, list[tuple[int, int, int, list[list[str]]]]]:
        """The number of document numbers, and (seq, docnum, day, the values of each facet in ``names``)
        of every match of ``q`` (of every article when None), ``day`` as
        :meth:`~.coverage.timeline.Timelines.day_numbers` gives it: what a collection counts stories
        by, its shards not knowing their articles' stories (it asks :meth:`ids_at` for the ids of
        the documents whose story it has not read yet)."""
        reader = self.searcher.reader()
        docnums = list(reader.all_doc_ids()) if q is None else self._search.matches(q)
        if not docnums:  # (an empty shard has no columns to read)
            return reader.doc_count_all(), []
        order, days = self._places(docnums), self._timelines.day_numbers(reader, docnums)
        values = [self._facet_counter.value_of(reader, name) for name in names]
        return reader.doc_count_all(), [(order[d], d, days[d], [value(d) for value in values]) for d in docnums]

    def values_of(self, ids: Sequence[str], name: str) -> list[list[str]]:
        """Each article's values of facet ``name`` (none for an id not here)."""
        searcher = self.searcher
        value = self._facet_counter.value_of(searcher.reader(), name)
        docnums = [searcher.document_number(id=article_id) for article_id in ids]
        return [value(d) if d is not None else [] for d in docnums]

    def more_like(self, body_terms: list[str], title_terms: list[str]) -> list[Article]:
        """The articles "more like this" finds here for these key terms (see :func:`~.stories.similar.key_terms`)."""
        from .stories.similar import more_like

        return self.articles(sorted(set(more_like(self.searcher, body_terms, title_terms))))

    def _places(self, docnums: Sequence[int]) -> array[int]:
        """Each document's place in its collection's order (``seq``), those of ``docnums`` read from the
        column if not yet, and kept until the index changes: a collection's counts ask for those of
        every match, again with every query, and a column read costs several microseconds."""
        if self._seqs is None:
            self._seqs = array("q", [-1]) * self.searcher.reader().doc_count_all()
        seqs, column = self._seqs, None
        for docnum in docnums:
            if seqs[docnum] < 0:
                if column is None:
                    column = self._column("seq")
                seqs[docnum] = column[docnum]
        return seqs

    def _column(self, name: str):  # type: ignore[no-untyped-def]
        """A column of the current searcher, opened once per index state (opening one costs more than
        reading the few values a search needs). An index with no articles has no columns (a shard
        of a small collection can be empty): nothing to read."""
        column = self._columns.get(name)
        if column is None:
            reader = self.searcher.reader()
            column = self._columns[name] = reader.column_reader(name) if reader.has_column(name) else []
        return column
