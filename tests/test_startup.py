"""Starting fast: a command imports what it needs, and a search needs neither the readers nor NLTK.

What is checked here is what gets imported, never how long it takes (the
benchmark measures the time: ``benchmarks/startup.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsindex import NewsIndex
from newsindex.text.analysis import snowball, words_of
from newsindex.text.stems import StemTable

from conftest import CORPUS

#: Modules a search must not load: every reader of input formats, what the web-page readers
#: stand on, NLTK, and Whoosh's writing machinery.
NOT_FOR_A_SEARCH = ("newsindex.ingest.readers", "trafilatura", "lxml", "feedparser", "warcio", "charset_normalizer",
                    "nltk", "newsindex.store.writing", "newsindex.stories.compare", "matplotlib")


def loaded_after(code: str) -> list[str]:
    """The modules loaded in a fresh interpreter after running ``code``."""
    script = f"import sys\n{code}\nprint('\\n' + __import__('json').dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def unwanted(modules: list[str], names: tuple[str, ...] = NOT_FOR_A_SEARCH) -> list[str]:
    return [m for m in modules if any(m == n or m.startswith(n + ".") for n in names)]


def test_importing_the_command_line_loads_no_reader_nltk_or_facade() -> None:
    modules = loaded_after("import newsindex.cli")
    assert unwanted(modules, (*NOT_FOR_A_SEARCH, "newsindex.index", "whoosh.searching")) == []


def test_the_package_names_its_api_without_loading_it() -> None:
    modules = loaded_after("import newsindex; newsindex.QueryError")
    assert "newsindex.index" not in modules
    assert unwanted(loaded_after("from newsindex import NewsIndex, Hit")) == []


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("startup") / "index"
    done = subprocess.run([sys.executable, "-m", "newsindex.cli", "index", str(CORPUS), "-i", str(index), "-q"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return index


@pytest.mark.parametrize("command", [
    # "extradite" and "refused" are title words; "bogdanov" and "stockpiles" are only in bodies,
    # which the indexing helper process indexes: their stems must be kept too.
    ["search", "refused extradite OR bogdanov OR stockpiles"],
    # similar reads its hits' words again (their overlap): stemmed from the stems the index kept.
    ["similar", "000_7887337d1080e0d6"],
])
def test_a_search_or_similar_loads_no_reader_and_no_nltk(built: Path, command: list[str]) -> None:
    code = (
        "from newsindex.cli import main\n"
        f"main([*{command!r}, '-i', {str(built)!r}], standalone_mode=False)\n"
    )
    modules = loaded_after(code)
    assert "newsindex.index" in modules
    assert unwanted(modules) == []


def test_on_a_collection_a_search_or_similar_loads_no_nltk_either(tmp_path: Path) -> None:
    """A collection's shards keep the stems of their words as one index does: its searches and
    ``similar`` look them up in every shard's table."""
    from newsindex.collection import Collection
    from newsindex.ingest.readers import read_paths

    with Collection.create(tmp_path / "shards", shards=2) as collection:
        assert collection.add(read_paths([CORPUS])).failed == []
    for command in (["search", "refused extradite OR bogdanov OR stockpiles", "--json"], ["similar", "000_7887337d1080e0d6"]):
        code = (
            "from newsindex.cli import main\n"
            f"main([*{command!r}, '-i', {str(tmp_path / 'shards')!r}], standalone_mode=False)\n"
        )
        modules = loaded_after(code)
        assert "newsindex.collection.collection" in modules
        assert unwanted(modules) == [], command


def test_a_word_the_index_never_saw_is_stemmed_by_nltk(built: Path) -> None:
    code = (
        "from newsindex import NewsIndex\n"
        f"ix = NewsIndex.open({str(built)!r})\n"
        "assert ix.search('extraditions').total == 2\n"  # not a word of the corpus, but its stem is
    )
    assert "nltk" in loaded_after(code)


def test_the_kept_stems_are_nltks_for_every_word_of_the_corpus(built: Path) -> None:
    with NewsIndex.open(built) as ix:
        articles = [ix.get(f"reuters-{n}") for n in range(1, 1001, 37)] + [ix.get("000_7887337d1080e0d6")]
    words = {w for a in articles for w in words_of(f"{a.title} {a.body}") if w.isalpha()}
    table = StemTable(built, "english")
    try:
        kept = table.lookup_many(words)
        stem = snowball("english")
        assert kept.keys() == words
        assert kept == {w: stem(w) for w in words}
        assert table.lookup("zzzqx") is None
    finally:
        table.close()
