"""Validated rows as pyarrow tables of the published schema, and those tables in their published order."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
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


CHUNK_ROWS = 16_384
"""The rows of each chunk of a sorted table (the last may hold fewer), and of each row group of its Parquet file
(rucas.build.write.parquet), which is thus written from whole chunks: the same rows make the same bytes."""


def sort_table(spec: TableSpec, table: pa.Table, keep: pa.ChunkedArray | pa.Array | None = None) -> pa.Table:
    """The table of `sorted_batches` (which see), whole."""
    return pa.Table.from_batches(list(sorted_batches(spec, table, keep)), table.schema)


def sorted_batches(spec: TableSpec, table: pa.Table,
                   keep: pa.ChunkedArray | pa.Array | None = None) -> Iterator[pa.RecordBatch]:
    """A table's rows in primary-key order (nulls last), as batches of CHUNK_ROWS rows (the last may hold fewer; a
    table without rows is one empty batch), dictionaries in order of first use and the same in every batch; with
    `keep` (a boolean per row), only the rows it marks true, left out by the sort rather than copied first.

    The same rows give the same batches whatever chunks they arrived in, so Parquet is byte-identical. A batch is
    made when it is asked for: a caller that writes each before asking for the next (rucas.build.table_files)
    holds one batch of the sorted table, not the table. Each column of a batch is taken from the chunks that hold
    its rows: never joined whole first (Arrow's take on a column of many chunks joins them, a second copy of the
    column: 176 MiB of the articles' texts at 100,000 articles). Dictionary columns (codes, a few bytes a row) are
    taken whole, so that they have one dictionary."""
    keys = pa.table({name: _plain(table.column(name)) for name in spec.primary_key})
    positions = None
    if keep is not None:
        positions = pc.indices_nonzero(_one_chunk(keep))
        keys = keys.take(positions)
    order = pc.sort_indices(keys, sort_keys=[(name, "ascending", "at_end") for name in spec.primary_key])
    if positions is not None:
        order = positions.take(order)
    del keys, positions
    if not len(order):
        yield pa.RecordBatch.from_arrays([_one_chunk(column.slice(0, 0)) for column in table.columns],
                                         schema=table.schema)
        return
    yield from batches_in_order(table, order)


def batches_in_order(table: pa.Table, order: pa.Array, rows: int = CHUNK_ROWS) -> Iterator[pa.RecordBatch]:
    """The rows of `table` at the positions `order`, in that order, as batches of `rows` rows (the last may hold
    fewer; none when `order` is empty), each made when it is asked for.

    Each column of a batch is taken from the chunks that hold its rows: never joined whole first. Arrow's take on
    a column of many chunks joins them, a second copy of the column, and for every batch taken so: the Web
    Annotations' 1.6 million rows of evidence at 100,000 articles, taken 4,096 at a time from about 100 chunks,
    were joined 400 times. Dictionary columns (codes, a few bytes a row) are taken whole, so that they have one
    dictionary, in order of first use."""
    coded = {index: _plain(_one_chunk(column.take(order))).dictionary_encode().cast(field.type)
             for index, (column, field) in enumerate(zip(table.columns, table.schema))
             if pa.types.is_dictionary(field.type)}  # its indices move
    plans: dict[tuple[int, ...], list[_Batch]] = {}  # the columns of a table are mostly chunked alike
    chunked: dict[int, list[pa.Array]] = {}
    for index, column in enumerate(table.columns):
        if index not in coded:
            chunked[index] = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
            layout = tuple(len(chunk) for chunk in chunked[index])
            if layout not in plans:
                plans[layout] = _take_plan(layout, order.cast(pa.int64()).to_numpy(), rows)
    for number, first in enumerate(range(0, len(order), rows)):
        yield pa.RecordBatch.from_arrays(
            [coded[index].slice(first, rows) if index in coded
             else plans[tuple(len(chunk) for chunk in chunked[index])][number].take(chunked[index])
             for index in range(table.num_columns)], schema=table.schema)


@dataclass
class _Batch:
    """How to take one chunk of a sorted column: from each chunk of the column that holds some of its rows (`pieces`:
    the chunk's number, the rows' positions in it), those rows; then, if more than one chunk gave rows, the pieces
    joined and put in order by `back`."""

    pieces: list[tuple[int, pa.Array]]
    back: pa.Array | None

    def take(self, chunks: list[pa.Array]) -> pa.Array:
        pieces = [chunks[index].take(local) for index, local in self.pieces]
        return pieces[0] if self.back is None else pa.concat_arrays(pieces).take(self.back)


def _take_plan(layout: tuple[int, ...], order: np.ndarray, rows: int) -> list[_Batch]:
    """How to take the rows at `order` (positions in a whole column whose chunks hold `layout` rows each) in chunks
    of `rows` rows, each from the chunks that hold its rows."""
    starts = np.cumsum((0, *layout))
    plan = []
    for first in range(0, len(order), rows):
        wanted = order[first:first + rows]
        which = np.searchsorted(starts, wanted, side="right") - 1  # the chunk that holds each row
        if (which == which[0]).all():
            plan.append(_Batch([(int(which[0]), pa.array(wanted - starts[which[0]]))], None))
            continue
        grouped = np.argsort(which, kind="stable")  # the rows chunk by chunk, each chunk's in their order
        bounds = np.flatnonzero(np.diff(which[grouped])) + 1
        back = np.empty_like(grouped)
        back[grouped] = np.arange(len(grouped))  # where each row of the batch is among the pieces
        plan.append(_Batch([(int(which[group[0]]), pa.array(wanted[group] - starts[which[group[0]]]))
                            for group in np.split(grouped, bounds)], pa.array(back)))
    return plan


def _one_chunk(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column as one array: the chunk itself when there is one (`combine_chunks` would copy it), else the chunks
    joined."""
    if isinstance(column, pa.ChunkedArray):
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column


def _plain(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A dictionary-encoded column as its values; any other as it is."""
    return column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column


Conditions = list[tuple[str, pa.Array]]
"""Which rows of a table to read: those whose column holds one of the values, for any (column, values) pair."""


def having(table: pa.Table, conditions: Conditions) -> pa.ChunkedArray:
    """True for each row of `table` whose column (plain or dictionary-encoded text) is one of its values, for any
    of `conditions`."""
    def among(column: str, values: pa.Array) -> pa.ChunkedArray:
        keys = table.column(column)
        if pa.types.is_dictionary(keys.type):
            keys = keys.cast(keys.type.value_type)
        return pc.is_in(keys, value_set=values)

    return functools.reduce(pc.or_, [among(column, values) for column, values in conditions])


def rows_having(table: pa.Table, conditions: Conditions) -> pa.Table:
    """The rows of `table` whose column (plain or dictionary-encoded text) is one of its values, for any of
    `conditions` (column, values)."""
    return table.filter(having(table, conditions))


def plain_values(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column's values as one plain array (a dictionary-encoded column's values), to look rows up by them."""
    return _one_chunk(_plain(column))


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


Read = Callable[[TableSpec, Conditions], pa.Table]
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
