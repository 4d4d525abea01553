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
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from whoosh import index as windex
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, LockError

from ..errors import IndexDamagedError, IndexLockedError, IndexNotFoundError, IndexVersionError, NewsIndexError
from ..text.analysis import LANGUAGES
from ..text.stems import FILE_NAME as STEMS_FILE
from .checksums import MANIFEST, Damage, commit_toc, last_manifest, read_manifest, sum_new_index, verify
from .locking import WriteLock
from .schema import FORMAT_VERSION, build_schema, schema_fingerprint

#: The file that marks a directory as a newsindex index and records how it was built.
META_FILE = "newsindex.json"

#: Whoosh's name for the index in the directory (its files are ``_MAIN_N.toc``, ``MAIN_*.seg``).
INDEX_NAME = "MAIN"

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


def describe(language: str, created_by: str) -> dict[str, object]:
    """What :data:`META_FILE` records of an index in ``language``."""
    return {"format": FORMAT_VERSION, "language": language, "fingerprint": schema_fingerprint(build_schema(language)),
            "created_by": created_by}


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
            sum_new_index(path, ix.indexname, language, schema_fingerprint(schema))
            for leftover in [*path.glob(side_files), *path.glob(STEMS_FILE + "*")]:
                leftover.unlink()
            _write_meta(path, describe(language, created_by))
        except OSError as exc:
            raise NewsIndexError(f"{path}: cannot create an index here: {exc.strerror or exc}") from None
    return ix


def rebuild_place(path: Path) -> Path:
    """Where the index of ``path`` is rebuilt: a hidden folder beside it (the same file system, so
    its files can be moved in)."""
    return path.parent / f".{path.name}.rebuilding"


def start_rebuild(path: Path, language: str, created_by: str, side_files: str) -> tuple[Path, windex.Index]:
    """An empty index beside ``path`` (see :func:`rebuild_place`) whose commits are numbered after
    ``path``'s last, so that the rebuilt index can take its place with a commit of ``path``'s.

    The caller holds ``path``'s write lock. A folder left by a rebuild that was killed is removed.
    """
    place = rebuild_place(path)
    try:
        shutil.rmtree(place, ignore_errors=True)
        ix = create_index(place, language, created_by, side_files)
        commit_toc(FileStorage(str(place)), INDEX_NAME, TOC(ix.schema, [], _generation(path) + 1), [])
    except OSError as exc:
        raise NewsIndexError(f"{place}: cannot rebuild the index beside {path}: {exc.strerror or exc}") from None
    return place, ix


def finish_rebuild(place: Path, path: Path, side_files: str, meta: dict[str, object]) -> None:
    """Make the index rebuilt in ``place`` the index of ``path``, then remove ``place``.

    Its segment files are moved in (unlisted, they are invisible), then its
    table of contents is committed as ``path``'s next generation: that is
    the moment the rebuilt index replaces the old one, whose files that
    commit removes. A kill before it leaves the old index whole, after it
    the new one. Then the side files (the story store) are replaced, so a
    kill between leaves the old store, marked with an older generation,
    which the next run brings up to date as after any crash between the two
    commits; then the description (:data:`META_FILE`).
    """
    storage = FileStorage(str(path))
    toc = TOC.read(FileStorage(str(place)), INDEX_NAME)
    manifest = read_manifest(place, toc.generation)
    for segment in toc.segments:
        for name in segment.list_files(FileStorage(str(place))):
            shutil.move(place / name, path / name)  # a rename, or a copy if path is another file system
    commit_toc(storage, INDEX_NAME, TOC(toc.schema, toc.segments, toc.generation), toc.segments, manifest)
    for pattern in (side_files, STEMS_FILE + "*"):  # the story store, the table of stems
        for leftover in sorted(path.glob(pattern), reverse=True):  # the journals (-wal, -shm) before the file
            leftover.unlink()
        for new in sorted(place.glob(pattern)):  # the file before its journal, if it has one
            os.replace(new, path / new.name)
    _write_meta(path, meta)
    shutil.rmtree(place, ignore_errors=True)


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
        raise IndexDamagedError(f"{meta_path}: unreadable ({exc}); {_what_to_do(path)}") from None
    if not isinstance(meta, dict):
        raise IndexDamagedError(f"{meta_path}: not the description of an index; {_what_to_do(path)}")
    if meta.get("format") != FORMAT_VERSION:
        raise IndexVersionError(
            f"{path}: index format {meta.get('format')} but this newsindex reads format "
            f"{FORMAT_VERSION}; rebuild it with --rebuild"
        )
    manifest = last_manifest(path, check_files(path) + 1)
    # The language and fingerprint of the last commit (they change with it when an index is rebuilt).
    language = manifest.language or meta.get("language", "english")
    if _unknown_language(language):
        raise IndexDamagedError(f"{path}: damaged: {_unknown_language(language)}; {_what_to_do(path)}")
    if (manifest.fingerprint or meta.get("fingerprint")) != schema_fingerprint(build_schema(language)):
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


def _unknown_language(language: object) -> str:
    """What is wrong with the language an index records ("" when it is one newsindex analyses): its
    files are sound by their checksums, but the analysis they name is none."""
    if isinstance(language, str) and language in LANGUAGES:
        return ""
    return f"the language it records ({language!r}) is not one newsindex analyses"


def _what_to_do(path: Path) -> str:
    return f"restore the index from a backup, or rebuild it (newsindex index SOURCES --index {path} --rebuild)"


def _generation(path: Path) -> int:
    return TOC._latest_generation(FileStorage(str(path)), INDEX_NAME)


def damage_report(path: Path, damaged: list[Damage]) -> str:
    """One line for the damaged files of an index: the first named, the others counted, what to do."""
    first = damaged[0]
    others = f" (and {len(damaged) - 1} other damaged files: newsindex check --index {path})" if len(damaged) > 1 else ""
    return f"{path / first.name}: {first.problem}{others}; {_what_to_do(path)}"


def check_files(path: Path, full: bool = False) -> int:
    """The generation of the index's last commit; :class:`IndexDamagedError` (one line) if a file
    of it is damaged.

    A writer may commit (and remove the files of the generation being
    checked) meanwhile: a missing file counts only if the generation is still
    the last one when the check ends.
    """
    for _ in range(5):
        generation = _generation(path)
        if generation < 0:
            raise IndexNotFoundError(f"{path}: the index files are missing; {_what_to_do(path)}")
        damaged = verify(path, generation, full)
        if not damaged or _generation(path) == generation:
            break
    if damaged:
        raise IndexDamagedError(damage_report(path, damaged))
    return generation


def check_index(path: Path) -> list[Damage]:
    """Every damaged file of the index in ``path``, every byte read (``newsindex check``).

    The description (:data:`META_FILE`) and each file of the last commit
    against its checksum. An empty list: sound.
    """
    meta_path = path / META_FILE
    if not meta_path.is_file():
        raise IndexNotFoundError(f"{path}: no index here (create one with: newsindex index PATH --index {path})")
    meta: Any = None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        damaged = [] if isinstance(meta, dict) else [Damage(META_FILE, "not the description of an index")]
    except (OSError, ValueError) as exc:
        damaged = [Damage(META_FILE, f"unreadable ({exc})")]
    generation = _generation(path)
    if generation < 0:
        return [*damaged, Damage(f"_{INDEX_NAME}_*.toc", "missing: the index has no table of contents")]
    damaged += verify(path, generation, full=True)
    manifest = last_manifest(path, generation + 1)
    language = manifest.language or (meta.get("language", "english") if isinstance(meta, dict) else "english")
    if not damaged and _unknown_language(language):
        damaged.append(Damage(MANIFEST.format(generation=generation), _unknown_language(language)))
    return damaged


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
