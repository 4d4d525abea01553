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
from typing import Any, Callable, Iterable

from whoosh import query as wq

from ..errors import ArticleNotFoundError
from ..ingest.article import Article
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
    words: ContentWords | None = None,
    loaded: dict[str, Article] | None = None,
) -> list[SimilarArticle]:
    """The ``limit`` articles most like ``article_id``, best first (ties by id).

    ``searcher`` is an open Whoosh searcher of a newsindex index. With a
    ``store`` that holds the article, the store finds and scores the
    candidates (:meth:`StoryStore.similar`: words the articles are found by,
    links, story; the plain TF-IDF cosine of the store's vectors): a few SQL
    lookups and a few hundred cosines, a few milliseconds on Reuters-21578. Otherwise (an index grouped with ``--no-stories``)
    Whoosh's "more like this" on the body and the title brings candidates,
    scored by the plain TF-IDF cosine with the index's document frequencies.
    Articles scoring ``min_score`` or less are left out. Raises
    :class:`ArticleNotFoundError` for an unknown id. ``words``: the index's
    :class:`ContentWords`, kept between calls (its caches of analysed words are
    most of what the overlap costs); ``loaded``: the articles read so far (id ->
    article; the caller's, e.g. the one asked about), filled with those read
    here, so that a caller showing them need not read them again.
    """
    words = words or ContentWords(language)
    loaded = {} if loaded is None else loaded

    def load(other_id: str) -> Article | None:
        found = loaded.get(other_id)
        if found is None:
            number = searcher.document_number(id=other_id)
            if number is None:
                return None
            found = loaded[other_id] = from_stored(searcher.stored_fields(number)["article"])
        return found

    article = load(article_id)
    if article is None:
        raise ArticleNotFoundError(f"no article with id {article_id!r}")
    found = store.similar(article_id, limit) if store is not None else None
    if found is None:
        reader = searcher.reader()

        def frequency(term: str) -> int:
            return max(reader.doc_frequency("body", term), reader.doc_frequency("title", term))

        numbers = set(more_like(searcher, *key_terms(article, frequency, reader.doc_count(), words)))
        others = [other for other in (from_stored(searcher.stored_fields(number)["article"]) for number in numbers)
                  if other.id != article_id]
        loaded.update((other.id, other) for other in others)
        found = rank_similar(article, others, frequency, reader.doc_count(), words, limit)
    return with_overlap(article, found, load, words, min_score)


def key_terms(
    article: Article, frequency: Callable[[str], int], articles: int, words: ContentWords
) -> tuple[list[str], list[str]]:
    """The words "more like this" looks for in body and in title: the article's weightiest words, as
    the index holds them in the article's language (Whoosh's own more_like analyses the text in the
    default language only), weighed by ``frequency`` among ``articles`` (one index's, or summed
    over a collection's shards)."""
    vector = tfidf(Counter(words.of(article)), lambda term: idf(frequency(term), articles))
    key = sorted(vector, key=lambda term: (-vector[term], term))[:MLT_TERMS]
    in_title = set(words.words(article.title, article.language))
    return key, [t for t in key if t in in_title]


def more_like(searcher: Any, body_terms: list[str], title_terms: list[str]) -> list[int]:
    """Document numbers of the best matches of the key terms in body, then in title (BM25)."""
    found: list[int] = []
    for field, terms in (("body", body_terms), ("title", title_terms)):
        if terms:
            hits = searcher.search(wq.Or([wq.Term(field, t) for t in terms]), limit=MLT_CANDIDATES)
            found.extend(hit.docnum for hit in hits)
    return found


def rank_similar(
    article: Article,
    candidates: Iterable[Article],
    frequency: Callable[[str], int],
    articles: int,
    words: ContentWords,
    limit: int = 10,
) -> list[tuple[str, float]]:
    """The ``limit`` candidates most like ``article`` as (id, TF-IDF cosine), best first (ties by id).

    ``frequency`` gives a word's document frequency (the larger of body and
    title) among ``articles`` indexed ones: one index's, or a collection's
    summed over its shards, so scores are the same either way.
    """
    cache: dict[str, float] = {}

    def idf_of(term: str) -> float:
        value = cache.get(term)
        if value is None:
            value = cache[term] = idf(frequency(term), articles)
        return value

    vector = tfidf(Counter(words.of(article)), idf_of)
    scored = [(other.id, cosine(vector, tfidf(Counter(words.of(other)), idf_of))) for other in candidates]
    scored.sort(key=lambda s: (-s[1], s[0]))
    return scored[:limit]


def with_overlap(
    article: Article,
    found: Iterable[tuple[str, float]],
    load: Callable[[str], Article | None],
    words: ContentWords,
    min_score: float = 0.0,
) -> list[SimilarArticle]:
    """The scored ids scoring more than ``min_score``, each with its shingle overlap with ``article``
    (``load`` reads an article back; None: gone, overlap 0)."""
    own_shingles = shingles(words.of(article))

    def overlap(other_id: str) -> float:
        other = load(other_id)
        return 0.0 if other is None else round(jaccard(own_shingles, shingles(words.of(other))), 6)

    return [SimilarArticle(id=other_id, score=score, overlap=overlap(other_id))
            for other_id, score in found if score > min_score]
