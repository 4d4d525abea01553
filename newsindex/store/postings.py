"""Reading a whole posting list through Whoosh's matcher, a block at a time where it can.

Whoosh's W3 codec stores postings in blocks of up to 128 and its leaf matcher
decodes a block at once (``_read_ids``, ``_read_weights``, ``_read_values``);
reading block by block avoids a Python call per posting. Any other matcher
(inlined postings, other codecs) is read posting by posting. Both the query
evaluator (postings cache) and the writer (merging small segments) read this way.
"""

from __future__ import annotations

from typing import Any

_BLOCK_READER = ("_read_ids", "_read_weights", "_next_block")


def read_postings(matcher: Any, values: bool = False) -> tuple[list, list, list | None]:
    """(ids, weights, values or None) of every posting ``matcher`` has left, in order."""
    ids: list = []
    weights: list = []
    found: list | None = [] if values else None
    if all(hasattr(matcher, a) for a in _BLOCK_READER) and (not values or hasattr(matcher, "_read_values")):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            if found is not None:
                matcher._read_values()
                found.extend(matcher._values)
            matcher._next_block()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            if found is not None:
                found.append(matcher.value())
            matcher.next()
    return ids, weights, found
