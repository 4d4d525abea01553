"""The index as a library user sees it: the README's API, updates, undated articles, locks, versions."""

from __future__ import annotations

from dataclasses import replace

import json
import pickle
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import index as windex
from whoosh.fields import TEXT, Schema
from whoosh.qparser import QueryParser

from newsindex import Article, IndexingInterrupted, IndexLockedError, IndexNotFoundError, IndexVersionError, NewsIndex, NewsIndexError
from newsindex.ingest.readers import read_paths
from newsindex.store.schema import FORMAT_VERSION, from_stored, to_stored

from conftest import CORPUS


def test_readme_python_example(sample_index: NewsIndex) -> None:
    with NewsIndex.open(sample_index.directory) as ix:
        res = ix.search('"refused to extradite" date:2025', limit=10)
        assert res.total == 2
        assert [h.title for h in res] == [
            "Russia Refused to Extradite Assad to New Syrian Authorities",
            "Syria’s new leader confirms Russia refused to hand over Bashar al-Assad after he fled to Moscow",
        ]


def test_get_returns_the_article_as_read(sample_index: NewsIndex) -> None:
    read = next(a for a in read_paths([CORPUS / "reut2-000.sgm"]) if a.id == "reuters-5")
    assert not read.language  # Reuters SGML says nothing of it: the index detects it
    assert sample_index.get("reuters-5") == replace(read, language="en")


_TEXT = st.text(st.characters(exclude_categories=()))  # lone surrogates too
_WORDS = st.lists(_TEXT, max_size=3).map(tuple)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)
_OFFSETS = st.integers(-23 * 60, 23 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))


@given(st.builds(
    Article, id=_TEXT, title=_TEXT, body=_TEXT, published=st.none() | st.datetimes(timezones=_OFFSETS),
    source=_TEXT, url=_TEXT, authors=_WORDS, language=_TEXT, topics=_WORDS, places=_WORDS,
    extra=st.dictionaries(_TEXT, _JSON, max_size=4), origin=_TEXT,
))
def test_the_stored_form_reads_back_every_field(article: Article) -> None:
    """Through Whoosh's own pickling of stored fields (protocol 2), as an index keeps it."""
    back = from_stored(pickle.loads(pickle.dumps(to_stored(article), 2)))
    assert back == article
    assert back.published is None or back.published.utcoffset() == article.published.utcoffset()


def test_ids_are_stable_across_builds(tmp_path: Path) -> None:
    first = [a.id for a in read_paths([CORPUS])]
    second = [a.id for a in read_paths([CORPUS])]
    assert first == second and len(set(first)) == len(first) == 1002


def test_plain_whoosh_opens_and_searches_the_index(sample_index: NewsIndex) -> None:
    ix = windex.open_dir(str(sample_index.directory))
    with ix.searcher() as searcher:
        hits = searcher.search(QueryParser("title", ix.schema).parse("cocoa"), limit=None)
        assert {hit["id"] for hit in hits} == {"reuters-1", "reuters-275"}
        assert {json.loads(hit["article"])[0] for hit in hits} == {"reuters-1", "reuters-275"}


def _article(id_: str, body: str, published: datetime | None) -> Article:
    return Article(id=id_, title=id_, body=body, published=published)


def test_undated_articles_never_match_a_date_filter_and_sort_last(tmp_path: Path) -> None:
    with NewsIndex.create(tmp_path / "ix") as ix:
        ix.add([
            _article("old", "grain harvest", datetime(2020, 1, 1, tzinfo=timezone.utc)),
            _article("new", "grain harvest", datetime(2025, 1, 1, tzinfo=timezone.utc)),
            _article("undated", "grain harvest", None),
        ])
        assert {h.id for h in ix.search("grain date:..2030")} == {"old", "new"}
        assert {h.id for h in ix.search("grain", until="2030")} == {"old", "new"}
        assert [h.id for h in ix.search("grain", sort="date")] == ["new", "old", "undated"]
        assert [h.id for h in ix.search("grain", sort="date-asc")] == ["old", "new", "undated"]
        assert ix.stats().dated == 2


def test_interrupted_add_keeps_committed_batches_and_rolls_back_the_rest(tmp_path: Path) -> None:
    with NewsIndex.create(tmp_path / "ix") as ix:
        ix.add([_article("a", "first", None)])

        def interrupted():
            for n in range(5):
                yield _article(f"b{n}", "second", None)
            raise KeyboardInterrupt

        with pytest.raises(IndexingInterrupted) as info:
            ix.add(interrupted(), commit_every=2)
        assert info.value.summary.committed == 4 and info.value.rolled_back == 1
        assert "kept the 4 articles committed by this run, rolled back the 1" in str(info.value)
    with NewsIndex.open(tmp_path / "ix") as ix:
        assert sorted(h.id for h in ix.search("first OR second")) == ["a", "b0", "b1", "b2", "b3"]
        summary = ix.add(_article(f"b{n}", "second", None) for n in range(5))  # the lock was released
        assert (summary.added, summary.unchanged) == (1, 4)  # a re-run resumes


def test_duplicate_ids_in_one_run_are_reported(tmp_path: Path) -> None:
    with NewsIndex.create(tmp_path / "ix") as ix:
        summary = ix.add([_article("a", "one", None), _article("a", "two", None), _article("a", "one", None)])
        assert summary.added == 1 and summary.duplicates == 1 and len(summary.failed) == 1
        assert "duplicate id 'a' with other content" in str(summary.failed[0])


def test_a_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    with NewsIndex.create(tmp_path / "ix") as ix:
        writer = windex.open_dir(str(tmp_path / "ix")).writer()
        try:
            with pytest.raises(IndexLockedError, match="being written by another program"):
                ix.add([_article("a", "one", None)])
        finally:
            writer.cancel()


def test_missing_and_foreign_and_newer_indexes_are_recognised(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError):
        NewsIndex.open(tmp_path / "nothing")
    windex.create_in(str(tmp_path), Schema(text=TEXT))
    with pytest.raises(IndexVersionError, match="not made by newsindex"):
        NewsIndex.open(tmp_path)
    NewsIndex.create(tmp_path / "ix").close()
    meta = tmp_path / "ix" / "newsindex.json"
    original = json.loads(meta.read_text())
    for other in (FORMAT_VERSION - 1, 999):  # an older stored article, or a newer newsindex's index
        meta.write_text(json.dumps({**original, "format": other}))
        with pytest.raises(IndexVersionError, match=f"index format {other} but this newsindex reads format {FORMAT_VERSION}; rebuild"):
            NewsIndex.open(tmp_path / "ix")
    meta.write_text(json.dumps({**original, "fingerprint": "0123456789abcdef", "created_by": "newsindex 0.0.1"}))
    for manifest in (tmp_path / "ix").glob("checksums-*.json"):  # each commit records how its text was analysed
        manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "fingerprint": "0123456789abcdef"}))
    with pytest.raises(IndexVersionError, match="built by newsindex 0.0.1 with other fields or text analysis"):
        NewsIndex.open(tmp_path / "ix")


def test_fingerprint_follows_the_analysis(monkeypatch) -> None:
    """A change of stemmer version or token rules changes what an index must record."""
    import nltk

    from newsindex.store.schema import build_schema, schema_fingerprint

    before = schema_fingerprint(build_schema("english"))
    assert before == schema_fingerprint(build_schema("english"))
    assert before != schema_fingerprint(build_schema("german"))
    monkeypatch.setattr(nltk, "__version__", "99.0")
    assert before != schema_fingerprint(build_schema("english"))


def test_create_refuses_to_overwrite_without_being_asked(tmp_path: Path) -> None:
    NewsIndex.create(tmp_path / "ix").close()
    with pytest.raises(NewsIndexError, match="already exists"):
        NewsIndex.create(tmp_path / "ix")


@pytest.mark.parametrize("language, word, variant", [("german", "Häuser", "Haus"), ("french", "nationales", "nationale")])
def test_other_snowball_languages(tmp_path: Path, language: str, word: str, variant: str) -> None:
    with NewsIndex.create(tmp_path / "ix", language=language) as ix:
        ix.add([_article("a", f"Die {word}", None)])
        assert ix.search(variant).total == 1
