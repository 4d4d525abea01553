"""Reading articles from files and directories, whatever their format.

:func:`read_paths` is the one entry point: it walks directories, picks a
reader per file and yields every article. Failures (a missing path, an
unreadable file, one bad record) are *yielded* as :class:`ReadError`
objects, never raised, so that indexing a thousand files goes on past the
one broken record and can report each failure with its file and line.
"""

from __future__ import annotations

import os
from typing import Iterable, Iterator, Mapping

from ..article import Article
from ..errors import NewsIndexError, ReadError
from ._fields import ARTICLE_FIELDS
from .jsonl import read_jsonl
from .reuters import read_reuters
from .text import read_text

__all__ = ["SUPPORTED_FORMATS", "input_files", "parse_field_map", "read_inputs", "read_paths", "read_jsonl", "read_reuters", "read_text"]

SUPPORTED_FORMATS: tuple[str, ...] = ("text", "jsonl", "reuters")
_EXTENSIONS = {
    ".txt": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".sgm": "reuters",
    ".sgml": "reuters",
}
_SNIFF_BYTES = 4096

PathArg = str | os.PathLike[str]


def _check_field_map(field_map: Mapping[str, str]) -> None:
    unknown = sorted(set(field_map) - set(ARTICLE_FIELDS))
    if unknown:
        raise NewsIndexError(
            f"unknown article field(s) {', '.join(unknown)} in field map; "
            f"valid fields: {', '.join(ARTICLE_FIELDS)}"
        )


def parse_field_map(text: str) -> dict[str, str]:
    """Parse the CLI's ``title=headline,body=short_description`` into ``{"title": "headline", ...}``.

    Raises NewsIndexError on a malformed item, an unknown article field or a
    field given twice, since a silently ignored mapping would index the wrong text.
    """
    result: dict[str, str] = {}
    for item in text.split(","):
        field, equals, key = (part.strip() for part in item.partition("="))
        if not equals or not field or not key:
            raise NewsIndexError(f"bad field map item {item.strip()!r} in {text!r}: expected FIELD=KEY")
        if field in result:
            raise NewsIndexError(f"field {field!r} is mapped twice in {text!r}")
        result[field] = key
    _check_field_map(result)
    return result


def _sniff(path: str) -> str | None:
    """Guess the format of a file with an unknown extension from its first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES).removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.upper().startswith((b"<!DOCTYPE LEWIS", b"<REUTERS")):
        return "reuters"
    if head.startswith(b"{"):
        return "jsonl"
    return None


def _read_file(path: str, fmt: str, field_map: Mapping[str, str]) -> Iterator[Article | ReadError]:
    """Run one reader, turning an OS failure (permissions, I/O) into a ReadError for the file."""
    try:
        if fmt == "jsonl":
            yield from read_jsonl(path, field_map)
        elif fmt == "reuters":
            yield from read_reuters(path)
        else:
            yield from read_text(path)
    except OSError as exc:
        yield ReadError(f"cannot read file: {exc.strerror or exc}", path)


def _walk(directory: str) -> Iterator[str | ReadError]:
    """Every non-hidden file below ``directory``, in sorted order, so runs are reproducible.

    Symbolic links to files are read; links to directories are not followed,
    as with :func:`os.walk`, so a link cycle cannot make the walk endless.
    """
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as exc:
        yield ReadError(f"cannot read directory: {exc.strerror or exc}", directory)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path)
        elif entry.is_file():
            yield entry.path


def _format_of(path: str, fmt: str | None) -> str | None:
    return fmt or _EXTENSIONS.get(os.path.splitext(path)[1].lower())


def input_files(paths: Iterable[PathArg], fmt: str | None = None) -> Iterator[tuple[str, str] | ReadError]:
    """Every file that :func:`read_paths` would read, with the format it would read it in.

    Listing the inputs first lets a caller show progress over a known total
    (the CLI's progress bar) before anything is parsed.
    """
    if fmt is not None and fmt not in SUPPORTED_FORMATS:
        raise NewsIndexError(f"unknown format {fmt!r}; supported: {', '.join(SUPPORTED_FORMATS)}")
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return _list_inputs([os.fspath(p) for p in paths], fmt)


def _list_inputs(paths: list[str], fmt: str | None) -> Iterator[tuple[str, str] | ReadError]:
    for path in paths:
        if os.path.isdir(path):
            for found in _walk(path):
                if isinstance(found, ReadError):
                    yield found
                elif (found_fmt := _format_of(found, fmt)) is not None:
                    yield found, found_fmt
        elif not os.path.exists(path):
            yield ReadError("no such file or directory", path)
        else:
            try:
                file_fmt = _format_of(path, fmt) or _sniff(path)
            except OSError as exc:
                yield ReadError(f"cannot read file: {exc.strerror or exc}", path)
                continue
            if file_fmt is None:
                yield ReadError(
                    f"unknown format: no reader for {os.path.splitext(path)[1] or 'extensionless'} files "
                    f"and the content is not recognised (formats: {', '.join(SUPPORTED_FORMATS)})",
                    path,
                )
            else:
                yield path, file_fmt


def read_paths(
    paths: Iterable[PathArg], *, field_map: Mapping[str, str] | None = None, fmt: str | None = None
) -> Iterator[Article | ReadError]:
    """Yield the articles of the given files and directories, and a ReadError for each failure.

    Directories are walked recursively in sorted order, skipping hidden
    entries and files with an extension no reader handles; a file named
    explicitly is always tried (by extension, else by sniffing its content).
    ``fmt`` forces one reader for every file, including every non-hidden file
    of a walked directory. ``field_map`` (Article field -> JSON key) applies
    to JSON Lines. A bad ``fmt`` or ``field_map`` is the caller's mistake and
    raises NewsIndexError at once, before anything is read.
    """
    return read_inputs(input_files(paths, fmt), field_map)


def read_inputs(
    inputs: Iterable[tuple[str, str] | ReadError], field_map: Mapping[str, str] | None = None
) -> Iterator[Article | ReadError]:
    """Read the ``(path, format)`` pairs that :func:`input_files` lists, passing its errors through."""
    _check_field_map(field_map or {})
    return _read_listed(inputs, dict(field_map or {}))


def _read_listed(
    inputs: Iterable[tuple[str, str] | ReadError], field_map: Mapping[str, str]
) -> Iterator[Article | ReadError]:
    for found in inputs:
        if isinstance(found, ReadError):
            yield found
        else:
            yield from _read_file(found[0], found[1], field_map)
