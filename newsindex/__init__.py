"""newsindex: full-text search for collections of news articles.

Read articles (:mod:`newsindex.readers`), index them and search them::

    from newsindex import NewsIndex
    with NewsIndex.open("index") as ix:
        res = ix.search('"refused to extradite" date:2025', limit=10)
        print(res.total, [h.title for h in res])
"""

from __future__ import annotations

__version__ = "0.1.0"

from .article import Article  # noqa: E402
from .errors import (  # noqa: E402
    ArticleNotFoundError,
    DateError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    NewsIndexError,
    QueryError,
    ReadError,
)
from .index import IndexingInterrupted, IndexSummary, NewsIndex  # noqa: E402
from .results import Hit, Results  # noqa: E402
from .stats import IndexStats  # noqa: E402

__all__ = [
    "Article", "ArticleNotFoundError", "DateError", "Hit", "IndexLockedError", "IndexNotFoundError",
    "IndexStats", "IndexSummary", "IndexingInterrupted", "IndexVersionError", "NewsIndex", "NewsIndexError", "QueryError",
    "ReadError", "Results", "__version__",
]
