"""Search results as rows for spreadsheets and pipelines: the same fields, in the same order, everywhere.

A journalist takes results elsewhere: a spreadsheet to sort and annotate, a
script, a colleague. Every export of hits goes through here (the command
line's ``search --csv/--tsv/--json`` and ``batch``, and the web interface's
downloads), so a CSV from any of them has the same columns and opens the
same way. Snippets are plain text (no highlight marks), dates ISO 8601.

CSV and TSV are written for spreadsheets, which is where they are opened:

* UTF-8 with a byte-order mark, the only way Excel recognises UTF-8 in a
  CSV (LibreOffice and Python's ``csv`` with ``encoding="utf-8-sig"`` read it
  too); lines end in CRLF and fields are quoted when they hold the
  delimiter, a quote or a line break (RFC 4180);
* formula injection is defused as OWASP recommends: a text cell that starts
  with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with
  ``'`` so a spreadsheet shows it as text instead of running it (an article
  title such as ``=HYPERLINK(...)`` is content, never a formula). Numbers
  (rank, score, counts) are written as numbers.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence, TextIO

from .errors import NewsIndexError
from .search.results import Hit
from .terminal import safe_json

if TYPE_CHECKING:
    from .coverage.overview import Overview

#: The columns of an exported hit, in order.
HIT_FIELDS: tuple[str, ...] = (
    "rank", "id", "title", "published", "source", "authors", "url", "topics", "places", "dateline",
    "story", "other_tellings", "score", "snippet",
)

#: The columns of a batch of searches, one row per query (after the input file's own columns).
BATCH_FIELDS: tuple[str, ...] = (
    "query", "total", "stories", "first", "last", "top_sources",
    "best_id", "best_title", "best_published", "best_source", "best_url", "error",
)

#: Separates the values of a list (authors, topics, places) within one cell.
LIST_SEPARATOR = "; "

#: What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

BOM = "\ufeff"


def hit_row(hit: Hit) -> dict[str, Any]:
    """One hit as JSON-ready values, in :data:`HIT_FIELDS` order (lists stay lists)."""
    row = hit.to_dict()
    return {name: row[name] for name in HIT_FIELDS}


def hit_rows(hits: Iterable[Hit]) -> Iterator[dict[str, Any]]:
    """:func:`hit_row` of each hit, as they come (a stream of all hits stays a stream)."""
    return map(hit_row, hits)


def cell(value: Any) -> str | int | float:
    """What a spreadsheet cell holds for a value: numbers as numbers, lists joined, text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple)):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class SheetWriter:
    """Writes rows of :func:`cell` values as CSV or TSV for spreadsheets (see the module's docstring).

    The header goes first, with the byte-order mark; rows are written and
    flushed one at a time, so an export of every hit streams.
    """

    def __init__(self, out: TextIO, fields: Sequence[str], delimiter: str = ",") -> None:
        self._out = out
        self._fields = list(fields)
        self._writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        out.write(BOM)
        self._writer.writerow(self._fields)

    def write(self, row: Mapping[str, Any]) -> None:
        self._writer.writerow([cell(row.get(name)) for name in self._fields])


def write_sheet(rows: Iterable[Mapping[str, Any]], out: TextIO, fields: Sequence[str] = HIT_FIELDS,
                delimiter: str = ",") -> int:
    """Write ``rows`` as CSV (or TSV with ``delimiter="\\t"``); return how many."""
    writer = SheetWriter(out, fields, delimiter)
    count = 0
    for row in rows:
        writer.write(row)
        count += 1
    return count


def write_json_lines(rows: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    """Write one JSON object per line (JSON Lines), as tools such as jq read them; return how many."""
    count = 0
    for row in rows:
        out.write(safe_json(row) + "\n")
        count += 1
    return count


def overview_row(overview: Overview) -> dict[str, Any]:
    """One query of a batch as a row of :data:`BATCH_FIELDS` (``top_sources``: "name (count)" items)."""
    best = overview.best
    return {
        "query": overview.query, "total": overview.total, "stories": overview.stories,
        "first": overview.first.isoformat() if overview.first else None,
        "last": overview.last.isoformat() if overview.last else None,
        "top_sources": [f"{name} ({count:,})" for name, count in overview.sources],
        "best_id": best.id if best else None, "best_title": best.title if best else None,
        "best_published": best.published.isoformat() if best and best.published else None,
        "best_source": best.source if best else None, "best_url": best.url if best else None,
        "error": None,
    }


def failed_row(query: str, error: str) -> dict[str, Any]:
    """A query of a batch that could not run: its row says why, the batch goes on."""
    return {"query": query, "error": error}


def read_queries(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The queries of a batch file: its extra column names and one dict per query (``query`` and the rest).

    A ``.csv`` or ``.tsv`` file has a header row; the column named ``query``
    (else the first) holds the queries, and the other columns (a name, a
    claim's number) are carried into every output row. Any other file has a
    query per line; blank lines and lines starting with ``#`` are skipped.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise NewsIndexError(f"{path}: cannot read the queries: {getattr(exc, 'strerror', None) or exc}") from None
    if path.suffix.lower() not in (".csv", ".tsv"):
        lines = [line.strip() for line in text.splitlines()]
        return [], [{"query": line} for line in lines if line and not line.startswith("#")]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
    header = next(reader, None)
    if not header:
        raise NewsIndexError(f"{path}: no header row (a column named query, or the queries in the first column)")
    header = [name.strip() for name in header]
    at = header.index("query") if "query" in header else 0
    extra = [name for i, name in enumerate(header) if i != at]
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise NewsIndexError(
                f"{path}: line {reader.line_num} has {len(values)} fields, the header {len(header)}"
            )
        row = {name: value for i, (name, value) in enumerate(zip(header, values)) if i != at}
        rows.append({**row, "query": values[at].strip()})
    return extra, rows
