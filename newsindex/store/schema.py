"""The Whoosh schema of a newsindex index, and how an Article becomes a Whoosh document.

The whole article is kept in one stored field (``article``, see
:func:`to_stored`) rather than one stored field per column: stored fields are
loaded a document at a time anyway, and one place for the article means
``show`` and the hits read back exactly what was indexed. The indexed fields
carry no copies of the text.

Dates are indexed twice, each for one job: ``day`` (days since 1970, a
numeric field) answers date filters, which always fall on whole UTC days, with
a handful of terms per range; ``published`` (microseconds, a column only)
sorts by date without indexing terms of microsecond precision.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ..ingest.article import Article

if TYPE_CHECKING:
    from whoosh.fields import Schema

# Whoosh's fields and the analyzer are imported by the functions that build a schema:
# the command line reads FACETS and the stored article here and must start at once.

#: Bumped whenever the schema or the analysis changes in a way that makes
#: older indexes unreadable or differently searchable.
FORMAT_VERSION = 3  # 3: per-article analysis, and a checksum manifest per commit (newsindex.store.checksums)

#: The ``published`` column's value for an article without a date: the
#: smallest 64-bit number, so that newest-first order puts such articles last.
UNDATED = -(2**63)

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

MICROS_PER_DAY = 86_400_000_000
_FIRST_MOMENT = datetime.min.replace(tzinfo=timezone.utc)
_LAST_MOMENT = datetime.max.replace(tzinfo=timezone.utc)

#: Facet name -> (column, Article attribute). Facets count the exact values of
#: all matching articles; columns (one value per document, read by number)
#: make that a pass over numbers, not a load of every stored article.
FACETS: dict[str, tuple[str, str]] = {
    "source": ("facet_source", "source"),
    "topic": ("facet_topics", "topics"),
    "place": ("facet_places", "places"),
    "author": ("facet_authors", "authors"),
    "language": ("facet_language", "language"),
}
_SEPARATOR = "\x1f"

#: The document key that names an article's language (its ISO code), which decides how its
#: title and body are analysed (see :class:`~newsindex.text.analysis.LanguageWords`).
#: Whoosh's own writers ignore keys that start with an underscore.
LANGUAGE_KEY = "_language"

#: A title match weighs this many times a body match (BM25F field boost):
#: headline words say what a story is about.
TITLE_BOOST = 2.0


def build_schema(language: str = "english") -> Schema:
    """The schema for an index whose default language is ``language`` (a Snowball language).

    Title and body are analysed per article in the article's language (see
    :data:`LANGUAGE_KEY`); the fields' analyzer is that of
    the default language, used for articles whose language is unknown.
    """
    from whoosh.columns import NumericColumn, VarBytesColumn
    from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

    from ..text.analysis import name_analyzer, text_analyzer

    text = text_analyzer(language)
    names = name_analyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        hash=ID(sortable=True),
        title=TEXT(analyzer=text, field_boost=TITLE_BOOST),
        body=TEXT(analyzer=text),
        source=TEXT(analyzer=names),
        authors=TEXT(analyzer=names),
        topics=KEYWORD(commas=True, lowercase=True),
        places=KEYWORD(commas=True, lowercase=True),
        language=KEYWORD(lowercase=True),
        url=ID,
        day=NUMERIC(int, bits=32, signed=True, shift_step=4),
        published=COLUMN(NumericColumn("q", default=UNDATED)),
        seq=COLUMN(NumericColumn("q", default=0)),
        article=STORED,
        **{column: COLUMN(VarBytesColumn()) for column, _ in FACETS.values()},
    )


def facet_values(raw: bytes) -> list[str]:
    """The values a facet column holds for one article."""
    return raw.decode("utf-8").split(_SEPARATOR) if raw else []


def schema_fingerprint(schema: Schema) -> str:
    """A digest of the schema and its text analysis, recorded in an index when it is built."""
    from ..text.analysis import analysis_signature

    described = [
        [name, type(field).__name__, field.scorable, getattr(field, "field_boost", 1.0),
         analysis_signature(field.analyzer) if getattr(field, "analyzer", None) else None]
        for name, field in sorted(schema.items())
    ]
    return hashlib.sha256(json.dumps([FORMAT_VERSION, described]).encode()).hexdigest()[:16]


def to_document(article: Article, content_hash: str | None = None, seq: int | None = None) -> dict[str, Any]:
    """The Whoosh document (field -> value) for one article.

    ``content_hash`` is the hash to record, when it is not the article's own (the
    article as read, before its language was detected, so that reading it again
    finds it unchanged). The language goes under ``_language`` too, which tells
    the batch writer how to analyse title and body.

    ``seq`` is the article's place in the order a collection of shards received
    its articles (0 when not given, in a plain index). Why: one index ranks
    articles of equal score (copies, same-length headlines) in the order it
    indexed them, which is its document order; a collection's shards each keep
    that order for their own articles, and ``seq`` tells how the articles of
    different shards interleave, so merged results come in one index's order.
    """
    doc: dict[str, Any] = {
        "id": article.id,
        "hash": content_hash or article.content_hash,
        "title": article.title,
        "body": article.body,
        "article": to_stored(article),
        "seq": seq or 0,  # always given, as the batch writer writes every column in every segment
    }
    if article.source:
        doc["source"] = article.source
    for column, attribute in FACETS.values():
        values = getattr(article, attribute)
        values = (values,) if isinstance(values, str) else values
        if any(values):
            doc[column] = _SEPARATOR.join(v.replace(_SEPARATOR, " ") for v in values if v).encode("utf-8")
    if article.authors:
        doc["authors"] = "; ".join(article.authors)
    if article.topics:
        doc["topics"] = ",".join(article.topics)
    if article.places:
        doc["places"] = ",".join(article.places)
    if article.language:
        doc["language"] = doc[LANGUAGE_KEY] = article.language
    if article.url:
        doc["url"] = article.url
    if article.published is not None:
        doc["day"] = day_number(article.published)
        doc["published"] = to_micros(article.published)
    return doc


def day_number(moment: datetime) -> int:
    """Days since 1970-01-01 (UTC) of an aware datetime: what date filters search."""
    return (moment - EPOCH).days


def to_micros(moment: datetime) -> int:
    """Microseconds since 1970-01-01 (UTC): the sort key of the ``published`` column."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    """The aware UTC datetime of a ``published`` column value.

    Indexing accepts only dates well inside Python's calendar (:data:`newsindex.ingest.dates.EARLIEST`
    .. ``LATEST``); a value beyond its ends (an index written otherwise) is read as the nearest end
    rather than failing every timeline and statistic.
    """
    try:
        return EPOCH + timedelta(microseconds=micros)
    except OverflowError:
        return _FIRST_MOMENT if micros < 0 else _LAST_MOMENT


def article_fields(article: Article) -> dict[str, Any]:
    """The article as plain JSON values, field by field in :class:`Article` order.

    This is what ``show --json`` prints and, as a bare list, what the index
    stores (:func:`to_stored`): one conversion, so the two cannot disagree.
    ``extra`` is kept as given, so it must hold JSON values, as every reader's does.
    """
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


_to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def to_stored(article: Article) -> str:
    """The stored form of an article: a JSON list of its fields in :class:`Article` order.

    Whoosh compresses each document's stored fields separately, so nothing is
    shared between articles: a dict would repeat its twelve field names in every
    document, and a pickle adds a header to every string (together 3 MB of 18
    on Reuters-21578). A string is also what plain Whoosh can always unpickle.
    The text is not compressed here: Whoosh's stored column already deflates
    it, and bytes in its protocol-2 pickle would grow by almost half.
    """
    return _to_json(list(article_fields(article).values()))


def from_stored(stored: str) -> Article:
    """Rebuild the Article that :func:`to_stored` kept: every reader of the stored article comes here."""
    (article_id, title, body, published, source, url, authors, language, topics, places, extra,
     origin) = json.loads(stored)
    return Article(
        article_id, title, body, datetime.fromisoformat(published) if published else None, source, url,
        tuple(authors), language, tuple(topics), tuple(places), extra, origin,
    )
