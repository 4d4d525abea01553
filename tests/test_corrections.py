"""Reuters-21578's corrections, read as a fact-checker reads them: is the corrected figure or word shown?

Every story of Reuters-21578 whose title says CORRECTED (or CORRECTS) and
whose original is in the collection was read by hand next to its original;
``CORRECTIONS`` holds what each correction changed. Most corrections change
a word inside a sentence both tellings share ("imposed" -> "proposed",
"barrels a year" -> "a day"), which a sentence-level comparison reports as
"shared": the word-level edits must show them. ``newsindex compare ID`` with
one id must find the original by itself.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from newsindex import Article, NewsIndex, NewsIndexError
from newsindex.cli import main
from newsindex.stories.compare import Comparison, compare
from newsindex.stories.render import render_text

#: (original, correction, what the correction changed: (old, new) words of an edit; old "" = added,
#: new "" = removed; None = shown otherwise, see ``shows``), all verified by reading both stories.
CORRECTIONS = [
    (900, 901, ("THREE", "3-1/4")),  # title: deposit rates to 3-1/4 pct, not three
    (1081, 1202, ("", "North American-made")),  # GM sells North American-made vehicles in Europe
    (1159, 1209, ("Lifetime", "Nippon")),  # who buys a stake in whom, swapped
    (2016, 2249, ("3RD", "4TH")),  # title: reporting period
    (3668, 4169, ("", "five cts vs")),  # reversed figures put right
    (3676, 4239, ("includes", "excludes")),  # tax credit
    (3790, 3910, ("Banner", "Oak")),  # name of the purchaser
    (5168, 5192, ("COCOA", "")),  # title: "talks", not "cocoa talks"
    (6105, 6594, ("19", "13")),  # loss from discontinued operations
    (6154, 6741, ("17-1/4", "17-1/2")),  # the dividend was raised
    (6324, 6739, ("28", "25")),  # pay date April 25, not April 28
    (7319, 7824, ("no present plans", "not agreed")),  # Baird has not agreed
    (7668, 7688, ("41.6", "83.2")),  # title: the aid
    (7889, 8208, ("commercial paper", "certificate of deposit")),  # the kind of programme
    (8156, 8596, ("imposed", "proposed")),  # the EC levy was proposed, not imposed
    (8219, 10227, ("loss", "profit")),  # year-ago result
    (8457, 8580, ("loss", "profit")),  # current result (wrongly, see next)
    (8580, 8899, ("profit", "loss")),  # the correction of the correction
    (8854, 8877, ("zinc", "lead")),  # the last assay
    (8896, 9043, ("600", "500")),  # size of the sales team
    (9119, 9122, ("agree to", "will transmit request for")),  # title: what was agreed
    (9330, 9390, ("14", "1.4")),  # cents per share
    (9364, 9405, ("36.7", "39.7")),  # sales
    (9915, 10038, ("year", "day")),  # 46,000 barrels a day, not a year
    (10201, 10207, ("QTLY", "ANNUAL")),  # title: the dividend raised is the annual one
    (10492, 10571, ("COQ", "CMCO")),  # title: ticker symbol
    (11289, 11295, ("36", "46")),  # title: the offer per share
    (11320, 11633, ("3,345,000", "3,348,000")),  # operating net
    (12319, 12373, ("August", "April")),  # date of the plant closings
    (12382, 12658, ("profit 61", "loss 1.59")),  # 1985 per share figure
    (13044, 13091, ("Reidgefield", "Ridgefield")),  # spelling of the town
    (15122, 15210, ("GGFH", "GGHF")),  # company name
    (16211, 16409, ("Nine", "9, 1997")),  # the dropped year of the rights' expiration
    (16217, 16556, ("and chief financial officer", "")),  # Antar is no CFO
    (16311, 16490, ("PLC", "USA")),  # title: the subsidiary, not the parent
    (16483, 16597, ("64", "59")),  # year-ago loss per share
    (18947, 18958, ("65", "81")),  # amount of debt under review
    (19581, 19638, ("Fieldcor", "Fidelcor")),  # spelling of the company
    (20047, 20049, ("", "1000 GMT (NOT")),  # title: opening delayed to 1000 GMT
    # Prose corrections of a table or a statement retold: the new figure is a detail A never has.
    (2561, 2800, None),  # net income 485,380 dlrs, not 528,790
    (2774, 2931, None),  # First Boston, not Mellon, sells the notes
    (3800, 3838, None),  # Kramer heads WIFO
    (4841, 5409, None),  # sales of 3,800,000 dlrs, not eight mln
    (5403, 8732, None),  # dividend of 5.44 dlrs, not 5.83
    (6741, 7167, None),  # prior dividend 17.5 cts: no change
    (7505, 7634, None),  # second quarter, not fourth
    (3626, 10833, None),  # 1986 earnings 36 cts a share, not 37
]
#: For the corrections shown "otherwise": the corrected value, shown as a detail or sentence of B.
SHOWN_AS_DETAIL = {2800: "485,380", 2931: "First Boston", 3838: "Institute for Economic Research",
                   5409: "3,800,000", 8732: "5.44", 7167: "17.5", 7634: "2nd qtr", 10833: "36 cts"}
#: Corrections whose original ``compare ID`` does not find by itself, and why (the report lists them):
#: 6741 is closer (0.81) to the correction notice 6713 that preceded it than to its original 6154
#: (0.71); 10833 retells its original's table of figures in two sentences of prose (0.28).
NOT_FOUND_ALONE = {6741: 6713, 10833: None}


@pytest.fixture(scope="module")
def articles(reuters_articles: list) -> dict[str, Article]:
    return {a.id: a for a in reuters_articles if isinstance(a, Article)}


def shows(c: Comparison, correction: int, change: tuple[str, str] | None) -> bool:
    """Whether a reader of the comparison sees what the correction changed."""
    if change is not None:
        old, new = change
        return any((e.old, e.new) == (old, new) or (old in e.old and new in e.new and (old or new))
                   for ch in c.changes for e in ch.words.edits)
    value = SHOWN_AS_DETAIL[correction]
    return any(
        value in d.text for s in c.b.sentences if s.status != "same" for d in s.details
    ) or any(value in s.sentence.text for s in c.b.only) or any(value in ch.words.new for ch in c.changes if ch.retold)


@pytest.mark.parametrize("original, correction, change", CORRECTIONS, ids=[f"reuters-{c}" for _, c, _ in CORRECTIONS])
def test_each_correction_shows_what_it_changed(articles: dict[str, Article], original: int, correction: int, change) -> None:  # type: ignore[no-untyped-def]
    c = compare(articles[f"reuters-{original}"], articles[f"reuters-{correction}"])
    assert shows(c, correction, change), render_text(c)
    if change is not None:
        # Inside a sentence both share, the sentence is never "same": it is "changed", with the edit.
        edited = [ch for ch in c.changes if any(change[1] in e.new and change[0] in e.old for e in ch.words.edits)]
        assert edited, render_text(c)
        for ch in edited:
            assert all(c.b.sentence(i).status != "same" for i in ch.b)
            assert f"{{+{change[1]}" in ch.words.marked() or f"[-{change[0]}" in ch.words.marked()


def test_the_edits_a_fact_checker_reads_first_are_figures_negations_and_names(articles: dict[str, Article]) -> None:
    mobil = compare(articles["reuters-9915"], articles["reuters-10038"])
    (change,) = [ch for ch in mobil.changes if not ch.title]
    assert [(e.kind, e.op, e.old, e.new) for e in change.words.edits] == [("number", "replace", "year", "day")]
    assert change.words.marked().endswith("46,000 barrels of gasoline components a [-year-]{+day+}.")
    philippines = compare(articles["reuters-8156"], articles["reuters-8596"])
    assert [(e.kind, e.old, e.new) for ch in philippines.changes if not ch.title for e in ch.words.edits] == [
        ("wording", "imposed", "proposed"), ("wording", "introduced", "proposed")]
    assert philippines.title_change is not None
    assert [(e.old, e.new) for e in philippines.title_change.words.edits] == [("", "CORRECTED"), ("VEGETABLE", "")]
    mark = compare(articles["reuters-7319"], articles["reuters-7824"])
    kinds = [e.kind for ch in mark.changes for e in ch.words.edits]
    assert kinds == sorted(kinds, key=["number", "negation", "name", "attribution", "wording"].index) or len(mark.changes) > 1
    assert ("negation", "no present plans", "not agreed") in [(e.kind, e.old, e.new) for ch in mark.changes for e in ch.words.edits]
    # Ivory Coast: only the title changed; the body is the same word for word.
    ivory = compare(articles["reuters-5168"], articles["reuters-5192"])
    assert [ch.title for ch in ivory.changes] == [True]
    assert all(s.status == "same" for s in ivory.b.sentences if not s.sentence.in_title)
    text = render_text(ivory)
    assert "Title changed:\n  ~ ({+CORRECTED+})-IVORY COAST CONFIRMS PRESENCE AT [-COCOA-] TALKS" in text
    assert "Changed inside statements both make: none" in text


def test_compare_one_id_finds_the_original_it_corrects(reuters_index: NewsIndex) -> None:
    found = 0
    for original, correction, _ in CORRECTIONS:
        try:
            c = reuters_index.compare(f"reuters-{correction}")
        except NewsIndexError:
            assert NOT_FOUND_ALONE.get(correction, 0) is None, correction
            continue
        assert c.b.id == f"reuters-{correction}" and c.chosen is not None and c.chosen.id == c.a.id
        if c.a.id == f"reuters-{original}":
            found += 1
            assert c.a.published < c.b.published and c.chosen.earlier_by > 0
        else:
            assert NOT_FOUND_ALONE.get(correction) == int(c.a.id.split("-")[1]), (correction, c.a.id)
    assert found == len(CORRECTIONS) - len(NOT_FOUND_ALONE)


def test_compare_one_id_on_the_command_line(reuters_index: NewsIndex) -> None:
    runner = CliRunner()
    index = str(reuters_index.directory)
    result = runner.invoke(main, ["compare", "reuters-10038", "--index", index])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("A: reuters-9915 \u00b7 1987-03-26 10:48 UTC \u00b7 MOBIL <MOB> TO UPGRADE REFINERY UNIT")
    assert lines[2].startswith("B is compared with A, the closest earlier telling in its story: similarity 0.9")
    assert "  ~ The unit produces 46,000 barrels of gasoline components a [-year-]{+day+}." in lines
    assert "      number: year -> day" in lines
    data = json.loads(runner.invoke(main, ["compare", "reuters-10038", "--index", index, "--json"]).output)
    assert data["chosen"]["id"] == data["a"]["id"] == "reuters-9915" and data["chosen"]["same_story"] is True
    body = [ch for ch in data["changes"] if not ch["title"]]
    assert [(e["kind"], e["old"], e["new"]) for ch in body for e in ch["edits"]] == [("number", "year", "day")]
    edit = body[0]["edits"][0]
    assert body[0]["a_text"][edit["old_start"]:edit["old_end"]] == "year"
    assert body[0]["b_text"][edit["new_start"]:edit["new_end"]] == "day"
    # No earlier telling: one line saying so, and how to name one.
    failed = runner.invoke(main, ["compare", "reuters-170", "--index", index])
    assert failed.exit_code == 1
    assert failed.output.strip().startswith("newsindex: error: no telling of 'reuters-170' was published before it")
    assert "newsindex compare ID_A ID_B" in failed.output and "Traceback" not in failed.output
