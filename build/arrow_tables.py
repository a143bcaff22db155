"""Validated rows as pyarrow tables of the published schema, and those tables in their published order."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from rucas.schema import TableSpec, table_specs
from rucas.schema.derive import arrow_schema


def rows_to_arrow(spec: TableSpec, rows: list[dict[str, Any]], extra: dict[str, list[str]] | None = None) -> pa.Table:
    """Rows as a pyarrow Table of the table's schema, unsorted; `extra` adds text columns (e.g. each row's origin).

    Each row holds every column of the table (read_row builds them so); the rows are converted in one step, as
    one struct array (a column a row lacked would be null)."""
    schema = arrow_schema(spec)
    columns = pa.Table.from_struct_array(pa.array(rows, type=pa.struct(list(schema)))).columns
    for name, values in (extra or {}).items():
        columns.append(pa.array(values, pa.string()))
        schema = schema.append(pa.field(name, pa.string()))
    return pa.Table.from_arrays(columns, schema=schema)


def sort_table(spec: TableSpec, table: pa.Table, keep: pa.ChunkedArray | pa.Array | None = None) -> pa.Table:
    """A table in primary-key order (nulls last), one chunk per column, dictionaries in order of first use;
    with `keep` (a boolean per row), only the rows it marks true, left out by the sort rather than copied first.

    The same rows give the same table whatever chunks they arrived in, so Parquet is byte-identical.
    """
    order = None
    if table.num_rows:
        keys = pa.table({name: _plain(table.column(name)) for name in spec.primary_key})
        positions = None
        if keep is not None:
            positions = pc.indices_nonzero(_one_chunk(keep))
            keys = keys.take(positions)
        order = pc.sort_indices(keys, sort_keys=[(name, "ascending", "at_end") for name in spec.primary_key])
        if positions is not None:
            order = positions.take(order)
    columns = []
    for column, field in zip(table.columns, table.schema):  # one column at a time: one copy of it at most
        if order is not None:
            column = column.take(order)  # a dictionary column stays one: its indices move
        column = _plain(_one_chunk(column))
        columns.append(column.dictionary_encode().cast(field.type) if pa.types.is_dictionary(field.type) else column)
    return pa.Table.from_arrays(columns, schema=table.schema)


def _one_chunk(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column as one array: the chunk itself when there is one (a sorted column is: `combine_chunks` would copy
    it, 176 MiB for the articles' texts at 100k), else the chunks joined."""
    if isinstance(column, pa.ChunkedArray):
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column


def _plain(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A dictionary-encoded column as its values; any other as it is."""
    return column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column


def rows_having(table: pa.Table, conditions: list[tuple[str, pa.Array]]) -> pa.Table:
    """The rows of `table` whose column (plain or dictionary-encoded text) is one of its values, for any of
    `conditions` (column, values)."""
    def among(column: str, values: pa.Array) -> pa.ChunkedArray:
        keys = table.column(column)
        if pa.types.is_dictionary(keys.type):
            keys = keys.cast(keys.type.value_type)
        return pc.is_in(keys, value_set=values)

    return table.filter(functools.reduce(pc.or_, [among(column, values) for column, values in conditions]))


ARTICLE_TABLE = "sources"
"""One row per article: this table and every table below it by foreign keys hold the rows of articles,
which a patched build changes; the others hold reference rows, which it never changes."""


def article_tables() -> set[str]:
    """ARTICLE_TABLE and every table below it by foreign keys (table_specs lists parents first)."""
    found = {ARTICLE_TABLE}
    for spec in table_specs():
        if any(column.references and column.references[0] in found for column in spec.columns):
            found.add(spec.name)
    return found


Read = Callable[[TableSpec, list[tuple[str, pa.Array]]], pa.Table]
"""Reads the rows of a table whose column is one of its values for any of the conditions (column, values)."""


def article_rows(read: Read, source_ids: set[str]) -> dict[str, pa.Table]:
    """The rows of the articles `source_ids` in every table of articles, by `read`: their sources rows, and
    in every table below, the rows that refer to rows chosen above (a claim is chosen with its statement's
    article and with its event's)."""
    articles = article_tables()
    chosen: dict[str, pa.Table] = {}
    for spec in table_specs():
        if spec.name == ARTICLE_TABLE:
            chosen[spec.name] = read(spec, [("source_id", pa.array(sorted(source_ids), pa.string()))])
        elif spec.name in articles:
            chosen[spec.name] = read(spec, [(column.name, chosen[column.references[0]].column(column.references[1])
                                             .combine_chunks()) for column in spec.columns
                                            if column.references and column.references[0] in articles])
    return chosen
