"""Every hit of a search as CSV or JSON Lines, with what was searched and in which index state.

An export is evidence: a researcher who quotes "1,544 articles mention oil"
must be able to say which query, which filters and which state of which
index gave that list. So every row carries the search (as the URL parameters
that reproduce it) and the index state (directory, commit, size, version,
time), and the export reads one commit of the index from its first row to
its last (:meth:`SharedIndex.pinned`). Rows are written as they are read, a
page of hits at a time, so an export of every article takes no more memory
than a page.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone
from typing import Any, Iterator

from ..export import HIT_FIELDS, SheetWriter, hit_row, write_json_lines
from ..version import __version__
from .params import SearchState
from .shared import SharedIndex

#: Hits read from the index per turn with it (other requests are served between turns).
EXPORT_PAGE = 500
#: The command line's columns (newsindex.export), then what was searched and in which index state.
FIELDS = (*HIT_FIELDS, "search", "index")
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


def filename(state: SearchState, fmt: str) -> str:
    """A download name that says what was searched, made of characters every system accepts."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", state.q).strip("-")[:60] or "search"
    return f"newsindex-{slug}.{fmt}"


def rows(shared: SharedIndex, state: SearchState) -> Iterator[dict[str, Any]]:
    """Every hit of the search in its order, as plain fields, with the search and index state."""
    search = state.query_string(page=1, size=20, by="auto", norm=False)
    with shared.pinned():
        page, pages, index = 1, 1, ""
        while page <= pages:
            with shared.use() as ix:
                if page == 1:
                    index = (
                        f"{getattr(ix, 'directory', '')} at commit {ix.generation()} ({len(ix):,} articles), "
                        f"newsindex {__version__}, exported {datetime.now(timezone.utc).isoformat(timespec='seconds')}"
                    )
                results = ix.search(state.q, limit=EXPORT_PAGE, page=page, sort=state.sort,  # type: ignore[arg-type]
                                    feedback=state.feedback, highlight=("", ""), **state.filters)
                batch = [{**hit_row(hit), "search": search, "index": index} for hit in results]
            pages = results.pages
            yield from batch
            page += 1


def as_csv(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    """CSV text for spreadsheets, header first, written as the command line's ``--csv`` is.

    Byte-order mark, CRLF, lists joined with ``; `` and formula injection
    defused (see :mod:`newsindex.export`): a download is opened in a spreadsheet.
    """
    buffer = io.StringIO()
    writer = SheetWriter(buffer, FIELDS)
    for record in records:
        yield _drain(buffer)
        writer.write(record)
    yield _drain(buffer)


def as_jsonl(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    """One JSON object per hit and per line."""
    buffer = io.StringIO()
    for record in records:
        write_json_lines((record,), buffer)
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    """What was written to ``buffer`` since the last call, and the buffer emptied."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
