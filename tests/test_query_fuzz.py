"""Generated queries: the parser answers with results or its own QueryError, never anything else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsindex import NewsIndex, QueryError

PIECES = st.sampled_from(
    ['"', "(", ")", "-", "+", "*", "?", "~", "~3", ":", "..", ">=", "<", " ", " OR ", " AND ", "NOT ",
     "title:", "date:", "source:", "foo:", "oil", "assad", "2025", "2025-04", "1987-03-01", "U.S.",
     "T-72", "8,7", "40%", "the", "’s", "é", "\u0000", "\t"]
)
QUERIES = st.one_of(st.lists(PIECES, max_size=12).map("".join), st.text(max_size=40))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES)
def test_any_query_gives_results_or_a_query_error(sample_index: NewsIndex, query: str) -> None:
    try:
        res = sample_index.search(query, limit=3)
    except QueryError as exc:
        assert str(exc)
    else:
        assert res.total >= len(res.hits)
