"""Tests of the article readers, on real corpora where they exist and on small files written here.

The real corpora live outside the repository (``../shared/corpora``); tests
that need them are skipped with a reason on a fresh clone without them.
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsindex.ingest.article import Article
from newsindex.errors import NewsIndexError, ReadError
from newsindex.ingest.readers import SUPPORTED_FORMATS, parse_field_map, read_paths
from newsindex.ingest.readers import reuters as reuters_reader

from conftest import REUTERS, SEEDS, need_shared as _need


def _split(items):
    """Separate what a reader yields into (articles, errors), keeping order."""
    items = list(items)
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, ReadError)]


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


# --- seeds: plain text without a header -------------------------------------------------------


def test_seed_articles_title_is_first_non_empty_line():
    _need(SEEDS)
    articles, errors = _split(read_paths([SEEDS]))
    assert errors == []
    by_id = {a.id: a for a in articles}
    assert sorted(by_id) == ["000_7887337d1080e0d6", "001_d111d31f41ebd35a"]
    assert [a.id for a in articles] == sorted(by_id)  # directory order is sorted

    original = by_id["000_7887337d1080e0d6"]
    # The file has no header, so its first line (page furniture) is the title, as documented.
    assert original.title == "Investigation topicsFakespertsSubscribe to our Sunday Digest"
    assert original.body.startswith("News\n\nSyria\u2019s new leader confirms Russia refused")
    assert original.body.endswith("as a counterbalance to Turkish influence.")
    assert original.published is None
    assert original.origin == f"{SEEDS / '000_7887337d1080e0d6.txt'}:1"

    rewrite = by_id["001_d111d31f41ebd35a"]
    assert rewrite.title == "Russia Refused to Extradite Assad to New Syrian Authorities"
    assert "8,7 civilians" in rewrite.body
    assert rewrite.body.endswith("upstairs")


# --- Reuters-21578 -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reuters(reuters_articles):
    """All 22 Reuters files read once: (articles by id, errors, articles in order)."""
    assert len(sorted(REUTERS.glob("reut2-*.sgm"))) == 22
    articles, errors = _split(reuters_articles)
    return {a.id: a for a in articles}, errors, articles


def test_reuters_reads_every_story_once_without_errors(reuters):
    by_id, errors, articles = reuters
    assert errors == []
    assert len(articles) == 21578
    assert set(by_id) == {f"reuters-{n}" for n in range(1, 21579)}


def test_reuters_first_story(reuters):
    story = reuters[0]["reuters-1"]
    assert story.title == "BAHIA COCOA REVIEW"
    assert story.published == datetime(1987, 2, 26, 15, 1, 1, 790000, tzinfo=timezone.utc)
    assert story.topics == ("cocoa",)
    assert story.places == ("el-salvador", "usa", "uruguay")
    assert story.source == "Reuters"
    assert "155,221 bags" in story.body
    assert story.body.startswith("Showers continued throughout the week in\nthe Bahia cocoa zone")
    # The " Reuter" signature and the &#3; end-of-text mark are not content.
    assert story.body.endswith("carnival which ends midday on February 27.")
    assert story.extra == {
        "dateline": "SALVADOR, Feb 26",
        "lewissplit": "TRAIN",
        "cgisplit": "TRAINING-SET",
        "oldid": "5544",
        "topics_attr": "YES",
    }
    assert story.origin == f"{REUTERS / 'reut2-000.sgm'}:2"


def test_reuters_entities_are_decoded_and_control_characters_dropped(reuters):
    by_id, _, articles = reuters
    assert by_id["reuters-5141"].title == "S&L ACQUISITION RAISES U.S. 1987 TOLL TO 12"  # S&amp;L
    assert by_id["reuters-4"].title == "TALKING POINT/BANKAMERICA <BAC> EQUITY OFFER"  # &lt;BAC>
    leftovers = re.compile(r"&(lt|gt|amp|#\d+);|[\x00-\x08\x0b-\x1f\x7f-\x9f]")
    assert [a.id for a in articles if leftovers.search(a.title + a.body)] == []


def test_reuters_metadata(reuters):
    by_id = reuters[0]
    saudi = by_id["reuters-248"]
    assert saudi.extra["people"] == ["hisham-nazer"]
    assert saudi.extra["orgs"] == ["opec"]
    assert by_id["reuters-4"].authors == ("Janie Gabbett",)  # "by Janie Gabbett, Reuters"


def test_reuters_stories_without_body_or_title_are_kept(reuters):
    by_id, _, articles = reuters
    brief = by_id["reuters-30"]  # TYPE="BRIEF": a title and "Blah blah blah." with no BODY
    assert brief.title == "ASSETS OF MONEY MARKET MUTUAL FUNDS ROSE 720.4 MLN DLRS IN LATEST WEEK"
    assert brief.body == "Blah blah blah."
    unprocessed = by_id["reuters-99"]  # TYPE="UNPROC": no TITLE, no BODY, only text
    assert unprocessed.title == ""
    assert unprocessed.body.startswith("FEDERAL RESERVE WEEKLY REPORT 1 - FEB 26\n")
    assert sum(not a.title for a in articles) == 737
    assert sum(not a.body for a in articles) == 195
    assert by_id["reuters-12793"].title == by_id["reuters-12793"].body == ""  # an empty UNPROC story


def test_reuters_odd_dates_are_read_not_failed(reuters):
    by_id, _, articles = reuters
    assert all(a.published is not None for a in articles)
    # "27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM": trailing junk ignored.
    assert by_id["reuters-10279"].published == datetime(1987, 3, 27, 0, 2, 59, 130000, tzinfo=timezone.utc)
    # "31-MAR-1987 605:12:19.12": the time is impossible, the day is kept.
    assert by_id["reuters-17192"].published == datetime(1987, 3, 31, tzinfo=timezone.utc)
    # "9-APR-1987 00:00:00.00    # date added by S Finch as guesswork "
    assert by_id["reuters-15370"].published == datetime(1987, 4, 9, tzinfo=timezone.utc)
    assert by_id["reuters-15370"].extra["mknote"] == "All 5 tag fields and the date field added by SPF"


def test_reuters_file_017_with_a_non_utf8_byte(reuters):
    by_id, _, articles = reuters
    from_017 = [a for a in articles if "reut2-017.sgm:" in a.origin]
    assert len(from_017) == 1000
    assert "lasting\nworld economic growth.\u00fcside measures" in by_id["reuters-17980"].body  # byte 0xFC


def test_reuters_broken_story_is_reported_and_reading_goes_on(tmp_path):
    sgm = _write(tmp_path / "broken.sgm", (
        '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n'
        '<REUTERS OLDID="1" NEWID="10">\n<DATE>26-FEB-1987 15:01:01.79</DATE>\n'
        "<TEXT><TITLE>FIRST &amp; GOOD</TITLE><BODY>One.\n Reuter\n&#3;</BODY></TEXT>\n</REUTERS>\n"
        '<REUTERS OLDID="2">\n<TEXT><TITLE>NO NEWID</TITLE></TEXT>\n</REUTERS>\n'
        '<REUTERS OLDID="3" NEWID="12">\n<TEXT><TITLE>UNCLOSED TITLE<BODY>x</BODY></TEXT>\n</REUTERS>\n'
        '<REUTERS OLDID="4" NEWID="13">\n<DATE>no date here</DATE>\n<TEXT><TITLE>LAST</TITLE></TEXT>\n</REUTERS>\n'
    ))
    items = list(read_paths([sgm]))
    assert [type(i).__name__ for i in items] == ["Article", "ReadError", "ReadError", "Article"]
    first, no_newid, unclosed, last = items
    assert (first.id, first.title, first.body) == ("reuters-10", "FIRST & GOOD", "One.")
    assert (no_newid.path, no_newid.position) == (str(sgm), "line 8")
    assert "NEWID" in no_newid.reason
    assert (unclosed.position, "TITLE" in unclosed.reason) == ("line 11", True)
    assert (last.id, last.title, last.published) == ("reuters-13", "LAST", None)


def test_reuters_reads_the_same_whatever_the_chunks_cut(monkeypatch):
    """The file is read in chunks: a chunk ending inside a tag, a story or a line changes nothing."""
    path = _need(REUTERS) / "reut2-000.sgm"
    whole = [repr(item) for item in read_paths([path])]
    monkeypatch.setattr(reuters_reader, "CHUNK_BYTES", 7)  # cuts tags, "<REUTERS" and "</REUTERS>" alike
    assert [repr(item) for item in read_paths([path])] == whole
    assert len(whole) == 1000 and whole[-1].endswith(f"origin='{path}:32691')")  # its last story's first line


# --- plain text with a header -------------------------------------------------------------------


def test_text_header(tmp_path):
    path = _write(tmp_path / "story.txt", (
        "Title:  Syria's   leader speaks\n"
        "date: 2025-04-23T10:00:00+02:00\n"
        "Source: The Insider\nURL: https://example.org/a\n"
        "Author: Ann One; Bob Two\nAUTHOR: Cy Three\n"
        "Language: en\nTopics: politics, syria\nPlaces: Moscow, Damascus\nID: insider-1\n"
        "\nFirst paragraph.\n\nSecond: with a colon.\n"
    ))
    [article] = read_paths([path])
    assert article == Article(
        id="insider-1",
        title="Syria's leader speaks",
        body="First paragraph.\n\nSecond: with a colon.",
        published=datetime(2025, 4, 23, 8, 0, tzinfo=timezone.utc),
        source="The Insider",
        url="https://example.org/a",
        authors=("Ann One", "Bob Two", "Cy Three"),
        language="en",
        topics=("politics", "syria"),
        places=("Moscow", "Damascus"),
        origin=f"{path}:1",
    )


def test_text_header_only_when_first_line_is_a_known_key(tmp_path):
    not_a_key = _write(tmp_path / "breaking.txt", "Breaking: markets fall\nDate: 2025-01-01\n\nBody.\n")
    second_line = _write(tmp_path / "late.txt", "\nTitle: not a header\n\nBody.\n")
    [first, second] = read_paths([not_a_key, second_line])
    assert (first.id, first.title, first.published) == ("breaking", "Breaking: markets fall", None)
    assert first.body == "Date: 2025-01-01\n\nBody."
    assert (second.title, second.body) == ("Title: not a header", "Body.")


def test_text_bad_date_is_an_error_for_the_file(tmp_path):
    path = _write(tmp_path / "bad.txt", "Title: X\nDate: yesterday-ish\n\nBody.\n")
    [error] = read_paths([path])
    assert isinstance(error, ReadError)
    assert (error.path, error.position) == (str(path), "line 2")
    assert "yesterday-ish" in error.reason


def test_text_empty_file(tmp_path):
    empty = _write(tmp_path / "empty.txt", b"")
    blank = _write(tmp_path / "blank.txt", b"\xef\xbb\xbf \n\n\t\n")
    errors = list(read_paths([empty, blank]))
    assert [(e.path, e.reason) for e in errors] == [(str(empty), "empty file"), (str(blank), "empty file")]


def test_text_invalid_utf8_and_bom(tmp_path):
    latin = _write(tmp_path / "latin.txt", b"Caf\xe9 news\n\nPrix: 5 \x80\n")
    bom = _write(tmp_path / "bom.txt", b"\xef\xbb\xbfTitle: With BOM\n\nBody\n")
    [first, second] = read_paths([latin, bom])
    assert (first.title, first.body) == ("Café news", "Prix: 5 €")  # undeclared Windows-1252, detected
    assert (second.title, second.body) == ("With BOM", "Body")


# --- JSON Lines ---------------------------------------------------------------------------------


def test_jsonl_records_errors_and_ids(tmp_path):
    url = "https://example.org/b"
    path = _write(tmp_path / "feed.jsonl", "\n".join([
        '{"id": 7, "headline": "Seven", "text": "Body 7", "published_at": "2025-04-23", "lang": "en",'
        ' "author": ["Smith, John"], "tags": "a; b", "source": "Wire", "category": "WORLD", "note": ""}',
        "",
        '{"title": "No id", "link": "' + url + '"}',
        '{not json',
        "[1, 2]",
        '{"title": "Bad date", "date": "31/31/2020"}',
        '{"title": {"nested": true}}',
        '{"title": "Last"}',
    ]) + "\n")
    items = list(read_paths([path]))
    assert [type(i).__name__ for i in items] == [
        "Article", "Article", "ReadError", "ReadError", "ReadError", "ReadError", "Article",
    ]
    seven, by_url, bad_json, not_object, bad_date, bad_type, last = items
    assert seven == Article(
        id="7", title="Seven", body="Body 7", published=datetime(2025, 4, 23, tzinfo=timezone.utc),
        source="Wire", language="en", authors=("Smith, John",), topics=("a", "b"),
        extra={"category": "WORLD"}, origin=f"{path}:1",
    )
    assert by_url.id == "u" + hashlib.sha1(url.encode()).hexdigest()[:16]
    assert by_url.url == url
    assert (bad_json.position, bad_json.reason.startswith("invalid JSON")) == ("line 4", True)
    assert (not_object.position, not_object.reason) == ("line 5", "expected a JSON object, got array")
    assert bad_date.position == "line 6" and "31/31/2020" in bad_date.reason
    assert bad_type.position == "line 7" and bad_type.reason == "title: expected text, got object"
    assert (last.id, last.title, last.origin) == ("feed-8", "Last", f"{path}:8")


def test_jsonl_field_map_takes_precedence(tmp_path):
    path = _write(tmp_path / "huffpost.ndjson", (
        '{"link": "https://h/1", "headline": "Real title", "title": "Section", '
        '"short_description": "Summary.", "authors": "Ann, Bob", "category": "U.S. NEWS", "date": "2022-09-23"}\n'
    ))
    [article] = read_paths([path], field_map=parse_field_map("title=headline, body=short_description"))
    assert (article.title, article.body) == ("Real title", "Summary.")
    assert article.authors == ("Ann", "Bob")
    assert article.extra == {"title": "Section", "category": "U.S. NEWS"}
    [unmapped] = read_paths([path])
    assert (unmapped.title, unmapped.body) == ("Section", "")


def test_jsonl_empty_file(tmp_path):
    path = _write(tmp_path / "none.jsonl", "\n  \n")
    assert [(e.path, e.reason) for e in read_paths([path])] == [(str(path), "empty file")]


# --- read_paths: walking, choosing readers, failures ----------------------------------------------


def test_read_paths_walks_sorted_and_skips_hidden_and_unknown(tmp_path):
    _write(tmp_path / "b.txt", "B title\nB body\n")
    (tmp_path / "a").mkdir()
    _write(tmp_path / "a" / "z.jsonl", '{"title": "Z"}\n')
    _write(tmp_path / "a" / "notes.md", "# not an article\n")
    (tmp_path / ".git").mkdir()
    _write(tmp_path / ".git" / "c.txt", "hidden dir\n")
    _write(tmp_path / ".hidden.txt", "hidden file\n")
    assert [a.title for a in read_paths([tmp_path])] == ["Z", "B title"]
    assert [a.title for a in read_paths(tmp_path)] == ["Z", "B title"]  # one path, not an iterable


def test_read_paths_explicit_files_missing_unknown_and_sniffed(tmp_path):
    missing = tmp_path / "missing.txt"
    unknown = _write(tmp_path / "notes.md", "# heading\n")
    json_like = _write(tmp_path / "dump.data", '{"title": "Sniffed JSON"}\n')
    sgml_like = _write(tmp_path / "wire", '<REUTERS NEWID="5">\n<TEXT><TITLE>SNIFFED</TITLE></TEXT>\n</REUTERS>\n')
    items = list(read_paths([missing, unknown, json_like, sgml_like]))
    assert [(i.path, i.reason) for i in items[:2]] == [
        (str(missing), "no such file or directory"),
        (str(unknown), items[1].reason),
    ]
    assert items[1].reason.startswith("unknown format")
    assert [(i.id, i.title) for i in items[2:]] == [("dump-1", "Sniffed JSON"), ("reuters-5", "SNIFFED")]


def test_read_paths_fmt_forces_the_reader(tmp_path):
    path = _write(tmp_path / "data.jsonl", '{"title": "T"}\n')
    [as_text] = read_paths([path], fmt="text")
    assert (as_text.id, as_text.title) == ("data", '{"title": "T"}')
    _write(tmp_path / "more.log", '{"title": "Log"}\n')
    assert [a.title for a in read_paths([tmp_path], fmt="jsonl")] == ["T", "Log"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user that file permissions apply to")
def test_read_paths_unreadable_file_is_yielded_not_raised(tmp_path):
    locked = _write(tmp_path / "locked.txt", "Title\n")
    ok = _write(tmp_path / "ok.txt", "Fine\n")
    locked.chmod(0)
    try:
        error, article = read_paths([locked, ok])
    finally:
        locked.chmod(0o600)
    assert (error.path, error.reason.startswith("cannot read file")) == (str(locked), True)
    assert article.title == "Fine"


def test_read_paths_rejects_bad_arguments_at_once():
    assert SUPPORTED_FORMATS == ("text", "jsonl", "reuters", "html", "feed", "warc", "csv", "tsv")
    with pytest.raises(NewsIndexError, match="unknown format 'xml'"):
        read_paths(["anything"], fmt="xml")
    with pytest.raises(NewsIndexError, match="headline"):
        read_paths(["anything"], field_map={"headline": "title"})


# --- parse_field_map ----------------------------------------------------------------------------


def test_parse_field_map():
    assert parse_field_map(" title = headline ,body=short_description") == {
        "title": "headline",
        "body": "short_description",
    }
    assert parse_field_map("published=date") == {"published": "date"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "expected FIELD=KEY"),
        ("title", "expected FIELD=KEY"),
        ("title=", "expected FIELD=KEY"),
        ("=headline", "expected FIELD=KEY"),
        ("title=headline,", "expected FIELD=KEY"),
        ("title=a,title=b", "mapped twice"),
        ("headline=title", "unknown article field"),
    ],
)
def test_parse_field_map_rejects_malformed_text(text, message):
    with pytest.raises(NewsIndexError, match=message):
        parse_field_map(text)


def test_jsonl_named_objects_and_timestamps(tmp_path: Path) -> None:
    """NewsAPI-style exports: source as {"id", "name"}, dates as Unix timestamps (s or ms)."""
    feed = tmp_path / "export.jsonl"
    feed.write_text(
        '{"title": "A", "source": {"id": "bbc-news", "name": "BBC News"}, "publishedAt": 1745366400}\n'
        '{"title": "B", "authors": [{"name": "Jane Roe"}], "date": 1745366400000}\n'
        '{"title": "C", "date": 1e30}\n',
        encoding="utf-8",
    )
    a, b, c = read_paths([feed], field_map={"published": "publishedAt"})
    assert a.source == "BBC News" and a.published == datetime(2025, 4, 23, tzinfo=timezone.utc)
    assert b.authors == ("Jane Roe",) and b.published == datetime(2025, 4, 23, tzinfo=timezone.utc)
    assert isinstance(c, ReadError) and "out of range" in str(c) and c.position == "line 3"
