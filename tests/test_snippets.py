"""Snippets: passages around the query's words, marked, on the real seed articles."""

from __future__ import annotations

from newsindex import NewsIndex
from newsindex.text.analysis import text_analyzer
from newsindex.search.snippets import headline_end, make_snippet


def test_a_phrase_is_marked_as_one_passage_and_lone_stop_words_are_not(sample_index: NewsIndex) -> None:
    hits = {h.id: h for h in sample_index.search('"refused to extradite" assad', highlight=("[", "]"))}
    assert "Russia has [refused to extradite] former Syrian dictator Bashar al-[Assad]" in hits["000_7887337d1080e0d6"].snippet
    assert "[to]" not in hits["000_7887337d1080e0d6"].snippet


def test_a_body_that_repeats_the_headline_is_shown_from_after_it(sample_index: NewsIndex) -> None:
    # The rewrite's text starts "Russia Refused to Extradite Assad to New Syrian Authorities News Russia
    # Refused to ..." (the headline twice, as the saved page has it): the title is shown above the snippet.
    article = sample_index.get("001_d111d31f41ebd35a")
    assert article.body.count(article.title) >= 2
    hit = sample_index.search("id:001_d111d31f41ebd35a").hits[0]
    assert article.title not in hit.snippet and hit.snippet.startswith("The new Syrian leadership")
    assert headline_end("Short", "Short") == 0 and headline_end(article.body, "Not in the text at all") == 0


def test_stems_and_prefixes_are_marked(sample_index: NewsIndex) -> None:
    hit = sample_index.search("extradit* refused", highlight=("<", ">")).hits[0]
    assert "<refusal> to <extradite>" in hit.snippet  # same stem as the query word, found by the prefix


def test_no_word_to_mark_gives_the_start_of_the_body(sample_index: NewsIndex) -> None:
    res = sample_index.search("topic:cocoa date:1987-03")  # only filters: nothing to mark
    assert res.total == 1
    body = sample_index.get(res.hits[0].id).body
    assert res.hits[0].snippet == " ".join(body[:200].split())


def test_passages_are_at_most_three_and_do_not_overlap() -> None:
    text = " ".join(f"word{i}" for i in range(400)) + " oil " + " ".join(f"x{i}" for i in range(300)) + " oil gas"
    snippet = make_snippet(text, text_analyzer(), frozenset({"oil", "gas"}), ("*", "*"))
    passages = snippet.split(" ... ")
    assert len(passages) == 2
    assert "*oil* *gas*" in passages[1] and "*oil*" in passages[0]
    assert not set(passages[0].split()) & set(passages[1].split()) - {"*oil*"}
