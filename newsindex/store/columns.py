"""Reading a column of a whole index, whichever of its segments hold the column.

Whoosh's ``MultiReader.column_reader`` builds its reader from the segments
that have the column and leaves the others out, so a document of a segment
without it is looked up in the segment before, past its end (an
``IndexError``, or another article's value). newsindex writes every column
in every segment, but indexes written before it did can lack one (a batch of
feed items of which none had places); :func:`column` reads those right.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, Callable


def column(reader: Any, name: str) -> Callable[[int], Any]:
    """The value of column ``name`` for a document number; a segment without the column gives its default."""
    leaves = reader.leaf_readers()
    if all(leaf.has_column(name) for leaf, _ in leaves):
        return reader.column_reader(name).__getitem__
    default = reader.schema[name].column_type.default_value()
    starts = [start for _, start in leaves]
    parts = [leaf.column_reader(name) if leaf.has_column(name) else None for leaf, _ in leaves]

    def value(docnum: int) -> Any:
        i = bisect_right(starts, docnum) - 1
        part = parts[i]
        return default if part is None else part[docnum - starts[i]]

    return value
