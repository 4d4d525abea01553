"""Generated hostile input, through the API and the command line: results or one clear line, never
a traceback, a hang, raw control characters on the terminal, or text that comes back changed.

The property tests that existed generated queries from a few pieces and bytes
for the readers; none of them found the findings of issue 14. These generate
what those findings were made of: queries with every field, wildcards, deep
nesting, long bags of words, control characters and bytes that are not UTF-8
(also through a real ``newsindex`` process, as a shell passes them), articles
whose every field holds control characters, lone surrogates, huge numbers and
edge dates, read back through every command, and file names of any bytes.
(Damaged index files are generated in ``test_damaged_index.py``.)

Cases per run: 300 API queries, 100 queries through the command line in this
process and 8 through real ``newsindex`` processes (4 cases of 2), 25 batches
of 4 hostile articles read back through 11 commands, 40 sets of file names.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsindex import Article, NewsIndex, QueryError
from newsindex.cli import main
from newsindex.ingest.readers import read_paths
from newsindex.search.query import FIELDS

ROOT = Path(__file__).resolve().parents[1]
#: Anything a terminal could act on (tab and newline are layout).
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
HOSTILE_CHARS = ["\x1b]0;x\x07", "\x1b[2J", "\r", "\b", "\x9b", "\x00", "\u202e", "\udfff", "\ud800", "\ufffd", "é", "’"]

WORDS = st.sampled_from(["oil", "opec", "cocoa", "brazil", "prices", "the", "of", "extradite", "assad", "U.S.",
                         "T-72", "40%", "8,7", "wheat", "grain", "reuters", "1987"])
WILD = WORDS.map(lambda w: w[: max(1, len(w) // 2)]).flatmap(lambda p: st.sampled_from([p + "*", p + "?", p + "*s"]))
FIELD = st.sampled_from(sorted(FIELDS)).map(lambda f: f + ":")
VALUE = st.one_of(WORDS, WILD, WORDS.map(lambda w: f'"{w} prices"'), st.sampled_from(
    ["1987", "1987-03", "1987-03-01..1987-03-31", ">=1987-10", "..1987", "9999", "0001-01-01", "2025-02-30"]))
ODD = st.sampled_from(HOSTILE_CHARS + ["\t", '"', "(", ")", "~", "~3", "~-1", "-", "+", "NOT", "AND", "OR", ":", "*"])


@st.composite
def queries(draw) -> str:  # type: ignore[no-untyped-def]
    """A query as a hostile user types it: fields, wildcards, nesting, long bags, odd characters."""
    kind = draw(st.sampled_from(["mixed", "nested", "bag", "text"]))
    if kind == "nested":
        depth = draw(st.integers(1, 40))
        inner = draw(st.one_of(WORDS, FIELD.flatmap(lambda f: VALUE.map(lambda v: f + v))))
        return draw(st.sampled_from(["(", "title:(", "NOT (", "-("])) * depth + inner + ")" * draw(st.integers(0, depth))
    if kind == "bag":
        return " ".join(draw(st.lists(st.one_of(WORDS, WILD), min_size=1, max_size=1100)))
    if kind == "text":
        return draw(st.text(max_size=60))
    parts = draw(st.lists(st.one_of(WORDS, WILD, ODD, FIELD.flatmap(lambda f: VALUE.map(lambda v: f + v))),
                          min_size=1, max_size=14))
    return " ".join(parts) if draw(st.booleans()) else "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(query=queries(), operator=st.sampled_from(["and", "or"]), sort=st.sampled_from(["relevance", "date"]))
def test_generated_queries_through_the_api(sample_index: NewsIndex, query: str, operator: str, sort: str) -> None:
    try:
        res = sample_index.search(query, limit=3, operator=operator, sort=sort)  # type: ignore[arg-type]
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert res.total >= len(res.hits) and res.total == sample_index.count(query, operator=operator)  # type: ignore[arg-type]
    for hit in res:
        assert isinstance(hit.snippet, str)


def _argv(query: str) -> bytes:
    """The query as a shell passes it: lone surrogates become the bytes they stand for (not UTF-8);
    one that stands for no byte (outside U+DC80..U+DCFF, which is all Python makes of argv) cannot
    be in a command line and is left out (generated '\\udfff' made the test itself raise)."""
    kept = "".join(c for c in query if not "\ud800" <= c <= "\udfff" or "\udc80" <= c <= "\udcff")
    return kept.encode("utf-8", "surrogateescape").replace(b"\x00", b"")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries(), command=st.sampled_from([["search"], ["search", "--json", "--collapse"], ["timeline"],
                                                 ["terms"], ["search", "--facet", "source", "--any"]]))
def test_generated_queries_through_the_command_line(sample_index: NewsIndex, query: str, command: list[str]) -> None:
    result = CliRunner().invoke(main, [command[0], *command[1:], "-i", str(sample_index.directory), "--", query])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert not RAW.search(result.output.replace("\n", " "))
    if result.exit_code:
        assert result.exit_code in (1, 2) and result.output.count("\n") == 1, result.output


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(queries(), min_size=2, max_size=2), command=st.sampled_from(["search", "timeline", "terms"]),
       raw=st.sampled_from([b"\xff", b"\x80", b"\xc3", b""]))
def test_generated_queries_through_a_real_command_line(sample_index: NewsIndex, batch: list[str], command: str,
                                                       raw: bytes) -> None:
    for query in batch:
        argv = [sys.executable, "-m", "newsindex.cli", command, _argv(query) + raw, "-i", str(sample_index.directory)]
        done = subprocess.run(argv, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
        assert b"Traceback" not in done.stderr, (query, done.stderr.decode(errors="replace"))
        out = done.stdout.decode("utf-8")  # what the terminal gets is UTF-8...
        assert not RAW.search(out), out  # ...with nothing in it that the terminal would act on
        if done.returncode:
            assert done.returncode in (1, 2) and done.stderr.count(b"\n") == 1, done.stderr


TEXT = st.lists(st.one_of(st.sampled_from(HOSTILE_CHARS), WORDS.map(lambda w: w + " "), st.text(max_size=8)),
                max_size=25).map("".join)
DATES = st.one_of(st.none(), st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                                          timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=14)),
                                                                     timezone(timedelta(hours=-12))])))
EXTRA = st.dictionaries(st.sampled_from(["n", "k\x1b", "big", "\udfff"]), st.one_of(
    st.integers(), st.just(int("9" * 4000)), st.floats(allow_nan=False), TEXT, st.lists(st.one_of(st.integers(), TEXT),
                                                                                          max_size=3)), max_size=3)


@st.composite
def articles(draw, number: int) -> Article:  # type: ignore[no-untyped-def]
    return Article(
        id=f"h{number}" + draw(st.sampled_from(["", "\x1b[2J", "\udcff", "é"])),
        title=draw(TEXT), body=draw(TEXT), published=draw(DATES), source=draw(TEXT), url=draw(TEXT),
        authors=tuple(draw(st.lists(TEXT, max_size=2))), topics=tuple(draw(st.lists(TEXT, max_size=2))),
        places=tuple(draw(st.lists(TEXT, max_size=2))), extra=draw(EXTRA),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.tuples(*(articles(n) for n in range(4))))
def test_hostile_articles_come_back_escaped_through_every_command(tmp_path_factory: pytest.TempPathFactory,
                                                                  batch: tuple[Article, ...]) -> None:
    index = tmp_path_factory.mktemp("hostile") / "index"
    with NewsIndex.create(index) as ix:
        summary = ix.add(batch)
        assert summary.added + len(summary.failed) == len(batch)  # a date outside the range is a failure
        ids = [a.id for a in batch if _indexed(ix, a.id)]
        for article_id in ids:  # what comes back is what went in (lone surrogates repaired once, on the way in)
            assert ix.get(article_id).title == next(a for a in batch if a.id == article_id).title
    first = ids[0] if ids else "h0"
    second = ids[1] if len(ids) > 1 else first
    runner = CliRunner()
    for command in (["search", "oil OR the OR h*"], ["search", "oil", "--facet", "source", "--facet", "author",
                                                    "--facet", "topic", "--facet", "place", "--collapse"],
                    ["show", first], ["show", first, "--json"], ["similar", first], ["story", first],
                    ["compare", first, second], ["stats"], ["timeline", "h* OR oil", "--by", "year"],
                    ["terms", "oil OR the"], ["search", "oil OR the", "--json", "--sort", "date"]):
        result = runner.invoke(main, [*command, "-i", str(index)])
        assert result.exit_code in (0, 1), (command, result.output, result.exception)
        assert result.exception is None or isinstance(result.exception, SystemExit), (command, repr(result.exception))
        assert not RAW.search(result.output), (command, result.output)
        if result.exit_code == 0 and "--json" in command:
            for line in (result.output.splitlines() if command[0] == "search" else [result.output]):
                json.loads(line)


def _indexed(ix: NewsIndex, article_id: str) -> bool:
    try:
        ix.get(article_id)
    except Exception:  # noqa: BLE001 - not indexed (its date was outside the range)
        return False
    return True


NAME = st.binary(min_size=1, max_size=30).map(lambda b: b.replace(b"/", b"_").replace(b"\0", b"_")).filter(
    lambda b: b not in (b".", b".."))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(NAME, min_size=1, max_size=4, unique=True), suffix=st.sampled_from([b".txt", b".jsonl", b""]))
def test_generated_file_names_are_read_or_named(tmp_path_factory: pytest.TempPathFactory, names: list[bytes],
                                                suffix: bytes) -> None:
    folder = os.fsencode(tmp_path_factory.mktemp("names"))
    for name in names:
        with open(os.path.join(folder, name + suffix), "wb") as handle:
            handle.write(b'{"title": "x", "body": "y"}\n' if suffix == b".jsonl" else b"Title line\nbody\n")
    result = CliRunner().invoke(main, ["index", os.fsdecode(folder), "--dry-run"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert not RAW.search(result.output.replace("\n", " "))
    visible = [n for n in names if not n.startswith(b".")]
    items = list(read_paths([os.fsdecode(folder)]))
    if suffix:
        assert len(items) == len(visible)  # every visible file read, or named in a failure
        for item in items:
            json.dumps(getattr(item, "id", str(item)), ensure_ascii=False).encode("utf-8")


def test_an_index_whose_every_article_failed_searches_collapsed_to_nothing(tmp_path: Path) -> None:
    """Found by the generated articles above: dates outside the index's range fail every article, the
    index stays empty, and an empty Whoosh index has no columns, so collapsing hits raised."""
    index = tmp_path / "index"
    outside = [Article(id=f"h{i}", title="", body="", published=datetime(year, 1, 1, tzinfo=timezone.utc))
               for i, year in enumerate((862, 160, 3076))]
    with NewsIndex.create(index) as ix:
        assert len(ix.add(outside).failed) == 3
    result = CliRunner().invoke(main, ["search", "oil", "--facet", "source", "--collapse", "-i", str(index)])
    assert (result.exit_code, result.exception) == (0, None), result.output
    assert "0 articles match" in result.output
