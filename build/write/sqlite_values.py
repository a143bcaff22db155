"""How SQLite stores an Arrow column's values (the base tables' and the materialised views' alike)."""

from __future__ import annotations

import pyarrow as pa


def sqlite_values(column: pa.ChunkedArray) -> list[object]:
    """A column's values as SQLite stores them: dates as ISO text, booleans as 0/1, enums as text."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
    elif pa.types.is_date(kind):
        column = column.cast(pa.string())
    elif pa.types.is_boolean(kind):
        column = column.cast(pa.int64())
    return column.to_pylist()
