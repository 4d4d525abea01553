"""Benchmarks: newsindex side by side with stock Whoosh, SQLite FTS5 and tantivy.

Run from the repository root with ``python -m benchmarks`` (``--quick`` for a
small run, ``--help`` for the options). Every engine indexes the same
articles and answers the same queries in the same run, so the report's
ratios compare like with like on this machine. The corpora are read from
``<repo root>/../shared/corpora`` and never copied into the repository.
"""

from __future__ import annotations

from pathlib import Path

#: The repository root (the directory holding ``benchmarks/`` and ``newsindex/``).
REPO_ROOT = Path(__file__).resolve().parent.parent

#: Where the shared corpora live, relative to the repository as the project agreed.
DEFAULT_CORPORA = REPO_ROOT.parent / "shared" / "corpora"

#: The published query mix.
QUERIES_FILE = Path(__file__).resolve().parent / "queries.json"

#: Default output folder (git-ignored).
DEFAULT_OUT = Path(__file__).resolve().parent / "results"
