"""The index directory: creating and opening a Whoosh index that newsindex made, and refusing others.

A directory is a newsindex index when it holds :data:`META_FILE`, which
records the format version, the language and a fingerprint of the schema and
text analysis. Opening checks all three before Whoosh reads a byte, so an
index built by an incompatible newsindex (or a plain Whoosh index) is refused
with a message to rebuild it, never silently misread.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from whoosh import index as windex
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from ..errors import IndexLockedError, IndexNotFoundError, IndexVersionError, NewsIndexError
from ..text.stems import FILE_NAME as STEMS_FILE
from .locking import WriteLock
from .schema import FORMAT_VERSION, build_schema, schema_fingerprint

#: The file that marks a directory as a newsindex index and records how it was built.
META_FILE = "newsindex.json"

#: Memory for Whoosh's posting pool when Whoosh's own writer indexes (a schema that
#: newsindex.store.writing cannot write): bigger pools spill and merge less.
WRITER_LIMIT_MB = 256


@contextmanager
def locked(directory: Path, wait: float) -> Iterator[WriteLock]:
    """The directory's write lock, held for the ``with`` block."""
    lock = WriteLock(directory)
    lock.acquire(wait)
    try:
        yield lock
    finally:
        lock.release()


def is_index(directory: str | os.PathLike[str]) -> bool:
    """Whether ``directory`` holds a newsindex index (its meta file)."""
    return (Path(directory) / META_FILE).exists()


def create_index(path: Path, language: str, created_by: str, side_files: str) -> windex.Index:
    """Create an empty index in ``path`` (made if missing), replacing one that is there.

    ``side_files`` is a glob of files kept beside the Whoosh index (the story
    store) that belong to the index being replaced and go with it.
    """
    schema = build_schema(language)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NewsIndexError(f"{path}: cannot create an index here: {exc.strerror or exc}") from None
    # Replacing an index must not pull it from under a writer.
    with locked(path, wait=0.0):
        try:
            ix = _storage(path).create_index(schema)
            for leftover in [*path.glob(side_files), *path.glob(STEMS_FILE + "*")]:
                leftover.unlink()
            _write_meta(path, {
                "format": FORMAT_VERSION, "language": language, "fingerprint": schema_fingerprint(schema),
                "created_by": created_by,
            })
        except OSError as exc:
            raise NewsIndexError(f"{path}: cannot create an index here: {exc.strerror or exc}") from None
    return ix


def open_index(path: Path, version: str) -> tuple[windex.Index, str]:
    """Open the index in ``path``: the Whoosh index and its language.

    Raises :class:`IndexNotFoundError` when there is none and
    :class:`IndexVersionError` when it was built otherwise than this newsindex
    (``version``) would build it.
    """
    meta_path = path / META_FILE
    if not meta_path.is_file():
        if path.is_dir() and windex.exists_in(str(path)):
            raise IndexVersionError(f"{path}: a Whoosh index not made by newsindex; rebuild it with --rebuild")
        raise IndexNotFoundError(f"{path}: no index here (create one with: newsindex index PATH --index {path})")
    try:
        meta: Any = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexVersionError(f"{meta_path}: unreadable ({exc}); rebuild the index with --rebuild") from None
    if meta.get("format") != FORMAT_VERSION:
        raise IndexVersionError(
            f"{path}: index format {meta.get('format')} but this newsindex reads format "
            f"{FORMAT_VERSION}; rebuild it with --rebuild"
        )
    language = meta.get("language", "english")
    if meta.get("fingerprint") != schema_fingerprint(build_schema(language)):
        raise IndexVersionError(
            f"{path}: built by {meta.get('created_by', 'another newsindex')} with other fields or text "
            f"analysis (or another NLTK) than this newsindex {version} uses; rebuild it with --rebuild"
        )
    try:
        ix = _storage(path).open_index()
    except windex.EmptyIndexError:
        raise IndexNotFoundError(f"{path}: the index files are missing; rebuild it with --rebuild") from None
    except OSError as exc:
        raise NewsIndexError(f"{path}: cannot open the index: {exc.strerror or exc}") from None
    return ix, language


def _storage(path: Path) -> FileStorage:
    """The index's files, read with plain reads rather than memory maps.

    Whoosh maps a compound segment file into memory and serves each file in
    it as a ``BytesIO`` over the map, and ``BytesIO`` copies what it is
    given: opening a searcher read and copied the whole index (52 MB for
    Reuters-21578, a third of a one-shot search's time, and as much memory
    as the index is large). Read through plain file reads, a search reads
    only the postings it needs.
    """
    return FileStorage(str(path), supports_mmap=False)


def open_writer(ix: windex.Index, directory: Path, session: Any = None) -> Any:
    """A writer holding the index's write lock: newsindex's batch writer (``session``: what the
    batches of one run share), or Whoosh's own for a schema it cannot write (see :mod:`newsindex.store.writing`)."""
    from .writing import BatchWriter, supports  # Whoosh's writing machinery: only to write

    try:
        if supports(ix.schema):
            return BatchWriter(ix, session)
        return ix.writer(limitmb=WRITER_LIMIT_MB)
    except LockError:
        raise IndexLockedError(
            f"{directory}: the index is being written by another program (Whoosh's write lock is held)"
        ) from None
    except OSError as exc:
        raise NewsIndexError(f"{directory}: cannot write the index: {exc.strerror or exc}") from None


def content_hashes(ix: windex.Index) -> dict[str, str]:
    """id -> content hash of every indexed article, read from columns (no stored fields)."""
    hashes: dict[str, str] = {}
    with ix.reader() as reader:
        if reader.doc_count() == 0:
            return hashes
        ids = reader.column_reader("id")
        digests = reader.column_reader("hash")
        for docnum in reader.all_doc_ids():
            hashes[ids[docnum]] = digests[docnum]
    return hashes


def _write_meta(path: Path, meta: dict[str, object]) -> None:
    """Write the meta file atomically, so a crash never leaves half a file."""
    tmp = path / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path / META_FILE)
