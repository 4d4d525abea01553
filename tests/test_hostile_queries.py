"""Queries from a hostile run: every one gives results or one clear error, never a traceback (findings 1, 7)."""

from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsindex import ArticleNotFoundError, NewsIndex, NewsIndexError, QueryError
from newsindex.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="newsindex")


# -- finding 1: wildcards after the index is closed ---------------------------------------------

WILDCARDS = ["extradit*", "oil*", "wom?n", "title:oil*", "source:reut*", "topic:gr*"]


@pytest.mark.parametrize("query", WILDCARDS)
@pytest.mark.parametrize("options", [[], ["--json"], ["--collapse"]])
def test_wildcard_searches_print_their_snippets(sample_index: NewsIndex, query: str, options: list[str]) -> None:
    result = _run("search", query, "-i", str(sample_index.directory), *options)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    if "--json" in options:
        hits = [json.loads(line) for line in result.output.splitlines()]
        assert hits and all(h["snippet"] for h in hits)
    else:
        assert "no hits on this page" not in result.output.splitlines()[0]


def test_results_stay_readable_after_the_index_is_closed(sample_index: NewsIndex) -> None:
    with NewsIndex.open(sample_index.directory) as ix:
        res = ix.search("extradit*", limit=3)
    assert res.hits and all("**extradit" in hit.snippet.lower() for hit in res)
    assert [hit.to_dict()["snippet"] for hit in res] == [hit.snippet for hit in res]


def test_a_closed_index_says_so(sample_index: NewsIndex) -> None:
    ix = NewsIndex.open(sample_index.directory)
    ix.close()
    with pytest.raises(NewsIndexError, match="closed"):
        ix.search("oil")


# -- finding 7: arguments that are not UTF-8 -------------------------------------------------------

NOT_UTF8 = "oil\udcff"  # what Python makes of the argument $'oil\xff'


@pytest.mark.parametrize("command, message", [
    (["search", NOT_UTF8 + "*"], "the query holds a character that is not text"),
    (["timeline", NOT_UTF8], "the query holds a character that is not text"),
    (["terms", NOT_UTF8], "the query holds a character that is not text"),
    (["show", NOT_UTF8], "no article with id 'oil\\udcff'"),
    (["similar", NOT_UTF8], "no article with id 'oil\\udcff'"),
    (["story", NOT_UTF8], "no article with id 'oil\\udcff'"),
    (["compare", NOT_UTF8, "reuters-1"], "no article with id 'oil\\udcff'"),
    (["delete", NOT_UTF8], "0 deleted"),
])
def test_arguments_that_are_not_utf8_give_one_line(tmp_path: Path, sample_index: NewsIndex, command, message) -> None:
    index = sample_index.directory
    if command[0] == "delete":  # on a copy: the session's index is shared
        index = tmp_path / "index"
        shutil.copytree(sample_index.directory, index)
    result = _run(*command, "-i", str(index))
    assert result.exit_code in (1, 2) and message in result.output and "Traceback" not in result.output


def test_a_non_utf8_byte_through_a_real_command_line(sample_index: NewsIndex) -> None:
    done = subprocess.run([sys.executable, "-m", "newsindex.cli", "search", b"oil\xff*", "-i", str(sample_index.directory)],
                          capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.startswith(b"newsindex: error: the query holds a character that is not text") and b"Traceback" not in done.stderr


def test_lone_surrogates_in_the_api_are_query_errors(sample_index: NewsIndex) -> None:
    for query in ("title:\ud800*", "oil \udfff", '"a \udcff b"'):
        with pytest.raises(QueryError, match="not text"):
            sample_index.search(query)
    with pytest.raises(ArticleNotFoundError):
        sample_index.get("x\ud800")


# -- finding 7: nesting, size, and the queries that returned 0 silently -----------------------------------

@pytest.mark.parametrize("query, message", [
    ("(" * 200 + "oil" + ")" * 200, "parentheses nested more than 32 deep (at character 33 of the query)"),
    ("title:(" * 3000 + "oil" + ")" * 3000, "the query is 24,003 characters long; at most 20,000 are searched"),
    ("title:(" * 100 + "oil" + ")" * 100, "parentheses nested more than 32 deep"),
    ("NOT " * 5000 + "oil", "the query is 20,003 characters long"),
    ("oil " * 250_000, "the query is 1,000,000 characters long"),
    ("oil " * 1025, "the query has 1,025 words and phrases; at most 1,024 are searched"),
    ('"a b"~-1', "~ after a phrase needs a number of words from 0 to 10,000"),
    ('"a b"~' + "9" * 5000, "~ after a phrase needs a number of words from 0 to 10,000"),
    ("oil~5", "word~N (fuzzy search) is not supported"),
    ("title:title:oil", "title: is followed by another field, title:"),
])
def test_query_blow_ups_are_one_query_error(sample_index: NewsIndex, query: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        sample_index.search(query)
    assert message in str(info.value)


def test_deep_but_bounded_queries_work(sample_index: NewsIndex) -> None:
    oil = sample_index.search("oil").total
    assert sample_index.search("(" * 32 + "oil" + ")" * 32).total == oil
    assert sample_index.search("title:(" * 32 + "oil" + ")" * 32).total == sample_index.search("title:oil").total
    assert sample_index.search("-" * 5000 + "oil").total == oil  # an even number of negations
    assert sample_index.search("NOT " * 3001 + "oil").total == len(sample_index) - oil


def test_a_bag_of_1024_words_is_evaluated_without_recursion(sample_index: NewsIndex) -> None:
    reader = sample_index.searcher.reader()
    words = [t.decode() for t in reader.lexicon("body") if t.isalpha()][:1024]
    bag = " ".join(words)
    assert sample_index.search(bag, operator="or").total > 0
    assert sample_index.search(bag).total == 0
    assert sample_index.search(" ".join(["oil"] * 1024)).total == sample_index.search("oil").total
    same = sample_index.search(" ".join(["oil"] * 1024), limit=3)
    assert [h.id for h in same] == [h.id for h in sample_index.search("oil", limit=3)]


def test_the_cli_says_what_bound_a_query_passed(sample_index: NewsIndex) -> None:
    result = _run("search", "(" * 200 + "oil" + ")" * 200, "-i", str(sample_index.directory))
    assert result.exit_code == 2
    assert result.output == "newsindex: error: parentheses nested more than 32 deep (at character 33 of the query)\n"


def test_long_bags_score_exactly_as_whooshs_matchers(sample_index: NewsIndex) -> None:
    body = sample_index.get("001_d111d31f41ebd35a").body
    words = list(dict.fromkeys(re.findall(r"[a-z]{4,}", body.lower())))[:200]
    for operator in ("and", "or"):
        q = sample_index._search.filtered(" ".join(words), operator, None, None)  # type: ignore[arg-type]
        fast = sample_index._search.top(q, "relevance", 20)
        slow = sample_index._search.whoosh_top(q, "relevance", 20)
        assert len(fast) == len(slow) > 0
        assert [(h.docnum, h.score) for h in fast] == [(h.docnum, h.score) for h in slow]


def test_an_id_that_starts_with_a_dash_is_one_line_saying_how(sample_index: NewsIndex) -> None:
    result = _run("show", "-opec", "-i", str(sample_index.directory))
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "a query or id that starts with - goes last, after --: newsindex show [OPTIONS] -- '-opec'" in result.output
    assert result.output.endswith(" (see newsindex show --help)\n")
    missing = _run("show", "-i", str(sample_index.directory), "--", "-opec")
    assert missing.exit_code == 1 and "no article with id '-opec'" in missing.output
    unknown = _run("qqq", "oil")  # the help to see is the program's, named once (was "newsindex newsindex --help")
    assert unknown.exit_code == 2 and unknown.output == "newsindex: error: No such command 'qqq' (see newsindex --help)\n"
    done = _run("search", "-i", str(sample_index.directory), "--", "-opec")  # search takes -opec either way
    assert done.exit_code == 0 and done.output.startswith(f"{len(sample_index) - sample_index.count('opec'):,} articles")
    assert _run("search", "-opec", "-i", str(sample_index.directory)).output == done.output
