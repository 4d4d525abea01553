"""The benchmark corpora: Reuters-21578 (read by newsindex's own reader) and its scaled copies.

Every engine receives the very same Article objects, read with
:func:`newsindex.ingest.readers.read_paths`, so no engine gets differently cleaned
text. Scaled corpora (x5, x25) are generated in memory from the SGML on every
run (:mod:`benchmarks.variants`); nothing is written to disk.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from newsindex import Article
from newsindex.errors import ReadError
from newsindex.ingest.readers import read_paths

from . import DEFAULT_CORPORA
from .variants import variant

#: Reuters files used by ``--quick``: two of the 22, about 2,000 stories from February to
#: June 1987 (so the date queries find something), one with the collection's non-UTF-8 byte.
QUICK_FILES: tuple[str, ...] = ("reut2-000.sgm", "reut2-017.sgm")


class CorpusMissing(RuntimeError):
    """The shared corpora are not where the benchmarks look for them."""


def reuters_dir(corpora: Path) -> Path:
    """The Reuters-21578 folder, checked to hold its SGML files."""
    folder = corpora / "reuters21578"
    if not any(folder.glob("reut2-*.sgm")):
        raise CorpusMissing(f"no Reuters-21578 SGML files in {folder}")
    return folder


def reuters_paths(corpora: Path, files: tuple[str, ...] | None = None) -> list[Path]:
    """The SGML files to read: ``files`` by name, or all 22 in order."""
    folder = reuters_dir(corpora)
    if files is None:
        return sorted(folder.glob("reut2-*.sgm"))
    paths = [folder / name for name in files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise CorpusMissing(f"missing Reuters files: {', '.join(missing)}")
    return paths


def worker_arguments(
    prog: str, description: str | None, argv: list[str] | None,
    more: Callable[[argparse.ArgumentParser], None] | None = None,
) -> argparse.Namespace:
    """The arguments every newsindex-only benchmark worker takes: ``--index DIR --out FILE.json
    [--files a.sgm,b.sgm] [--corpora PATH]`` (``files``: a tuple, or None for all of Reuters),
    and those ``more`` adds for one worker."""
    from . import DEFAULT_CORPORA

    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--index", type=Path, required=True, help="directory for the indexes")
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON figures")
    parser.add_argument("--files", default="", help="comma-separated Reuters files (default: all 22)")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    if more is not None:
        more(parser)
    args = parser.parse_args(argv)
    args.files = tuple(args.files.split(",")) if args.files else None
    return args


def read_reuters(corpora: Path, files: tuple[str, ...] | None = None) -> list[Article]:
    """All stories of the chosen files; a read error fails the run (the data must be complete)."""
    articles: list[Article] = []
    for item in read_paths(reuters_paths(corpora, files)):
        if isinstance(item, ReadError):
            raise RuntimeError(f"Reuters-21578 could not be read completely: {item}")
        articles.append(item)
    return articles


def scaled(base: list[Article], scale: int) -> Iterator[Article]:
    """``scale`` copies of ``base``: the originals first, then varied copies 1..scale-1."""
    for copy in range(scale):
        for article in base:
            yield variant(article, copy)


@dataclass(frozen=True)
class ReutersCorpus:
    """Which Reuters corpus to build: the files read and how many copies of them."""

    corpora: Path
    scale: int = 1
    files: tuple[str, ...] | None = None

    @property
    def label(self) -> str:
        """``x1``, ``x5``, ``x25`` (``quick-x1`` for the few files of a quick run)."""
        return f"x{self.scale}" if self.files is None else f"quick-x{self.scale}"

    def articles(self) -> list[Article]:
        """The whole corpus, materialised so reading and generation stay out of the timed build."""
        return list(scaled(read_reuters(self.corpora, self.files), self.scale))


def text_bytes(articles: list[Article]) -> int:
    """UTF-8 bytes of title plus body: the "MB of text" that throughput is measured in."""
    return sum(len(a.title.encode("utf-8")) + len(a.body.encode("utf-8")) for a in articles)
