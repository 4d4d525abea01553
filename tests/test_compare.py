"""Comparing two tellings of a story: the seed pair, corrected Reuters wires, and invariants.

The seed pair is the case the feature was written for: ``001`` retells
``000`` and adds figures, sources and claims. The Reuters pairs are a wire
story and its correction, where one figure changed and the rest must come
out as shared.
"""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, REUTERS, SEEDS, need_shared
from newsindex import Article
from newsindex.stories.compare import Change, Comparison, Side, SentenceMatch, compare
from newsindex.stories.render import render_text
from newsindex.stories.sentences import split_sentences
from newsindex.ingest.readers import read_paths

ORIGINAL = "000_7887337d1080e0d6"
RETELLING = "001_d111d31f41ebd35a"


def _articles(paths: list, ids: list[str]) -> list[Article]:
    found = {a.id: a for a in read_paths(paths) if isinstance(a, Article) and a.id in ids}
    return [found[i] for i in ids]


@pytest.fixture(scope="module")
def seeds() -> Comparison:
    a, b = _articles([need_shared(SEEDS)], [ORIGINAL, RETELLING])
    return compare(a, b)


def sentence(side: Side, fragment: str) -> SentenceMatch:
    """The one sentence of ``side`` containing ``fragment``."""
    hits = [s for s in side.sentences if fragment in s.sentence.text]
    assert len(hits) == 1, f"{fragment!r} is in {len(hits)} sentences of {side.id}"
    return hits[0]


def flagged(match: SentenceMatch, kind: str) -> list[str]:
    return [d.text for d in match.details if d.kind == kind]


# --- the seed pair ----------------------------------------------------------------------------


def test_seed_retelling_figures_and_sources_are_only_in_b(seeds: Comparison) -> None:
    wheat = sentence(seeds.b, "wheat imports")
    assert wheat.status == "only"
    assert "40%" in flagged(wheat, "number")
    assert "according to UN data for 2024" in flagged(wheat, "attribution")

    toll = sentence(seeds.b, "8,7 civilians")
    assert toll.status == "only"
    assert {"21 people", "8,7 civilians"} <= set(flagged(toll, "number"))
    assert any("Syrian Observatory for Human Rights" in t for t in flagged(toll, "attribution"))

    weapons = sentence(seeds.b, "T-72")
    assert weapons.status == "only" and {"T-72", "S-300"} <= set(flagged(weapons, "name"))

    talks = sentence(seeds.b, "According to Reuters")
    assert talks.status == "only"
    assert flagged(talks, "attribution") == ["According to Reuters"] and flagged(talks, "date") == ["March 2025"]

    bbc = sentence(seeds.b, "BBC")
    assert bbc.status == "only" and flagged(bbc, "attribution") == ["According to the BBC"]

    jolani = sentence(seeds.b, "al-Qaeda")
    assert jolani.status == "only" and {"al-Qaeda", "Abu Mohammed al-Jolani"} <= set(flagged(jolani, "name"))


def test_seed_original_has_its_own_sentences_only_in_a(seeds: Comparison) -> None:
    visit = sentence(seeds.a, "Bogdanov")
    assert visit.status == "only"
    assert flagged(visit, "name") == ["Russian Deputy Foreign Minister Mikhail Bogdanov"]

    experts = sentence(seeds.a, "experts interviewed by The Insider")
    assert experts.status == "only"
    assert flagged(experts, "attribution") == ["interviewed by The Insider"]


def test_seed_what_both_say_in_other_words_is_shared(seeds: Comparison) -> None:
    for side, fragment in [
        (seeds.a, "Russia has refused to extradite"),
        (seeds.a, "in an interview with The New York Times"),
        (seeds.a, "Hayat Tahrir al-Sham"),
        (seeds.a, "Khmeimim"),
        (seeds.b, "as stated by interim Syrian President Ahmed al-Sharaa"),
        (seeds.b, "The Kremlin\u2019s refusal to extradite Assad"),
        (seeds.b, "naval base in Tartus and an air base in Khmeimim"),
    ]:
        match = sentence(side, fragment)
        # Told in other words, so never "same": a shared sentence with other words is "changed".
        assert match.status == "changed", (fragment, match.coverage)
        assert match.matched, fragment
    # The merge is recognised: B's one sentence on the bases is covered by A's two.
    bases = sentence(seeds.b, "air base in Khmeimim")
    assert bases.status == "changed" and len(bases.matched) == 2
    change = next(c for c in seeds.changes if bases.sentence.index in c.b)
    assert change.retold and len(change.a) == 2 and "Khmeimim airbase" in change.words.old


def test_seed_names_both_mention_are_never_flagged(seeds: Comparison) -> None:
    names = [d.text for side in (seeds.a, seeds.b) for d in side.details if d.kind in ("name", "attribution")]
    for common in ("Khmeimim", "Tartus", "Hayat Tahrir", "HTS", "New York Times", "Kremlin", "Assad", "Sharaa", "Latakia"):
        assert not any(common in n for n in names), (common, names)


def test_seed_shared_sentence_names_the_added_detail(seeds: Comparison) -> None:
    # B says what A says about the NYT interview, and adds the interview's date.
    nyt = sentence(seeds.b, "as stated by interim Syrian President")
    assert nyt.status == "changed" and flagged(nyt, "date") == ["April 23, 2025"]
    # A quotes al-Sharaa word for word where B paraphrases: the quote is A's detail.
    weapons = sentence(seeds.a, "weapons are entirely Russian")
    assert weapons.status == "changed" and flagged(weapons, "quote") == ["Syria\u2019s weapons are entirely Russian"]


def test_seed_render_text(seeds: Comparison) -> None:
    text = render_text(seeds)
    # The seeds as they are in ../shared: no date, the first line (page furniture in A) is the title.
    assert text.startswith(f"A: {ORIGINAL} \u00b7 no date \u00b7 Investigation topicsFakesperts")
    assert f"\nB: {RETELLING} \u00b7 no date \u00b7 Russia Refused to Extradite Assad to New Syrian Authorities\n" in text
    # The titles say different things: both shown, one under the other.
    assert "Title changed:\n  A: Investigation topics" in text and "\n  B: Russia Refused to Extradite" in text
    assert "Changed inside statements both make: none" in text  # a retelling, no light edit
    retold, only = text.split("Said only by A (")
    only_a, only_b = only.split("Said only by B (")
    # Each heading lists what it says: the sentences B alone says are under "Said only by B".
    assert "Mikhail Bogdanov" in only_a and "Mikhail Bogdanov" not in only_b + retold
    assert "* never in A: number 40%" in only_b and "* never in A: attribution According to the BBC" in only_b
    # Told by both, with a detail only one has: shown as the two wordings, with the detail.
    assert "Told by both in other words (" in retold
    assert "* never in A: date April 23, 2025" in retold
    assert "* never in B: name Islamist" in retold  # A's HTS sentence is told by B too, but B never says "Islamist"
    assert "* never in B: quote \u201cSyria\u2019s weapons are entirely Russian\u201d" in retold
    assert "name Hayat" not in text and "name Bashar" not in text
    a, b = seeds.a, seeds.b
    assert text.splitlines()[-1] == (
        f"Same words in both: {len(a.same)} of A's {len(a.sentences)} sentences, {len(b.same)} of B's "
        f"{len(b.sentences)}. Changed or retold: {len(a.changed)} of A's, {len(b.changed)} of B's. "
        f"Only in A: {len(a.only)}. Only in B: {len(b.only)}."
    )
    assert len(a.only) >= 5 and len(b.only) >= 10 and len(a.shared) >= 8


def test_seed_to_dict_is_plain_json(seeds: Comparison) -> None:
    data = json.loads(json.dumps(seeds.to_dict()))
    assert data["a"]["id"] == ORIGINAL and data["b"]["id"] == RETELLING
    b = data["b"]
    assert b["same"] + b["changed"] + b["only"] == b["sentences"] == len(b["alignment"])
    wheat = next(s for s in b["alignment"] if "wheat" in s["text"])
    assert wheat["status"] == "only"
    assert {"kind": "number", "text": "40%"} in [{k: d[k] for k in ("kind", "text")} for d in wheat["details"]]
    detail = wheat["details"][0]
    assert wheat["text"][detail["start"]:detail["end"]] == detail["text"]


# --- corrected Reuters wires --------------------------------------------------------------------


def edits(c: Comparison, kind: str | None = None) -> list[tuple[str, str]]:
    """(old, new) of every word-level edit of the comparison's body sentences, of one kind or all."""
    return [(e.old, e.new) for ch in c.changes if not ch.title for e in ch.words.edits if kind in (None, e.kind)]


def test_reuters_correction_finds_the_changed_figure_and_shares_the_rest() -> None:
    # reuters-16597 corrects reuters-16483: the year-ago loss was 59 cents a share, not 64;
    # the correction repeats the first three paragraphs and leaves the rest out.
    original, corrected = _articles([need_shared(REUTERS) / "reut2-016.sgm"], ["reuters-16483", "reuters-16597"])
    c = compare(original, corrected)
    assert edits(c) == [("64", "59")]
    (change,) = [ch for ch in c.changes if not ch.title]
    assert "loss of [-64-]{+59+} cents a share" in change.words.marked()
    assert [s.status for s in c.b.sentences if not s.sentence.in_title].count("changed") == 1
    # The figures stay flagged as details the other never mentions.
    assert [flagged(s, "number") for s in c.a.changed if not s.sentence.in_title] == [["64 cents"]]
    assert [flagged(s, "number") for s in c.b.changed if not s.sentence.in_title] == [["59 cents"]]
    assert c.b.only == () and len(c.b.shared) == len(c.b.sentences)
    dropped = [s.sentence.text for s in c.a.only]
    assert len(dropped) == 4
    assert dropped[0].startswith("Celeron consists of oil and gas reserves")
    assert any("no fire sale" in t for t in dropped)
    assert all(s.details == () for s in c.a.sentences if s.status == "same")
    # The title only gained the correction mark.
    assert c.title_change is not None and edits_of(c.title_change) == [("", "CORRECTED")]


def edits_of(change: Change) -> list[tuple[str, str]]:
    return [(e.old, e.new) for e in change.words.edits]


def test_reuters_correction_of_precision() -> None:
    # reuters-2249 corrects reuters-2188's revenue "12.1 mln" to "12,141,000" and its note.
    original, corrected = _articles([need_shared(REUTERS) / "reut2-002.sgm"], ["reuters-2188", "reuters-2249"])
    c = compare(original, corrected)
    assert edits(c, "number") == [("12.1 mln", "12,141,000")]
    assert [(s.sentence.text, flagged(s, "number")) for s in c.a.changed if not s.sentence.in_title] == [("Revs 12.1 mln vs 5,993,000", ["12.1 mln"])]
    assert [(s.sentence.text, flagged(s, "number")) for s in c.b.changed if not s.sentence.in_title] == [("Revs 12,141,000 vs 5,993,000", ["12,141,000"])]
    assert [s.sentence.text for s in c.b.only] == ["NOTE: company corrects reporting period to 4th qtr and year from 3rd qtr and nine mths"]
    assert len(c.a.only) == 1 and c.a.only[0].sentence.text.startswith("NOTE: Current qtr includes gain")


# --- invariants -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_reuters() -> list[Article]:
    """Reuters stories of the sample corpus (in the repository) with a body."""
    articles = [a for a in read_paths([CORPUS / "reut2-000.sgm"]) if isinstance(a, Article) and a.body.strip()]
    return random.Random(7).sample(articles, 60)


def test_an_article_compared_with_itself_has_nothing_of_its_own(sample_reuters: list[Article]) -> None:
    seed_files = [CORPUS / f"{ORIGINAL}.txt", CORPUS / f"{RETELLING}.txt"]
    for article in sample_reuters + list(_articles(seed_files, [ORIGINAL, RETELLING])):
        c = compare(article, article)
        for side in (c.a, c.b):
            assert side.sentences, article.id
            assert all(s.status == "same" and s.coverage == 1.0 and not s.details for s in side.sentences), article.id
        assert c.changes == ()
        text = render_text(c)
        assert "Said only by A: nothing" in text and "Said only by B: nothing" in text


def test_comparison_is_the_mirror_of_the_reverse(sample_reuters: list[Article], seeds: Comparison) -> None:
    pairs = list(zip(sample_reuters[::2], sample_reuters[1::2]))
    for a, b in pairs:
        ab, ba = compare(a, b), compare(b, a)
        assert ab.a == ba.b and ab.b == ba.a, (a.id, b.id)
    a, b = _articles([need_shared(SEEDS)], [ORIGINAL, RETELLING])
    reverse = compare(b, a)
    assert reverse.a == seeds.b and reverse.b == seeds.a


_WORDS = st.sampled_from(
    ["Russia", "said", "the", "U.S.", "Mr.", "No.", "5", "8,7", "40%", "March", "2025", "\u201cquote\u201d", '"', "al-Sharaa",
     "T-72", "according", "to", "Reuters", ".", ",", "\n", "\n\n", "    ", "?", "(", ")", "\u2014", "oil", "prices", "fell"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_WORDS, max_size=40), st.lists(_WORDS, max_size=40))
def test_any_text_compares_symmetrically_without_error(x: list[str], y: list[str]) -> None:
    a = Article("x", title=" ".join(x[:5]), body=" ".join(x))
    b = Article("y", title="", body=" ".join(y))
    ab, ba = compare(a, b), compare(b, a)
    assert ab.a == ba.b and ab.b == ba.a
    json.dumps(ab.to_dict())
    render_text(ab)
    for side in (ab.a, ab.b):
        for s in side.sentences:
            assert 0.0 <= s.coverage <= 1.0
            assert s.coverage >= ab.threshold or s.status == "only"
            assert (s.status == "only") == (not s.matched)
            for d in s.details:
                assert s.sentence.text[d.start:d.end] == d.text
    aa = compare(a, a)
    assert not aa.a.only and not aa.a.changed and aa.changes == ()


def test_word_forms_the_stemmer_keeps_apart_still_meet() -> None:
    a = Article("a", body="Russia keeps the Khmeimim airbase. The Syrian government objects.")
    b = Article("b", body="Russia keeps an air base in Khmeimim. Syria's government objects.")
    c = compare(a, b)
    assert [(s.status, s.coverage) for s in c.a.sentences] == [("changed", 1.0), ("changed", 1.0)]
    # Shared by their stems, and changed in their words: "The Syrian" -> "Syria's" is shown.
    assert [(e.old, e.new) for ch in c.changes for e in ch.words.edits if e.kind == "name"] == [("The Syrian", "Syria's")]


# --- sentence splitting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, sentences",
    [
        ("The U.S. economy grew 5.93 pct in 1986. Mr. Smith said No. 5 was late.",
         ["The U.S. economy grew 5.93 pct in 1986.", "Mr. Smith said No. 5 was late."]),
        ("J. R. Ewing left. He lives in the U.S. The company said so.",
         ["J. R. Ewing left.", "He lives in the U.S.", "The company said so."]),
        ("Shares of Acme Corp. rose. \u201cIs it true?\u201d he asked. Yes!",
         ["Shares of Acme Corp. rose.", "\u201cIs it true?\u201d he asked.", "Yes!"]),
        ("Showers continued in\nthe Bahia zone.\n    New paragraph, no period\n\nTitle line",
         ["Showers continued in\nthe Bahia zone.", "New paragraph, no period", "Title line"]),
        ("It ended Jan. 5 at 3 p.m. The end.", ["It ended Jan. 5 at 3 p.m.", "The end."]),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == sentences


def test_sentences_group_the_same_whichever_article_is_a() -> None:
    # difflib finds more words in common one way round than the other here; the grouping of
    # sentences must not depend on it (found by the property test above)
    x = ["Russia", "Russia", "Russia", "Russia", "the", "Russia", "said"]
    y = ["Russia", "said", "the", "Russia"]
    a = Article("x", title=" ".join(x[:5]), body=" ".join(x))
    b = Article("y", title="", body=" ".join(y))
    ab, ba = compare(a, b), compare(b, a)
    assert ab.a == ba.b and ab.b == ba.a
