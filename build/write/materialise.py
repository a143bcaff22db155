"""Materialise the prepared views: compute each once, from its file in queries/views, into an indexed table.

In both databases a view's rows are stored as a table under the view's own name (what Datasette serves,
sortable, facetable and counted, and what `rucas.load` reads), and the file's SQL stays there as a live
view named `<name>_live` (LIVE_SUFFIX) that anyone can run to recompute it from the tables. DuckDB runs
the SQL once, at build time (it is several times faster than SQLite on every view); SQLite receives the
same rows, read from the finished DuckDB file in batches (view_batches), so that no view is ever held
whole in memory. Rows are stored in the view's own ORDER BY order, so a table read in rowid order
(Datasette's default for a table without a primary key) lists them as the view does.

In rucas.db the rowids of a view's table are spaced ROWID_STEP apart (row k at rowid k * ROWID_STEP), so that a
patched build puts a row that moves between its new neighbours without renumbering the others
(rucas.build.write.incremental.place_rows). A rowid is therefore a place in the order, not a row number: what a
reader sees of a row is its key (the site never shows a view's rowid).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import duckdb
import pyarrow as pa

from rucas.build.write.sqlite_values import BATCH_ROWS, batches, sqlite_values
from rucas.schema import table_specs
from rucas.queries import SqlFile, view_files

ROWID_STEP = 1 << 16
"""The gap between the rowids of consecutive rows of a view's table in rucas.db as written whole (by a cold
build, or a patched build that writes the view again): row k at rowid k * ROWID_STEP. Sixteen rows can be put
between two neighbours one at a time, each halving the gap, before the table is numbered again; 1.7 million rows
(alliance_context at 100,000 articles) reach rowid 1.1e11, a six-byte integer in each row and index entry."""

LIVE_SUFFIX = "_live"
"""A view's live SQL is the view `<name>_live`; its materialised rows are the table `<name>`."""


def live_name(view: SqlFile) -> str:
    """The name of the live (recomputed on every read) view of a prepared view."""
    return f"{view.name}{LIVE_SUFFIX}"


def duckdb_materialise(con: duckdb.DuckDBPyConnection, views: Iterable[SqlFile]) -> None:
    """Create the table <name> from the live view <name>_live for every view (which must exist in `con`),
    its rows in the view's order."""
    for view in views:
        con.execute(f"CREATE TABLE {view.name} AS SELECT * FROM {live_name(view)}")


def view_batches(con: duckdb.DuckDBPyConnection, view: SqlFile) -> pa.RecordBatchReader:
    """The rows of the view's table in `con` (made by duckdb_materialise), in its stored order, as a
    stream of Arrow batches of at most BATCH_ROWS rows each: only the batch being read is in memory."""
    return con.sql(f"SELECT * FROM {view.name}").to_arrow_reader(BATCH_ROWS)


def _sqlite_type(kind: pa.DataType) -> str:
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        return "INTEGER"
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "REAL"
    return "TEXT"


def facet_columns(view: SqlFile) -> list[str]:
    """The columns of a view offered as facets: those its file names (`-- facets:`), then those named like a
    table's facet column (each table's Display in schema/tables.py). Each gets an index in its table
    (index_columns)."""
    named_like = {column for spec in table_specs() for column in spec.display.facets}
    return list(view.facets) + sorted(named_like - set(view.facets))


NEWEST_FIRST = "date_earliest"
"""The column a reader sorts a page by newest first (the tables' index on it: sqlite_db.index_columns)."""


def order_terms(view: SqlFile) -> list[tuple[str, bool]]:
    """The plain columns the view's order (`-- order:`) begins with, each with whether it is descending, up to
    the first term that is an expression (a CASE) rather than a column."""
    terms: list[tuple[str, bool]] = []
    for term in view.order.split(","):
        words = term.split()
        if not words or not words[0].isidentifier() or (len(words) > 1 and words[1].upper() not in ("ASC", "DESC",
                                                                                                   "NULLS")):
            break
        terms.append((words[0], len(words) > 1 and words[1].upper() == "DESC"))
    return terms


def index_columns(view: SqlFile, schema: pa.Schema, facet_columns: list[str]) -> list[str]:
    """The columns of a view's table that a page or a query finds or sorts its rows by, in column order; each
    gets an index (view_indexes):

    - the first column of its key (`-- key:`): a row's own page is the view filtered to its key
      (site_plugin.record_url), which SQLite finds through that index and narrows among the few rows of that
      value, and other pages link to a view filtered by it (an actor's page to actor_activity?actor_id=);
    - its facets (facet_columns): a facet's link filters the page by it, and a filtered page counts them;
    - date_earliest, newest first, as on the tables;
    - the first column of its order: a canned query that reads the view in its order (events_during reads
      event_dates by best_date) takes the rows from that index instead of sorting all of them.

    Counts, other dates, codes, the key's other columns and other ids are left unindexed: no page or query
    filters or sorts by them (a reader who sorts a page by one makes SQLite read the table), and their
    indexes cost most of the time of writing the views at 100,000 articles."""
    wanted = {*view.key[:1], *facet_columns, NEWEST_FIRST, *[column for column, _ in order_terms(view)[:1]]}
    return [field.name for field in schema if field.name in wanted]


def view_indexes(view: SqlFile, schema: pa.Schema, facet_columns: list[str]) -> list[list[str]]:
    """The indexes of a view's table, each as the terms it holds (the first names it: `<view>_<column>_idx`): one
    on each of its index_columns. When the view's file names columns the index of its order covers
    (`-- covers:`), the index on the first column of its order holds all the order's columns, then those: a query
    that reads the view in its order and filters by them (events_during, by an event's date bounds) tests each
    row in the index and looks up only the rows it keeps. At 100,000 articles events_during's example (a period
    after 231,588 earlier events) took 126 ms with an index of best_date alone and 66 ms with this one, in a file
    holding event_dates only; its page took 160 ms and 93 ms (medians, benchmarks/NOTES.md)."""
    columns = set(schema.names)
    missing = [column for column in view.covers if column not in columns]
    if missing:
        raise ValueError(f"{view.path.name}: `-- covers:` names {', '.join(missing)}, which the view has no "
                         f"column of; name columns of its output")
    order = order_terms(view)
    if view.covers and not order:
        raise ValueError(f"{view.path.name}: `-- covers:` needs an order that begins with a column "
                         f"(`-- order: column, ...`); this view's is {view.order!r}")
    indexes = [[column] for column in index_columns(view, schema, facet_columns)]
    if view.covers:
        ordered = [column for column, _ in order]
        held = [column + (" DESC" if descending else "") for column, descending in order]
        held += [column for column in view.covers if column not in ordered]
        indexes = [held if index == ordered[:1] else index for index in indexes]
    return indexes


def view_named(name: str) -> SqlFile:
    """The prepared view of queries/views called `name`."""
    (view,) = [view for view in view_files() if view.name == name]
    return view


def sqlite_store(con: sqlite3.Connection, name: str, rows: pa.Table | pa.RecordBatchReader,
                 facet_columns: list[str]) -> None:
    """Create the table of the view `name` in SQLite holding `rows` in order (row k at rowid k * ROWID_STEP), with
    its view_indexes (given its `facet_columns`). `rows` is a whole Arrow table or a
    stream of batches (view_batches); either way they are inserted a batch at a time. Values are stored as
    SQLite holds the base tables' (dates as ISO text, booleans as 0/1)."""
    columns = ", ".join(f"{field.name} {_sqlite_type(field.type)}" for field in rows.schema)
    con.execute(f"CREATE TABLE {name} ({columns})")
    insert = (f"INSERT INTO {name} (rowid, {', '.join(rows.schema.names)}) "
              f"VALUES (?, {', '.join('?' for _ in rows.schema)})")
    stored = 0
    for batch in batches(rows):
        rowids = range((stored + 1) * ROWID_STEP, (stored + batch.num_rows + 1) * ROWID_STEP, ROWID_STEP)
        con.executemany(insert, zip(rowids, *(sqlite_values(column) for column in batch.columns)))
        stored += batch.num_rows
    for terms in view_indexes(view_named(name), rows.schema, facet_columns):
        con.execute(f"CREATE INDEX {name}_{terms[0].split()[0]}_idx ON {name} ({', '.join(terms)})")
