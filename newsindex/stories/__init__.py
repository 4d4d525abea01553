"""Stage 5, stories: which articles tell the same story, and what each telling says differently.

Article vectors (:mod:`~newsindex.stories.vectors`), the story store that
groups articles as they are indexed (:mod:`~newsindex.stories.store`, run
beside indexing by :mod:`~newsindex.stories.grouping`), similar articles
(:mod:`~newsindex.stories.similar`) and the comparison of two tellings
(:mod:`~newsindex.stories.compare`). Hands the facade the story of each
article and hit.
"""
