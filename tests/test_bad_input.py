"""Bad input never crashes a run: each bad file or record is reported with its place, skipped and counted."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsindex import Article, NewsIndex, ReadError
from newsindex.cli import main
from newsindex.ingest.readers import read_paths

from conftest import CORPUS


def _bad_tree(root: Path) -> dict[str, str]:
    """Write one file of every kind of bad input; return file name -> what the report must say."""
    sgml = (CORPUS / "reut2-000.sgm").read_bytes()
    files = {
        "empty.txt": (b"", "empty file"),
        "binary.txt": (bytes(range(256)) * 40, "binary data, not text"),
        "truncated.sgm": (sgml[:50_000], "unclosed <REUTERS> at end of file"),
        "broken.sgm": (b'<REUTERS NEWID="900001"><TITLE>unclosed <BODY>text</REUTERS>', "unclosed or stray <TITLE>"),
        "latin1.jsonl": (b'{"title": "caf\xe9", "body": "cr\xe8me"}\n', None),
        "wrong-extension.jsonl": (b"This is prose, not JSON.\n", "invalid JSON"),
        "nested.jsonl": (b"[" * 100_000 + b"]" * 100_000 + b"\n", "nested too deeply"),
        "bad-date.txt": (b"Title: x\nDate: 2025-02-30\n\nbody\n", "impossible date '2025-02-30'"),
        "year-zero.jsonl": (b'{"title": "y", "date": "0000-01-01"}\n', "year 0 is out of range"),
        "no-zone.jsonl": (b'{"title": "z", "date": "2025-04-23T10:00:00"}\n', None),
        # A 50 MB single line: over the limit of a line (16 MiB), reported and skipped, memory bounded.
        "huge.jsonl": (b'{"title": "huge", "body": "' + (b"w" * 999 + b" ") * 50_000 + b'"}\n',
                       "line 1: line over the 16 MiB limit (--max-line)"),
    }
    for name, (data, _) in files.items():
        (root / name).write_bytes(data)
    deep = root.joinpath(*["nest"] * 200)
    deep.mkdir(parents=True)
    (deep / "deep.txt").write_text("Title: Deep\n\nFound at the bottom.\n", encoding="utf-8")
    return {name: message for name, (_, message) in files.items() if message}


def test_every_kind_of_bad_input_is_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    expected = _bad_tree(inputs)
    index = tmp_path / "index"
    result = CliRunner().invoke(main, ["index", str(inputs), "--index", str(index)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    failures = [line for line in result.output.splitlines() if line.startswith("  failed: ")]
    for name, message in expected.items():
        assert any(name in line and message in line for line in failures), (name, failures)
    assert len(failures) == len(expected)
    summary = result.output.splitlines()[0]
    assert summary.endswith(f"{len(expected)} failed ({index})")
    with NewsIndex.open(index) as ix:
        assert ix.get("latin1-1").title == "caf\ufffd"  # undecodable bytes replaced, article kept
        assert ix.get("no-zone-1").published.isoformat() == "2025-04-23T10:00:00+00:00"  # no zone: UTC
        assert ix.search("title:huge").total == 0
        assert ix.search("title:deep").total == 1
        assert ix.search("source:reuters").total >= 30  # the whole stories of the truncated file


READABLE = st.sampled_from([".txt", ".jsonl", ".sgm", ".ndjson"])
CONTENT = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from([
        b"<REUTERS", b' NEWID="7">', b"<DATE>", b"26-FEB-1987 15:01:01.79", b"</DATE>", b"<TITLE>", b"</TITLE>",
        b"<BODY>", b"</BODY>", b"</REUTERS>", b"&lt;", b"&#3;", b"\xff", b"\n", b"{", b"}", b'"title": ',
        b'"date": ', b'"x"', b'"2025-13-01"', b"Title: a\n", b"Date: 1987\n", b"\n\n", b"[", b"]", b",",
    ]), max_size=40).map(b"".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suffix=READABLE, data=CONTENT)
def test_readers_yield_articles_or_read_errors_for_any_bytes(tmp_path: Path, suffix: str, data: bytes) -> None:
    path = tmp_path / f"generated{suffix}"
    path.write_bytes(data)
    for item in read_paths([path]):
        assert isinstance(item, (Article, ReadError))
        if isinstance(item, ReadError):
            assert str(item).startswith(str(path))
