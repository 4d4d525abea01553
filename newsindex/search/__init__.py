"""Stage 4, search: from a query string to a ranked page of hits.

The query language (:mod:`~newsindex.search.query`), the evaluator that
answers it from cached postings (:mod:`~newsindex.search.evaluate`), BM25F
ranking and feedback (:mod:`~newsindex.search.ranking`), snippets, and
:mod:`~newsindex.search.searching`, which runs a whole search. Hands the
stages above it matching documents (for stories and counts) and
:class:`~newsindex.search.results.Results`.
"""
