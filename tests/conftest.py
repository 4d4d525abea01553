"""Shared fixtures: the sample corpus, the real corpora beside the repo, and indexes built from them.

Indexes are built once per test session: building Reuters-21578 takes tens of
seconds, and every test that reads it only searches.
"""

from __future__ import annotations

import os
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


# -- running on several cores (pytest-xdist: ``-n auto``) ---------------------------------------------

#: The files that search the index of the whole of Reuters-21578 (``reuters_index``) run on one worker,
#: so it is built (with its stories, about 25 s) once per run, not once per core. (Reading the articles,
#: ``reuters_articles``, takes about 2 s: files that only read them need not wait for that worker.)
REUTERS_INDEX_FILES = {
    "test_corrections.py", "test_coverage.py", "test_evaluate.py", "test_query_language.py",
    "test_ranking.py", "test_story_index.py", "test_trace.py",
}
#: Tests that time real processes against each other (kills at moments spread over a run, searches
#: while another process writes, a browser waiting for pages) run one after another on one worker,
#: so they never compete with each other for a core.
PROCESS_FILES = {"test_crash.py", "test_locking.py", "test_web_browser.py"}
#: The longest groups are handed out first, so that no core is left alone with a long one at the end
#: (in the order of their time in a run of the suite on 2 cores: 150 s for the first, 15 s for the last).
LONGEST_FIRST = [
    "reuters", "test_readme.py", "processes", "test_benchmarks.py", "test_indexing_path.py", "test_collection.py",
    "test_stories.py", "test_grouping.py", "test_languages.py", "test_fuzz_hostile.py", "test_hostile_input.py",
    "test_formats.py",
]


def work_group(path: str) -> str:
    """The group of the test file at ``path``: the tests of one group run on one worker, in order."""
    name = path.rsplit("/", 1)[-1]  # node ids use "/" on every system
    if name in REUTERS_INDEX_FILES:
        return "reuters"
    if name in PROCESS_FILES:
        return "processes"
    return name


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` starts one worker per processor this process may run on. (pytest-xdist would ask
    psutil, which dask installs, for the machine's physical cores: one on many 2-processor virtual
    machines, and all of the host's in a container limited to a few.)"""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # type: ignore[no-untyped-def]
    """With ``-n`` and no other ``--dist``: each :func:`work_group` on one worker (its module and
    session fixtures are built once), in the order of the collection (longest first, see below)."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_group(nodeid.split("::", 1)[0])

    config.option.loadscopereorder = False  # not by the number of tests: LONGEST_FIRST says which first
    return GroupScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a pytest-xdist worker, put the groups of :data:`LONGEST_FIRST` first (each file keeps its order).
    Anywhere, say when a file searches the Reuters index without being in :data:`REUTERS_INDEX_FILES`."""
    import warnings

    unlisted = sorted({item.path.name for item in items if "reuters_index" in item.fixturenames} - REUTERS_INDEX_FILES)
    if unlisted:
        warnings.warn(pytest.PytestWarning(
            f"{', '.join(unlisted)} use reuters_index: add them to REUTERS_INDEX_FILES in tests/conftest.py, "
            "or each core running them builds the index again"))
    if hasattr(config, "workerinput"):
        rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
        items.sort(key=lambda item: rank.get(work_group(item.nodeid.split("::", 1)[0]), len(rank)))
