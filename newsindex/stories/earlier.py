"""Which earlier telling an article most likely corrects or rewrites.

A fact-checker holding a correction, or a rewrite, asks "what did this
change?" before knowing what it changed from. The answer is the closest
earlier telling of the same story: of the articles published before it
that are in its story or score at least :data:`MIN_SCORE` as similar (the
TF-IDF cosine of :mod:`~newsindex.stories.similar`, on which retellings of
one event score about 0.5 to 0.7 and copies and corrections above 0.8),
the most similar one. An article that says it is a correction may also take
a less similar one published shortly before it (see :data:`CORRECTION_MIN_SCORE`). A wire
correction repeats its original nearly word for word, so the closest is
the original; when a story was corrected twice, it is the version the
correction is closest to, and the reason given says how close the
runner-up was, so the reader can compare with that one too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Iterable

from ..errors import NewsIndexError
from ..ingest.article import Article
from .compare import Choice, Comparison, compare
from .notices import says_correction
from .similar import SimilarArticle

#: Below this similarity an article outside the story is not taken for an earlier telling.
MIN_SCORE = 0.5
#: How many of the most similar articles are weighed (the story's members are among the candidates).
CANDIDATES = 30
#: An article that says it corrects something is often short where its original was a table or a
#: long report (Reuters: "Silver State Mining corrects net", 0.39 to its earnings table). It may be
#: compared with an article down to this similarity if published at most CORRECTION_DAYS before.
CORRECTION_MIN_SCORE = 0.35
CORRECTION_DAYS = 3


def compare_with_earlier(
    article: Article, candidates: Iterable[tuple[SimilarArticle, Article]], story: Iterable[str], language: str = "english"
) -> Comparison:
    """``article`` (as B) compared with the earlier telling it most likely corrects or rewrites (as A),
    with the reason for the choice in :attr:`Comparison.chosen` (see :func:`earlier_telling`)."""
    earlier, choice = earlier_telling(article, candidates, story)
    return replace(compare(earlier, article, language=language), chosen=choice)


def earlier_telling(
    article: Article, candidates: Iterable[tuple[SimilarArticle, Article]], story: Iterable[str]
) -> tuple[Article, Choice]:
    """The earlier telling ``article`` most likely corrects or rewrites, and why it was chosen.

    ``candidates`` are similar articles with their scores (best first or
    not), ``story`` the ids of the article's story. When ``article`` has no
    date, every candidate counts (and the reason says the order is unknown);
    otherwise only candidates published before it or at the same time. Raises
    :class:`NewsIndexError` when there is none, naming the closest article
    that was left out and why.
    """
    members = set(story)
    pool = list(candidates)
    earlier = [(s, a) for s, a in pool if _before(a, article)]
    correction = says_correction(article)
    fitting = [(s, a) for s, a in earlier if a.id in members or s.score >= MIN_SCORE or (correction and _shortly_before(s, a, article))]
    if not fitting:
        raise NewsIndexError(_none_found(article, pool, earlier))
    fitting.sort(key=lambda pair: (-pair[0].score, pair[1].id not in members, -pair[0].overlap, pair[1].id))
    best, chosen = fitting[0]
    return chosen, Choice(
        id=chosen.id,
        reason=_reason(article, chosen, best, chosen.id in members, fitting[1:]),
        score=best.score,
        overlap=best.overlap,
        same_story=chosen.id in members,
        earlier_by=(article.published - chosen.published).total_seconds() if article.published and chosen.published else None,
        candidates=len(fitting),
    )


def _shortly_before(similar: SimilarArticle, other: Article, article: Article) -> bool:
    """Close enough for a correction: similar enough, and published within a few days before it."""
    if similar.score < CORRECTION_MIN_SCORE or other.published is None or article.published is None:
        return False
    return article.published - other.published <= timedelta(days=CORRECTION_DAYS)


def _before(other: Article, article: Article) -> bool:
    """Published before ``article``, or at the same time (sources that give only a day date
    their stories of one day alike, and which came first is then unknown)."""
    if article.published is None:
        return True
    return other.published is not None and other.published <= article.published


def _reason(article: Article, chosen: Article, best: SimilarArticle, member: bool, others: list[tuple[SimilarArticle, Article]]) -> str:
    same_time = article.published is not None and article.published == chosen.published
    earlier = "" if same_time else "earlier "
    where = f"the closest {earlier}telling in its story" if member else f"the closest {earlier}article like it (not grouped into its story)"
    if not member and best.score < MIN_SCORE:
        where = f"the closest article published in the {CORRECTION_DAYS} days before B, which says it is a correction"
    if article.published is None:
        where = "the closest other telling (B has no date, so which came first is unknown)"
    facts = [f"similarity {best.score:.2f}", f"{best.overlap:.0%} of three-word runs in common"]
    if article.published and chosen.published:
        before = (article.published - chosen.published).total_seconds()
        facts.append(f"published {_duration(before)} earlier" if before else "published at the same time as B (which came first is unknown)")
    text = f"B is compared with A, {where}: {', '.join(facts)}."
    if others:
        runner, other = others[0]
        text += f" Next closest: {other.id} ({runner.score:.2f})."
    return text


def _none_found(article: Article, pool: list[tuple[SimilarArticle, Article]], earlier: list[tuple[SimilarArticle, Article]]) -> str:
    hint = "; compare it with an article you name: newsindex compare ID_A ID_B"
    if not pool:
        return f"no other telling of {article.id!r} was found{hint}"
    if not earlier:
        return f"no telling of {article.id!r} was published before it{hint}"
    score, closest = max(earlier, key=lambda pair: pair[0].score)
    return (
        f"no earlier telling of {article.id!r} was found: the closest earlier article, {closest.id}, "
        f"scores {score.score:.2f}, under {MIN_SCORE}{hint}"
    )


def _duration(seconds: float) -> str:
    """``2 h 02 min``, ``3 days``: how much earlier, as a reader says it."""
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{round(minutes / 1440)} days"
