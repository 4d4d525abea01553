"""newsindex: full-text search for collections of news articles.

Read articles (:mod:`newsindex.ingest.readers`), index them and search them::

    from newsindex import NewsIndex
    with NewsIndex.open("index") as ix:
        res = ix.search('"refused to extradite" date:2025', limit=10)
        print(res.total, [h.title for h in res])
"""

from __future__ import annotations

from .coverage.stats import IndexStats
from .errors import (
    ArticleNotFoundError,
    DateError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    NewsIndexError,
    QueryError,
    ReadError,
)
from .index import IndexingInterrupted, IndexSummary, NewsIndex, RebuildInterrupted
from .ingest.article import Article
from .search.results import Hit, Results
from .version import __version__

__all__ = [
    "Article", "ArticleNotFoundError", "DateError", "Hit", "IndexDamagedError", "IndexLockedError", "IndexNotFoundError",
    "IndexStats", "IndexSummary", "IndexingInterrupted", "IndexVersionError", "NewsIndex", "NewsIndexError", "QueryError",
    "ReadError", "RebuildInterrupted", "Results", "__version__",
]
