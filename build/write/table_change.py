"""What changed in one table between the previous build and the new one (rucas.build.write.incremental finds it,
rucas.build.write.patch_views patches the views by it)."""

from __future__ import annotations

import struct
from dataclasses import dataclass

import pyarrow as pa

from rucas.schema import TableSpec


@dataclass
class TableChange:
    """What changed in one table: the previous rows to delete, and the new rows to insert."""

    spec: TableSpec
    deleted: pa.Table
    inserted: pa.Table

    @property
    def empty(self) -> bool:
        return self.deleted.num_rows == 0 and self.inserted.num_rows == 0

    @property
    def rows_put_back(self) -> bool:
        """Whether the rows it inserts are exactly the rows it deletes, so that the table holds what it held:
        the children of a replaced row (an event whose summary changed takes its actors, conditions and claims
        with it), deleted and inserted again unchanged. Values compare exactly (a float by its bits: 0.0 is not
        -0.0), the rows in key order, as both are made."""
        if self.deleted.num_rows != self.inserted.num_rows or self.deleted.column_names != self.inserted.column_names:
            return False
        return _exact_rows(self.deleted) == _exact_rows(self.inserted)


def _exact_rows(table: pa.Table) -> list[tuple[object, ...]]:
    """The rows of `table` as tuples of Python values, each float as its eight bytes."""
    return [tuple(struct.pack("<d", value) if isinstance(value, float) else value for value in row.values())
            for row in table.to_pylist()]


@dataclass(frozen=True)
class Changed:
    """What a patch changed in one table, as a query reading it can tell: whether rows came or went (`rows`:
    a key added or removed, or rows no longer paired) and which columns of the rows it kept hold other values.
    A query reading none of `columns` from a table whose `rows` stayed sees that table as it was."""

    rows: bool
    columns: frozenset[str]


def changed_between(before: pa.Table, after: pa.Table, key: list[str] | None) -> Changed:
    """What differs from the rows `before` to the rows `after` of one table: rows paired by the values of the
    `key` columns, or by position when `key` is None (a materialised view's rows patched in place, row k for
    row k). Values compare as Python values: a float NaN counts as changed, which only costs a recomputation."""
    old, new = before.to_pylist(), after.to_pylist()
    every = frozenset(after.column_names) | frozenset(before.column_names)
    if key is None:
        if len(old) != len(new):
            return Changed(True, every)
        pairs = list(zip(old, new))
    else:
        old_by_key = {tuple(row[name] for name in key): row for row in old}
        new_by_key = {tuple(row[name] for name in key): row for row in new}
        if old_by_key.keys() != new_by_key.keys() or len(old_by_key) != len(old) or len(new_by_key) != len(new):
            return Changed(True, every)
        pairs = [(row, new_by_key[k]) for k, row in old_by_key.items()]
    if before.column_names != after.column_names:
        return Changed(True, every)
    return Changed(False, frozenset(name for old_row, new_row in pairs for name in old_row
                                    if old_row[name] != new_row[name]))


def table_changed(change: TableChange) -> Changed:
    """What `change` changed in its table, rows paired by primary key."""
    return changed_between(change.deleted, change.inserted, change.spec.primary_key)
