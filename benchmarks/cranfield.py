"""The Cranfield collection: 1,400 abstracts, 225 queries and graded relevance judgements.

Formats (see ``shared/corpora/README.md``): ``cran.all.1400`` and ``cran.qry``
are records introduced by ``.I n`` with fields ``.T .A .B .W``; the queries'
``.I`` numbers are not consecutive, and the judgements number the queries
1..225 in file order, so queries are numbered by position, never by ``.I``.
``qrels.trec`` lines are ``qid 0 docid grade`` (grade 4 = complete answer,
0 = judged not relevant).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from newsindex import Article

from .corpora import CorpusMissing

_FIELD = re.compile(r"^\.([ITABW])(?:\s+(.*))?$")


@dataclass(frozen=True)
class Cranfield:
    """Documents as Articles, queries by judgement number, judgements as {qid: {docid: grade}}."""

    articles: list[Article]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def cranfield_dir(corpora: Path) -> Path:
    """The Cranfield folder, checked to hold the three files used."""
    folder = corpora / "cranfield"
    for name in ("cran.all.1400", "cran.qry", "qrels.trec"):
        if not (folder / name).is_file():
            raise CorpusMissing(f"missing Cranfield file {folder / name}")
    return folder


def parse_records(text: str) -> list[dict[str, str]]:
    """Split a Cranfield file into records: {"I": "1", "T": "...", "W": "..."}.

    Field text spans the lines up to the next field marker; line breaks
    become spaces.
    """
    records: list[dict[str, str]] = []
    current: dict[str, list[str]] | None = None
    field = ""
    for line in text.splitlines():
        marker = _FIELD.match(line)
        if marker:
            field = marker.group(1)
            if field == "I":
                current = {"I": [(marker.group(2) or "").strip()]}
                records.append(current)  # type: ignore[arg-type]
            elif current is not None:
                current[field] = [marker.group(2) or ""]
        elif current is not None and field:
            current.setdefault(field, []).append(line)
    return [{k: " ".join(" ".join(v).split()) for k, v in rec.items()} for rec in records]  # type: ignore[union-attr]


def parse_qrels(text: str) -> dict[str, dict[str, int]]:
    """TREC qrels (``qid iter docid grade``) as {qid: {docid: grade}}."""
    qrels: dict[str, dict[str, int]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4:
            qid, _iteration, docid, grade = parts
            qrels.setdefault(qid, {})[docid] = int(grade)
    return qrels


def load_cranfield(corpora: Path) -> Cranfield:
    """Read the collection: .T is the title, .W the body, ids are the .I numbers."""
    folder = cranfield_dir(corpora)
    docs = parse_records((folder / "cran.all.1400").read_text(encoding="latin-1"))
    articles = [Article(id=rec["I"], title=rec.get("T", ""), body=rec.get("W", "")) for rec in docs]
    raw_queries = parse_records((folder / "cran.qry").read_text(encoding="latin-1"))
    queries = {str(number): rec.get("W", "") for number, rec in enumerate(raw_queries, start=1)}
    qrels = parse_qrels((folder / "qrels.trec").read_text(encoding="latin-1"))
    return Cranfield(articles, queries, qrels)
