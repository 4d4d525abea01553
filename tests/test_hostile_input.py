"""Input from a hostile run: one bad record or file costs that record, never the run or the rest
of its file (findings 2, 3), each reported with its place."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from newsindex import Article, NewsIndex, ReadError
from newsindex.cli import main
from newsindex.ingest.readers import read_paths


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def _index(tmp_path: Path, *inputs: Path) -> tuple[NewsIndex, list[ReadError]]:
    ix = NewsIndex.create(tmp_path / "index")
    summary = ix.add(read_paths(inputs))
    return ix, summary.failed


# -- finding 2: one record or file aborts a whole run -----------------------------------------

def test_a_lone_surrogate_escape_in_json_is_indexed_as_a_replacement_character(tmp_path: Path) -> None:
    feed = tmp_path / "s.jsonl"
    feed.write_text('{"id":"s","title":"a","body":"\\udfff x"}\n{"id":"t","title":"b","body":"after"}\n', encoding="utf-8")
    ix, failed = _index(tmp_path, feed)
    with ix:
        assert failed == []
        assert ix.get("s").body == "\ufffd x" and ix.get("t").body == "after"
    result = _run("show", "s", "-i", str(tmp_path / "index"))
    assert result.exit_code == 0 and "\ufffd x" in result.output


def test_surrogates_in_any_field_of_an_api_article_are_repaired(tmp_path: Path) -> None:
    article = Article(id="k\udcff", title="t\ud800", body="b", authors=("x\udfff",), extra={"k": "\udc80"})
    assert (article.id, article.title, article.authors) == ("k\ufffd", "t\ufffd", ("x\ufffd",))
    with NewsIndex.create(tmp_path / "index") as ix:
        assert ix.add([article]).added == 1
        assert ix.get("k\ufffd").extra == {"k": "\udc80"}  # extra is stored as given
    result = _run("show", "k\ufffd", "-i", str(tmp_path / "index"), "--json")
    assert result.exit_code == 0 and '"\\udc80"' in result.output


def test_a_file_name_that_is_not_utf8_is_read_and_named(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path / "in")
    os.mkdir(folder)
    for name in (b"bad\xffname.txt", b"bad\xfename.txt"):
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(b"Title line\nbody text\n")
    result = _run("index", os.fsdecode(folder), "-i", str(tmp_path / "index"))
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    with NewsIndex.open(tmp_path / "index") as ix:
        assert {ix.get("bad\\xffname").title, ix.get("bad\\xfename").title} == {"Title line"}


def test_a_symlink_loop_in_a_folder_is_one_failure(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "loop").symlink_to("loop")
    (folder / "z.txt").write_text("Title\nbody\n", encoding="utf-8")
    result = _run("index", str(folder), "-i", str(tmp_path / "index"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "1 added" in result.output
    assert f"failed: {folder / 'loop'}: cannot read: Too many levels of symbolic links" in result.output


# -- finding 3: one bad record drops the rest of its file -------------------------------------

def test_a_5000_digit_integer_costs_nothing(tmp_path: Path) -> None:
    feed = tmp_path / "big.jsonl"
    lines = ['{"id":"a","title":"first","n":1}', '{"id":"b","title":"big","n":' + "9" * 5000 + "}",
             '{"id":"' + "7" * 5000 + '","title":"id"}', '{"id":"c","title":"after"}']
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ix, failed = _index(tmp_path, feed)
    with ix:
        assert failed == []
        assert ix.get("b").extra == {"n": "9" * 5000}  # kept, as its digits
        assert ix.get("7" * 5000).title == "id" and ix.get("c").title == "after"


def _warc_record(number: int, uri: bool) -> bytes:
    page = (b"<html><head><title>Page %d</title></head><body><article><h1>Page number %d</h1><p>" % (number, number)
            + b"An article paragraph long enough to be taken for the main text of the page. " * 4
            + b"</p></article></body></html>")
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(page) + page
    head = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:%d>\r\nWARC-Date: 2025-04-23T10:00:00Z\r\n"
            % number)
    if uri:
        head += b"WARC-Target-URI: https://example.com/%d\r\n" % number
    head += b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n" % len(http)
    return head + http + b"\r\n\r\n"


def test_a_warc_record_without_target_uri_costs_only_that_record(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl.warc"
    crawl.write_bytes(_warc_record(1, True) + _warc_record(2, False) + _warc_record(3, True))
    items = list(read_paths([crawl]))
    assert [a.url for a in items if isinstance(a, Article)] == ["https://example.com/1", "https://example.com/3"]
    assert [str(e) for e in items if isinstance(e, ReadError)] == [
        f"{crawl}:record 2: response record without a WARC-Target-URI: skipped"
    ]


# -- finding 6: edge dates -----------------------------------------------------------------------

EDGE_DATES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "9999-12-31"]


def test_dates_outside_the_accepted_range_are_reported_where_they_are_read(tmp_path: Path) -> None:
    feed = tmp_path / "dates.jsonl"
    lines = [f'{{"id":"e{i}","title":"edge","date":"{d}"}}' for i, d in enumerate(EDGE_DATES)]
    lines += ['{"id":"ok","title":"edge","date":"2999-12-31T11:00:00Z"}', '{"id":"old","title":"edge","date":"1000-01-01"}']
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    index = tmp_path / "index"
    result = _run("index", str(feed), "-i", str(index))
    assert result.exit_code == 1
    for number, date in enumerate(EDGE_DATES, 1):
        assert (f"failed: {feed}:line {number}: bad date: date '{date}' is outside the dates an index accepts "
                "(1000-01-01 .. 2999-12-31 UTC)") in result.output
    assert "2 added" in result.output
    for command in (["stats"], ["timeline", "edge", "--by", "year"], ["timeline", "edge", "--by", "month"],
                    ["search", "edge", "--sort", "date"], ["search", "date:9999"], ["show", "ok"]):
        done = _run(*command, "-i", str(index))
        assert done.exit_code == 0 and "Traceback" not in done.output, (command, done.output)
    assert "1000-01-01 .. 2999-12-31" in _run("stats", "-i", str(index)).output
    by_day = _run("timeline", "edge", "--by", "day", "-i", str(index))  # 730,483 days: refused, not built
    assert by_day.exit_code == 1 and "more than 100,000 periods: count by a longer period" in by_day.output


def test_an_api_article_with_an_edge_date_is_a_failure_not_a_broken_index(tmp_path: Path) -> None:
    from datetime import datetime, timedelta, timezone
    plus14 = timezone(timedelta(hours=14))
    articles = [Article("a", "edge", published=datetime(1, 1, 1, tzinfo=plus14)),
                Article("b", "edge", published=datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(-timedelta(hours=12)))),
                Article("c", "edge", published=datetime(9999, 12, 31, tzinfo=timezone.utc)),
                Article("d", "edge", published=datetime(2025, 4, 23, tzinfo=timezone.utc))]
    with NewsIndex.create(tmp_path / "index") as ix:
        summary = ix.add(articles)
        assert summary.added == 1 and [e.reason.split(":")[0] for e in summary.failed] == ["article 'a'", "article 'b'", "article 'c'"]
        assert ix.stats().first.year == 2025 and len(ix.timeline("edge", by="day")) == 1


def test_timelines_survive_the_ends_of_the_calendar() -> None:
    from datetime import datetime, timezone
    from newsindex.coverage.timeline import MAX_PERIODS, next_period, period_start, periods_between
    from newsindex.store.schema import from_micros
    last = from_micros(2**62)  # beyond year 9999: read as the end of the calendar
    assert last.year == 9999 and from_micros(-(2**62)).year == 1
    for by in ("day", "week", "month", "year"):
        assert next_period(period_start(last, by), by) > period_start(last, by)
        period_start(from_micros(-(2**62)), by)
    assert periods_between(datetime(1000, 1, 1, tzinfo=timezone.utc), datetime(2999, 1, 1, tzinfo=timezone.utc), "day") > MAX_PERIODS
