"""Article text never reaches a terminal raw: every command shows control characters escaped (finding 4).

Two articles carry, in every field, what a hostile page can hold: a window
title change, a screen clear, a clipboard write (OSC 52), an OSC 8 link, a
carriage return, a backspace, an 8-bit CSI and a right-to-left override.
Every text command must print them as visible escapes, and ``--json`` must
stay JSON that decodes back to the very text.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsindex import Article, NewsIndex
from newsindex.cli import main
from newsindex.terminal import safe, safe_json

#: The sequences of the finding, each as a hostile page would carry it.
HOSTILE = (
    "\x1b]0;PWNED\x07", "\x1b[2J", "\x1b]52;c;cHduZWQ=\x07", "\x1b]8;;https://evil.example/\x1b\\here\x1b]8;;\x1b\\",
    "\r", "\b", "\x9b31m", "\u202e",
)
#: Anything a terminal could act on (tab and newline are layout; C1 includes the 8-bit CSI).
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
WHEN = datetime(2025, 4, 23, 10, tzinfo=timezone.utc)


def _hostile(article_id: str, extra_words: str) -> Article:
    poison = "".join(HOSTILE)
    return Article(
        id=article_id,
        title=f"Pwned headline {poison} pipeline",
        body=f"The pipeline story {poison} says the pipeline burst near the river.\n"
             f"Second paragraph {poison} about the pipeline and the river. {extra_words}",
        published=WHEN,
        source=f"Evil {poison} Times",
        url=f"https://evil.example/{poison}",
        authors=(f"Mallory {poison}",),
        topics=(f"pipe{poison}",),
        places=(f"river{poison}",),
    )


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("hostile") / "index"
    with NewsIndex.create(directory) as ix:
        summary = ix.add([_hostile("evil-1", "Officials said 40 people left."), _hostile("evil-2", "Officials said 41 left.")])
    assert summary.added == 2
    return directory


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("command", [
    ["search", "pipeline", "--facet", "source", "--facet", "author", "--facet", "topic", "--facet", "place"],
    ["search", "pipeline", "--collapse"],
    ["search", "pipe*"],
    ["show", "evil-1"],
    ["compare", "evil-1", "evil-2"],
    ["story", "evil-1"],
    ["similar", "evil-1"],
    ["stats"],
    ["terms", "pipeline"],
    ["trace", "the pipeline burst near the river"],
    ["trace", "evil-1", "--sentence", "0"],
    ["trace", "evil-1", "--sentences"],
])
def test_text_output_shows_control_characters_escaped(hostile_index: Path, command: list[str]) -> None:
    result = _run(*command, "-i", str(hostile_index))
    assert result.exit_code == 0, result.output
    assert not RAW.search(result.output), repr(result.output)
    if command[0] in ("search", "show", "story", "similar", "trace"):
        assert "\\x1b]0;PWNED\\x07" in result.output  # shown, so the reader sees the page held it


@pytest.mark.parametrize("command, title_of", [
    (["search", "pipeline", "--json"], lambda out: json.loads(out.splitlines()[0])["title"]),
    (["show", "evil-1", "--json"], lambda out: json.loads(out)["title"]),
    (["story", "evil-1", "--json"], lambda out: json.loads(out)["articles"][0]["title"]),
    (["compare", "evil-1", "evil-2", "--json"], lambda out: json.loads(out)["a"]["title"]),
    (["trace", "evil-1", "--sentence", "0", "--json"], lambda out: json.loads(out)["tellings"][0]["title"]),
])
def test_json_output_is_escaped_json_of_the_very_text(hostile_index: Path, command: list[str], title_of) -> None:
    result = _run(*command, "-i", str(hostile_index))
    assert result.exit_code == 0
    assert not RAW.search(result.output)
    assert "".join(HOSTILE) in title_of(result.output)  # decoded, the text is exactly what was indexed


def test_a_hostile_file_name_is_escaped_in_messages(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "evil\x1b]0;PWNED\x07.jsonl").write_bytes(b"not json\n")
    result = _run("index", str(inputs), "-i", str(tmp_path / "index"))
    assert result.exit_code == 1
    assert not RAW.search(result.output) and "evil\\x1b]0;PWNED\\x07.jsonl" in result.output


def test_safe_escapes_every_control_but_keeps_text() -> None:
    assert safe("caf\u00e9 \u0627\u0644\u0639\u0631\u0628\u064a\u0629 \t ok") == "caf\u00e9 \u0627\u0644\u0639\u0631\u0628\u064a\u0629 \t ok"
    assert safe("a\x1b[2Jb\rc\x9bd\u202ee\udcff") == "a\\x1b[2Jb\\rc\\x9bd\\u202ee\\udcff"
    assert safe("one\ntwo") == "one\\ntwo" and safe("one\ntwo", multiline=True) == "one\ntwo"
    assert json.loads(safe_json({"t": "\x9b\x1b\u202e\x7f"})) == {"t": "\x9b\x1b\u202e\x7f"}
    assert not RAW.search(safe_json({"t": "".join(HOSTILE)}))


def test_a_line_break_in_a_title_forges_no_line_of_compare(tmp_path: Path) -> None:
    """compare's heading names each article on one line: a title holding a line break stays on it."""
    forged = "Oil\nB: forged-id \u00b7 2099-01-01 \u00b7 Fake"
    with NewsIndex.create(tmp_path / "index") as ix:
        ix.add([Article(id=i, title=forged, body=f"Oil rose {n} pct on Monday. Traders said so.", published=WHEN)
                for i, n in (("a", 5), ("b", 6))])
    result = _run("compare", "a", "b", "-i", str(tmp_path / "index"))
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if line.startswith("B:")] == [
        "B: b \u00b7 2025-04-23 10:00 UTC \u00b7 Oil B: forged-id \u00b7 2099-01-01 \u00b7 Fake"
    ]
