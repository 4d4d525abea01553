"""The keys articles are found by, and the candidates a grouping from scratch finds by them in batch.

A grouping from scratch links whole blocks of articles at once
(:mod:`newsindex.stories.batch`); it must find and score exactly what linking
one article at a time in the order of time, through the store's ``keys``
table, does: the same links with the same scores and the same rows. These
tests pin that on a real Reuters file with undated articles and corrections,
with the cap on postings read as it is and low enough that many lookups
pass it (the rules easy to get subtly wrong: the span, undated articles, the
exact key's weight, where a capped lookup stops).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from newsindex.stories import batch, keys, store as story_store
from newsindex.stories.keys import PERIOD_BITS, posting, postings_of, without
from newsindex.stories.store import StoryStore

T0 = 1_000 * (1 << PERIOD_BITS)  # the start of a period


def test_a_row_holds_its_postings_in_the_tables_layout():
    row = posting(T0 + 5, 1) + posting(T0 + 6, 2) + posting(T0 + (1 << 20), 3)
    assert [(low | high << 16, num) for low, high, num in postings_of(row)] == [(5, 1), (6, 2), (1 << 20, 3)]
    assert without(row, 1) == posting(T0 + 6, 2) + posting(T0 + (1 << 20), 3)


def _tables(store: StoryStore) -> tuple[list, list]:
    db = store._db
    return (db.execute("SELECT a, b, score FROM edges ORDER BY a, b").fetchall(),
            db.execute("SELECT key, period, postings FROM keys ORDER BY key, period").fetchall())


def _one_by_one(store: StoryStore) -> tuple[list, list]:
    """The links and keys of the store's articles linked one at a time in the order of time, each
    looking its candidates up in the ``keys`` table (the store's reference, the incremental path's code)."""
    store._begin()
    try:
        store._db.execute("DELETE FROM edges")
        store._db.execute("DELETE FROM keys")
        store._use_reference()
        store._load_corrections()
        for num, t, flags, blob in store._db.execute("SELECT num, t, flags, terms FROM articles ORDER BY t, num").fetchall():
            store._link(num, t, flags, blob)
        return _tables(store)
    finally:
        store.rollback()


@pytest.fixture(scope="module")
def articles() -> list:
    """reut2-001 (corrections among its notices), every 8th article made undated."""
    from conftest import reuters_files

    from newsindex.ingest.readers import read_paths

    return [replace(a, published=None) if i % 8 == 0 else a for i, a in enumerate(read_paths(reuters_files()[1:2]))]


@pytest.mark.parametrize("cap", [keys.LOOKUP_CAP, 40])
def test_a_grouping_from_scratch_links_as_one_article_at_a_time(tmp_path, monkeypatch, articles, cap):
    """A Reuters file with undated articles, in blocks of 256: the batch's links and keys are those of
    one article at a time, with the cap as it is and with a cap of 40 postings that a good share of
    the lookups pass (the batch reads those as the table does)."""
    from newsindex.stories.pairs import CORRECTION

    for module in (batch, keys, story_store):
        monkeypatch.setattr(module, "LOOKUP_CAP", cap)
    monkeypatch.setattr(batch, "BLOCK", 256)  # several blocks, and a pool carried from one to the next
    with StoryStore.open(tmp_path) as store:
        store.assign(articles)
        store.commit()
        found = _tables(store)
        db = store._db
        assert db.execute("SELECT count(*) FROM articles WHERE flags & ?", (CORRECTION,)).fetchone()[0] >= 3
        assert db.execute("SELECT count(*) FROM edges WHERE score < 0").fetchone()[0] > 0  # templates kept apart
        assert db.execute(
            "SELECT count(*) FROM edges e JOIN articles a ON a.num IN (e.a, e.b) WHERE a.flags & ?", (CORRECTION,)
        ).fetchone()[0] > 0
        assert db.execute(
            "SELECT count(*) FROM edges e JOIN articles a ON a.num IN (e.a, e.b) WHERE a.t < -1000000"
        ).fetchone()[0] > 0  # undated articles linked
        expected = _one_by_one(store)
    assert len(found[0]) > 300
    assert found == expected


def _stories_and_links(directory) -> tuple[list, list]:
    import sqlite3

    db = sqlite3.connect(directory / "stories.sqlite")
    try:
        return (db.execute("SELECT id, story FROM articles ORDER BY id").fetchall(),
                db.execute("SELECT a, b, score FROM edges ORDER BY a, b").fetchall()
                + db.execute("SELECT key, period, postings FROM keys ORDER BY key, period").fetchall())
    finally:
        db.close()


def test_a_collection_linked_in_parts_elsewhere_is_grouped_as_in_one_pass(tmp_path):
    """A Reuters file in shuffled order, some made undated: linked in parts by readers (as the
    workers of a cluster do), the stories, links and keys are those of one pass."""
    import random
    from dataclasses import replace

    from conftest import reuters_files

    from newsindex.ingest.readers import read_paths
    from newsindex.stories.store import StoryStore

    articles = list(read_paths(reuters_files()[:1]))
    random.Random(7).shuffle(articles)
    articles = [replace(a, published=None) if i % 50 == 0 else a for i, a in enumerate(articles)]
    with StoryStore.open(tmp_path / "one") as store:
        store.assign(articles)
        store.commit()
    with StoryStore.open(tmp_path / "parts") as store:
        store.assign(articles)
        store.commit(final=False)  # what the parts read
        parts = store.begin_regroup(4)
        assert len(parts) == 4 and parts[0].start is None and parts[-1].end is None
        linked = [StoryStore.linked(tmp_path / "parts", "english", part) for part in reversed(parts)]  # any order
        for found in reversed(linked):  # taken in order
            store.take_linked(found)
        store.commit()
        assert store.begin_regroup(4) == []  # grouped: nothing due
        store.rollback()
    one, parts_found = _stories_and_links(tmp_path / "one"), _stories_and_links(tmp_path / "parts")
    assert sum(1 for _, story in one[0] if story is not None) == len(one[0])
    assert parts_found == one
