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
