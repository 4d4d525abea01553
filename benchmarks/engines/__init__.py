"""The engines under test, by command-line name, in report order (newsindex first)."""

from __future__ import annotations

from .base import Engine
from .fts5 import Fts5
from .newsindex_engine import NewsIndexEngine, NewsIndexFeedback
from .tantivy_engine import Tantivy
from .whoosh_stock import StockWhoosh

ENGINES: dict[str, type[Engine]] = {
    cls.name: cls for cls in (NewsIndexEngine, StockWhoosh, Fts5, Tantivy)
}

#: Ranking options of an engine, measured on Cranfield next to its default ranking.
RANKING_VARIANTS: dict[str, dict[str, type[Engine]]] = {
    NewsIndexEngine.name: {NewsIndexFeedback.name: NewsIndexFeedback},
}

__all__ = ["ENGINES", "RANKING_VARIANTS", "Engine"]
