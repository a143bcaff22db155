"""Count, at build time, the values of every facet that an unfiltered Datasette page shows, into the table
_facet_counts of rucas.db, so that such a page reads a few rows instead of counting every row of its table.

One row per (table or view, facet column, value): how many rows of the table hold the value, as Datasette
counts a column facet (`select col as value, count(*) ... where col is not null group by col`); a value
that no row holds has no row. The Datasette plugin datasette_plugins/rucas_facet_counts.py answers the
facets of an unfiltered page from it, in Datasette's order (`count desc, value`), and leaves every filtered
page (a filter, a search, `_where`, a page after the first) to Datasette.

Cold builds count every faceted table and materialised view (write_facet_counts). A patched build
(patch_facet_counts) moves only the counts its patch changed: in a changed table, and in a view patched in
place, each value's count by how many more of its inserted rows hold the value than of its deleted ones (the
deleted rows were counted, the inserted ones were not); a view written again is counted again whole. The
patched table equals the cold one (tests/test_incremental.py, tests/test_facet_counts.py).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable

from rucas.build.write.materialise import facet_columns
from rucas.build.write.patch_views import ViewPatch
from rucas.build.write.sqlite_values import sqlite_values
from rucas.build.write.table_change import TableChange
from rucas.queries import SqlFile
from rucas.schema import table_specs

FACET_COUNTS = "_facet_counts"
"""The table of precomputed facet counts (hidden from the site's lists: publish/metadata.py)."""

FACET_COUNTS_DDL = (
    f"CREATE TABLE {FACET_COUNTS} (table_name TEXT NOT NULL, column_name TEXT NOT NULL, value NOT NULL, "
    "count INTEGER NOT NULL, PRIMARY KEY (table_name, column_name, value)) WITHOUT ROWID",
    f"CREATE INDEX {FACET_COUNTS}_order ON {FACET_COUNTS} (table_name, column_name, count DESC, value)",
)
"""The table (`value` without a type, so that each value keeps the type it has in its table and sorts as
it does there) and the index that lists a facet's values in the order a page shows them."""


def faceted_columns(con: sqlite3.Connection, views: Iterable[SqlFile]) -> dict[str, list[str]]:
    """Every table with facets (Display.facets in schema/tables.py) and every materialised view of `views`
    with facet columns (materialise.facet_columns, those its table has): the columns counted for each."""
    relations = {spec.name: list(spec.display.facets) for spec in table_specs() if spec.display.facets}
    for view in views:
        columns = {row[1] for row in con.execute(f'PRAGMA table_info("{view.name}")')}
        if counted := [column for column in facet_columns(view) if column in columns]:
            relations[view.name] = counted
    return relations


def _count_sql(name: str, column: str, where: str) -> str:
    """The query that counts a column's values (those `where` selects) into _facet_counts: Datasette's own."""
    return (f"INSERT INTO {FACET_COUNTS} (table_name, column_name, value, count) "
            f'SELECT ?, ?, "{column}", count(*) FROM "{name}" WHERE {where} GROUP BY "{column}"')


def count_facets(con: sqlite3.Connection, relations: dict[str, list[str]]) -> None:
    """Replace the counts of each relation of `relations` by counting its columns' values now."""
    for name, columns in relations.items():
        con.execute(f"DELETE FROM {FACET_COUNTS} WHERE table_name = ?", (name,))
        for column in columns:
            con.execute(_count_sql(name, column, f'"{column}" IS NOT NULL'), (name, column))


def shift_counts(con: sqlite3.Connection, name: str, column: str, removed: Iterable[object],
                 added: Iterable[object]) -> None:
    """Bring the counts of one column in step with rows removed from and added to its table: each value's count
    moves by how many more added rows hold it than removed ones (a value no row holds any more loses its row,
    a value new to the column gets one). The removed rows were counted before, so the counts stay Datasette's,
    and only the changed rows are read, however many rows hold their values."""
    moved = Counter(value for value in added if value is not None)
    moved.subtract(value for value in removed if value is not None)
    for value, by in moved.items():
        if by == 0:
            continue
        key = (name, column, value)
        updated = con.execute(f"UPDATE {FACET_COUNTS} SET count = count + ? WHERE table_name = ? AND column_name = ? "
                              "AND value = ?", (by, *key)).rowcount
        if not updated:
            con.execute(f"INSERT INTO {FACET_COUNTS} (table_name, column_name, value, count) VALUES (?, ?, ?, ?)",
                        (*key, by))
    con.executemany(f"DELETE FROM {FACET_COUNTS} WHERE table_name = ? AND column_name = ? AND value = ? "
                    "AND count <= 0", [(name, column, value) for value, by in moved.items() if by < 0])


def write_facet_counts(con: sqlite3.Connection, views: Iterable[SqlFile]) -> None:
    """Create _facet_counts in a new database and count every facet of its tables and materialised views."""
    for statement in FACET_COUNTS_DDL:
        con.execute(statement)
    count_facets(con, faceted_columns(con, views))


def patch_facet_counts(con: sqlite3.Connection, changes: dict[str, TableChange], patches: list[ViewPatch]) -> None:
    """Bring _facet_counts in step with a patch, after `changes` and `patches` were applied: in each changed
    table, and in each view patched in place, move the counts of the values its replaced and new rows hold
    (shift_counts); count again, whole, each view written again (which values its old rows held is not kept).
    Every other count stays as it was."""
    for change in changes.values():
        for column in change.spec.display.facets:
            shift_counts(con, change.spec.name, column, sqlite_values(change.deleted.column(column)),
                         sqlite_values(change.inserted.column(column)))
    for patch in [patch for patch in patches if patch.old_rows is not None and patch.rows is not None]:
        for column in faceted_columns(con, [patch.view]).get(patch.view.name, []):
            shift_counts(con, patch.view.name, column, sqlite_values(patch.old_rows.column(column)),
                         sqlite_values(patch.rows.column(column)))
    rewritten = {patch.view.name: patch.view for patch in patches if patch.old_rows is None}
    count_facets(con, {name: columns for name, columns in faceted_columns(con, rewritten.values()).items()
                       if name in rewritten})  # the tables' counts were moved above: not counted again whole
