"""Progress while indexing: bytes read across all inputs, and what the run does after the last byte."""

from __future__ import annotations

import gzip
import os
import zipfile
from pathlib import Path

from newsindex import NewsIndex, ReadError
from newsindex.ingest.readers import input_files, read_inputs

from conftest import CORPUS


def test_progress_counts_every_stored_byte_of_every_input(tmp_path: Path) -> None:
    seed = CORPUS / "000_7887337d1080e0d6.txt"
    packed = tmp_path / "seed.txt.gz"
    packed.write_bytes(gzip.compress(seed.read_bytes()))
    archive = tmp_path / "pages.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(CORPUS / "001_d111d31f41ebd35a.txt", "a/seed.txt")
    paths = [CORPUS / "reut2-000.sgm", packed, archive]
    counted: list[int] = []
    articles = [a for a in read_inputs(input_files(paths), progress=counted.append) if not isinstance(a, ReadError)]
    assert len(articles) == 1002
    assert sum(counted) == sum(os.path.getsize(p) for p in paths)  # compressed bytes, as stored
    assert len(counted) > 3  # told as it reads, not once a file


def test_the_run_says_what_it_does_after_the_last_article(tmp_path: Path) -> None:
    said: list[str] = []
    with NewsIndex.create(tmp_path / "index") as ix:
        ix.add(read_inputs(input_files([CORPUS])), step=said.append)
    assert said[0] == "writing the last 1,002 articles"
    left = [int(s.split(": ")[1].split()[0].replace(",", "")) for s in said[1:]]
    assert all(s.startswith("grouping stories: ") for s in said[1:])
    assert left == sorted(left, reverse=True) and (not left or left[-1] == 0)
