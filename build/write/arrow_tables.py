"""Validated rows as pyarrow tables of the published schema, and those tables in their published order."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from rucas.schema import TableSpec
from rucas.schema.derive import arrow_schema


def rows_to_arrow(spec: TableSpec, rows: list[dict[str, Any]], extra: dict[str, list[str]] | None = None) -> pa.Table:
    """Rows as a pyarrow Table of the table's schema, unsorted; `extra` adds text columns (e.g. each row's origin)."""
    schema = arrow_schema(spec)
    columns = [pa.array([row[field.name] for row in rows], type=field.type) for field in schema]
    for name, values in (extra or {}).items():
        columns.append(pa.array(values, pa.string()))
        schema = schema.append(pa.field(name, pa.string()))
    return pa.Table.from_arrays(columns, schema=schema)


def sort_table(spec: TableSpec, table: pa.Table) -> pa.Table:
    """A table in primary-key order (nulls last), one chunk per column, dictionaries in order of first use.

    The same rows give the same table whatever chunks they arrived in, so Parquet is byte-identical.
    """
    plain = [column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column
             for column in table.columns]
    if table.num_rows:
        keys = pa.table({name: plain[table.schema.get_field_index(name)] for name in spec.primary_key})
        order = pc.sort_indices(keys, sort_keys=[(name, "ascending", "at_end") for name in spec.primary_key])
        plain = [column.take(order) for column in plain]
    columns = [column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column for column in plain]
    columns = [column.dictionary_encode().cast(field.type) if pa.types.is_dictionary(field.type) else column
               for column, field in zip(columns, table.schema)]
    return pa.Table.from_arrays(columns, schema=table.schema)


def rows_having(table: pa.Table, column: str, values: pa.Array) -> pa.Table:
    """The rows of `table` whose `column` (plain or dictionary-encoded text) is one of `values`."""
    keys = table.column(column)
    if pa.types.is_dictionary(keys.type):
        keys = keys.cast(keys.type.value_type)
    return table.filter(pc.is_in(keys, value_set=values))
