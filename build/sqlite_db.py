"""Load the published tables into the SQLite database that Datasette serves: keys, views and FTS5."""

from __future__ import annotations

import datetime
import sqlite3
from pathlib import Path

import pyarrow as pa

from rucas.build.views import create_views
from rucas.queries import SqlFile
from rucas.schema import table_specs
from rucas.schema.derive import sqlite_ddl

FULL_TEXT: dict[str, tuple[str, ...]] = {
    "sources": ("title", "text"),
    "statements": ("evidence", "speaker_title"),
    "events": ("summary", "evidence"),
}
"""Tables with a full-text index (FTS5, external content) and the columns it covers."""


def _sqlite_value(value: object) -> object:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def write_sqlite(tables: dict[str, pa.Table], path: Path, views: list[SqlFile]) -> None:
    """Create `path` (which must not exist) with every table, its full-text indexes and the views."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute("PRAGMA foreign_keys = ON")
        con.execute("BEGIN")
        for spec in table_specs():
            con.execute(sqlite_ddl(spec))
            table = tables[spec.name]
            placeholders = ", ".join("?" for _ in spec.column_names)
            columns = [table.column(name).to_pylist() for name in spec.column_names]
            rows = ([_sqlite_value(v) for v in row] for row in zip(*columns)) if columns else iter(())
            con.executemany(f"INSERT INTO {spec.name} ({', '.join(spec.column_names)}) VALUES ({placeholders})", rows)
        for table, columns in FULL_TEXT.items():
            names = ", ".join(columns)
            con.execute(f"CREATE VIRTUAL TABLE {table}_fts USING fts5({names}, content='{table}', "
                        "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')")
            con.execute(f"INSERT INTO {table}_fts (rowid, {names}) SELECT rowid, {names} FROM {table}")
            con.execute(f"INSERT INTO {table}_fts ({table}_fts) VALUES ('optimize')")
        create_views(con.execute, views, (sqlite3.Error,))
        con.execute("COMMIT")
        problems = con.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"foreign key check failed in SQLite: {problems[:5]}")
        con.execute("ANALYZE")
        con.execute("VACUUM")
    finally:
        con.close()
