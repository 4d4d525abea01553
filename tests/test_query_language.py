"""The query language on real data: every construct, checked against what the articles say."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from newsindex import NewsIndex, QueryError

import oracle


def ids(ix: NewsIndex, query: str, **kwargs) -> set[str]:
    res = ix.search(query, limit=100_000, **kwargs)
    assert res.total == len(res.hits)
    return {h.id for h in res}


# -- sample corpus (always present) ---------------------------------------------------------

SEED_A, SEED_B = "000_7887337d1080e0d6", "001_d111d31f41ebd35a"


@pytest.mark.parametrize(
    "query, expected",
    [
        ('"refused to extradite"', {SEED_A, SEED_B}),
        ('"refused to hand over"', {SEED_A}),
        ('title:"hand over"', {SEED_A}),
        ("title:extradite", {SEED_B}),
        ('source:"The Insider"', {SEED_A}),
        ("source:insider", {SEED_A}),
        ("T-72", {SEED_B}),
        ("S-300", {SEED_B}),
        ("al-Sharaa", {SEED_A, SEED_B}),
        ("Bogdanov", {SEED_A}),
        ("40%", {SEED_B}),
        ("8,7", {SEED_B}),
        ('"russia assad"~5 date:2025', {SEED_A, SEED_B}),
        ("extradit* date:2025-04-23", {SEED_A, SEED_B}),
        ("khmeimim -bogdanov", {SEED_B}),
        ("khmeimim NOT bogdanov", {SEED_B}),
        ("(bogdanov OR T-72) date:2025", {SEED_A, SEED_B}),
        ("topic:syria", {SEED_A, SEED_B}),
        ("language:en extradite", {SEED_A, SEED_B}),
    ],
)
def test_constructs_on_the_seeds(sample_index: NewsIndex, query: str, expected: set[str]) -> None:
    assert ids(sample_index, query) == expected


def test_hyphenated_parts_are_searchable_alone_and_whole_word_needs_the_phrase(sample_index: NewsIndex) -> None:
    assert ids(sample_index, "sharaa") == {SEED_A, SEED_B}
    # "T-72" is the phrase "t 72": articles with "T" and "72" apart do not match.
    assert ids(sample_index, "T-72") < ids(sample_index, "t 72") | {SEED_B}


def test_possessive_finds_the_name(sample_index: NewsIndex) -> None:
    # The seeds write "Syria’s" with a curly apostrophe; both spellings find it.
    assert ids(sample_index, "Syria's") == ids(sample_index, "syria")
    assert SEED_A in ids(sample_index, "Syria’s")


def test_numbers_with_separators_are_whole_tokens(sample_index: NewsIndex) -> None:
    assert ids(sample_index, "155,221") == {"reuters-1"}
    assert "reuters-1" in ids(sample_index, "5.93")
    assert "reuters-1" not in ids(sample_index, "155")


def test_unfielded_terms_search_title_and_body_but_title_weighs_more(sample_index: NewsIndex) -> None:
    res = sample_index.search("extradite assad")
    assert [h.id for h in res][:2] == [SEED_B, SEED_A]  # SEED_B has both words in its title


def test_star_or_an_empty_query_matches_every_article_and_combines(sample_index: NewsIndex) -> None:
    everything = len(sample_index)
    assert everything == 1002
    for query in ("*", "", "   "):
        assert sample_index.search(query).total == everything
    assert sample_index.search("* date:2025").total == 2
    assert sample_index.search("* -date:2025").total == everything - 2
    assert sample_index.count("*", since="2025") == 2
    with pytest.raises(QueryError, match="cannot start with a wildcard"):
        sample_index.search("title:*")


@pytest.mark.parametrize(
    "query, fragment, position",
    [
        ('"refused to extradite', "unbalanced quote", 0),
        ("(assad OR putin", "never closed", 0),
        ("assad)", "no matching (", 5),
        ("foo:bar", "unknown field 'foo'", 0),
        ("date:2025-02-30", "impossible date", 5),
        ("date:2025-13", "impossible date", 5),
        ("date:yesterday", "not a date", 5),
        ("date:2025-05..2025-01", "ends before it starts", 5),
        ("OR assad", "OR needs a term", 0),
        ("assad AND", "AND needs a term", 6),
        ("-", "nothing to search for", None),
        ("!!! ...", "nothing to search for", None),
        ("*assad", "cannot start with a wildcard", 0),
        ("title:", "no value", 5),
        ("()", "empty parentheses", 0),
    ],
)
def test_malformed_queries_say_what_and_where(sample_index: NewsIndex, query: str, fragment: str, position) -> None:
    with pytest.raises(QueryError) as info:
        sample_index.search(query)
    assert fragment in str(info.value)
    assert info.value.position == position


# -- Reuters-21578 (../shared) -------------------------------------------------------------


@pytest.mark.parametrize("phrase", ["interest rates", "bank of england", "crude oil prices", "money supply", "trade deficit"])
def test_phrase_matches_exactly_the_stories_that_contain_it(reuters_index, reuters_articles, phrase: str) -> None:
    expected = oracle.matching_ids(reuters_articles, phrase)
    assert len(expected) > 10
    assert ids(reuters_index, f'"{phrase}"') == expected


def test_title_field_matches_titles_only(reuters_index, reuters_articles) -> None:
    expected = oracle.matching_ids(reuters_articles, "cocoa", fields=("title",))
    found = ids(reuters_index, "title:cocoa")
    assert found == expected
    assert found < ids(reuters_index, "cocoa")  # the body mentions cocoa in more stories


def test_title_phrase(reuters_index, reuters_articles) -> None:
    assert ids(reuters_index, 'title:"money supply"') == oracle.matching_ids(
        reuters_articles, "money supply", fields=("title",)
    )


def _in(article, start: datetime, end: datetime) -> bool:
    return article.published is not None and start <= article.published < end


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "clause, start, end",
    [
        ("date:1987-03", utc(1987, 3, 1), utc(1987, 4, 1)),
        ("date:1987-03-05", utc(1987, 3, 5), utc(1987, 3, 6)),
        ("date:1987-03-01..1987-03-15", utc(1987, 3, 1), utc(1987, 3, 16)),
        ("date:1987-04..1987-05", utc(1987, 4, 1), utc(1987, 6, 1)),
        ("date:>=1987-10", utc(1987, 10, 1), utc(9999, 1, 1)),
        ("date:>1987-09", utc(1987, 10, 1), utc(9999, 1, 1)),
        ("date:..1987-03-01", utc(1, 1, 1), utc(1987, 3, 2)),
        ("date:<1987-03-01", utc(1, 1, 1), utc(1987, 3, 1)),
        ("date:<=1987-02", utc(1, 1, 1), utc(1987, 3, 1)),
        ("date:1987", utc(1987, 1, 1), utc(1988, 1, 1)),
    ],
)
def test_date_filters_return_exactly_the_stories_in_the_period(reuters_index, reuters_articles, clause, start, end) -> None:
    expected = {a.id for a in reuters_articles if _in(a, start, end) and oracle.contains_phrase(a.title + " " + a.body, "oil")}
    found = ids(reuters_index, f"oil {clause}")
    assert expected and found == expected


def test_since_until_options_equal_the_date_clause(reuters_index) -> None:
    assert ids(reuters_index, "wheat", since="1987-03-01", until="1987-03-15") == ids(
        reuters_index, "wheat date:1987-03-01..1987-03-15"
    )


def test_boolean_logic_is_set_algebra(reuters_index) -> None:
    cocoa, coffee, brazil = (ids(reuters_index, w) for w in ("cocoa", "coffee", "brazil"))
    assert ids(reuters_index, "cocoa coffee") == cocoa & coffee
    assert ids(reuters_index, "cocoa AND coffee") == cocoa & coffee
    assert ids(reuters_index, "cocoa OR coffee") == cocoa | coffee
    assert ids(reuters_index, "cocoa -coffee") == cocoa - coffee
    assert ids(reuters_index, "cocoa NOT coffee") == cocoa - coffee
    assert ids(reuters_index, "(cocoa OR coffee) brazil") == (cocoa | coffee) & brazil
    assert ids(reuters_index, "cocoa OR coffee brazil") == cocoa | (coffee & brazil)
    assert ids(reuters_index, "cocoa coffee", operator="or") == cocoa | coffee


def test_pure_negation_matches_everything_else(reuters_index) -> None:
    assert reuters_index.search("-cocoa").total == 21578 - len(ids(reuters_index, "cocoa"))


def test_prefix_wildcard_matches_words_starting_so(reuters_index, reuters_articles) -> None:
    expected = {a.id for a in reuters_articles if any(w.startswith("extradit") for w in oracle.words(a.title + " " + a.body))}
    assert ids(reuters_index, "extradit*") == expected


def test_proximity_finds_words_within_n_words(reuters_index, reuters_articles) -> None:
    def near(text: str, a: str, b: str, n: int) -> bool:
        w = oracle.words(text)
        pa = [i for i, x in enumerate(w) if x == a]
        pb = [i for i, x in enumerate(w) if x == b]
        return any(abs(i - j) - 1 <= n for i in pa for j in pb)

    expected = {a.id for a in reuters_articles if near(a.title, "oil", "price", 3) or near(a.body, "oil", "price", 3)}
    found = ids(reuters_index, '"oil prices"~3')
    assert found == expected
    assert found > ids(reuters_index, '"oil prices"')


@pytest.mark.parametrize("query, check", [
    ("topic:cocoa", lambda a: "cocoa" in a.topics),
    ("place:brazil", lambda a: "brazil" in a.places),
    ("topic:grain place:usa", lambda a: "grain" in a.topics and "usa" in a.places),
    ('place:"west-germany"', lambda a: "west-germany" in a.places),
])
def test_topic_and_place_fields(reuters_index, reuters_articles, query, check) -> None:
    assert ids(reuters_index, query) == {a.id for a in reuters_articles if check(a)}


def test_abbreviations_match_with_and_without_dots(reuters_index) -> None:
    assert ids(reuters_index, "U.S.") == ids(reuters_index, "US") == ids(reuters_index, "u.s")
    assert len(ids(reuters_index, "U.S.")) > 4000


def test_stop_words_are_dropped_from_bags_but_kept_in_phrases(reuters_index) -> None:
    assert ids(reuters_index, "the bank of england") == ids(reuters_index, "bank england")
    assert ids(reuters_index, '"bank of england"') < ids(reuters_index, "bank england")
    assert reuters_index.search("the").total > 15000  # a query of stop words only still searches


def test_sort_by_date_orders_hits_and_paging_is_consistent(reuters_index) -> None:
    newest = reuters_index.search("coffee", sort="date", limit=50)
    dates = [h.published for h in newest]
    assert dates == sorted(dates, reverse=True)
    oldest = reuters_index.search("coffee", sort="date-asc", limit=50)
    assert [h.published for h in oldest] == sorted(h.published for h in oldest)
    page1 = reuters_index.search("coffee", limit=20, page=1)
    page2 = reuters_index.search("coffee", limit=20, page=2)
    both = reuters_index.search("coffee", limit=40)
    assert [h.id for h in page1] + [h.id for h in page2] == [h.id for h in both]
    assert page2.hits[0].rank == 21
    assert page1.total == both.total == len(ids(reuters_index, "coffee"))


@pytest.mark.parametrize("sort", ["relevance", "date", "date-asc"])
@pytest.mark.parametrize(
    "query",
    ["oil", "oil date:1987-03-01..1987-03-15", '"interest rates"', "oil OR gas", "coffee brazil", "date:1987-03", "-oil"],
)
def test_total_is_exact_on_the_first_page(reuters_index, query: str, sort: str) -> None:
    """The total of a 10-hit page is the number of all matching articles (Whoosh's own count can fall short)."""
    assert reuters_index.search(query, sort=sort).total == len(ids(reuters_index, query))


def test_exact_words_are_not_other_forms_on_reuters_corrected_titles(reuters_index, reuters_articles) -> None:
    import re

    exact = {a.id for a in reuters_articles if re.search(r"(?<![\w.])corrected(?!\w)", a.title, re.IGNORECASE)}
    stemmed = ids(reuters_index, "title:corrected")
    assert len(exact) > 20 and ids(reuters_index, "title:=corrected") == exact
    assert exact < stemmed  # "corrects", "correction" also have the stem
    assert any("CORRECTION" in reuters_index.get(i).title.upper() for i in stemmed - exact)


def test_exact_phrases_and_fields(sample_index: NewsIndex) -> None:
    assert sample_index.search('"refusal to extradite"').total == 2  # stems: "refused to extradite" too
    assert [h.id for h in sample_index.search('="refusal to extradite"')] == ["001_d111d31f41ebd35a"]
    assert sample_index.search('="refused to extradite"').total == 2
    assert sample_index.search("=Refusal").total == 4 and sample_index.search("=refusal -=refused").total == 2
    assert sample_index.search("source:=reuters").total == sample_index.search("source:reuters").total
    for bad in ("=", "=*", "title:=ex*"):
        with pytest.raises(QueryError):
            sample_index.search(bad)
