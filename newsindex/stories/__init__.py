"""Stage 5, stories: which articles tell the same story, and what each telling says differently.

Article vectors (:mod:`~newsindex.stories.vectors`), the story store that
groups articles as they are indexed (:mod:`~newsindex.stories.store`, run
beside indexing by :mod:`~newsindex.stories.grouping`), similar articles
(:mod:`~newsindex.stories.similar`), and what tellings say differently:
sentences (:mod:`~newsindex.stories.sentences`) reduced to stems
(:mod:`~newsindex.stories.stems`) with their checkable details
(:mod:`~newsindex.stories.details`), aligned (:mod:`~newsindex.stories.compare`)
and lined up word by word (:mod:`~newsindex.stories.wording`), the earlier
telling a correction corrects (:mod:`~newsindex.stories.earlier`), printed by
:mod:`~newsindex.stories.render`. Hands the facade the story of each article
and hit.
"""
