"""Collection: the shards of one archive, searched and written as one index.

Every method answers as :class:`~newsindex.index.NewsIndex` would for one index
holding all the collection's articles (same ids, same order, same totals,
same counts and stories), by putting together what each shard answers:

* **search** is Elasticsearch's "DFS query then fetch": first every shard
  reports its collection statistics for the query (document count, document
  frequencies of its words, field lengths) and they are added up; then every
  shard ranks its matches with those global figures and returns its best
  ``page * limit`` as (order key, seq, document); the lists are merged by
  (key, seq) -- ``seq`` being the order the articles arrived in, which is
  the order one index ranks equal scores in -- and only the hits of the page
  shown are fetched. Totals add up.
* **facets, timelines, terms, similar** add up counts, first-seen places and
  document frequencies of every shard before choosing.
* **stories** live in one story store at the collection level (beside the
  manifest), fed with every written article in the order of arrival, so the
  tellings of one event group together whatever shard each went to.

Shards are opened in this process (:class:`~.shards.LocalShards`) or kept open
by the workers of a Dask cluster (:class:`~.cluster.ClusterShards`).
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
from collections import Counter
from contextlib import ExitStack
from datetime import datetime, timedelta
from heapq import merge
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from whoosh import query as wq

from ..coverage.counting import SourceStories
from ..coverage.facets import Counts, check_facets, merge_counts, top_values
from ..coverage.stats import IndexStats, files_size
from ..coverage.terms import Term, even_sample, significant
from ..coverage.timeline import Granularity, Period, check_granularity, timeline as periods
from ..errors import ArticleNotFoundError, NewsIndexError, ReadError
from ..index import COMMIT_EVERY, IndexingInterrupted, IndexSummary, NewsIndex
from ..ingest.article import Article
from ..ingest.dates import parse_period
from ..search import ranking
from ..search.query import Operator
from ..search.results import Results
from ..search.searching import Searching, Sort, check_page, collapse, make_hits
from ..search.snippets import mark_all, query_phrases
from ..search.statistics import Statistics
from ..store.directory import locked
from ..store.checksums import Damage
from ..store.locking import WriteLock
from ..store.schema import FACETS, build_schema
from ..stories.similar import SimilarArticle, key_terms, rank_similar, with_overlap
from ..stories.store import FILE_NAME as STORY_STORE, REGROUP, StoryStats
from ..stories.tellings import FILES as STORY_FILES, Tellings, check_store
from ..stories.trace import Trace, Tracer
from ..stories.vectors import ContentWords
from ..text.stems import AnyStems, FirstKnown
from ..version import __version__
from .manifest import Manifest, is_collection, old_shards, shard_of
from .shards import LocalShards
from .story_counts import StoryCounts

if TYPE_CHECKING:
    from ..coverage.overview import Overview

#: One hit of a merged ranking: (order key, seq, shard, docnum, score).
Ranked = tuple[float, int, int, int, "float | None"]


class Collection:
    """A collection of shards in one directory, with the methods of :class:`NewsIndex`.

    Open it with :meth:`open` or :meth:`create` (or :func:`open_any`, which
    opens whatever is in a directory); use it as a context manager.
    """

    def __init__(self, directory: Path, manifest: Manifest, shards: Any) -> None:
        self.directory = directory
        self.manifest = manifest
        self.language = manifest.language
        self._shards = shards
        #: The stems the shards' words were given, so that searches need not load NLTK (as one index's).
        self._stems = AnyStems(manifest.shard_paths(directory))
        #: Parses queries once for every shard, in the languages the shards hold.
        self._search = Searching(build_schema(self.language), self.language, lambda: None, languages=self._languages,
                                 known_stems=self._known_stems)
        self._stories = Tellings(directory, self.language, self.generation, self.get)
        self._story_counts = StoryCounts(self._shards, self._stories)
        #: Tracers of claims, one per language, as :class:`NewsIndex` keeps them.
        self._tracers: dict[str, Tracer] = {}
        #: The content words ``similar`` compares articles by, kept between calls as :class:`NewsIndex` keeps them.
        self._content_words = ContentWords(self.language, known=self._known_stems)

    def _known_stems(self, language: str) -> FirstKnown:
        return self._stems.of(language)

    # -- opening -----------------------------------------------------------

    @classmethod
    def create(
        cls, directory: str | os.PathLike[str], shards: int = 2, language: str = "english", overwrite: bool = False
    ) -> "Collection":
        """Create an empty collection of ``shards`` shards in ``directory``.

        An existing collection or index there is only replaced with ``overwrite=True``.
        """
        path = Path(directory)
        if is_collection(path) and not overwrite:
            raise NewsIndexError(f"{path}: an index already exists (use overwrite/--rebuild to replace it)")
        manifest = Manifest.new(shards, language, f"newsindex {__version__}")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise NewsIndexError(f"{path}: cannot create a collection here: {exc.strerror or exc}") from None
        if (path / "newsindex.json").exists():
            raise NewsIndexError(f"{path}: a single index is here; a collection needs a directory of its own")
        with locked(path, wait=0.0):
            for old in old_shards(path):
                shutil.rmtree(old)
            for leftover in path.glob(STORY_FILES):
                leftover.unlink()
            for shard in manifest.shard_paths(path):
                NewsIndex.create(shard, language, overwrite=True).close()
            manifest.write(path)
        return cls.open(path)

    @classmethod
    def open(cls, directory: str | os.PathLike[str], shards: Any = None) -> "Collection":
        """Open an existing collection; its shards here, or ``shards`` (a cluster's, see
        :func:`newsindex.collection.cluster.open_on_cluster`)."""
        path = Path(directory)
        manifest = Manifest.read(path)
        if shards is None:
            shards = LocalShards(manifest.shard_paths(path), path)
        return cls(path, manifest, shards)

    @classmethod
    def open_or_create(cls, directory: str | os.PathLike[str], shards: int = 2, language: str = "english") -> "Collection":
        if is_collection(directory):
            return cls.open(directory)
        return cls.create(directory, shards, language)

    @staticmethod
    def check(directory: str | os.PathLike[str]) -> list[Damage]:
        """Every damaged file of the collection in ``directory``, as :meth:`NewsIndex.check`: each
        shard's (named with its folder, ``shard-001/...``) and the collection's story store."""
        path = Path(directory)
        damaged = []
        for shard in Manifest.read(path).shard_paths(path):
            damaged += [Damage(f"{shard.name}/{damage.name}", damage.problem) for damage in NewsIndex.check(shard)]
        problem = check_store(path)
        if problem:
            damaged.append(Damage(STORY_STORE, f"{problem}; {REGROUP}"))
        return damaged

    def close(self) -> None:
        self._stories.close()
        self._shards.close()
        self._stems.close()

    def __enter__(self) -> "Collection":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return sum(self._shards.each("__len__"))

    def __contains__(self, article_id: object) -> bool:
        """Whether an article with this id is in its shard (``"reuters-1" in collection``)."""
        return isinstance(article_id, str) and self._shards.one(shard_of(article_id, self.shard_count), "__contains__", article_id)

    @property
    def shard_count(self) -> int:
        return len(self.manifest.shards)

    def generation(self) -> str:
        """The commits the shards read, together (what the story store records it matches; with the
        directory, the exact state a search answered from, for exports and caches)."""
        return ".".join(str(g) for g in self._shards.each("generation"))

    def refresh(self) -> bool:
        """Catch up with commits made since the shards were opened, as :meth:`NewsIndex.refresh`; True if any.

        A collection rebuilt meanwhile (its manifest names other shards) is opened again, as a
        long-lived reader of one index reads the rebuilt index.
        """
        manifest = Manifest.read(self.directory)
        if manifest.shards != self.manifest.shards and isinstance(self._shards, LocalShards):
            shards = LocalShards(manifest.shard_paths(self.directory), self.directory)
            self._shards.close()
            self._stories.close()
            self._stems.close()
            self._stems = AnyStems(manifest.shard_paths(self.directory))
            self.manifest, self._shards = manifest, shards
            self._story_counts = StoryCounts(shards, self._stories)
            return True
        return any(self._shards.each("refresh"))

    # -- writing -----------------------------------------------------------

    def add(
        self,
        items: Iterable[Article | ReadError],
        commit_every: int | None = COMMIT_EVERY,
        wait: float = 0.0,
        group: bool = True,
        step: Callable[[str], None] | None = None,
    ) -> IndexSummary:
        """Index articles in this process, each into its shard; as :meth:`NewsIndex.add` (``step``: what
        the run does once every article is read).

        For large runs use :func:`newsindex.collection.building.build` (``newsindex
        index --shards``), which spreads the work over a Dask cluster. Every shard
        commits when the run has written ``commit_every`` articles (and at the
        end), then the stories; an error or Ctrl-C rolls back every shard's
        open batch, so each is as at its last commit.
        """
        summary = IndexSummary()
        with self.writing(wait, group) as run:
            with run.guarded():
                for item in items:
                    if isinstance(item, ReadError):
                        summary.failed.append(item)
                    elif run.add(item) and commit_every and run.pending >= commit_every:
                        run.commit()
                run.end(step)
        return run.summary(summary)

    def writing(self, wait: float = 0.0, group: bool = True) -> "CollectionRun":
        """A run over every shard, holding the collection's write lock (a second writer is refused)."""
        return CollectionRun(self, wait, group)

    def delete(self, ids: Iterable[str], wait: float = 0.0) -> int:
        """Delete articles by id from their shards (and from their stories); return how many."""
        ids = list(ids)
        by_shard: dict[int, list[str]] = {}
        for article_id in ids:
            by_shard.setdefault(shard_of(article_id, self.shard_count), []).append(article_id)

        def delete() -> int:
            return sum(self._shards.one(shard, "delete", found, wait) for shard, found in by_shard.items())

        with locked(self.directory, wait):
            known = self._known()
            return self._stories.remove(ids, known, delete)

    def _known(self) -> dict[str, str]:
        known: dict[str, str] = {}
        for hashes in self._shards.each("content_hashes"):
            known.update(hashes)
        return known

    # -- searching ---------------------------------------------------------

    def parse(self, query: str, operator: Operator = "and", feedback: bool = False) -> wq.Query:
        """The Whoosh query every shard runs (with feedback: expanded from the collection's best hits)."""
        q = self._search.parse(query, operator)
        return self._expand(q) if feedback else q

    def _statistics(self, q: wq.Query) -> Statistics:
        """The collection statistics of ``q``: every shard's share, added up (the "DFS" phase)."""
        found = Statistics()
        for part in self._shards.each("statistics", q):
            found = found.merge(part)
        return found

    def _top(self, q: wq.Query, sort: Sort, limit: int) -> tuple[int, list[Ranked]]:
        """The exact number of matches and the best ``limit`` hits of the whole collection."""
        statistics = self._statistics(q)  # date orders show scores too
        answers = self._shards.each("ranked", q, sort, limit, statistics)
        total = sum(count for count, _ in answers)
        lists = [[(key, seq, shard, docnum, score) for key, seq, docnum, score in best]
                 for shard, (_, best) in enumerate(answers)]
        return total, list(merge(*lists))[:limit]

    def _expand(self, q: wq.Query) -> wq.Query:
        """``q`` re-weighted by pseudo-relevance feedback from the collection's best hits."""
        _, best = self._top(q, "relevance", ranking.FEEDBACK_DOCS)
        articles = self._fetch(best)
        return ranking.feedback(
            q, [(a, hit[4] or 0.0) for a, hit in zip(articles, best)], self._search.analysis,
        )

    def _fetch(self, hits: list[Ranked]) -> list[Article]:
        """The articles of these hits, in their order (each read from its shard)."""
        return self._from_shards([(hit[2], hit[3]) for hit in hits], "articles")

    def _from_shards(self, places: list[tuple[int, int]], method: str) -> list[Any]:
        """``method``'s answer for each (shard, docnum), in their order: one call per shard with all its
        docnums, the shards asked at once (on a cluster, one round trip)."""
        by_shard: dict[int, list[int]] = {}
        for shard, docnum in places:
            by_shard.setdefault(shard, []).append(docnum)
        asked = self._shards.several([(shard, method, (docnums,)) for shard, docnums in by_shard.items()])
        answers = {shard: iter(answer) for shard, answer in zip(by_shard, asked)}
        return [next(answers[shard]) for shard, _ in places]

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
        """Search every shard; one page of hits and the exact total, as :meth:`NewsIndex.search`."""
        check_page(limit, page, sort)
        q = self._search.filtered(query, operator, since, until)
        ranked = self._expand(q) if feedback and sort == "relevance" else q
        if collapse:
            total, shown = self._collapsed(ranked, sort, page, limit)
        else:
            total, best = self._top(ranked, sort, page * limit)
            shown = best[(page - 1) * limit : page * limit]
        articles = self._fetch(shown)
        refs = self._stories.refs([a.id for a in articles]) if articles else {}
        hits = self._hits(q, articles, shown, (page - 1) * limit + 1, highlight, refs)
        facets = list(facets)
        counts = self._facets(q, facets, facet_limit, stories) if facets else {}
        results = Results(query=query, total=total, page=page, limit=limit, hits=hits, facets=counts)
        if stories and "source" in facets:
            results = dataclasses.replace(results, source_stories=self._story_counts.sources(q, facet_limit))
        return results

    def _languages(self) -> set[str]:
        """The language codes of every shard's articles (the query parser looks words up in each)."""
        return set().union(*self._shards.each("languages"))

    def _words(self, q: wq.Query) -> frozenset[str]:
        """The words snippets mark for ``q``, prefixes expanded over every shard's words. Worked out while
        the shards are open: a snippet may be read after the collection is closed (the command line
        closes it before printing)."""
        return frozenset().union(*self._shards.each("snippet_words", q))

    def _hits(self, q: wq.Query, articles: list[Article], shown: list[Ranked], first: int,
              highlight: tuple[str, str], stories: Any) -> list[Any]:
        words = self._words(q) if shown else frozenset()
        return make_hits(articles, [hit[4] for hit in shown], first, words, q, highlight, stories, self._search.analysis)

    def highlighted(self, article_id: str, query: str, marks: tuple[str, str] = ("**", "**"),
                    operator: Operator = "and") -> Article:
        """The article with every match of ``query``'s words and phrases marked, as :meth:`NewsIndex.highlighted`."""
        article = self.get(article_id)
        q = self.parse(query, operator)
        analyzer = self._search.analysis(article.language).analyzer
        words, phrases = self._words(q), query_phrases(q, ranking.TEXT_FIELDS)

        def mark(text: str) -> str:
            return mark_all(text, analyzer, words, marks, phrases)

        return dataclasses.replace(article, title=mark(article.title), body=mark(article.body))

    def hits(
        self, query: str, sort: Sort = "relevance", operator: Operator = "and", since: str | None = None,
        until: str | None = None, highlight: tuple[str, str] = ("", ""), feedback: bool = False,
        collapse: bool = False, limit: int | None = None, batch: int = 500,
    ) -> Iterator[Any]:
        """Every hit of the query (or the first ``limit``), in :meth:`search`'s order, for exports, as
        :meth:`NewsIndex.hits`: the ranking merged once, articles read ``batch`` at a time."""
        check_page(batch, 1, sort)
        q = self._search.filtered(query, operator, since, until)
        ranked = self._expand(q) if feedback and sort == "relevance" else q
        wanted = limit if limit is not None else max(self.count(query, operator, since, until), 1)
        if collapse:
            _, order = self._collapsed(ranked, sort, 1, wanted)
        else:
            order = self._top(ranked, sort, wanted)[1]
        for start in range(0, len(order), batch):
            shown = order[start : start + batch]
            articles = self._fetch(shown)
            yield from self._hits(q, articles, shown, start + 1, highlight, self._stories.refs([a.id for a in articles]))

    def overview(
        self, query: str, operator: Operator = "and", since: str | None = None, until: str | None = None,
        top: int = 3,
    ) -> Overview:
        """How many articles and stories match, first and last date, the ``top`` sources, the best hit,
        as :meth:`NewsIndex.overview`: counted over every shard."""
        from ..coverage.overview import Overview
        q = self._search.filtered(query, operator, since, until)
        ids: list[str] = []
        firsts, lasts = [], []
        for shard, found in enumerate(self._shards.each("matching", q)):
            if not found:  # nothing to read (a shard with no articles has no columns to read it from)
                continue
            docnums = [docnum for _, docnum in found]
            ids += self._shards.one(shard, "ids_at", docnums)
            first, last = self._shards.one(shard, "date_range", docnums)
            firsts += [first] if first else []
            lasts += [last] if last else []
        keys = self._stories.keys(ids)
        best = self.search(query, limit=1, operator=operator, since=since, until=until, highlight=("", ""))
        return Overview(
            query=query, total=len(ids), stories=len({keys.get(i, i) for i in ids}), first=min(firsts, default=None),
            last=max(lasts, default=None), sources=self._facets(q, ["source"], top)["source"],
            best=best.hits[0] if best.hits else None,
        )

    def _collapsed(self, q: wq.Query, sort: Sort, page: int, limit: int) -> tuple[int, list[Ranked]]:
        def top(depth: int) -> tuple[range, list[Ranked], list[str]]:
            total, best = self._top(q, sort, depth)
            return range(total), best, self._ids(best)

        found, shown = collapse(top, page, limit, self._stories.keys)
        return len(found), shown

    def _ids(self, hits: list[Ranked]) -> list[str]:
        return self._from_shards([(hit[2], hit[3]) for hit in hits], "ids_at")

    def ids(self, query: str, limit: int = 10, operator: Operator = "and", feedback: bool = False) -> list[str]:
        """The ids of the ``limit`` best matches, best first, as :meth:`NewsIndex.ids`."""
        return self._ids(self._top(self.parse(query, operator, feedback), "relevance", limit)[1])

    def count(self, query: str, operator: Operator = "and", since: str | None = None, until: str | None = None) -> int:
        """How many articles match, exactly."""
        q = self._search.filtered(query, operator, since, until)
        return sum(len(found) for found in self._shards.each("matching", q))

    def _facets(self, q: wq.Query, names: Iterable[str], top: int, stories: bool = False) -> dict[str, list[tuple[str, int]]]:
        names = check_facets(names)
        if stories:
            return self._story_counts.facets(q, names, top)
        merged: Counts = {}
        for counts in self._shards.each("value_counts", q, names):
            merged = merge_counts(merged, counts)
        return top_values(merged, top)

    def facets(
        self, query: str, names: Iterable[str] = tuple(FACETS), top: int = 10, operator: Operator = "and",
        since: str | None = None, until: str | None = None, stories: bool = False,
    ) -> dict[str, list[tuple[str, int]]]:
        """The ``top`` sources, topics, places or authors of *all* matching articles, with counts
        (``stories=True``: each story once per value, as :meth:`NewsIndex.facets`)."""
        return self._facets(self._search.filtered(query, operator, since, until), names, top, stories)

    def timeline(
        self, query: str, by: Granularity = "month", operator: Operator = "and",
        since: str | None = None, until: str | None = None, stories: bool = False,
    ) -> list[Period]:
        """Matching articles per day, week, month or year, with period totals: the shards' counts added
        (``stories=True``: stories, each in the period of its earliest matching article, as
        :meth:`NewsIndex.timeline`)."""
        check_granularity(by)
        start = parse_period(since)[0] if since else None
        end = parse_period(until)[1] - timedelta(microseconds=1) if until else None
        q = self._search.filtered(query, operator, since, until)
        if stories:
            return self._story_counts.timeline(q, by, start, end)
        matched: Counter[datetime] = Counter()
        totals: Counter[datetime] = Counter()
        for counts, all_counts in self._shards.each("period_counts", q, by):
            matched.update(counts)
            totals.update(all_counts)
        return periods(matched, totals, by, start, end)

    def terms(
        self, query: str, top: int = 20, operator: Operator = "and",
        since: str | None = None, until: str | None = None, stories: bool = False,
    ) -> list[Term]:
        """Words and two-word phrases much more frequent among the matches than in the collection.

        The sample of matching articles is the one one index would take: evenly
        spread over all matches in the order of arrival (``stories=True``: over each matching story's
        earliest matching article, as :meth:`NewsIndex.terms`).
        """
        q = self._search.filtered(query, operator, since, until)
        matched = None
        if stories:
            matched, places = self._story_counts.first_tellings(q)
        else:
            places = [(shard, docnum) for _, shard, docnum in sorted(
                (seq, shard, docnum) for shard, found in enumerate(self._shards.each("matching", q)) for seq, docnum in found
            )]
        articles = self._from_shards(list(even_sample(places)), "articles")
        return significant(
            articles, len(places), len(self), self._word_frequency,
            lambda a, b: sum(self._shards.each("phrase_frequency", a, b)),
            self._search.analysis, top, matched,
        )

    def source_stories(self, query: str, top: int = 10, operator: Operator = "and", since: str | None = None,
                       until: str | None = None) -> list[SourceStories]:
        """Per source of the matching articles, its articles, stories, stories told first and articles
        retelling another source's story, as :meth:`NewsIndex.source_stories`."""
        return self._story_counts.sources(self._search.filtered(query, operator, since, until), top)

    def _word_frequency(self, stem: str) -> int:
        """The larger of the stem's document frequencies in body and in title, each summed over shards."""
        body, title = (sum(found) for found in zip(*self._shards.each("word_frequencies", stem)))
        return max(body, title)

    def get(self, article_id: str) -> Article:
        """The article with this id, from its shard."""
        try:
            return self._shards.one(shard_of(article_id, self.shard_count), "get", article_id)
        except ArticleNotFoundError:
            raise ArticleNotFoundError(f"no article with id {article_id!r} in {self.directory}") from None

    def similar(self, article_id: str, limit: int = 10) -> list[tuple[SimilarArticle, Article]]:
        """The ``limit`` articles most like this one, as :meth:`NewsIndex.similar`: from the collection's
        story store, else "more like this" on every shard, scored with the shards' frequencies added."""
        article = self.get(article_id)
        loaded: dict[str, Article] = {}
        store = self._stories.reading()
        found = store.similar(article_id, limit) if store is not None else None
        if found is None:
            terms = key_terms(article, self._word_frequency, len(self), self._content_words)
            loaded = {a.id: a for part in self._shards.each("more_like", *terms) for a in part}
            loaded.pop(article_id, None)
            found = rank_similar(article, loaded.values(), self._word_frequency, len(self), self._content_words, limit)

        def load(other_id: str) -> Article | None:
            if other_id not in loaded:
                try:
                    loaded[other_id] = self.get(other_id)
                except ArticleNotFoundError:
                    return None
            return loaded[other_id]

        return [(item, loaded.get(item.id) or self.get(item.id))
                for item in with_overlap(article, found, load, self._content_words)]

    def story(self, article_or_story_id: str) -> tuple[str, list[Article]]:
        """The story an article belongs to (or a story by its id), across every shard."""
        found = self._stories.story(article_or_story_id)
        if found is None:
            self.get(article_or_story_id)
            raise NewsIndexError(f"article {article_or_story_id!r} is in no story yet (index it again to group it)")
        story, members = found
        return story, [self.get(member) for member in members]

    def story_stats(self) -> StoryStats | None:
        return self._stories.stats()

    # One index's code, which asks only for articles, similar ones, stories and a trace over the
    # articles (:meth:`_traced`): a collection answers those.
    compare = NewsIndex.compare
    trace = NewsIndex.trace
    trace_sentence = NewsIndex.trace_sentence
    _trace = NewsIndex._trace
    sentences = NewsIndex.sentences

    def _traced(self, tracer: Tracer, claim: str, limit: int | None) -> Trace:
        """A tracer's trace of ``claim`` over every shard, as over one index of the same articles: the
        claim's word forms from every shard's words, candidates numbered by arrival."""
        where: dict[int, tuple[int, int]] = {}

        def matches(q: wq.Query) -> set[int]:
            found = set()
            for shard, pairs in enumerate(self._shards.each("matching", q)):
                for seq, docnum in pairs:
                    where[seq] = (shard, docnum)
                    found.add(seq)
            return found

        def load(seqs: list[int]) -> list[Article]:
            return self._fetch([(0.0, seq, *where[seq], None) for seq in seqs])

        def forms(stem: str) -> set[str]:
            return set().union(*self._shards.each("word_forms", stem))

        return tracer.trace_in(claim, forms, matches, len(self), load, limit)

    def stats(self) -> IndexStats:
        """Counts, date range and sources of every shard added up; size on disk of the whole collection."""
        total = IndexStats()
        for part in self._shards.each("stats"):
            total = total.merge(part)
        total.size_bytes += files_size(self.directory)
        return total


class CollectionRun:
    """One indexing run over every shard of a collection: :meth:`add` routes each article to its shard
    with its place in the order of arrival; :meth:`commit` commits every shard, then the stories.

    Used as a context manager: the collection's write lock and every shard's
    run are held until it ends; what is not committed then is rolled back.
    """

    def __init__(self, collection: Collection, wait: float, group: bool) -> None:
        self.collection = collection
        self._wait = wait
        self._group = group
        self._stack = ExitStack()
        self._indexes: list[NewsIndex] = []
        self.runs: list[Any] = []
        self.stories: Any = None
        self.seq = collection.manifest.next_seq
        self.pending = 0

    def __enter__(self) -> "CollectionRun":
        collection = self.collection
        stack = self._stack
        try:
            lock = WriteLock(collection.directory)
            lock.acquire(self._wait)
            stack.callback(lock.release)
            self._indexes = collection._shards.indexes
            self.runs = [stack.enter_context(ix.writing(self._wait, group=False, procs=1)) for ix in self._indexes]
            if self._group:
                self.stories = collection._stories.grouping(collection._known(), parallel=False)
                stack.callback(self.stories.close)
        except BaseException:
            stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def add(self, article: Article) -> bool:
        """Route one article to its shard; return whether it was written (new or changed)."""
        shard = shard_of(article.id, len(self.runs))
        written = self.runs[shard].add(article, self.seq)
        self.seq += 1
        if written:
            self.pending += 1
            if self.stories is not None:
                self.stories.assign(article)
        return written

    def commit(self) -> None:
        """Commit every shard, then the stories (marked with the shards' generations)."""
        if self.stories is not None:
            self.stories.catch_up()
        for run in self.runs:
            run.commit()
        self.pending = 0
        if self.stories is not None:  # the commits just made (the shards' readers still read the ones before)
            self.stories.commit(".".join(str(ix.committed()) for ix in self._indexes))
        self.collection.manifest.next_seq = self.seq
        self.collection.manifest.write(self.collection.directory)

    def end(self, step: Callable[[str], None] | None = None) -> None:
        if step is not None:
            step(f"writing the last {self.pending:,} articles")
        self.commit()
        if self.stories is not None:
            self.stories.finish(None if step is None else lambda left: step(f"grouping stories: {left:,} articles left"))

    def guarded(self) -> Any:
        """Steps of the run; any error rolls back every shard's open batch and the stories."""
        return _Guard(self)

    def summary(self, own: IndexSummary) -> IndexSummary:
        """The run's summary: ``own`` (the readers' errors) with every shard's added in."""
        return merge_summaries([own, *(run.summary for run in self.runs)])


class _Guard:
    def __init__(self, run: CollectionRun) -> None:
        self.run = run

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> bool:
        if kind is None:
            return False
        rolled_back = sum(run.batch.cancel() for run in self.run.runs)
        if self.run.stories is not None:
            try:
                self.run.stories.rollback()
            except Exception:  # noqa: BLE001 - the original error is the one to report
                pass
        if kind is KeyboardInterrupt:
            raise IndexingInterrupted(self.run.summary(IndexSummary()), rolled_back) from None
        if issubclass(kind, OSError):
            raise NewsIndexError(
                f"{self.run.collection.directory}: cannot write the collection: {exc.strerror or exc}; every shard "
                "is as it was at its last commit"
            ) from None
        return False


def merge_summaries(summaries: Iterable[IndexSummary]) -> IndexSummary:
    """The summary of runs over disjoint shards taken together."""
    total = IndexSummary()
    for s in summaries:
        total.added += s.added
        total.updated += s.updated
        total.unchanged += s.unchanged
        total.duplicates += s.duplicates
        total.committed += s.committed
        total.failed.extend(s.failed)
        total.stale_lock = total.stale_lock or s.stale_lock
    return total


def _remove_index(path: Path) -> None:
    """Remove the files of an index (or of the collection's own parts) in ``path``, not the folder."""
    if not path.is_dir():
        return
    for item in path.iterdir():
        if item.is_file() and item.name != "newsindex.lock":
            item.unlink()


#: The names this newsindex gives shard folders (``shard-001``; ``shard-001-1`` for a rebuilt one).
_SHARD_NAME = re.compile(r"shard-\d{3,}(-\d+)?")


def take_place(place: Path, path: Path) -> None:
    """Make the collection built in ``place`` the collection of ``path``, then remove the old shards and
    ``place`` (what :func:`newsindex.store.directory.finish_rebuild` does for one index).

    The new shard folders are moved in under names the old collection does not use (unnamed by the
    manifest, they are nobody's); writing ``path``'s manifest is the moment the new collection replaces
    the old, so a kill before it leaves the old one whole, after it the new one. Then the story store
    is replaced (a kill between leaves the old store, marked with other commits, which the next run
    brings up to date from the shards, as after any crash between two commits), and every shard folder
    the manifest does not name (the old ones, and any a killed rebuild left) is removed. The caller
    holds ``path``'s write lock.
    """
    old = set(old_shards(path))
    new = Manifest.read(place)
    taken = {item.name for item in path.iterdir()}
    names = []
    for name in new.shards:
        target, n = name, 1
        while target in taken:
            target, n = f"{name}-{n}", n + 1
        taken.add(target)
        names.append(target)
        os.replace(place / name, path / target)  # a rename: the rebuild's place is beside the collection
    dataclasses.replace(new, shards=names).write(path)
    for leftover in sorted(path.glob(STORY_FILES), reverse=True):  # the journals (-wal, -shm) before the file
        leftover.unlink()
    for moved in sorted(place.glob(STORY_FILES)):  # the file before its journal
        os.replace(moved, path / moved.name)
    for folder in path.iterdir():
        if folder.name not in names and (folder / "newsindex.json").exists() and (
                folder.resolve() in old or _SHARD_NAME.fullmatch(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(place, ignore_errors=True)


def open_any(directory: str | os.PathLike[str]) -> "NewsIndex | Collection":
    """Whatever is in ``directory``: a collection, else an index (the one way to open either)."""
    return Collection.open(directory) if is_collection(directory) else NewsIndex.open(directory)
