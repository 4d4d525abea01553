"""The input formats newsindex reads, by name: known without loading any reader.

The command line lists them in ``--format``'s choices when it starts, and
starting must not import the readers (see :mod:`newsindex.ingest.readers`).
"""

from __future__ import annotations

#: What ``--format`` and ``read_paths(fmt=...)`` accept.
SUPPORTED_FORMATS: tuple[str, ...] = ("text", "jsonl", "reuters", "html", "feed", "warc", "csv", "tsv")
