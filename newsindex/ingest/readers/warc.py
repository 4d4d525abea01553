"""Web archives (WARC, as written by crawlers and archiving tools), read with warcio.

A crawl keeps every exchange: requests, responses, metadata, images,
scripts. Only successful HTML responses are articles; each goes through the
same extraction as a saved page (:mod:`newsindex.ingest.readers.html`), with the
archive's own facts as fallbacks: the URL it was fetched from and the time
it was fetched, when the page names no date. Everything else is skipped and
counted, and the counts are logged per file so a user can see that a crawl
of 10,000 records gave 3,000 pages, not wonder where the rest went.

Records are streamed one at a time, so memory stays flat however large the
archive.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any, BinaryIO, Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecordLoader

from ..article import Article
from ..dates import parse_date
from ...errors import DateError, ReadError
from ._fields import hashed_id
from .compressed import open_input
from ..limits import DEFAULT_LIMITS, LimitExceeded, Limits, MemberExceeded, over, read_whole
from .html import NoArticle, extract_article

log = logging.getLogger(__name__)

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


class _RecordLoader(ArcWarcRecordLoader):
    """warcio's record loader, except that a record without ``WARC-Target-URI`` is read (without
    HTTP headers) instead of ending the whole archive: warcio asks ``None.startswith``, inside its
    iterator, so every later page was lost."""

    def load_http_headers(self, rec_type, uri, stream, length):  # type: ignore[no-untyped-def]
        return super().load_http_headers(rec_type, uri or "", stream, length)


def _skip_reason(record: Any) -> str | None:
    """Why a record is not an article (``"request"``, ``"response (HTTP 404)"``), or None if it is one."""
    if record.rec_type != "response" or record.http_headers is None:
        return record.rec_type
    status = record.http_headers.get_statuscode() or "?"
    if not status.startswith("2"):
        return f"response (HTTP {status})"
    mime = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if mime not in _HTML_TYPES:
        return f"response ({mime or 'no content type'})"
    return None


def _warc_date(record: Any) -> datetime | None:
    try:
        return parse_date(record.rec_headers.get_header("WARC-Date") or "")
    except DateError:
        return None


def _bound_header_lines(records: ArchiveIterator, limit: int, path: str) -> None:
    """Make warcio read the header lines of records (WARC and HTTP) at most ``limit`` bytes long.

    warcio assembles a line however long it is, so one endless header line
    would fill memory; its reader's ``readline`` takes a length, which this
    caps (the records' payloads are read otherwise, in blocks).
    """
    reader = records.reader
    readline = reader.readline

    def bounded_readline(length: int | None = None) -> bytes:
        line = readline(limit + 1 if length is None else min(length, limit + 1))
        if len(line) > limit and not line.endswith(b"\n"):
            raise LimitExceeded(f"a header line: {over('record', limit)}", path)
        return line

    reader.readline = bounded_readline


def read_warc(
    path: str, stream: BinaryIO | None = None, *, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Article | ReadError]:
    """Read a WARC file (``.warc`` or ``.warc.gz``); yield an Article per HTML page it archived.

    The article's url is the record's target URI; its id a hash of the
    page's canonical URL, else of the target URI. A page with no article
    text is a ReadError at ``record N (offset B)``, and so is a record over
    ``limits.record``; an archive that breaks off ends with a ReadError where
    it broke. ``stream`` is the file's bytes when the caller opened it (an
    archive member). Raises OSError if the file cannot be read.
    """
    skipped: Counter[str] = Counter()
    pages = number = 0
    with open_input(path, stream, limits) as handle:
        records = ArchiveIterator(handle)
        records.loader = _RecordLoader(verify_http=False, arc2warc=False)  # ArchiveIterator's own settings
        _bound_header_lines(records, limits.record, path)
        try:
            for number, record in enumerate(records, 1):
                target = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type == "response" and not target:
                    yield ReadError("response record without a WARC-Target-URI: skipped", path, f"record {number}")
                    continue
                reason = _skip_reason(record)
                if reason is not None:
                    skipped[reason] += 1
                    continue
                try:
                    data = read_whole(record.content_stream(), limits.record, "record", path)
                except MemberExceeded:
                    raise
                except LimitExceeded as exc:  # warcio skips the rest of the record
                    yield LimitExceeded(exc.reason, path, f"record {number}")
                    continue
                try:
                    yield extract_article(
                        data, origin=f"{path}:record {number}", fallback_id=hashed_id(target or f"{path}#{number}"),
                        url=target, fallback_date=_warc_date(record),
                    )
                    pages += 1
                except NoArticle as exc:
                    # The offset is known once the record has been read to its end.
                    position = f"record {number} (offset {records.get_record_offset()})"
                    yield ReadError(f"{exc} ({target})", path, position)
        except ArchiveLoadFailed as exc:
            yield ReadError(f"not a valid WARC record: {str(exc).strip()}", path, f"record {number + 1}")
        except MemberExceeded as exc:
            yield MemberExceeded(exc.reason, path, f"record {number + 1}")
        except LimitExceeded as exc:
            yield LimitExceeded(f"{exc.reason}; the rest of the archive was not read", path, f"record {number + 1}")
        else:
            if not number:
                yield ReadError("no WARC records found", path)
    others = ", ".join(f"{count} {reason}" for reason, count in sorted(skipped.items()))
    log.info("%s: %d HTML pages, %d other records skipped%s", path, pages, sum(skipped.values()),
             f" ({others})" if others else "")
