"""Materialise the prepared views: compute each once, from its file in queries/views, into an indexed table.

In both databases a view's rows are stored as a table under the view's own name (what Datasette serves,
sortable, facetable and counted, and what `rucas.load` reads), and the file's SQL stays there as a live
view named `<name>_live` (LIVE_SUFFIX) that anyone can run to recompute it from the tables. DuckDB runs
the SQL once, at build time (it is several times faster than SQLite on every view); SQLite receives the
same rows. Rows are stored in the view's own ORDER BY order, so a table read in rowid order (Datasette's
default for a table without a primary key) lists them as the view does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import duckdb
import pyarrow as pa

from rucas.build.write.sqlite_values import sqlite_values
from rucas.schema import table_specs
from rucas.queries import SqlFile

LIVE_SUFFIX = "_live"
"""A view's live SQL is the view `<name>_live`; its materialised rows are the table `<name>`."""


def live_name(view: SqlFile) -> str:
    """The name of the live (recomputed on every read) view of a prepared view."""
    return f"{view.name}{LIVE_SUFFIX}"


def duckdb_materialise(con: duckdb.DuckDBPyConnection, views: Iterable[SqlFile]) -> dict[str, pa.Table]:
    """Create the table <name> from the live view <name>_live for every view (which must exist in `con`);
    return each table's rows as Arrow, in the view's order."""
    rows: dict[str, pa.Table] = {}
    for view in views:
        con.execute(f"CREATE TABLE {view.name} AS SELECT * FROM {live_name(view)}")
        rows[view.name] = con.sql(f"SELECT * FROM {view.name}").to_arrow_table()
    return rows


def _sqlite_type(kind: pa.DataType) -> str:
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        return "INTEGER"
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "REAL"
    return "TEXT"


def facet_columns(view: SqlFile) -> list[str]:
    """The columns of a view offered as facets: those its file names (`-- facets:`), then those named like a
    table's facet column (each table's Display in schema/tables.py). Each gets an index in its table."""
    named_like = {column for spec in table_specs() for column in spec.display.facets}
    return list(view.facets) + sorted(named_like - set(view.facets))


def index_columns(schema: pa.Schema, facet_columns: list[str]) -> list[str]:
    """The columns of a materialised view worth an index, for sorting, faceting and filtering in
    Datasette: every column that is not text (dates, counts), ids, and text columns shown as facets.
    Free text (names, titles, evidence) is left unindexed: an index would double its size."""
    chosen = []
    for field in schema:
        is_text = pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
        if not is_text or field.name.endswith("_id") or field.name in facet_columns:
            chosen.append(field.name)
    return chosen


def sqlite_store(con: sqlite3.Connection, name: str, table: pa.Table, facet_columns: list[str]) -> None:
    """Create table `name` in SQLite holding `table`'s rows in order (rowid 1 is the first), with an
    index on each of index_columns. Values are stored as SQLite holds the base tables' (dates as ISO
    text, booleans as 0/1)."""
    columns = ", ".join(f"{field.name} {_sqlite_type(field.type)}" for field in table.schema)
    con.execute(f"CREATE TABLE {name} ({columns})")
    placeholders = ", ".join("?" for _ in table.column_names)
    values = [sqlite_values(table.column(i)) for i in range(table.num_columns)]
    con.executemany(f"INSERT INTO {name} VALUES ({placeholders})", zip(*values))
    for column in index_columns(table.schema, facet_columns):
        con.execute(f"CREATE INDEX {name}_{column}_idx ON {name} ({column})")
