"""The engines under test, by command-line name, in report order (newsindex first)."""

from __future__ import annotations

from .base import Engine
from .fts5 import Fts5
from .newsindex_engine import NewsIndexEngine
from .tantivy_engine import Tantivy
from .whoosh_stock import StockWhoosh

ENGINES: dict[str, type[Engine]] = {
    cls.name: cls for cls in (NewsIndexEngine, StockWhoosh, Fts5, Tantivy)
}

__all__ = ["ENGINES", "Engine"]
