"""newsindex: full-text search for collections of news articles.

Read articles (:mod:`newsindex.ingest.readers`), index them and search them::

    from newsindex import NewsIndex
    with NewsIndex.open("index") as ix:
        res = ix.search('"refused to extradite" date:2025', limit=10)
        print(res.total, [h.title for h in res])

The names below are imported when first used (PEP 562), not with the
package: ``import newsindex.cli`` must not load the facade, Whoosh's writer
or NLTK before the command line knows which command it runs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import (
    ArticleNotFoundError,
    DateError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    NewsIndexError,
    NoStoriesError,
    QueryError,
    ReadError,
)
from .version import __version__

if TYPE_CHECKING:
    from .coverage.stats import IndexStats
    from .collection import Collection, open_any
    from .index import IndexingInterrupted, IndexSummary, NewsIndex, RebuildInterrupted
    from .ingest.article import Article
    from .search.results import Hit, Results

#: Public name -> the module that defines it.
_LAZY = {
    "Collection": ".collection", "open_any": ".collection", "IndexStats": ".coverage.stats", "IndexingInterrupted": ".index",
    "IndexSummary": ".index", "NewsIndex": ".index", "RebuildInterrupted": ".index", "Article": ".ingest.article",
    "Hit": ".search.results", "Results": ".search.results",
}

__all__ = [
    "Article", "ArticleNotFoundError", "Collection", "DateError", "Hit", "IndexDamagedError", "IndexLockedError",
    "IndexNotFoundError", "IndexStats", "IndexSummary", "IndexingInterrupted", "IndexVersionError", "NewsIndex",
    "NewsIndexError", "NoStoriesError", "QueryError", "ReadError", "RebuildInterrupted", "Results", "__version__", "open_any",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
