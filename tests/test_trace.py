"""``trace``: every article carrying a claim, oldest first, the earliest marked, what later ones changed.

Checked on real data: the seeds (a sentence of one is retold by the other),
Reuters-21578 (sentences of stories find their copies and corrections, and
the list agrees with a phrase search of the claim), and feeds in Japanese,
German and French (every sentence finds its own article, nothing crashes).
"""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from newsindex import NewsIndex, NewsIndexError
from newsindex.cli import main
from newsindex.ingest.readers import read_paths
from newsindex.stories.render import render_trace
from newsindex.stories.trace import Trace

from conftest import SHARED, need_shared

ORIGINAL, RETELLING = "000_7887337d1080e0d6", "001_d111d31f41ebd35a"


def tellings(found: Trace) -> list[tuple[str, str]]:
    return [(t.id, t.match) for t in found.tellings]


# --- the seeds ---------------------------------------------------------------------------------


def test_a_figure_with_its_context_is_found_where_it_was_said(sample_index: NewsIndex) -> None:
    found = sample_index.trace("Russia provided up to 40% of Syria's wheat imports")
    assert tellings(found) == [(RETELLING, "exact")]  # Syria's and Syria’s are one word
    (only,) = found.tellings
    assert only.earliest and only.changes is None and only.coverage == 1.0
    assert "Russia provided up to 40% of Syria\u2019s wheat imports" in only.text
    # A changed figure is still found: nearly, with the change shown against what the index holds.
    changed = sample_index.trace("Russia provided up to 60% of Syria's wheat imports")
    assert tellings(changed) == [(RETELLING, "near")]


def test_a_sentence_of_one_seed_finds_the_other_seeds_retelling_with_the_changes(sample_index: NewsIndex) -> None:
    numbered = sample_index.sentences(ORIGINAL)
    assert numbered[9].text == "Syria\u2019s weapons are entirely Russian."
    found = sample_index.trace_sentence(ORIGINAL, 9)
    assert found.origin == (ORIGINAL, 9) and found.claim == numbered[9].text
    assert tellings(found) == [(ORIGINAL, "exact"), (RETELLING, "near")]
    first, later = found.tellings
    assert first.earliest and first.sentences == (9,) and not later.earliest
    assert later.text.startswith("According to Sharaa, most of Syria\u2019s weapons are of Russian origin")
    changes = later.changes
    assert changes is not None and not changes.same
    assert ("entirely", "of") in [(e.old, e.new) for e in changes.edits]
    text = render_trace(found)
    assert text.startswith("Claim: \u201cSyria\u2019s weapons are entirely Russian.\u201d\n  (sentence 9 of 000_")
    assert "2 articles carry it, oldest first" in text and "EARLIEST \u00b7 exact \u00b7 sentence 9" in text
    # Another sentence of the original, retold by the rewrite with a figure added.
    nyt = sample_index.trace("The confirmation came from Syria\u2019s transitional president Ahmed al-Sharaa in an interview with The New York Times")
    assert tellings(nyt) == [(ORIGINAL, "exact"), (RETELLING, "retold")]  # a third of its words changed
    assert "April 23, 2025" in nyt.tellings[1].text and nyt.tellings[1].coverage >= 0.7


def test_claims_with_nothing_to_look_for_or_no_such_sentence_are_one_line_errors(sample_index: NewsIndex) -> None:
    with pytest.raises(NewsIndexError, match="the claim has no words to look for"):
        sample_index.trace("  ... !!! ")
    with pytest.raises(NewsIndexError, match=r"article '000_7887337d1080e0d6' has sentences 0 to \d+; there is no sentence 99"):
        sample_index.trace_sentence(ORIGINAL, 99)
    assert sample_index.trace("Zanzibar quokka hovercraft").tellings == ()
    with pytest.raises(NewsIndexError, match="the claim is 1,000 words long; trace takes a sentence"):
        sample_index.trace("oil " * 1000)


def test_trace_on_the_command_line(sample_index: NewsIndex) -> None:
    runner = CliRunner()
    index = str(sample_index.directory)
    listed = runner.invoke(main, ["trace", ORIGINAL, "--sentences", "--index", index])
    assert listed.exit_code == 0 and "   9  Syria\u2019s weapons are entirely Russian." in listed.output.splitlines()
    result = runner.invoke(main, ["trace", ORIGINAL, "--sentence", "9", "--index", index])
    assert result.exit_code == 0, result.output
    assert "EARLIEST \u00b7 exact" in result.output and RETELLING in result.output
    data = json.loads(runner.invoke(main, ["trace", "Syria's weapons are entirely Russian", "--json", "--index", index]).output)
    assert [t["id"] for t in data["tellings"]] == [ORIGINAL, RETELLING] and data["complete"] is True
    assert data["tellings"][0]["earliest"] is True and data["tellings"][0]["changes"] is None
    assert data["tellings"][1]["changes"]["edits"] and data["tellings"][1]["match"] == "near"
    missing = runner.invoke(main, ["trace", ORIGINAL, "--sentence", "99", "--index", index])
    assert missing.exit_code == 1 and missing.output.startswith("newsindex: error: article") and "Traceback" not in missing.output
    empty = runner.invoke(main, ["trace", "?!", "--index", index])
    assert empty.exit_code == 1 and "the claim has no words to look for" in empty.output


# --- Reuters-21578 -----------------------------------------------------------------------------


def test_a_sentence_finds_its_copy_and_its_correction_oldest_first(reuters_index: NewsIndex) -> None:
    mobil = reuters_index.trace("The unit produces 46,000 barrels of gasoline components a year.")
    assert tellings(mobil) == [("reuters-9915", "exact"), ("reuters-10038", "near")]
    correction = mobil.tellings[1]
    assert [(e.kind, e.old, e.new) for e in correction.changes.edits] == [("number", "year", "day")]
    goodyear = reuters_index.trace("Goodyear reported a loss of 64 cents a share from continuing operations")
    assert ("reuters-16483", "exact") in tellings(goodyear) and ("reuters-16597", "near") in tellings(goodyear)
    later = next(t for t in goodyear.tellings if t.id == "reuters-16597")
    earliest = goodyear.earliest
    assert earliest is not None and earliest.published <= later.published
    levy = reuters_index.trace("the European Community (EC) imposed a levy on vegetable oils")
    first, second = levy.tellings[:2]
    assert (first.id, first.match, first.earliest) == ("reuters-8156", "exact", True)
    assert (second.id, second.match) == ("reuters-8596", "near")
    assert [(e.old, e.new) for e in second.changes.edits] == [("imposed", "proposed")]
    dates = [t.published for t in levy.tellings]
    assert dates == sorted(dates)


@pytest.fixture(scope="module")
def claims(reuters_index: NewsIndex) -> list[tuple[str, str]]:
    """Sentences of 40 Reuters stories drawn at random: prose of 10 to 30 words, no quote marks."""
    rng = random.Random(5)
    ids = [f"reuters-{n}" for n in rng.sample(range(1, 21579), 400)]
    picked = []
    for article_id in ids:
        try:
            sentences = reuters_index.sentences(article_id)
        except NewsIndexError:
            continue
        usable = [s.text for s in sentences if not s.in_title and 10 <= len(s.text.split()) <= 30
                  and '"' not in s.text and sum(c.isalpha() for c in s.text) > 0.7 * len(s.text)]
        if usable:
            picked.append((article_id, rng.choice(usable)))
        if len(picked) == 40:
            break
    return picked


def test_trace_agrees_with_a_phrase_search_of_the_claim(reuters_index: NewsIndex, claims: list[tuple[str, str]]) -> None:
    """What a phrase search finds is found; what trace calls exact is what the phrase search finds."""
    told_again = 0
    for article_id, claim in claims:
        found = reuters_index.trace(claim)
        ids = {t.id for t in found.tellings}
        exact = {t.id for t in found.tellings if t.match == "exact"}
        phrase = reuters_index.search(f'"{claim}"', limit=100)
        phrased = {h.id for h in phrase}
        assert article_id in exact, (article_id, claim)
        assert phrased <= ids, (claim, phrased - ids)
        assert exact <= phrased, (claim, exact - phrased)  # word for word is also a phrase match
        told_again += len(ids) > 1
        assert [t.earliest for t in found.tellings].count(True) == 1
        for t in found.tellings[1:]:
            assert t.changes is not None and t.changes.old == found.tellings[0].text
    assert told_again >= 5  # copies, corrections and retellings of the claims


# --- other languages -----------------------------------------------------------------------------


def test_any_language_finds_each_sentence_where_it_stands(tmp_path_factory: pytest.TempPathFactory) -> None:
    feeds = need_shared(SHARED / "feeds-multilingual")
    ix = NewsIndex.create(tmp_path_factory.mktemp("feeds") / "index")
    try:
        assert ix.add(read_paths([feeds])).failed == []
        seen = set()
        for language in ("ja", "de", "fr", "ru"):
            for hit in ix.search(f"language:{language}*", limit=5):
                sentences = ix.sentences(hit.id)
                claim = max(sentences, key=lambda s: len(s.text)).text
                found = ix.trace(claim)
                assert (hit.id, "exact") in tellings(found), (language, claim)
                json.dumps(found.to_dict())
                render_trace(found)
                seen.add(language)
        assert {"ja", "de", "fr"} <= seen
    finally:
        ix.close()
