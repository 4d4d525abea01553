"""Stage 1, ingest: reading articles from what users have on disk.

Readers for every input format (:mod:`newsindex.ingest.readers`: saved web
pages, feeds, WARC, JSON Lines, CSV, plain text, Reuters SGML, compressed or
in archives), the :class:`~newsindex.ingest.article.Article` they all
produce, and the date parsing they share. Hands a stream of ``Article``
(and ``ReadError`` records for bad input, so one bad file never ends a run)
to the text analysis and the store.
"""
