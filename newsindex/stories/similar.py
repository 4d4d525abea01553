"""Similar articles: the articles most like one article, with calibrated 0..1 scores.

The score is the cosine of the two articles' TF-IDF vectors, as the story
store weighs words (:func:`newsindex.stories.pairs.plain_cosine`; names are
not weighed up as for grouping, so a correction that changes a figure stays
close to its original): symmetric, 0..1, 1.0 for the same words, and the same
measure whatever the query, so 0.6 means as much for one article as for another. Candidates come from the
story store, so no article is compared with every other and no search is
run (Whoosh's "more like this" took 0.3-0.8 s a call on Reuters-21578); an
article the store does not hold falls back on it.
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

#: A score from which ``newsindex similar`` calls an article the same story retold (its legend says
#: so); under it the command says nothing close was found. Retellings by other outlets often score
#: less (0.2-0.4): the story store's grouping, which weighs names, is what joins those.
RETOLD = 0.5

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

    ``searcher`` is an open Whoosh searcher of a newsindex index. With a
    ``store`` that holds the article, the store finds and scores the
    candidates (:meth:`StoryStore.similar`: words the articles are found by,
    links, story; the plain TF-IDF cosine of the store's vectors): a few SQL
    lookups and a few hundred cosines, tens of milliseconds on Reuters-21578. Otherwise (an index grouped with ``--no-stories``)
    Whoosh's "more like this" on the body and the title brings candidates,
    scored by the plain TF-IDF cosine with the index's document frequencies.
    Articles scoring ``min_score`` or less are left out. Raises
    :class:`ArticleNotFoundError` for an unknown id.
    """
    docnum = searcher.document_number(id=article_id)
    if docnum is None:
        raise ArticleNotFoundError(f"no article with id {article_id!r}")
    words = ContentWords(language)
    article = from_stored(searcher.stored_fields(docnum)["article"])
    own_shingles = shingles(words.of(article))
    found = store.similar(article_id, limit) if store is not None else None
    if found is None:
        found = _more_like_this(searcher, docnum, article, words, limit)

    def overlap(other_id: str) -> float:
        number = searcher.document_number(id=other_id)
        if number is None:
            return 0.0
        other = from_stored(searcher.stored_fields(number)["article"])
        return round(jaccard(own_shingles, shingles(words.of(other))), 6)

    return [SimilarArticle(id=other_id, score=score, overlap=overlap(other_id))
            for other_id, score in found if score > min_score]


def _more_like_this(searcher: Any, docnum: int, article: Any, words: ContentWords, limit: int) -> list[tuple[str, float]]:
    """Candidates from Whoosh's "more like this", scored by the TF-IDF cosine (index frequencies)."""
    reader = searcher.reader()
    articles = reader.doc_count()
    cache: dict[str, float] = {}

    def idf_of(term: str) -> float:
        value = cache.get(term)
        if value is None:
            df = max(reader.doc_frequency("body", term), reader.doc_frequency("title", term))
            value = cache[term] = idf(df, articles)
        return value

    vector = tfidf(Counter(words.of(article)), idf_of)

    # "More like this": the article's weightiest words, as the index holds them in the article's
    # language (Whoosh's own more_like analyses the text in the default language only).
    candidates: set[int] = set()
    key_terms = sorted(vector, key=lambda term: (-vector[term], term))[:MLT_TERMS]
    title_terms = set(words.words(article.title, article.language))
    for field, terms in (("body", key_terms), ("title", [t for t in key_terms if t in title_terms])):
        if terms:
            hits = searcher.search(wq.Or([wq.Term(field, t) for t in terms]), limit=MLT_CANDIDATES)
            candidates.update(hit.docnum for hit in hits)
    candidates.discard(docnum)
    scored = []
    for number in candidates:
        other = from_stored(searcher.stored_fields(number)["article"])
        scored.append((other.id, cosine(vector, tfidf(Counter(words.of(other)), idf_of))))
    scored.sort(key=lambda s: (-s[1], s[0]))
    return scored[:limit]
