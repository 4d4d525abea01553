"""The keys articles are found by, held in memory while a collection is grouped from scratch.

The window must answer exactly what the store's ``keys`` table answers (the
regrouping of Reuters-21578 gives the same edges and the same table either
way; the story tests check the stories). These tests pin the rules that are
easy to get subtly wrong: the span, undated articles, the exact key's weight,
the cap on postings read and where it stops, and the rows written.
"""

from __future__ import annotations

import pytest

from newsindex.stories.keys import (
    KEY_BIAS, LOOKUP_CAP, PERIOD_BITS, SAMPLE_SIZE, KeyWindow, posting, postings_of, without,
)
from newsindex.stories.pairs import UNDATED, WINDOW

DAY = 86_400
T0 = 1_000 * (1 << PERIOD_BITS)  # the start of a period


def test_found_within_the_span_only_and_by_the_keys_shared():
    window = KeyWindow()
    window.add([1, 2], T0, 1)
    window.add([2, 3], T0 + DAY, 2)
    # Asked as the grouping asks, later and later: what falls out of the span is not found again.
    assert window.candidates([1, 2, 3], exact=99, t=T0 + WINDOW) == {1: 2, 2: 2}
    assert window.candidates([1, 2, 3], exact=99, t=T0 + WINDOW + DAY) == {2: 2}
    assert window.candidates([3], exact=99, t=T0 + WINDOW + DAY + 1) == {}


def test_the_exact_key_weighs_a_whole_sample_and_undated_articles_are_found_by_all():
    window = KeyWindow()
    window.add([7, 8], UNDATED, 1)
    window.add([8], UNDATED, 2)
    assert window.candidates([7, 8], exact=8, t=UNDATED) == {1: 1 + SAMPLE_SIZE, 2: SAMPLE_SIZE}
    window.add([8], T0, 3)
    found = window.candidates([8], exact=8, t=T0 + 100 * WINDOW)  # dated: 3 is far behind, the undated are not
    assert found == {1: SAMPLE_SIZE, 2: SAMPLE_SIZE}


def test_articles_must_come_in_the_order_of_time():
    window = KeyWindow()
    window.add([1], T0, 1)
    with pytest.raises(ValueError):
        window.add([1], T0 - 1, 2)


def test_the_cap_stops_after_the_row_that_passes_it_keys_ascending_periods_in_order():
    window = KeyWindow()
    nums = iter(range(1, 10**7))
    for _ in range(LOOKUP_CAP + 1):  # key 5: just past the cap, in the period before T0
        window.add([5], T0 - 10, next(nums))
    for _ in range(10):  # key 5 again in T0's period, and key 9: a row the lookup never reaches
        window.add([5, 9], T0, next(nums))
    found = window.candidates([9, 5], exact=0, t=T0)
    # The first row of key 5 passed the cap: neither its second row nor key 9 (after 5) was read.
    assert sum(found.values()) == LOOKUP_CAP + 1
    assert max(found) == LOOKUP_CAP + 1


def test_rows_hold_what_was_added_since_last_asked_in_the_tables_layout():
    window = KeyWindow()
    window.add([3], T0 + 5, 1)
    window.add([3], T0 + 6, 2)
    rows = window.rows()
    assert [(key, period) for key, period, _ in rows] == [(3 - KEY_BIAS, T0 >> PERIOD_BITS)]
    assert rows[0][2] == posting(T0 + 5, 1) + posting(T0 + 6, 2)
    assert [num for *_, num in postings_of(rows[0][2])] == [1, 2]
    assert window.rows() == []
    assert without(rows[0][2], 1) == posting(T0 + 6, 2)


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
