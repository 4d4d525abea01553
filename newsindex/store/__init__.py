"""Stage 3, store: articles written into a Whoosh index, safely.

The schema (:mod:`~newsindex.store.schema`), the index directory and its
version checks (:mod:`~newsindex.store.directory`), indexing runs in
committed batches (:mod:`~newsindex.store.indexing`) with our own batch
writer (:mod:`~newsindex.store.writing`) and its helper processes, the
checksums of every commit's files (:mod:`~newsindex.store.checksums`), the
write lock, and the postings reader. Hands the search stage an index whose
last commit is always whole, or says which file is not.
"""
