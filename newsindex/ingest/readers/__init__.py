"""Reading articles from files and directories, whatever their format.

:func:`read_paths` is the one entry point: it walks directories, picks a
reader per file and yields every article. Failures (a missing path, an
unreadable file, one bad record) are *yielded* as :class:`ReadError`
objects, never raised, so that indexing a thousand files goes on past the
one broken record and can report each failure with its file and line.

The format of a file is chosen by its extension, after removing a
compression suffix (``feed.jsonl.gz`` is JSON Lines); ``.xml`` files and
files named explicitly with an unknown extension are recognised by their
first bytes. Zip archives are read member by member, like directories.
"""

from __future__ import annotations

import os
import stat
from fnmatch import fnmatchcase
from importlib import import_module
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Mapping

from ..article import Article
from ..formats import SUPPORTED_FORMATS
from ...errors import NewsIndexError, ReadError
from ._fields import ARTICLE_FIELDS
from .compressed import DECOMPRESSION_ERRORS, archive_members, inner_name, is_archive, open_counted, open_input
from ..limits import DEFAULT_LIMITS, Limits

__all__ = [
    "DEFAULT_LIMITS", "Limits", "SUPPORTED_FORMATS", "input_files", "parse_field_map", "read_inputs", "read_paths",
    "read_csv", "read_feed", "read_html", "read_jsonl", "read_reuters", "read_text", "read_warc",
]

#: Each reader's module, imported when a file of its format is read: the web-page readers
#: load trafilatura and lxml (about half a second), which a run over SGML or JSON never needs.
_READERS = {
    "read_csv": ".csvfile", "read_feed": ".feed", "read_html": ".html", "read_jsonl": ".jsonl",
    "read_reuters": ".reuters", "read_text": ".text", "read_warc": ".warc",
}


def __getattr__(name: str) -> Any:
    if name in _READERS:
        return getattr(import_module(_READERS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_EXTENSIONS = {
    ".txt": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".sgm": "reuters",
    ".sgml": "reuters",
    ".html": "html",
    ".htm": "html",
    ".rss": "feed",
    ".atom": "feed",
    ".warc": "warc",
    ".csv": "csv",
    ".tsv": "tsv",
}
# Extensions whose content decides the format: an .xml file may be a feed or Reuters SGML.
_SNIFFED_EXTENSIONS = frozenset({".xml"})
# The format of a zip archive listed by input_files: its members are read by their own names.
ARCHIVE = "zip"
_SNIFF_BYTES = 4096
_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf")

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


def _head(path: str) -> bytes:
    """The first (decompressed) bytes of a file, which say what format it is in."""
    with open_input(path) as handle:
        return handle.read(_SNIFF_BYTES)


def _sniff_head(data: bytes) -> str | None:
    """Guess a format from the first bytes of a file: markers that only that format starts with.

    Any other XML is taken for a feed, so that the feed reader can say
    "not a feed", which tells the user more than "unknown format".
    """
    head = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    lower = head.lower()
    if lower.startswith((b"<!doctype lewis", b"<reuters")):
        return "reuters"
    if head.startswith(b"{"):
        return "jsonl"
    if head.startswith(b"WARC/"):
        return "warc"
    if lower.startswith((b"<!doctype html", b"<html")):
        return "html"
    if any(root in lower for root in _FEED_ROOTS):
        return "feed"
    if b"<html" in lower:  # after an XML declaration or a comment
        return "html"
    if lower.startswith(b"<?xml"):
        return "feed"
    return None


def _xml_format(head: bytes) -> str:
    """An ``.xml`` file is Reuters SGML or, whatever else it is, a feed (the feed reader says if it is not)."""
    return "reuters" if _sniff_head(head) == "reuters" else "feed"


def _read_stream(
    path: str, fmt: str, stream: BinaryIO | None, field_map: Mapping[str, str], limits: Limits
) -> Iterator[Article | ReadError]:
    """Run the reader of ``fmt`` on ``path``, or on ``stream`` when the caller opened it."""
    if fmt == "jsonl":
        return __getattr__("read_jsonl")(path, field_map, stream, limits=limits)
    if fmt in ("csv", "tsv"):
        return __getattr__("read_csv")(path, field_map, stream, delimiter="\t" if fmt == "tsv" else ",", limits=limits)
    reader = {"reuters": "read_reuters", "html": "read_html", "feed": "read_feed", "warc": "read_warc"}
    return __getattr__(reader.get(fmt, "read_text"))(path, stream, limits=limits)


def _member_format(name: str, opener: Callable[[], BinaryIO]) -> str | None:
    """The format of a zip member by its name, as for a file in a directory (``.xml`` by its content)."""
    extension = os.path.splitext(inner_name(name))[1].lower()
    if extension in _SNIFFED_EXTENSIONS:
        with opener() as stream:
            return _xml_format(stream.read(_SNIFF_BYTES))
    return _EXTENSIONS.get(extension)


def _read_archive(path: str, fmt: str, field_map: Mapping[str, str], limits: Limits,
                  progress: Callable[[int], None] | None = None) -> Iterator[Article | ReadError]:
    """Every member of a zip archive, each in ``fmt``, or (for :data:`ARCHIVE`) in the format its name says.

    Members are named ``archive.zip!member`` in ids' origins and in errors;
    ``progress`` is told the archive's size once it is read.
    """
    for name, opener in archive_members(path, limits):
        member = f"{path}!{name}"
        member_fmt = _member_format(name, opener) if fmt == ARCHIVE else fmt
        if member_fmt is not None:
            member = f"{path}!{name}"
            yield from _guarded(member, member_fmt, _read_member(member, member_fmt, opener, field_map, limits))
    if progress is not None:
        progress(os.path.getsize(path))


def _read_member(
    member: str, fmt: str, opener: Callable[[], BinaryIO], field_map: Mapping[str, str], limits: Limits
) -> Iterator[Article | ReadError]:
    with opener() as stream:
        yield from _read_stream(member, fmt, stream, field_map, limits)


def _read_file(path: str, fmt: str, field_map: Mapping[str, str], limits: Limits,
               progress: Callable[[int], None] | None = None) -> Iterator[Article | ReadError]:
    if is_archive(path):
        return _guarded(path, fmt, _read_archive(path, fmt, field_map, limits, progress))
    if progress is not None:
        return _guarded(path, fmt, _read_counted(path, fmt, field_map, limits, progress))
    return _guarded(path, fmt, _read_stream(path, fmt, None, field_map, limits))


def _read_counted(path: str, fmt: str, field_map: Mapping[str, str], limits: Limits,
                  progress: Callable[[int], None]) -> Iterator[Article | ReadError]:
    with open_counted(path, progress, limits) as stream:
        yield from _read_stream(path, fmt, stream, field_map, limits)


def _guarded(path: str, fmt: str, items: Iterator[Article | ReadError]) -> Iterator[Article | ReadError]:
    """Pass a reader's items on, turning an OS failure (permissions, I/O), corrupt compressed data,
    input over a limit or a reader's bug into a ReadError for the file (or archive member), so the
    run goes on."""
    try:
        yield from items
    except ReadError as exc:  # e.g. LimitExceeded: a page over its limit, a compression bomb
        yield exc
    except OSError as exc:
        yield ReadError(f"cannot read file: {exc.strerror or exc}", path)
    except DECOMPRESSION_ERRORS as exc:
        yield ReadError(f"corrupt or truncated compressed data: {exc}", path)
    except Exception as exc:  # noqa: BLE001 - one file must never end a run of thousands
        yield ReadError(f"the {fmt} reader failed on this file ({type(exc).__name__}: {exc})", path)


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
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path)
            elif entry.is_file():
                yield entry.path
        except OSError as exc:  # a link that loops or points nowhere readable
            yield ReadError(f"cannot read: {exc.strerror or exc}", entry.path)


def _format_of(path: str, fmt: str | None) -> str | None:
    """The format ``path`` is read in: ``fmt`` if forced, else by its extension once a ``.gz``,
    ``.bz2`` or ``.xz`` suffix is removed; :data:`ARCHIVE` for a zip. Raises OSError if an
    ``.xml`` file must be sniffed and cannot be read.
    """
    if fmt:
        return fmt
    if is_archive(path):
        return ARCHIVE
    extension = os.path.splitext(inner_name(path))[1].lower()
    if extension in _SNIFFED_EXTENSIONS:
        return _xml_format(_head(path))
    return _EXTENSIONS.get(extension)


def _not_a_file(path: str, fmt: str | None) -> ReadError | None:
    """Why an input named explicitly cannot be read: a device (``/dev/zero`` never ends, a terminal
    never says it has), a socket, or a pipe whose format would have to be recognised from its
    content (read once, it is gone; ``--format`` says it). None for a file or a readable pipe."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return ReadError(f"cannot read file: {exc.strerror or exc}", path)
    kinds = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    kind = next((name for test, name in kinds if test(mode)), None)
    if kind:
        return ReadError(f"not a file but {kind}: newsindex reads files, folders and pipes", path)
    if stat.S_ISFIFO(mode):
        if is_archive(path):
            return ReadError("a zip archive cannot be read from a pipe (it is read from its end)", path)
        if not fmt and os.path.splitext(inner_name(path))[1].lower() not in _EXTENSIONS:
            return ReadError("a pipe needs --format (what it holds cannot be read twice to recognise it)", path)
    return None


def _listed(path: str, fmt: str | None, explicit: bool) -> tuple[str, str] | ReadError | None:
    """``(path, format)`` for a file to read; None for a walked file no reader handles; else why not.

    A file named explicitly is always tried: by extension, else by content.
    """
    if explicit:
        refused = _not_a_file(path, fmt)
        if refused is not None:
            return refused
    try:
        found = _format_of(path, fmt) or (_sniff_head(_head(path)) if explicit else None)
    except OSError as exc:
        return ReadError(f"cannot read file: {exc.strerror or exc}", path)
    except DECOMPRESSION_ERRORS as exc:
        return ReadError(f"corrupt or truncated compressed data: {exc}", path)
    if found is not None:
        return path, found
    if not explicit:
        return None
    return ReadError(
        f"unknown format: no reader for {os.path.splitext(path)[1] or 'extensionless'} files "
        f"and the content is not recognised (formats: {', '.join(SUPPORTED_FORMATS)})",
        path,
    )


def input_files(
    paths: Iterable[PathArg], fmt: str | None = None, include: Iterable[str] = (), exclude: Iterable[str] = (),
) -> Iterator[tuple[str, str] | ReadError]:
    """Every file that :func:`read_paths` would read, with the format it would read it in.

    Listing the inputs first lets a caller show progress over a known total
    (the CLI's progress bar) before anything is parsed. ``include`` and
    ``exclude`` are glob patterns (``*.sgm``, ``all-*.txt``, ``2025/*``)
    for the files found in folders, matched against each file's name and its
    path below the folder given: with ``include`` only matching files are
    read, and files matching ``exclude`` are left out. Files named
    explicitly are always read.
    """
    if fmt is not None and fmt not in SUPPORTED_FORMATS:
        raise NewsIndexError(f"unknown format {fmt!r}; supported: {', '.join(SUPPORTED_FORMATS)}")
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return _list_inputs([os.fspath(p) for p in paths], fmt, tuple(include), tuple(exclude))


def _wanted(root: str, path: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    """Whether a file found below ``root`` passes the include and exclude patterns."""
    names = (os.path.basename(path), os.path.relpath(path, root))
    matches = lambda patterns: any(fnmatchcase(name, pattern) for pattern in patterns for name in names)  # noqa: E731
    return (not include or matches(include)) and not matches(exclude)


def _list_inputs(
    paths: list[str], fmt: str | None, include: tuple[str, ...], exclude: tuple[str, ...]
) -> Iterator[tuple[str, str] | ReadError]:
    for path in paths:
        if os.path.isdir(path):
            for found in _walk(path):
                if isinstance(found, ReadError):
                    listed: tuple[str, str] | ReadError | None = found
                elif _wanted(path, found, include, exclude):
                    listed = _listed(found, fmt, explicit=False)
                else:
                    continue
                if listed is not None:
                    yield listed
        elif not os.path.exists(path):
            yield ReadError("no such file or directory", path)
        else:
            listed = _listed(path, fmt, explicit=True)
            if listed is not None:
                yield listed


def read_paths(
    paths: Iterable[PathArg], *, field_map: Mapping[str, str] | None = None, fmt: str | None = None,
    limits: Limits = DEFAULT_LIMITS, include: Iterable[str] = (), exclude: Iterable[str] = (),
) -> Iterator[Article | ReadError]:
    """Yield the articles of the given files and directories, and a ReadError for each failure.

    Directories are walked recursively in sorted order, skipping hidden
    entries and files with an extension no reader handles; a file named
    explicitly is always tried (by extension, else by sniffing its content).
    ``fmt`` forces one reader for every file, including every non-hidden file
    of a walked directory and every member of a zip archive; compressed files
    are decompressed whatever the format. ``field_map`` (Article field -> key)
    applies to JSON Lines and CSV/TSV. A bad ``fmt`` or ``field_map`` is the
    caller's mistake and raises NewsIndexError at once, before anything is read. ``limits`` bounds
    what is taken in of one line, record, page or compressed member (see :class:`Limits`);
    ``include`` and ``exclude`` choose the files of folders (see :func:`input_files`).
    """
    return read_inputs(input_files(paths, fmt, include, exclude), field_map, limits)


def read_inputs(
    inputs: Iterable[tuple[str, str] | ReadError], field_map: Mapping[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Article | ReadError]:
    """Read the ``(path, format)`` pairs that :func:`input_files` lists, passing its errors through.

    ``progress`` is told the bytes of the files as they are read (as stored:
    compressed bytes for a compressed file), so that a progress bar can move
    by bytes across all inputs rather than by files.
    """
    _check_field_map(field_map or {})
    return _read_listed(inputs, dict(field_map or {}), limits, progress)


def _read_listed(
    inputs: Iterable[tuple[str, str] | ReadError], field_map: Mapping[str, str], limits: Limits,
    progress: Callable[[int], None] | None,
) -> Iterator[Article | ReadError]:
    for found in inputs:
        if isinstance(found, ReadError):
            yield found
        else:
            yield from _read_file(found[0], found[1], field_map, limits, progress)
