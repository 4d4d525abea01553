"""Snippets: passages around the query's words, marked, on the real seed articles."""

from __future__ import annotations

from newsindex import NewsIndex
from newsindex.text.analysis import text_analyzer
from newsindex.search.snippets import make_snippet


def test_phrase_words_are_marked_but_not_every_stop_word(sample_index: NewsIndex) -> None:
    hit = sample_index.search('"refused to extradite"', highlight=("[", "]")).hits[0]
    assert "[Refused] to [Extradite]" in hit.snippet
    assert "[to]" not in hit.snippet


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
