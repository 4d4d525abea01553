"""Input from a hostile run: one bad record or file costs that record, never the run or the rest
of its file (findings 2, 3), each reported with its place."""

from __future__ import annotations

import bz2
import gzip
import os
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

from click.testing import CliRunner

from newsindex import Article, NewsIndex, ReadError
from newsindex.cli import main
from newsindex.ingest.readers import read_paths

ROOT = Path(__file__).resolve().parents[1]


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


def _warc_record(number: int, uri: bool, sentences: int = 4) -> bytes:
    page = (b"<html><head><title>Page %d</title></head><body><article><h1>Page number %d</h1><p>" % (number, number)
            + b"An article paragraph long enough to be taken for the main text of the page. " * sentences
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


# -- finding 5: memory without bounds --------------------------------------------------------------

#: Runs the command line and, as it exits, writes its own peak resident memory (VmHWM, in KiB) to
#: the file named first. Not the rusage of the child: a child started by vfork (as subprocess
#: does) takes over the high-water mark of its parent, so under a full test run it measured pytest.
_PEAK_PROBE = """
import atexit, runpy, sys
out = sys.argv.pop(1)
def peak():
    with open("/proc/self/status") as status, open(out, "w") as found:
        found.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(peak)
runpy.run_module("newsindex.cli", run_name="__main__")
"""


def _peak(args: list[str]) -> tuple[int, str, int]:
    """(exit status, stderr, peak resident memory in MiB) of one run of the command line."""
    with tempfile.NamedTemporaryFile("r") as found:
        proc = subprocess.run([sys.executable, "-c", _PEAK_PROBE, found.name, *args], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
        return proc.returncode, proc.stderr.decode(), int(found.read()) // 1024


def _deflate_bomb(head: bytes, chunk: bytes, count: int, tail: bytes) -> tuple[bytes, int, int]:
    """(raw deflate data, CRC-32, size) of head + chunk * count + tail, made in a moment: after a
    full flush the compressor starts afresh, so every chunk compresses to the same bytes."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    assert deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH) == block
    crc = zlib.crc32(head)
    for _ in range(count - 1):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, zlib.crc32(chunk, crc))
    data = first + block * (count - 1) + deflate.compress(chunk) + deflate.compress(tail) + deflate.flush()
    return data, crc, len(head) + len(chunk) * count + len(tail)


def _write_zip(path: Path, members: list[tuple[bytes, bytes, int, int]]) -> None:
    """A zip of deflated members given as (name, raw deflate data, crc, size), written by hand."""
    local, central = b"", b""
    for name, data, crc, size in members:
        fields = struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0x21, crc, len(data), size, len(name), 0)
        central += struct.pack("<I", 0x02014B50) + struct.pack("<H", 20) + fields + struct.pack(
            "<HHHII", 0, 0, 0, 0, len(local)) + name
        local += struct.pack("<I", 0x04034B50) + fields + name + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0)
    path.write_bytes(local + central + end)


def test_inputs_that_never_end_are_refused(tmp_path: Path) -> None:
    for device, fmt in (("/dev/zero", "jsonl"), ("/dev/urandom", "text")):
        result = _run("index", device, "--format", fmt, "--dry-run")
        assert result.exit_code == 1
        assert f"failed: {device}: not a file but a character device" in result.output


def test_a_1mb_zip_holding_a_1gb_page_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    page = _deflate_bomb(b"<html><body><p>", b"a" * (1 << 20), 1024, b"</p></body></html>")
    text = zlib.compressobj(9, zlib.DEFLATED, -15)
    small = b"Title: kept\n\nThe other member is read.\n"
    _write_zip(tmp_path / "pages.zip", [(b"big.html", *page), (b"small.txt", text.compress(small) + text.flush(),
                                                                 zlib.crc32(small), len(small))])
    assert (tmp_path / "pages.zip").stat().st_size < 1.5 * 2**20
    status, err, peak = _peak(["index", str(tmp_path / "pages.zip"), "--dry-run"])
    assert status == 1 and f"failed: {tmp_path / 'pages.zip'}!big.html: page over the 16 MiB limit (--max-page)" in err
    assert "1 articles read, 1 failed" in err
    assert peak < 400, f"peak {peak} MiB"


def test_a_1gb_line_in_a_1mb_gzip_costs_only_that_line(tmp_path: Path) -> None:
    line = gzip.compress(b"a" * (1 << 20), 9)
    with open(tmp_path / "feed.jsonl.gz", "wb") as out:
        out.write(gzip.compress(b'{"id": "first", "title": "first"}\n{"title": "big", "body": "'))
        for _ in range(1024):
            out.write(line)
        out.write(gzip.compress(b'"}\n{"id": "after", "title": "after"}\n'))
    (tmp_path / "page.txt.gz").write_bytes(gzip.compress(b"Title: big\n\n") + line * 1024)
    status, err, peak = _peak(["index", str(tmp_path), "--dry-run"])
    assert f"failed: {tmp_path / 'feed.jsonl.gz'}:line 2: line over the 16 MiB limit (--max-line)" in err
    assert f"failed: {tmp_path / 'page.txt.gz'}: page over the 16 MiB limit (--max-page)" in err
    assert "2 articles read, 2 failed" in err and peak < 400, (err, peak)


def test_a_bzip2_bomb_stops_at_its_ratio(tmp_path: Path) -> None:
    zeros = bz2.compress(b"0" * (8 << 20))
    (tmp_path / "bomb.jsonl.bz2").write_bytes(zeros * 8000)  # 64 GB from about 400 KB
    result = _run("index", str(tmp_path / "bomb.jsonl.bz2"), "--dry-run")
    assert result.exit_code == 1
    assert "decompresses to more than 1100 times its size (a compression bomb?)" in result.output


def test_a_tag_with_100000_attributes_costs_no_more_than_its_text(tmp_path: Path) -> None:
    """A 1.3 MB page whose one tag holds 100,000 attributes took 6 minutes (libxml2 compares each
    attribute with the tag's others); the attributes past the 256th are dropped before parsing."""
    from newsindex.ingest.readers.html import MAX_ATTRIBUTES, _few_attributes

    attributes = " ".join(f'data-a{i}="x"' for i in range(100_000))
    text = "Oil prices rose sharply on Monday after the producers agreed to cut their output again."
    (tmp_path / "tag.html").write_text(f"<html><head><title>Attributes</title></head><body><article>"
                                       f"<p {attributes}>{text}</p></article></body></html>", encoding="utf-8")
    [article] = read_paths([tmp_path / "tag.html"])
    assert isinstance(article, Article) and text in article.body
    cut = _few_attributes(b"<p " + attributes.encode() + b">")
    assert cut == b"<p " + b" ".join(b'data-a%d="x"' % i for i in range(MAX_ATTRIBUTES)) + b">"
    image = b'<img src="data:image/png;base64,' + b"A" * 1_000_000 + b'" alt="one long attribute">'
    assert _few_attributes(image) == image


def test_limits_apply_to_every_kind_of_record(tmp_path: Path) -> None:
    from newsindex.ingest.readers import Limits
    (tmp_path / "a.csv").write_text("id,title,body\n1,t," + "x" * 3000 + "\n2,kept,short\n", encoding="utf-8")
    (tmp_path / "b.sgm").write_text('<REUTERS NEWID="1"><TITLE>t</TITLE><BODY>' + "y " * 2000 + "</BODY></REUTERS>\n"
                                    '<REUTERS NEWID="2"><TITLE>kept</TITLE><BODY>z</BODY></REUTERS>\n', encoding="latin-1")
    (tmp_path / "c.warc").write_bytes(_warc_record(1, True, 100) + _warc_record(2, True))
    (tmp_path / "d.txt").write_text("Title: long\n\n" + "w " * 2000, encoding="utf-8")
    items = list(read_paths([tmp_path], limits=Limits(line=2000, record=2000, page=2000)))
    assert sorted(str(e) for e in items if isinstance(e, ReadError)) == [
        f"{tmp_path / 'a.csv'}:line 2: line over the 2,000 bytes limit (--max-line)",
        f"{tmp_path / 'b.sgm'}:line 1: record over the 2,000 bytes limit (--max-record)",
        f"{tmp_path / 'c.warc'}:record 1: record over the 2,000 bytes limit (--max-record)",
        f"{tmp_path / 'd.txt'}: page over the 2,000 bytes limit (--max-page)",
    ]
    assert sorted(a.title for a in items if isinstance(a, Article)) == ["Page number 2", "kept", "kept"]


def test_sigterm_ends_a_run_blocked_on_a_pipe_or_fed_forever(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    for feed in (False, True):
        proc = subprocess.Popen([sys.executable, "-m", "newsindex.cli", "index", str(fifo), "--dry-run"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
        writer = os.open(fifo, os.O_WRONLY)  # the reader has opened its end
        if feed:  # an endless line of zeros: bounded memory, and the signal still lands
            threading.Thread(target=_flood, args=(writer,), daemon=True).start()
        time.sleep(3)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        os.close(writer) if not feed else None
        assert proc.returncode == 130 and "interrupted" in err.decode()


def _flood(fd: int) -> None:
    zeros = b"0" * (1 << 20)
    try:
        while True:
            os.write(fd, zeros)
    except OSError:
        os.close(fd)


# -- finding 10: a folder's other files, long CSV fields ------------------------------------------

def test_a_folders_files_are_chosen_and_the_summary_says_what_was_read_as_what(tmp_path: Path) -> None:
    folder = tmp_path / "reuters"
    folder.mkdir()
    (folder / "reut2-000.sgm").write_text('<REUTERS NEWID="1"><TITLE>cocoa</TITLE><BODY>b</BODY></REUTERS>\n')
    (folder / "all-topics-strings.lc.txt").write_text("acq\nalum\ncocoa\n")  # a category list, not an article
    everything = _run("index", str(folder), "-i", str(tmp_path / "a"))
    assert "2 added" in everything.output and "read 2 files: 1 as reuters, 1 as text" in everything.output
    chosen = _run("index", str(folder), "-i", str(tmp_path / "b"), "--exclude", "all-*.txt")
    assert "1 added" in chosen.output and "read 1 file: 1 as reuters" in chosen.output
    only = _run("index", str(folder), "-i", str(tmp_path / "c"), "--include", "*.sgm", "--dry-run")
    assert only.exit_code == 0 and "read 1 file: 1 as reuters" in only.output


def test_a_csv_field_over_128_kb_is_read(tmp_path: Path) -> None:
    body = "word " * 60_000  # 300 KB in one field
    (tmp_path / "long.csv").write_text(f'id,title,body\n1,long,"{body}"\n2,next,short\n', encoding="utf-8")
    items = list(read_paths([tmp_path / "long.csv"]))
    assert [a.title for a in items] == ["long", "next"] and items[0].body == body.strip()
