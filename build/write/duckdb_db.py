"""Load the published tables into a DuckDB database with keys, comments and the prepared views."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from rucas.build.write.views import create_views
from rucas.queries import SqlFile
from rucas.schema import table_specs
from rucas.schema.derive import duckdb_comments, duckdb_ddl, sql_literal


def write_duckdb(tables: dict[str, pa.Table], path: Path, views: list[SqlFile]) -> None:
    """Create `path` (which must not exist) holding every table, its comments and the views."""
    con = duckdb.connect(str(path))
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
        con.execute("CHECKPOINT")
    finally:
        con.close()
