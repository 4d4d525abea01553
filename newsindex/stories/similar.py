"""Similar articles: the articles most like one article, with calibrated 0..1 scores.

The score is the TF-IDF cosine of :mod:`newsindex.stories.vectors`.

Candidates come from two cheap sources, so no article is compared with
every other: "more like this" (an OR query of the article's key terms, its
content words of highest TF-IDF weight, ranked by BM25) and, when a :class:`~newsindex.stories.StoryStore` is
given, the articles sharing sampled rare words with it and the members of
its story. Every candidate is then scored with the exact cosine.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from whoosh import query as wq

from ..errors import ArticleNotFoundError
from ..store.schema import from_stored
from .store import StoryStore
from .vectors import ContentWords, cosine, idf, jaccard, shingles, tfidf

#: How many key terms "more like this" searches for, and how many
#: articles it brings as candidates.
MLT_TERMS = 12
MLT_CANDIDATES = 40


@dataclass(frozen=True)
class SimilarArticle:
    """An article like another one.

    ``score``: TF-IDF cosine of the content words, 0..1 (1.0: the same words
    in the same proportions), comparable across articles and queries of one
    index. ``overlap``: the share of three-word shingles the two texts have in
    common (Jaccard, 0..1): high for copies and corrections, near 0 for a
    retelling in other words.
    """

    id: str
    score: float
    overlap: float

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "score": self.score, "overlap": self.overlap}


def similar(
    searcher: Any,
    article_id: str,
    limit: int = 10,
    store: StoryStore | None = None,
    language: str = "english",
    min_score: float = 0.0,
) -> list[SimilarArticle]:
    """The ``limit`` articles most like ``article_id``, best first (ties by id).

    ``searcher`` is an open Whoosh searcher of a newsindex index (document
    frequencies come from it, so scores are those of this index). Candidates:
    "more like this" on the body and on the title, plus, with a
    ``store``, the articles sharing sampled rare words and the members of the
    article's story; each is scored with the exact cosine. Articles scoring
    ``min_score`` or less are left out. Raises :class:`ArticleNotFoundError`
    for an unknown id.
    """
    docnum = searcher.document_number(id=article_id)
    if docnum is None:
        raise ArticleNotFoundError(f"no article with id {article_id!r}")
    reader = searcher.reader()
    articles = reader.doc_count()
    words = ContentWords(language)
    cache: dict[str, float] = {}

    def idf_of(term: str) -> float:
        value = cache.get(term)
        if value is None:
            df = max(reader.doc_frequency("body", term), reader.doc_frequency("title", term))
            value = cache[term] = idf(df, articles)
        return value

    article = from_stored(searcher.stored_fields(docnum)["article"])
    sequence = words.of(article)
    vector = tfidf(Counter(sequence), idf_of)
    own_shingles = shingles(sequence)

    # "More like this": the article's weightiest words, as the index holds them in the article's
    # language (Whoosh's own more_like analyses the text in the default language only).
    candidates: set[int] = set()
    key_terms = sorted(vector, key=lambda term: (-vector[term], term))[:MLT_TERMS]
    title_terms = set(words.words(article.title, article.language))
    for field, terms in (("body", key_terms), ("title", [t for t in key_terms if t in title_terms])):
        if terms:
            hits = searcher.search(wq.Or([wq.Term(field, t) for t in terms]), limit=MLT_CANDIDATES)
            candidates.update(hit.docnum for hit in hits)
    if store is not None:
        for other in store.neighbours(article_id):
            number = searcher.document_number(id=other)
            if number is not None:
                candidates.add(number)
    candidates.discard(docnum)

    found = []
    for number in candidates:
        other = from_stored(searcher.stored_fields(number)["article"])
        other_sequence = words.of(other)
        score = cosine(vector, tfidf(Counter(other_sequence), idf_of))
        if score > min_score:
            overlap = round(jaccard(own_shingles, shingles(other_sequence)), 6)
            found.append(SimilarArticle(id=other.id, score=score, overlap=overlap))
    found.sort(key=lambda s: (-s.score, s.id))
    return found[:limit]

