"""Collection statistics for BM25F, gathered from several indexes and added up.

Why: a BM25F score depends on figures of the whole collection -- how many
documents there are, how many hold the word (its idf), how long a field is
on average -- not only on the document. An index split into shards must
score every shard's documents with the figures of all shards together, or
the same article scores differently by the shard it fell in and the merged
ranking is wrong (Elasticsearch's "DFS query then fetch" gathers them first
for the same reason). :func:`gather` reads what one index holds for the
words a query searches; :meth:`Statistics.merge` adds two of them up; the
evaluator (:mod:`newsindex.search.evaluate`) takes the sum instead of its
own index's figures.

The figures are Whoosh's, counted as Whoosh counts them (documents deleted
but not yet merged away included), and the formulas those of
``whoosh.scoring.BM25F``, so a collection's scores equal to the last bit
those of one index holding the same documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import log
from typing import Any

from whoosh import query as wq
from whoosh.scoring import BM25F

#: A word in a field: (field name, the term's bytes as the index stores them).
TermKey = tuple[str, bytes]


@dataclass
class Statistics:
    """Document count, total field lengths and document frequencies of a collection.

    It answers the questions Whoosh's scorers ask a top-level searcher
    (``doc_count_all``, ``doc_frequency``, ``avg_field_length``), so the
    evaluator uses it where it would use its own searcher's figures.
    """

    documents: int = 0
    field_lengths: dict[str, int] = field(default_factory=dict)
    frequencies: dict[TermKey, int] = field(default_factory=dict)

    def merge(self, other: "Statistics") -> "Statistics":
        """The statistics of two disjoint sets of documents taken together."""
        lengths = dict(self.field_lengths)
        for name, length in other.field_lengths.items():
            lengths[name] = lengths.get(name, 0) + length
        frequencies = dict(self.frequencies)
        for key, df in other.frequencies.items():
            frequencies[key] = frequencies.get(key, 0) + df
        return Statistics(self.documents + other.documents, lengths, frequencies)

    # -- what Whoosh's scorers ask a searcher ---------------------------------------

    def doc_count_all(self) -> int:
        return self.documents

    def doc_frequency(self, fieldname: str, text: str | bytes) -> int:
        key = (fieldname, text if isinstance(text, bytes) else text.encode("utf-8"))
        try:
            return self.frequencies[key]
        except KeyError:
            raise KeyError(f"no statistics gathered for {fieldname}:{key[1]!r}") from None

    def field_length(self, fieldname: str) -> int:
        return self.field_lengths.get(fieldname, 0)

    def avg_field_length(self, fieldname: str) -> float:
        """``Searcher.avg_field_length`` for a scorable field."""
        return self.field_length(fieldname) / (self.documents or 1)

    def scorer(self, weighting: Any, schema: Any, fieldname: str, btext: bytes) -> tuple | None:
        """How ``weighting`` scores this term, as the evaluator describes it (see ``_Segment.scorer``).

        ``("bm25", idf, K1, B, avgfl)`` with the figures and float expressions
        of ``BM25F.scorer``/``BM25FScorer``; ``("weight",)`` for a field that is
        not scored; None for a weighting other than BM25F (the evaluator then
        asks Whoosh).
        """
        if not isinstance(weighting, BM25F):
            return None
        if not schema[fieldname].scorable:
            return ("weight",)
        n = self.doc_frequency(fieldname, btext)
        idf = log(self.documents / (n + 1)) + 1
        b = weighting._field_B.get(fieldname, weighting.B)
        return ("bm25", idf, weighting.K1, b, self.avg_field_length(fieldname) or 1)


def gather(searcher: Any, q: wq.Query, known: dict[TermKey, int] | None = None) -> Statistics:
    """What one index holds of the statistics a search for ``q`` needs.

    Every scored word ``q`` names or expands to in this index (prefixes and
    wildcards, phrase words), with its document frequency here (0 if this
    index lacks it), the document count and the length of every scored
    field. The sum over all indexes of a collection then holds every word
    any of them can match. ``known`` keeps the frequencies looked up, for the
    next searches of the same index state.
    """
    known = {} if known is None else known
    reader = searcher.reader()
    schema = searcher.schema
    frequencies: dict[TermKey, int] = {}
    # Not ``Query.existing_terms``: its loop variable shadows its ``fieldname`` argument, so after
    # the first leaf it skips every leaf of another field (only title's words of a title-or-body word).
    for leaf in q.leaves():
        for name, text in leaf.expanded_terms(reader, phrases=True):
            if name not in schema or not schema[name].scorable or not isinstance(text, (str, bytes)):
                continue
            try:
                key = (name, text if isinstance(text, bytes) else schema[name].to_bytes(text))
            except ValueError:
                continue
            if key not in frequencies:
                df = known.get(key)
                if df is None:
                    df = known[key] = reader.doc_frequency(*key)
                frequencies[key] = df
    lengths = {name: reader.field_length(name) for name, f in schema.items() if f.scorable}
    return Statistics(reader.doc_count_all(), lengths, frequencies)
