"""The stories of one index: its story store opened when needed and kept in step with the index.

The story store (:mod:`newsindex.stories.store`) sits beside the Whoosh index
and is committed right after it; this is what the facade asks of it: the
store for reading (or none, for an index built before stories, or on a
read-only disk), the store brought up to the index's last commit before a
write, the grouping that rides along an indexing run, and the story of an
article or of each hit.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from ..errors import NewsIndexError, NoStoriesError
from ..ingest.article import Article
from .store import FILE_NAME, StoreFormatError, StoryRef, StoryStats, StoryStore

if TYPE_CHECKING:
    from .grouping import StoryGrouping

#: The files of the story store (the SQLite file and its journals): they go with the index they belong to.
FILES = FILE_NAME + "*"


def check_store(directory: Path, name: str = FILE_NAME) -> str | None:
    """What is wrong with the story store (or another SQLite file ``name``) in ``directory`` by SQLite's
    own check (None: sound, or none)."""
    path = directory / name
    if not path.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            found = [row[0] for row in db.execute("PRAGMA quick_check")]
    except sqlite3.Error as exc:
        return f"unreadable ({exc})"
    return None if found == ["ok"] else f"damaged ({'; '.join(found[:3])})"


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file ``path`` is (device and inode), or None when there is none."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino) if stat.S_ISREG(found.st_mode) else None


class Tellings:
    """The story store in ``directory``, opened on first use, of the articles of an index (or of a
    collection of shards): ``generation()`` names its last commit, ``load(id)`` reads an article back."""

    def __init__(
        self, directory: Path, language: str, generation: Callable[[], str], load: Callable[[str], Article]
    ) -> None:
        self.directory = directory
        self.language = language
        self.generation = generation
        self._load = load
        self._store: StoryStore | None = None
        self._opened: tuple[int, int] | None = None  # (device, inode) of the file the store was opened from

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
            self._opened = None

    def reading(self) -> StoryStore | None:
        """The store for reading, or None when there is none (an index built before stories),
        it cannot be opened (a read-only disk: SQLite needs to write beside it) or it was made by
        an earlier version; searches then go on without story information, as for an index that
        has none."""
        found = _identity(self.directory / FILE_NAME)
        if self._store is not None and self._opened is not None and found != self._opened:
            self.close()  # replaced by a rebuild since it was opened: a long-lived reader reads the new one
        if self._store is None and found is not None:
            try:
                self._store = StoryStore.open(self.directory, self.language, create=False)
            except NewsIndexError:
                return None
            self._opened = found
        return self._store

    def store(self) -> StoryStore:
        """The store, created if the index has none yet; one of an earlier version is refused
        (:class:`StoreFormatError` says to run ``newsindex index``, which rebuilds it)."""
        if self._store is None:
            self._store = StoryStore.open(self.directory, self.language)
        return self._store

    def _rebuilt(self) -> StoryStore:
        """The store, a new one in place of one made by an earlier version (stories are derived
        from the index's articles, so nothing is lost: :meth:`synced` groups them all again)."""
        try:
            return self.store()
        except StoreFormatError:
            for path in self.directory.glob(FILES):
                path.unlink()
            return self.store()

    def synced(self, known: Mapping[str, str]) -> StoryStore:
        """The story store, brought up to the index's last commit.

        The two are committed one after the other, so a crash can fall
        between them; the store records the index generation it matches,
        and a mismatch (or an index built before stories existed) is
        repaired here from the stored articles. ``known`` maps every indexed
        id to its content hash.
        """
        store = self._rebuilt()
        generation = self.generation()
        if store.marker != generation:
            # Not final: the write that follows commits finally (and regroups, when due).
            store.sync(known, self._load, generation, final=False)
        return store

    def grouping(self, known: Mapping[str, str], parallel: bool) -> StoryGrouping:
        """The grouping that rides along an indexing run; it has the store until the run ends."""
        from .grouping import StoryGrouping  # its worker process machinery: only when indexing

        grouping = StoryGrouping(self.synced(known), parallel=parallel)
        self._store = None
        return grouping

    def remove(self, ids: Iterable[str], known: Mapping[str, str], delete: Callable[[], int]) -> int:
        """Delete articles from the index (``delete``), then from their stories, as every write is ordered."""
        ids = list(ids)
        store = self.synced(known)
        count = delete()
        store.remove(ids)
        store.commit(self.generation())
        return count

    def current(self) -> StoryStore:
        """The store, when its stories are those of every article of the index's last commit, to count
        stories by; else :class:`NoStoriesError` says why and how to group them."""
        store = self.reading()
        regroup = ("run newsindex index on its files again without --no-stories to group them "
                   "(unchanged articles are not written again)")
        if store is None:
            if (self.directory / FILE_NAME).is_file():  # there is one, but it cannot be read: say why
                StoryStore.open(self.directory, self.language, create=False).close()
            raise NoStoriesError(f"{self.directory}: this index has no stories (built with --no-stories): {regroup}")
        if store.marker != self.generation() or store.pending():
            raise NoStoriesError(f"{self.directory}: the stories are behind the index (articles were indexed "
                                 f"with --no-stories since they were grouped): {regroup}")
        return store

    def refs(self, ids: list[str]) -> dict[str, StoryRef]:
        """Article id -> its story and the story's size (none when the index has no story store)."""
        store = self.reading()
        if store is None or not ids:
            return {}
        return store.stories_of(ids)

    def keys(self, ids: list[str]) -> dict[str, str]:
        """Article id -> its story id, for one hit per story."""
        return {article_id: ref.story for article_id, ref in self.refs(ids).items()}

    def story(self, article_or_story_id: str) -> tuple[str, list[str]] | None:
        """The story of an article (or a story by its id) and its members, oldest first; None if in none.

        Reading never creates the store: a read-only server must not write the index directory.
        """
        store = self.reading()
        if store is None:
            if (self.directory / FILE_NAME).is_file():  # there is one, but it cannot be read: say why
                StoryStore.open(self.directory, self.language, create=False).close()
            return None
        story = store.story_of(article_or_story_id)
        if story is None and store.size(article_or_story_id):
            story = article_or_story_id
        if story is None:
            return None
        return story, store.members(story)

    def stats(self) -> StoryStats | None:
        """How articles are grouped into stories (None for an index without a story store)."""
        store = self.reading()
        return store.stats() if store is not None else None
