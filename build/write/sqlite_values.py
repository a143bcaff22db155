"""How SQLite stores an Arrow column's values (the base tables' and the materialised views' alike), and
inserting Arrow rows into SQLite a bounded batch at a time."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import pyarrow as pa

BATCH_ROWS = 50_000
"""Rows converted to Python values and inserted at once: the Python objects of one batch (not of a whole
table or view, several GB at 100,000 articles) are what the SQLite writers hold."""


def sqlite_values(column: pa.Array | pa.ChunkedArray) -> list[object]:
    """A column's values as SQLite stores them: dates as ISO text, booleans as 0/1, enums as text."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
    elif pa.types.is_date(kind):
        column = column.cast(pa.string())
    elif pa.types.is_boolean(kind):
        column = column.cast(pa.int64())
    return column.to_pylist()


def batches(rows: pa.Table | Iterable[pa.RecordBatch], size: int = BATCH_ROWS) -> Iterable[pa.RecordBatch]:
    """`rows` (a whole table, or a stream of batches such as a RecordBatchReader) as batches of at most
    `size` rows, in order."""
    if isinstance(rows, pa.Table):
        yield from rows.to_batches(max_chunksize=size)
    else:
        for batch in rows:
            for start in range(0, batch.num_rows, size):
                yield batch.slice(start, size)


def insert_batches(con: sqlite3.Connection, insert: str, rows: pa.Table | Iterable[pa.RecordBatch],
                   columns: list[str] | None = None) -> None:
    """Run `insert` (an INSERT with one ? per column) for every row of `rows`, in order, a batch of at most
    BATCH_ROWS rows at a time: the named `columns` in that order (all, in the schema's order, without)."""
    for batch in batches(rows):
        picked = columns if columns is not None else range(batch.num_columns)
        con.executemany(insert, zip(*(sqlite_values(batch.column(column)) for column in picked)))
