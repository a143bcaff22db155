"""Load the published tables into a DuckDB database with keys, comments and the prepared views (live and
materialised, see rucas.build.write.materialise)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb
import pyarrow as pa

from rucas.build.write.materialise import duckdb_materialise, live_name
from rucas.build.write.views import create_views
from rucas.queries import SqlFile
from rucas.schema import table_specs
from rucas.schema.derive import duckdb_comments, duckdb_ddl, sql_literal

STORAGE_COMPATIBILITY_VERSION = "v1.5.0"
"""The oldest DuckDB release whose file format rucas.duckdb is written in: DuckDB 1.5 and later (the 1.5
CLI users install from the package registries, and the 2.x the package uses) open it."""


MEMORY_LIMIT = "1GB"
"""What DuckDB may hold in memory while it loads the tables and computes the views; beyond it, joins,
aggregates and sorts spill to spill_directory (so a large corpus costs disk, not memory)."""

PATCH_MEMORY_LIMIT = "512MB"
"""What DuckDB may hold while a patched build patches rucas.duckdb (rucas.build.write.incremental). It was chosen when
its largest query computed request_episodes again whole (the view has had a unit since, and is patched by article):
at 100,000 articles that took 1.55 s and 856 MiB of the process with 1GB, 1.85 s and 629 MiB with 600MB, 2.58 s and
466 MiB with 400MB (with the view's later SQL, 1.56 s and 785 MiB with 1GB, 2.10 s and 567 MiB with 512MB); with
512MB a rebuild's patch of the views peaked some 250-300 MiB lower (1,291-1,345 -> 1,038 MiB). Its largest queries
now move the views ordered by date and compute the panels again, when an edit changes an event's date or type."""


def spill_directory(path: Path) -> Path:
    """Where DuckDB spills while writing the database `path`: a folder beside it, <path>.tmp, removed when
    the database is written (it is never published)."""
    return path.with_name(f"{path.name}.tmp")


def connect(path: Path, read_only: bool = False, memory_limit: str = MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    """A connection to the database `path` (created if missing and not `read_only`) using 2 threads and at
    most `memory_limit` of memory, spilling to spill_directory(path), without DuckDB's progress bar."""
    config = {"threads": 2, "memory_limit": memory_limit, "temp_directory": str(spill_directory(path))}
    if read_only:
        return without_progress_bar(duckdb.connect(str(path), read_only=True, config=config))
    written = {"storage_compatibility_version": STORAGE_COMPATIBILITY_VERSION}
    return without_progress_bar(duckdb.connect(str(path), config=config | written))


def without_progress_bar(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """`con`, its progress bar turned off: a build's queries that take over 2 s drew DuckDB's bar on standard
    output, among the build's own report of its stages on standard error."""
    con.execute("SET enable_progress_bar = false")
    return con


def set_version(con: duckdb.DuckDBPyConnection, version: str) -> None:
    """Make `SELECT rucas_version()` return the dataset version in this database."""
    con.execute(f"CREATE OR REPLACE MACRO rucas_version() AS {sql_literal(version)}")


def write_duckdb(tables: Mapping[str, pa.Table], path: Path, views: list[SqlFile],
                 version: str | None = None, lap: Callable[[str], None] = lambda stage: None) -> None:
    """Create `path` (which must not exist) holding every table, its comments, each view's live SQL as
    the view <name>_live and its rows as the table <name> (which write_sqlite copies from it), and with a
    version the macro rucas_version() returning it (`SELECT rucas_version()`). DuckDB holds at most
    MEMORY_LIMIT, spilling beyond it to spill_directory(path), which is removed before this returns. `lap`
    is told when the tables ("duckdb") and the views ("duckdb views") are done."""
    con = connect(path)
    try:
        for spec in table_specs():
            con.execute(duckdb_ddl(spec))
            for statement in duckdb_comments(spec):
                con.execute(statement)
            arrow = tables[spec.name]
            con.register("incoming", arrow)
            columns = ", ".join(spec.column_names)
            con.execute(f"INSERT INTO {spec.name} ({columns}) SELECT {columns} FROM incoming")
            con.unregister("incoming")
        create_views(con.execute, views, (duckdb.Error,), name=live_name)
        lap("duckdb")
        duckdb_materialise(con, views)
        comment_views(con, views)
        if version:
            set_version(con, version)
        con.execute("CHECKPOINT")
        lap("duckdb views")
    finally:
        con.close()
        shutil.rmtree(spill_directory(path), ignore_errors=True)


def comment_views(con: duckdb.DuckDBPyConnection, views: list[SqlFile]) -> None:
    """Give each view's table and live view its file's description (COMMENT ON)."""
    for view in views:
        con.execute(f"COMMENT ON TABLE {view.name} IS {sql_literal(view.description)}")
        con.execute(f"COMMENT ON VIEW {live_name(view)} IS "
                    f"{sql_literal(f'{view.description} (Live: recomputed from the tables on every read.)')}")
