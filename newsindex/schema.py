"""The Whoosh schema of a newsindex index, and how an Article becomes a Whoosh document.

The whole article is kept in one stored field (``article``) rather than one
stored field per column: stored fields are loaded a document at a time
anyway, and one place for the article means ``show`` and the hits read back
exactly what was indexed. The indexed fields carry no copies of the text.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from .analysis import name_analyzer, text_analyzer
from .article import Article

#: Bumped whenever the schema or the analysis changes in a way that makes
#: older indexes unreadable or differently searchable.
FORMAT_VERSION = 1

#: A title match weighs this many times a body match (BM25F field boost):
#: headline words say what a story is about.
TITLE_BOOST = 2.0


def build_schema(language: str = "english") -> Schema:
    """The schema for an index whose full text is in ``language`` (a Snowball language)."""
    text = text_analyzer(language)
    names = name_analyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        hash=ID(sortable=True),
        title=TEXT(analyzer=text, field_boost=TITLE_BOOST),
        body=TEXT(analyzer=text),
        source=TEXT(analyzer=names),
        source_name=ID(sortable=True),
        authors=TEXT(analyzer=names),
        topics=KEYWORD(commas=True, lowercase=True),
        places=KEYWORD(commas=True, lowercase=True),
        language=KEYWORD(lowercase=True),
        url=ID,
        published=DATETIME(sortable=True),
        article=STORED,
    )


def to_document(article: Article) -> dict[str, Any]:
    """The Whoosh document (field -> value) for one article."""
    doc: dict[str, Any] = {
        "id": article.id,
        "hash": article.content_hash,
        "title": article.title,
        "body": article.body,
        "article": to_stored(article),
    }
    if article.source:
        doc["source"] = article.source
        doc["source_name"] = article.source
    if article.authors:
        doc["authors"] = "; ".join(article.authors)
    if article.topics:
        doc["topics"] = ",".join(article.topics)
    if article.places:
        doc["places"] = ",".join(article.places)
    if article.language:
        doc["language"] = article.language
    if article.url:
        doc["url"] = article.url
    if article.published is not None:
        doc["published"] = article.published.astimezone(timezone.utc).replace(tzinfo=None)
    return doc


def to_stored(article: Article) -> dict[str, Any]:
    """The stored form of an article: plain types only, so any Python can unpickle it."""
    return {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "published": article.published.isoformat() if article.published else None,
        "source": article.source,
        "url": article.url,
        "authors": list(article.authors),
        "language": article.language,
        "topics": list(article.topics),
        "places": list(article.places),
        "extra": dict(article.extra),
        "origin": article.origin,
    }


def from_stored(stored: dict[str, Any]) -> Article:
    """Rebuild the Article that :func:`to_stored` kept."""
    published = stored.get("published")
    return Article(
        id=stored["id"],
        title=stored.get("title", ""),
        body=stored.get("body", ""),
        published=datetime.fromisoformat(published) if published else None,
        source=stored.get("source", ""),
        url=stored.get("url", ""),
        authors=tuple(stored.get("authors", ())),
        language=stored.get("language", ""),
        topics=tuple(stored.get("topics", ())),
        places=tuple(stored.get("places", ())),
        extra=stored.get("extra", {}),
        origin=stored.get("origin", ""),
    )
