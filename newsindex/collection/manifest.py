"""The manifest of a collection: what marks a directory as one, and how its shards are found.

``collection.json`` records the format, the number of shards and where each
lives, the language and the fingerprint of the schema and text analysis the
shards were built with (so a shard from another newsindex is refused before
it is searched), and the place in the order of arrival the next indexing run
starts from (see :func:`newsindex.store.schema.to_document`). It is written
atomically: a crash leaves the old manifest or the new one.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import IndexNotFoundError, IndexVersionError, NewsIndexError
from ..store.schema import FORMAT_VERSION, build_schema, schema_fingerprint

#: The file that marks a directory as a collection.
MANIFEST = "collection.json"
#: Bumped when the manifest or the layout of a collection changes incompatibly.
FORMAT = 1


@dataclass
class Manifest:
    """What ``collection.json`` says."""

    shards: list[str]
    language: str = "english"
    fingerprint: str = ""
    index_format: int = FORMAT_VERSION
    created_by: str = ""
    #: The order of arrival (``seq``) the next run's first article gets.
    next_seq: int = 0
    format: int = FORMAT

    @classmethod
    def new(cls, count: int, language: str, created_by: str) -> "Manifest":
        if count < 1:
            raise NewsIndexError(f"a collection needs at least one shard, not {count}")
        names = [f"shard-{i:03d}" for i in range(count)]
        return cls(names, language, schema_fingerprint(build_schema(language)), FORMAT_VERSION, created_by)

    def shard_paths(self, directory: Path) -> list[Path]:
        """Where the shards are: relative to the collection, or absolute (another mounted disk)."""
        return [directory / name for name in self.shards]

    def write(self, directory: Path) -> None:
        tmp = directory / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, directory / MANIFEST)

    @classmethod
    def read(cls, directory: Path) -> "Manifest":
        """The manifest of the collection in ``directory``, checked against this newsindex."""
        path = directory / MANIFEST
        if not path.is_file():
            raise IndexNotFoundError(f"{directory}: no collection here")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            manifest = cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise IndexVersionError(f"{path}: unreadable manifest ({exc}); rebuild the collection with --rebuild") from None
        if manifest.format != FORMAT or manifest.index_format != FORMAT_VERSION:
            raise IndexVersionError(
                f"{directory}: collection format {manifest.format} of index format {manifest.index_format}, but this "
                f"newsindex reads collection format {FORMAT} of index format {FORMAT_VERSION}; rebuild it with --rebuild"
            )
        if manifest.fingerprint != schema_fingerprint(build_schema(manifest.language)):
            raise IndexVersionError(
                f"{directory}: built by {manifest.created_by or 'another newsindex'} with other fields or text analysis "
                "than this newsindex uses; rebuild it with --rebuild"
            )
        return manifest


def is_collection(directory: str | os.PathLike[str]) -> bool:
    """Whether ``directory`` holds a collection (its manifest)."""
    return (Path(directory) / MANIFEST).is_file()


def shard_of(article_id: str, shards: int) -> int:
    """The shard an article lives in: a stable hash of its id (the same on every machine and run),
    so re-indexing an article updates it in place and ``delete`` finds it."""
    digest = hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def old_shards(directory: Path) -> list[Path]:
    """The shard folders an existing collection in ``directory`` names (to replace it), read leniently:
    only folders inside the collection that hold an index are returned."""
    try:
        names = json.loads((directory / MANIFEST).read_text(encoding="utf-8")).get("shards", [])
    except (OSError, ValueError, AttributeError):
        return []
    inside = directory.resolve()
    found = []
    for name in names:
        path = (directory / str(name)).resolve()
        if path.parent == inside and (path / "newsindex.json").exists():
            found.append(path)
    return found
