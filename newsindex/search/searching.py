"""Running a search over one open index: parse, filter, rank, count, page, and make hits.

:class:`Searching` keeps what is worth keeping between queries of one index
state: the query parser with its analyzer (and stem cache), the evaluator
with its cached postings, and the ``id`` column. The facade hands it the
current Whoosh searcher and drops its caches after every write.

Story information is not this stage's business: a caller that wants one hit
per story passes a ``key_of`` function to :meth:`Searching.collapsed`, and
the tellings of each hit through ``tellings`` when hits are made.
"""

from __future__ import annotations

from functools import cache
from itertools import count
from typing import Any, Callable, Iterable, Mapping

from whoosh import collectors, sorting
from whoosh import query as wq

from ..errors import NewsIndexError
from ..ingest.dates import parse_period
from ..ingest.article import Article
from ..store.schema import UNDATED, from_stored
from ..text.analysis import Analysis, KnownStems
from . import ranking
from .evaluate import Evaluator, TopDocs
from .query import Operator, QueryParser, date_range, restrict
from .results import SORTS, Hit, Results, Sort
from .snippets import headline_end, make_snippet, mark_all, query_phrases, query_words, searched_terms
from .statistics import Statistics, TermKey, gather

#: Document frequencies kept per index state for a collection's searches, at most (some 10 MB).
MAX_KEPT_FREQUENCIES = 100_000


class Searching:
    """Searches of one index, answered from the searcher that ``searcher()`` gives.

    A collection of shards uses one without a searcher to parse its queries
    (``languages()`` then names the languages its shards hold), and sends the
    same Whoosh query to every shard.
    """

    def __init__(
        self, schema: Any, language: str, searcher: Callable[[], Any],
        known_stems: Callable[[str], KnownStems] | None = None,
        languages: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        self.language = language
        # Kept: Whoosh's ``Index.schema`` unpickles the schema anew on every access,
        # which would start every search with an empty stem cache.
        self._names = schema["source"].analyzer
        #: The stems the index keeps of its words, per Snowball language (no NLTK to load for them).
        self._known = known_stems
        #: The analysis of each language met so far, by code ("" the default): kept across writes.
        self._analyses: dict[str, Analysis] = {"": Analysis("", language, known_stems)}
        self._parser: QueryParser | None = None
        #: The language codes the articles searched hold (a collection: those of every shard).
        self._languages = languages or (lambda: self._searcher().reader().field_terms("language"))
        self._searcher = searcher
        #: Answers searches from cached postings (see :mod:`newsindex.search.evaluate`), for the current searcher.
        self._evaluator: Evaluator | None = None
        #: The ``id`` column of the current searcher (opening it reads every document's offset).
        self._ids: Any = None
        #: Document frequencies of the current searcher's words, as a collection's search asks them
        #: (one lookup per segment each: a third of a collection's search time when asked anew).
        self._frequencies: dict[TermKey, int] = {}

    def reset(self) -> None:
        """Forget what was cached for the index state that is gone (after a write)."""
        self._evaluator = None
        self._ids = None
        self._parser = None
        self._frequencies = {}

    def analysis(self, code: str) -> Analysis:
        """How the words of articles in the language ``code`` are analysed (the default's for "")."""
        key = Analysis.key(code, self.language)
        found = self._analyses.get(key)
        if found is None:
            found = self._analyses[key] = Analysis(key, self.language, self._known)
        return found

    @property
    def parser(self) -> QueryParser:
        """The query parser for the languages the index holds now (its default language first)."""
        if self._parser is None:
            codes = sorted(self._languages())
            analyses = [self._analyses[""]] + [
                a for a in dict.fromkeys(self.analysis(code) for code in codes) if a.code
            ]
            self._parser = QueryParser(analyses, self._names)
        return self._parser

    # -- queries -------------------------------------------------------------

    def parse(self, query: str, operator: Operator = "and", feedback: bool = False) -> wq.Query:
        """The Whoosh query a query string means, words in title and body scored by BM25F."""
        q = ranking.combine_fields(self.parser.parse(query, operator))
        return self.expand(q) if feedback else q

    def expand(self, q: wq.Query) -> wq.Query:
        """``q`` re-weighted by pseudo-relevance feedback, its first search answered by the evaluator."""
        return ranking.expand(
            self._searcher(), q, self.analysis, top=lambda query, n: self.top(query, "relevance", n)
        )

    def filtered(self, query: str, operator: Operator, since: str | None, until: str | None) -> wq.Query:
        """The query with the ``since``/``until`` periods as a date filter."""
        q = self.parse(query, operator)
        if since or until:
            start = parse_period(since)[0] if since else None
            end = parse_period(until)[1] if until else None
            q = restrict(q, date_range("day", start, end))
        return q

    # -- matching ------------------------------------------------------------

    def evaluator(self) -> Evaluator:
        """The evaluator of the current searcher (a new one, with an empty cache, after a write)."""
        searcher = self._searcher()
        if self._evaluator is None or self._evaluator.searcher is not searcher:
            self._evaluator = Evaluator(searcher)
        return self._evaluator

    def matches(self, q: wq.Query) -> Any:
        """The document numbers of every match of ``q``."""
        return self.evaluator().matches(q)

    def match_set(self, q: wq.Query) -> set[int]:
        """The document numbers of every match of ``q``, as a set."""
        return self.evaluator().match_set(q)

    def top(self, q: wq.Query, sort: Sort, limit: int, statistics: Statistics | None = None) -> TopDocs:
        """The top ``limit`` matches of ``q`` in ``sort`` order, with the exact number of matches.

        Answered by :class:`~newsindex.search.evaluate.Evaluator` from cached postings: the
        answer of :meth:`whoosh_top` (Whoosh's own matchers), many times faster.
        ``statistics`` (a collection's, see :mod:`newsindex.search.statistics`)
        scores with those figures instead of this index's own.
        """
        evaluator = self.evaluator()
        if statistics is not None:
            evaluator = evaluator.scored_with(statistics)
        return evaluator.top(q, sort, limit)

    def statistics(self, q: wq.Query) -> Statistics:
        """This index's share of the collection statistics a search for ``q`` needs."""
        if len(self._frequencies) > MAX_KEPT_FREQUENCIES:  # a long-lived server's memory stays bounded
            self._frequencies = {}
        return gather(self._searcher(), q, self._frequencies)

    def whoosh_top(self, q: wq.Query, sort: Sort, limit: int) -> Any:
        """:meth:`top` through Whoosh's matchers and collectors (the reference the tests compare with)."""
        if sort == "relevance":
            # replace=0 and no block quality: Whoosh's pruning of sub-queries that can no
            # longer reach the top N makes its count of matches too low (seen: "oil" gave
            # 479 of 1,544) and, for AND-MAYBE queries, drops top hits; an exact total
            # needs every match visited anyway.
            collector: Any = ranking.exact_top(limit)
        elif sort == "date":
            collector = collectors.SortingCollector(sorting.FieldFacet("published", reverse=True), limit=limit)
        else:
            # Undated articles (the column's smallest value) go last here too, as in Elasticsearch.
            facet = sorting.TranslateFacet(_undated_last, sorting.FieldFacet("published"))
            collector = collectors.SortingCollector(facet, limit=limit)
        self._searcher().search_with_collector(q, collector)
        return collector.results()

    def marker(self, query: str, operator: Operator, marks: tuple[str, str], language: str = "") -> Callable[[str], str]:
        """A function that marks every match of ``query``'s words and phrases in a text of an article in
        ``language`` (``show --highlight``): its words are analysed as that article's were indexed."""
        q = self.parse(query, operator)
        reader = self._searcher().reader()
        words = query_words(searched_terms(q, reader), ranking.TEXT_FIELDS, self.parser.stop_terms)
        phrases = query_phrases(q, ranking.TEXT_FIELDS)
        analyzer = self.analysis(language).analyzer
        return lambda text: mark_all(text, analyzer, words, marks, phrases)

    def id_column(self) -> Any:
        """The ``id`` column, opened once per searcher: opening it reads every document's offset
        (about 1 ms at 21,578 articles, several at half a million), too much for every search. An
        index with no articles has no columns at all (Whoosh raises), and no document to look up."""
        if self._ids is None:
            reader = self._searcher().reader()
            self._ids = reader.column_reader("id") if reader.has_column("id") else []
        return self._ids

    def ids_of(self, docnums: list[int]) -> list[str]:
        """The article ids of these documents."""
        ids = self.id_column()
        return [ids[d] for d in docnums]

    def snippet_words(self, q: wq.Query) -> frozenset[str]:
        """The indexed words of title and body that snippets mark for ``q`` (prefixes expanded here)."""
        terms = searched_terms(q, self._searcher().reader())
        return query_words(terms, ranking.TEXT_FIELDS, self.parser.stop_terms)

    def collapsed(
        self, q: wq.Query, sort: Sort, page: int, limit: int, key_of: Callable[[list[str]], Mapping[str, str]]
    ) -> tuple[TopDocs, list[Any]]:
        """All matches, and the page of hits with one article per key (its story): the best-placed one."""

        def top(depth: int) -> tuple[TopDocs, list[Any], list[str]]:
            found = self.top(q, sort, depth)
            candidates = found[:depth]
            return found, candidates, self.ids_of([hit.docnum for hit in candidates])

        return collapse(top, page, limit, key_of)

    # -- results -------------------------------------------------------------

    def results(
        self,
        query: str,
        q: wq.Query,
        found: TopDocs,
        shown: list[Any],
        page: int,
        limit: int,
        sort: Sort,
        highlight: tuple[str, str],
        tellings: Callable[[list[str]], Mapping[str, Any]],
        facets: dict[str, list[tuple[str, int]]],
    ) -> Results:
        """The :class:`Results` of a page of hits; ``tellings`` maps ids to their story (``.story``, ``.size``)."""
        # The words to mark are worked out now, while the index is open: expanding a prefix or a
        # wildcard reads the index's word list, and a snippet may be read after the index is closed
        # (the command line closes it before printing). Only the analysis of the text waits.
        words = self.snippet_words(q) if shown else frozenset()
        stories = tellings(self.ids_of([hit.docnum for hit in shown])) if shown else {}
        hits = make_hits([from_stored(hit["article"]) for hit in shown], [hit.score for hit in shown],
                         (page - 1) * limit + 1, words, q, highlight, stories, self.analysis)
        return Results(query=query, total=len(found), page=page, limit=limit, hits=hits, facets=facets)


def make_hits(
    articles: list[Article],
    scores: list[float | None],
    first_rank: int,
    words: frozenset[str],
    q: wq.Query,
    highlight: tuple[str, str],
    stories: Mapping[str, Any],
    analysis_of: Callable[[str], Analysis],
) -> list[Hit]:
    """The hits of a page as a result list shows them (of one index, or merged from shards); each
    snippet (marking ``words`` and the phrases of ``q``) is made when first read, analysed in its
    article's language, as the article was indexed."""
    phrases = cache(lambda: query_phrases(q, ranking.TEXT_FIELDS))
    texts = [article.body or article.title for article in articles]
    analyses = [analysis_of(article.language) for article in articles]

    @cache
    def prefetched() -> None:  # the stems of the page's words looked up at once, language by language
        pages: dict[str, tuple[Analysis, list[str]]] = {}
        for analysis, text in zip(analyses, texts):
            pages.setdefault(analysis.code, (analysis, []))[1].append(text)
        for analysis, page_texts in pages.values():
            analysis.prefetch(page_texts)

    def snippet(text: str, analysis: Analysis, skip: int) -> str:
        prefetched()
        return make_snippet(text, analysis.analyzer, words, highlight, phrases=phrases(), skip=skip)

    hits = []
    for rank, score, article, text, analysis in zip(count(first_rank), scores, articles, texts, analyses):
        story = stories.get(article.id)
        hits.append(
            Hit(
                rank=rank,
                id=article.id,
                title=article.title,
                published=article.published,
                source=article.source,
                url=article.url,
                score=score,
                make_snippet=lambda text=text, analysis=analysis, skip=headline_end(text, article.title): snippet(
                    text, analysis, skip),
                story=story.story if story else None,
                other_tellings=story.size - 1 if story else 0,
                authors=article.authors,
                topics=article.topics,
                places=article.places,
                dateline=str(article.extra.get("dateline", "")),
            )
        )
    return hits


def collapse(
    top: Callable[[int], tuple[Any, list[Any], list[str]]],
    page: int,
    limit: int,
    key_of: Callable[[list[str]], Mapping[str, str]],
) -> tuple[Any, list[Any]]:
    """All matches, and the page of hits with one hit per key (its story): the best-placed one.

    ``top(depth)`` gives (all matches, the best ``depth`` hits, their ids);
    ``key_of`` maps article ids to their keys (an id without one is its own
    key). Hits are read in deepening rounds (four times the page, then
    sixteen ...) until the page is filled with distinct keys or every match
    has been seen, so a key's first article is always its best-placed one.
    """
    want, depth = page * limit, page * limit * 4
    while True:
        found, candidates, ids = top(depth)
        keys = key_of(ids)
        seen: set[str] = set()
        firsts = []
        for hit, article_id in zip(candidates, ids):
            key = keys.get(article_id, article_id)
            if key not in seen:
                seen.add(key)
                firsts.append(hit)
        if len(firsts) >= want or depth >= len(found):
            return found, firsts[(page - 1) * limit : want]
        depth *= 4


def check_page(limit: int, page: int, sort: str) -> None:
    """Refuse a page or sort that no search can answer."""
    if limit < 1 or page < 1:
        raise NewsIndexError("limit and page must be at least 1")
    if sort not in SORTS:
        raise NewsIndexError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")


def _undated_last(micros: int) -> tuple[bool, int]:
    return micros == UNDATED, micros
