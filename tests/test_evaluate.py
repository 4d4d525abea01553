"""The fast evaluator gives exactly what Whoosh's own matchers give, on real data.

Every query of the benchmark mix and a set of hand-written ones (phrases with
stop words, proximity, NOT, OR of phrases, prefixes and wildcards, field terms,
date-only queries, feedback, date sorts, deep and second pages) is run both
ways on Reuters-21578 (three segments: two of 10,000 articles, where Whoosh's
OR is a tree of union matchers, and one of 1,578, where it is an array union):
same total, same documents in the same order, same scores to the last bit.

The reference is ``NewsIndex._whoosh_top`` (the collectors search() used
before) with one Whoosh bug fixed: ``AndNotMatcher`` does not check the first
document of its positive side against the negative side when the negative
starts at a lower document, so ``title:dividend NOT split`` kept an article
whose body says "split". The evaluator excludes it;
``test_not_excludes_the_first_document_whoosh_keeps`` shows both.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from whoosh import query as wq
from whoosh.matching import binary

from benchmarks.engines.newsindex_engine import to_newsindex
from benchmarks.querymix import load_queries
from newsindex import Article, NewsIndex
from newsindex.search import ranking
from newsindex.search.evaluate import Evaluator
from newsindex.store.schema import from_stored

MIX = [to_newsindex(q) for q in load_queries()]

#: Queries beyond the mix, each run in all three sort orders.
HAND_WRITTEN = [
    '"the bank of england"',
    '"bank of the"',
    '"interest rates"~3',
    '"rates interest"~2',
    '"oil prices opec"~5',
    '"bank of"~2',
    '"of the bank"~4',
    'title:"oil prices"~4',
    '"crude oil" OR "bank of england"',
    '"crude oil" OR title:"bank of england" OR "money supply"',
    "oil -opec",
    "oil AND NOT (saudi OR iran)",
    "-opec",
    "NOT oil",
    "extradit*",
    "compu*",
    "ban* OR \"cut rates\"",
    "wom?n",
    "t*x",
    "title:(oil OR gas OR coal)",
    "oil OR gas OR coal OR petroleum",
    "(oil OR gas OR coal) (prices OR price)",
    "title:oil OR source:reuters",
    "topic:grain",
    "place:usa wheat",
    'place:"west-germany" OR topic:coffee',
    "language:en",
    "id:reuters-1",
    "author:smith",
    'body:"money supply" -title:money',
    "date:1987-03",
    "date:1987-03-01..1987-03-10",
    "date:>=1987-10",
    "date:<1987-03-01 OR date:1987-10-20",
    "oil date:1987-03 OR gas",
    "the",
    "the of",
    "T-72",
    "U.S. trade",
    "nosuchwordanywhere",
    "oil nosuchwordanywhere",
    "nosuchwordanywhere OR oil",
]

FEEDBACK = ["oil prices", "wheat exports to the soviet union", "opec -saudi", "(yen OR mark) dollar"]


@pytest.fixture
def fixed_andnot(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Whoosh's AndNotMatcher with its first document checked like every other."""

    def find_first(self) -> None:  # type: ignore[no-untyped-def]
        if self.a.is_active() and self.b.is_active():
            self._find_next()

    monkeypatch.setattr(binary.AndNotMatcher, "_find_first", find_first)
    yield


def answers(ix: NewsIndex, q: wq.Query, sort: str, limit: int | None) -> tuple:
    """(total, docnums, scores) both ways."""
    fast = ix._search.top(q, sort, limit)  # type: ignore[arg-type]
    slow = ix._search.whoosh_top(q, sort, limit)  # type: ignore[arg-type]
    fast_scores = [hit.score for hit in fast] if sort == "relevance" else []
    slow_scores = [hit.score for hit in slow] if sort == "relevance" else []
    return (
        (len(fast), [hit.docnum for hit in fast], fast_scores),
        (len(slow), [hit.docnum for hit in slow], slow_scores),
    )


def check(ix: NewsIndex, text: str, operator: str, sort: str, limit: int | None = 10, feedback: bool = False) -> int:
    q = ix._search.filtered(text, operator, None, None)  # type: ignore[arg-type]
    if feedback:
        q = ranking.expand(ix.searcher, q, ix._search.analysis)
    fast, slow = answers(ix, q, sort, limit)
    assert fast == slow, (text, sort, limit)
    return fast[0]


@pytest.mark.usefixtures("fixed_andnot")
def test_the_query_mix_gives_whooshs_answer(reuters_index: NewsIndex) -> None:
    totals = [check(reuters_index, q.text, q.operator, q.sort) for q in MIX]
    assert sum(totals) > 20_000  # the mix really matches (oil alone: 1,544)
    for q in MIX[:12]:  # single words, a deep ranking
        check(reuters_index, q.text, q.operator, q.sort, limit=1000)


@pytest.mark.usefixtures("fixed_andnot")
@pytest.mark.parametrize("sort", ["relevance", "date", "date-asc"])
def test_hand_written_queries_give_whooshs_answer(reuters_index: NewsIndex, sort: str) -> None:
    matched = 0
    for text in HAND_WRITTEN:
        matched += bool(check(reuters_index, text, "and", sort))
        check(reuters_index, text, "or", sort, limit=50)
    assert matched == len(HAND_WRITTEN) - 3  # made-up words, and no T-72 in Reuters


@pytest.mark.usefixtures("fixed_andnot")
@pytest.mark.parametrize("text", FEEDBACK)
def test_feedback_queries_give_whooshs_answer(reuters_index: NewsIndex, text: str) -> None:
    assert check(reuters_index, text, "or", "relevance", feedback=True) > 0
    check(reuters_index, text, "and", "relevance", limit=100, feedback=True)


@pytest.mark.usefixtures("fixed_andnot")
def test_search_pages_and_ids_are_the_reference_ranking(reuters_index: NewsIndex) -> None:
    ids = reuters_index.searcher.reader().column_reader("id")
    for text, sort in [("oil prices", "relevance"), ('"interest rates" -cut', "date"), ("coffee", "date-asc")]:
        q = reuters_index._search.filtered(text, "and", None, None)
        reference = [ids[hit.docnum] for hit in reuters_index._search.whoosh_top(q, sort, 20)]  # type: ignore[arg-type]
        page2 = reuters_index.search(text, limit=10, page=2, sort=sort)  # type: ignore[arg-type]
        assert [hit.id for hit in page2] == reference[10:20]
        assert page2.total == len(reuters_index._search.whoosh_top(q, sort, 1))  # type: ignore[arg-type]
        assert [hit.rank for hit in page2] == list(range(11, 21))
    ranked = reuters_index._search.whoosh_top(reuters_index.parse("wheat export"), "relevance", 300)
    assert reuters_index.ids("wheat export", 300) == [ids[hit.docnum] for hit in ranked]
    with_dates = reuters_index.search("oil", since="1987-03", until="1987-03")
    assert with_dates.total == 827 and all(hit.published.month == 3 for hit in with_dates)


def test_not_excludes_the_first_document_whoosh_keeps(reuters_index: NewsIndex) -> None:
    """``title:dividend NOT split``: the evaluator is the set difference; Whoosh's matcher keeps one more."""
    searcher = reuters_index.searcher
    q = reuters_index.parse("title:dividend NOT split")
    positive = set(searcher.docs_for_query(q.a))
    negative = set(searcher.docs_for_query(q.b))
    fast = reuters_index._search.top(q, "relevance", 1000)
    assert {hit.docnum for hit in fast} == positive - negative and len(fast) == 349
    slow = {hit.docnum for hit in reuters_index._search.whoosh_top(q, "relevance", 1000)}
    extra = slow - (positive - negative)
    assert len(slow) == 350 and len(extra) == 1 and extra <= negative
    article = from_stored(searcher.stored_fields(extra.pop())["article"])
    assert "split" in article.body.lower()


@pytest.mark.usefixtures("fixed_andnot")
def test_a_tiny_cache_evicts_and_still_answers_the_same(reuters_index: NewsIndex) -> None:
    evaluator = Evaluator(reuters_index.searcher, cache_mb=0.05)
    for q in MIX[::3]:
        parsed = reuters_index._search.filtered(q.text, q.operator, None, None)  # type: ignore[arg-type]
        fast = evaluator.top(parsed, q.sort, 10)  # type: ignore[arg-type]
        slow = reuters_index._search.whoosh_top(parsed, q.sort, 10)  # type: ignore[arg-type]
        assert (len(fast), [h.docnum for h in fast]) == (len(slow), [h.docnum for h in slow]), q.text
    assert evaluator.cache.bytes <= evaluator.cache.max_bytes or len(evaluator.cache) == 1


def test_writes_are_seen_and_deleted_articles_never_match(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The evaluator is rebuilt when the index changes; postings of a segment with deletions skip them."""
    words = ["oil prices rise", "oil output falls", "gas prices rise", "oil and gas", "coffee prices"]
    with NewsIndex.create(tmp_path / "index") as ix:
        ix.add(
            Article(id=f"a{i}", title=t, body=f"{t}. More about {t}.",
                    published=datetime(2025, 1, 5 - i, tzinfo=timezone.utc) if i != 2 else None)
            for i, t in enumerate(words)
        )
        assert ix.search("oil").total == 3 and ix.search("prices").total == 3
        assert ix.delete(["a0", "a3"]) == 2
        for text in ("oil", "prices", "oil OR gas", '"oil output"', "-coffee", "rise"):
            for sort in ("relevance", "date"):
                q = ix._search.filtered(text, "and", None, None)
                fast, slow = answers(ix, q, sort, 10)
                assert fast == slow, text
        assert [hit.id for hit in ix.search("oil")] == ["a1"]
        ix.add([Article(id="a9", title="oil again", body="oil")])
        assert {hit.id for hit in ix.search("oil")} == {"a1", "a9"}
        ix.add([Article(id="a1", title="coffee", body="coffee only")])  # replaced: the old text is gone
        assert [hit.id for hit in ix.search("oil")] == ["a9"] and ix.search("coffee").total == 2


def test_date_order_without_any_dated_article(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No ``published`` column at all: every article is undated, so date order is document order."""
    with NewsIndex.create(tmp_path / "index") as ix:
        ix.add(Article(id=f"u{i}", title="oil", body="oil prices") for i in range(3))
        for sort in ("date", "date-asc"):
            assert [hit.id for hit in ix.search("oil", sort=sort)] == ["u0", "u1", "u2"]  # type: ignore[arg-type]


@pytest.mark.usefixtures("fixed_andnot")
def test_matches_are_every_document_of_the_query(reuters_index: NewsIndex) -> None:
    evaluator = Evaluator(reuters_index.searcher)
    for text in ["oil", "(yen OR mark) dollar", '"interest rates" -cut', "-opec", "date:1987-03", "compu*"]:
        q = reuters_index.parse(text)
        assert evaluator.matches(q) == sorted(reuters_index.searcher.docs_for_query(q)), text


@pytest.mark.parametrize("text", ["oil", "title:dividend NOT split", '"bank of england"', "coffee date:1987-03"])
def test_count_and_facets_agree_with_the_search_total(reuters_index: NewsIndex, text: str) -> None:
    total = reuters_index.search(text).total
    assert reuters_index.count(text) == total > 0
    (_, top), *_ = reuters_index.facets(text, ["source"], top=1).items()
    assert top[0][1] <= total
    assert sum(p.count for p in reuters_index.timeline(text, by="month")) == total
