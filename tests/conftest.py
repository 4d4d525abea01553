"""Shared fixtures: the sample corpus, the real corpora beside the repo, and indexes built from them.

Indexes are built once per test session: building Reuters-21578 takes tens of
seconds, and every test that reads it only searches.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsindex import NewsIndex
from newsindex.ingest.readers import read_paths

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared" / "corpora"
REUTERS = SHARED / "reuters21578"
SEEDS = SHARED / "seeds"


def need_shared(path: Path) -> Path:
    """Skip the calling test when a corpus of ../shared is absent (e.g. on a fresh clone)."""
    if not path.is_dir():
        pytest.skip(f"corpus {path} is not present (it lives outside the repository, in ../shared/corpora)")
    return path


def reuters_files() -> list[Path]:
    return sorted(need_shared(REUTERS).glob("reut2-*.sgm"))


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> NewsIndex:
    """The sample corpus of the README demo, indexed."""
    ix = NewsIndex.create(tmp_path_factory.mktemp("sample") / "index")
    summary = ix.add(read_paths([CORPUS]))
    assert summary.failed == [] and summary.added == 1002
    yield ix
    ix.close()


@pytest.fixture(scope="session")
def reuters_articles() -> list:
    """Every article of Reuters-21578, as the reader gives them (the oracle for search tests)."""
    return list(read_paths(reuters_files()))


@pytest.fixture(scope="session")
def reuters_index(tmp_path_factory: pytest.TempPathFactory, reuters_articles: list) -> NewsIndex:
    """All 21,578 Reuters-21578 stories, indexed."""
    ix = NewsIndex.create(tmp_path_factory.mktemp("reuters") / "index")
    summary = ix.add(reuters_articles)
    assert summary.failed == [] and summary.added == 21578
    yield ix
    ix.close()


#: Articles as a hostile web page could make them: markup and script in every field a page shows.
#: Each payload, if it ever ran, would set ``window.__pwned`` (the browser tests look).
HOSTILE = [
    {
        "id": "hostile-1",
        "title": "<script>window.__pwned='title'</script>Zyxhostile council <b>votes</b> on harbour tax",
        "body": (
            "The zyxhostile harbour council voted on Monday to raise the harbour tax by 4% from June, "
            "according to the port authority. <img src=x onerror=\"window.__pwned='img'\"> "
            "\"We had no choice,\" the chairman said. <svg onload=\"window.__pwned='svg'\"></svg> "
            "<a href=\"javascript:window.__pwned='link'\">read more</a> The tax brings in 2 million crowns a year. "
            "<iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\"></iframe>"
        ),
        "date": "2024-05-06T10:00:00Z",
        "source": "\"><script>window.__pwned='source'</script>Harbour <i>Gazette</i>",
        "url": "javascript:window.__pwned='url'",
        "authors": ["<b onmouseover=\"window.__pwned='author'\">Eve</b>"],
        "topics": ["<img src=x onerror=window.__pwned='topic'>"],
    },
    {
        "id": "hostile-2",
        "title": "Zyxhostile council raises harbour tax <script>window.__pwned='title2'</script>",
        "body": (
            "The zyxhostile harbour council voted on Monday to raise the harbour tax by 5% from June, "
            "the port authority said. <img src=x onerror=\"window.__pwned='img2'\"> "
            "\"We had no choice,\" the chairman told reporters. The tax brings in 2 million crowns a year."
        ),
        "date": "2024-05-07T09:00:00Z",
        "source": "Harbour <b>Post</b>",
        "url": "https://example.org/harbour?a=1&b=<2>",
    },
    {
        # An id is the source's too: slashes, "..", quotes and markup in it must survive links.
        "id": "../x?#\"><script>window.__pwned='id'</script>",
        "title": "Zyxhostile ferry timetable changes",
        "body": "The zyxhostile ferry leaves at nine from Monday, the operator said.",
        "date": "2024-05-08T09:00:00Z",
    },
]


@pytest.fixture(scope="session")
def web_index_dir(tmp_path_factory: pytest.TempPathFactory, sample_index: NewsIndex) -> Path:
    """The sample corpus plus :data:`HOSTILE`, in a directory of its own (for the web interface's tests)."""
    import json
    import shutil

    directory = tmp_path_factory.mktemp("web") / "index"
    shutil.copytree(sample_index.directory, directory)
    feed = directory.parent / "hostile.jsonl"
    feed.write_text("".join(json.dumps(item) + "\n" for item in HOSTILE), encoding="utf-8")
    with NewsIndex.open(directory) as ix:
        summary = ix.add(read_paths([feed]))
    assert summary.failed == [] and summary.added == len(HOSTILE)
    return directory


@pytest.fixture(scope="session")
def web_index(web_index_dir: Path) -> NewsIndex:
    """:func:`web_index_dir`, open, as the web tests compare pages with the library's answers."""
    ix = NewsIndex.open(web_index_dir)
    yield ix
    ix.close()
