"""Stage 6, coverage: how much a query was covered, when, by whom, and what about.

Timelines (:mod:`~newsindex.coverage.timeline`), facets
(:mod:`~newsindex.coverage.facets`), significant terms
(:mod:`~newsindex.coverage.terms`), charts of timelines, and collection
statistics that merge across shards (:mod:`~newsindex.coverage.stats`).
Counts every matching article, read from columns, not a page of hits.
"""
