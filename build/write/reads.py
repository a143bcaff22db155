"""What a query reads, column by column, and whether a patch changed any of it: a patched build computes a
whole-corpus query again (a panel view, a page figure, a dashboard chart) only when it did.

SQLite says what a statement reads while it prepares it: its authorizer is asked once for every column of
every table the statement (and every view it reads, expanded) reads, and once with an empty column name
for a table read without any column (`count(*)`). The statement is prepared (EXPLAIN), never run. A query
whose tables kept their rows (no key added or removed) and whose read columns kept their values gives the
rows it gave: nothing it reads differs. DuckDB's views are the same SQL files as SQLite's `<name>_live`
views, so the latter say what the former read.

A table the patch does not describe (a full-text index, anything but the schema's tables and the
materialised views) counts as changed: the query is computed again. Two things the authorizer does not
report are taken as the worst case (tests/test_reads.py shows both):

- a join by USING (...) or NATURAL: SQLite 3.40 reports neither side's join column, and nothing at all of
  `count(*) FROM a JOIN b USING (k)`; a query with one (or reading a view with one) reads UNKNOWN, which no
  patch describes;
- a table's rowid (reported as the column ROWID): a patch deletes and inserts rows, so their rowids change
  even where no value does; a query reading it is affected by any change to its table.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping

from rucas.build.write.table_change import Changed

Reads = dict[str, frozenset[str]]
"""The columns a query reads, by table ("" among them: the table is read for its rows alone)."""

UNKNOWN: Reads = {"(a join SQLite does not report)": frozenset({""})}
"""What a query reads when SQLite's authorizer cannot tell (USING or NATURAL joins): a table no patch describes."""

_UNREPORTED_JOIN = re.compile(r"\bUSING\s*\(|\bNATURAL\s+(?:LEFT\s+|RIGHT\s+|FULL\s+|INNER\s+|CROSS\s+)?(?:OUTER\s+)?JOIN\b",
                              re.IGNORECASE)

ROWID = "ROWID"
"""How the authorizer names a read of a table's rowid (rowid, oid or _rowid_)."""


def columns_read(con: sqlite3.Connection, sql: str) -> Reads:
    """Every table of `con` that `sql` reads, through any view, with the columns it reads (SQLite's
    authorizer, asked while the statement is prepared; the statement is not run). Views themselves are
    left out: the tables under them are listed. A statement, or a view it reads, with a join SQLite does not
    report (USING, NATURAL) reads UNKNOWN."""
    views = dict(con.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'view'").fetchall())
    if any(_UNREPORTED_JOIN.search(text) for text in [sql, *(views[name] for name in _views_named(sql, views))]):
        return dict(UNKNOWN)
    found: dict[str, set[str]] = {}

    def authorize(action: int, table: str | None, column: str | None, _database: str | None,
                  _inner: str | None) -> int:
        if action == sqlite3.SQLITE_READ and table is not None and table not in views:
            found.setdefault(table, set()).add(column or "")
        return sqlite3.SQLITE_OK

    con.set_authorizer(authorize)
    try:
        con.execute(f"EXPLAIN {sql.strip().rstrip(';')}").fetchall()
    finally:
        con.set_authorizer(None)
    return {table: frozenset(columns) for table, columns in found.items()}


def _views_named(sql: str, views: Mapping[str, str]) -> set[str]:
    """The views whose names `sql` holds as words, and the views those name, and so on (a superset of the views
    it reads: the authorizer may report nothing of a view read through a USING join)."""
    named: set[str] = set()
    pending = [sql]
    while pending:
        text = pending.pop()
        for name in views:
            if name not in named and re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE):
                named.add(name)
                pending.append(views[name] or "")
    return named


def affected(reads: Reads, changed: Mapping[str, Changed], described: Iterable[str]) -> bool:
    """Whether a query that reads `reads` may give other rows after a patch that changed `changed` (by table):
    it reads a table whose rows came or went, a column whose values changed, the rowid of a table with any
    change, or a table not `described` (whose changes the patch does not list)."""
    known = set(described)
    for table, columns in reads.items():
        if table not in known:
            return True
        change = changed.get(table)
        if change is not None and (change.rows or columns & change.columns or ROWID in columns):
            return True
    return False
