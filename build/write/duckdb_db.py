"""Load the published tables into a DuckDB database with keys, comments and the prepared views."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from rucas.build.write.views import create_views
from rucas.queries import SqlFile
from rucas.schema import table_specs
from rucas.schema.derive import duckdb_comments, duckdb_ddl, sql_literal

STORAGE_COMPATIBILITY_VERSION = "v1.5.0"
"""The oldest DuckDB release whose file format rucas.duckdb is written in: DuckDB 1.5 and later (the 1.5
CLI users install from the package registries, and the 2.x the package uses) open it."""


def write_duckdb(tables: dict[str, pa.Table], path: Path, views: list[SqlFile], version: str | None = None) -> None:
    """Create `path` (which must not exist) holding every table, its comments and the views, and with a
    version, the macro rucas_version() returning it (`SELECT rucas_version()`)."""
    con = duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_COMPATIBILITY_VERSION})
    try:
        con.execute("SET threads = 2")
        for spec in table_specs():
            con.execute(duckdb_ddl(spec))
            for statement in duckdb_comments(spec):
                con.execute(statement)
            arrow = tables[spec.name]
            con.register("incoming", arrow)
            columns = ", ".join(spec.column_names)
            con.execute(f"INSERT INTO {spec.name} ({columns}) SELECT {columns} FROM incoming")
            con.unregister("incoming")
        create_views(con.execute, views, (duckdb.Error,))
        for view in views:
            con.execute(f"COMMENT ON VIEW {view.name} IS {sql_literal(view.description)}")
        if version:
            con.execute(f"CREATE MACRO rucas_version() AS {sql_literal(version)}")
        con.execute("CHECKPOINT")
    finally:
        con.close()
