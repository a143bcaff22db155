"""Write a build by patching the previous one: only the rows that changed are deleted and inserted.

When the previous build was written by the same code (the digest of WRITER_CODE and WRITER_DATA, kept in
its manifest) and only articles and annotations differ, its rucas.duckdb and rucas.db are copied into the staging folder
and patched instead of rewritten:

- For every table, the rows that are gone or changed are found by comparing the new table with the
  previous build's Parquet file (both sorted by key, same schema); a row whose parent row is replaced is
  replaced too, so that foreign keys hold at every step. Those rows are deleted (children first) and the
  new versions inserted (parents first); the full-text indexes are told of both.
- Parquet files of tables without any change are hard links to the previous build's (byte-identical to
  what a cold build writes, since the writer is deterministic), and their hashes come from its manifest.
- The materialised views are patched too: only the rows of the units (events, statements, articles,
  actors) that the changed rows touch are computed again, over their neighbourhood
  (rucas.build.write.patch_views); a view whose rows for them came out the same is left as it was.

Anything else (a reference file changed, other code, no previous build) is a cold build. The result is
the same content as a cold build of the same input (tests/test_incremental.py proves it).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from rucas.build.code_hash import code_digest
from rucas.build.write.duckdb_db import set_version
from rucas.build.write.manifest import ManifestError, read_manifest
from rucas.build.write.materialise import facet_columns, sqlite_store
from rucas.build.arrow_tables import article_rows, rows_having
from rucas.build.write.patch_views import ViewPatch, patch_views
from rucas.build.write.table_change import TableChange
from rucas.build.write.parquet import write_parquet
from rucas.queries import SqlFile
from rucas.schema import TableSpec, table_specs

WRITER_CODE = ("rucas.build.write", "rucas.build.review")
"""The code that decides what the written outputs hold (these modules, all the rucas modules they import, and
WRITER_DATA): a change to any of it makes the next build cold."""

WRITER_DATA = {"rucas.queries": ("views/*.sql",)}
"""The files besides modules that decide the written outputs: the views' SQL."""

PATCHABLE_INPUTS = ("articles/", "annotations/")
"""Inputs whose changes a build may patch in; a change anywhere else (reference/) makes it cold."""


def writer_digest() -> str:
    """A hash of the schema, writer, review and view code (and the package version): rucas.build.code_hash."""
    return code_digest(WRITER_CODE, WRITER_DATA)


@dataclass(frozen=True)
class Previous:
    """The published build a new one may patch: its folder and manifest."""

    build_dir: Path
    manifest: dict[str, object]
    changed_inputs: frozenset[str] = frozenset()
    """Paths (relative to the curated folder) of the inputs added, removed or changed since that build."""

    @property
    def changed_source_ids(self) -> set[str]:
        """The articles whose article or annotation file was added, removed or changed."""
        return {Path(path).stem for path in self.changed_inputs}

    def output_entries(self, paths: list[str]) -> dict[str, dict[str, object]]:
        """The previous manifest's entries (path, bytes, sha256) of those of `paths` it lists."""
        entries = {entry["path"]: entry for entry in self.manifest.get("outputs", [])}
        return {path: entries[path] for path in paths if path in entries}


def previous_build(output_dir: Path, inputs: list[dict[str, object]]) -> Previous | None:
    """The current build of output_dir if the new `inputs` may be patched into it, else None (build cold):
    it must exist whole, have been written by this writer code, and differ only in articles/annotations."""
    manifest_path = output_dir / "manifest.json"
    if not manifest_path.exists():
        return None
    build_dir = manifest_path.resolve().parent
    try:
        manifest = read_manifest(manifest_path)
    except ManifestError:  # a damaged previous build is not patched: the cold build replaces it
        return None
    if manifest.get("writer_sha256") != writer_digest():
        return None
    if not all((build_dir / name).exists() for name in ("rucas.db", "rucas.duckdb", "parquet")):
        return None
    before = {item["path"]: item["sha256"] for item in manifest.get("inputs", [])}
    after = {item["path"]: item["sha256"] for item in inputs}
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    if not all(path.startswith(PATCHABLE_INPUTS) for path in changed):
        return None
    return Previous(build_dir, manifest, frozenset(changed))


def _key_match(spec: TableSpec, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{name} IS NOT DISTINCT FROM {right}.{name}" for name in spec.primary_key)


def _read_rows_having(path: Path, conditions: list[tuple[str, pa.Array]]) -> pa.Table:
    """The rows of a Parquet file whose column is one of its values for any of `conditions` (column, values)."""
    clauses = [[(column, "in", values.to_pylist())] for column, values in conditions if len(values)]
    return pq.read_table(path, filters=clauses) if clauses else pq.read_schema(path).empty_table()


def table_changes(previous_parquet: Path, tables: dict[str, pa.Table], changed_articles: set[str]) -> dict[str, TableChange]:
    """For every table (in dependency order): the rows of the previous build to delete and the new rows
    to insert. A row is deleted if it is gone or differs, or if it refers to a deleted parent row (a
    replaced parent takes its children with it); the new version of every deleted row, and every new
    row, is inserted.

    Only the rows of `changed_articles` (source ids whose files changed: `sources` rows and the rows
    below them) and the reference tables are compared: every other article's rows are the same in both
    builds, since an article's rows come from its own two files and a patched build has the same
    reference files. Children of a replaced row are looked up in every article (a claim may be another
    article's)."""
    old_parts = article_rows(lambda spec, conditions: _read_rows_having(previous_parquet / f"{spec.name}.parquet",
                                                                         conditions), changed_articles)
    new_parts = article_rows(lambda spec, conditions: rows_having(tables[spec.name], conditions), changed_articles)
    con = duckdb.connect()
    changes: dict[str, TableChange] = {}
    try:
        for spec in table_specs():
            keys = ", ".join(spec.primary_key)
            path, new = previous_parquet / f"{spec.name}.parquet", tables[spec.name]
            old_part = old_parts[spec.name] if spec.name in old_parts else pq.read_table(path)  # reference: whole
            new_part = new_parts.get(spec.name, new)
            cascaded = [_read_rows_having(path, [(column.name, changes[column.references[0]].deleted
                                                  .column(column.references[1]).combine_chunks())])
                        for column in spec.columns if column.references and column.references[0] in changes]
            con.register("old", pa.concat_tables([old_part, *cascaded]) if cascaded else old_part)
            con.register("old_part", old_part)
            con.register("new_part", new_part)
            con.register("new", new)
            con.execute(f"CREATE TEMP TABLE deleted_{spec.name} AS SELECT {keys} FROM "
                        f"(SELECT * FROM old_part EXCEPT ALL SELECT * FROM new_part) "
                        + "".join(f" UNION SELECT {keys} FROM old WHERE {column.name} IN (SELECT "
                                  f"{column.references[1]} FROM deleted_{column.references[0]})"
                                  for column in spec.columns if column.references and column.references[0] in changes))
            deleted = con.sql(f"SELECT DISTINCT * FROM old WHERE EXISTS (SELECT 1 FROM deleted_{spec.name} d WHERE "
                              f"{_key_match(spec, 'd', 'old')}) ORDER BY {keys}").to_arrow_table()
            inserted = con.sql(
                f"SELECT * FROM new WHERE EXISTS (SELECT 1 FROM deleted_{spec.name} d WHERE "
                f"{_key_match(spec, 'd', 'new')}) UNION SELECT * FROM new_part WHERE NOT EXISTS (SELECT 1 FROM "
                f"old_part WHERE {_key_match(spec, 'old_part', 'new_part')}) ORDER BY {keys}").to_arrow_table()
            changes[spec.name] = TableChange(spec, deleted.cast(old_part.schema), inserted.cast(new.schema))
            for name in ("old", "old_part", "new_part", "new"):
                con.unregister(name)
    finally:
        con.close()
    return changes


def link_or_write_parquet(previous_parquet: Path, tables: dict[str, pa.Table], changes: dict[str, TableChange],
                          directory: Path) -> list[str]:
    """Write the Parquet files of changed tables; hard-link (or copy) the previous file of each unchanged
    one. Returns the names of the unchanged tables."""
    directory.mkdir(parents=True, exist_ok=True)
    kept = [name for name, change in changes.items() if change.empty]
    for name in kept:
        try:
            os.link(previous_parquet / f"{name}.parquet", directory / f"{name}.parquet")
        except OSError:
            shutil.copyfile(previous_parquet / f"{name}.parquet", directory / f"{name}.parquet")
    write_parquet({name: table for name, table in tables.items() if name not in kept}, directory)
    return kept


def _ordered(changes: dict[str, TableChange]) -> list[TableChange]:
    return [change for change in changes.values() if not change.empty]


def patch_duckdb(path: Path, changes: dict[str, TableChange], views: list[SqlFile],
                 lap: Callable[[str], None] = lambda stage: None) -> list[ViewPatch]:
    """Apply `changes` to the copied DuckDB file at `path` (children deleted first, parents inserted
    first) and patch the materialised views (rucas.build.write.patch_views); return how each view that
    changed changes."""
    from rucas.build.write.duckdb_db import comment_views

    con = duckdb.connect(str(path))
    try:
        con.execute("SET threads = 2")
        for change in reversed(_ordered(changes)):
            con.register("deleted", change.deleted)
            con.execute(f"DELETE FROM {change.spec.name} WHERE EXISTS (SELECT 1 FROM deleted WHERE "
                        f"{_key_match(change.spec, 'deleted', change.spec.name)})")
            con.unregister("deleted")
        for change in _ordered(changes):
            columns = ", ".join(change.spec.column_names)
            con.register("incoming", change.inserted)
            con.execute(f"INSERT INTO {change.spec.name} ({columns}) SELECT {columns} FROM incoming")
            con.unregister("incoming")
        lap("patch")
        patches = patch_views(con, _ordered(changes), views)
        comment_views(con, [patch.view for patch in patches])
        con.execute("CHECKPOINT")
        lap("patch views")
        return patches
    finally:
        con.close()


def patch_sqlite(path: Path, changes: dict[str, TableChange], patches: list[ViewPatch],
                 lap: Callable[[str], None] = lambda stage: None) -> None:
    """Apply `changes` to the copied SQLite file at `path`, keeping the full-text indexes in step, and
    the view `patches` (rows replaced in place, or the view's table written again)."""
    from rucas.build.write.sqlite_db import index_rows, unindex_rows
    from rucas.build.write.sqlite_values import sqlite_values

    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute("BEGIN")
        for change in reversed(_ordered(changes)):
            spec = change.spec
            where = " AND ".join(f"t.{name} IS ?" for name in spec.primary_key)
            keys = list(zip(*(sqlite_values(change.deleted.column(name)) for name in spec.primary_key)))
            if spec.display.full_text:
                unindex_rows(con, spec, where, keys)
            con.executemany(f"DELETE FROM {spec.name} AS t WHERE {where}", keys)
        for change in _ordered(changes):
            spec = change.spec
            placeholders = ", ".join("?" for _ in spec.column_names)
            rows = list(zip(*(sqlite_values(change.inserted.column(name)) for name in spec.column_names)))
            con.executemany(f"INSERT INTO {spec.name} ({', '.join(spec.column_names)}) VALUES ({placeholders})",
                            rows)
            if spec.display.full_text:
                where = " AND ".join(f"t.{name} IS ?" for name in spec.primary_key)
                positions = [spec.column_names.index(name) for name in spec.primary_key]
                index_rows(con, spec, where, [tuple(row[i] for i in positions) for row in rows])
        lap("patch")
        for patch in patches:
            name = patch.view.name
            if patch.in_place:  # the same places: rowid k stays row k of the view
                con.executemany(f"DELETE FROM {name} WHERE rowid = ?", [(k,) for k in patch.old_positions])
                columns = patch.rows.column_names
                values = [sqlite_values(patch.rows.column(i)) for i in range(patch.rows.num_columns)]
                con.executemany(f"INSERT INTO {name} (rowid, {', '.join(columns)}) "
                                f"VALUES (?, {', '.join('?' for _ in columns)})", zip(patch.new_positions, *values))
            else:
                con.execute(f"DROP TABLE {name}")
                sqlite_store(con, name, patch.rows, facet_columns(patch.view))
        con.execute("COMMIT")
        problems = con.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"foreign key check failed in the patched SQLite file: {problems[:5]}")
        for name in [change.spec.name for change in _ordered(changes)] + [p.view.name for p in patches if not p.in_place]:
            con.execute(f"ANALYZE {name}")
        lap("patch views")
    finally:
        con.close()


@dataclass
class Patched:
    """What patching wrote: the manifest entries (path, bytes, sha256) of the output files taken over
    unchanged, and how each materialised view that changed was patched ("in place" or "rewritten")."""

    outputs: dict[str, dict[str, object]]
    views: dict[str, str]


def write_patched(previous: Previous, tables: dict[str, pa.Table], staging: Path, views: list[SqlFile],
                  version: str, lap: Callable[[str], None] = lambda stage: None) -> Patched:
    """Write Parquet, rucas.duckdb and rucas.db into `staging` by patching `previous` (rucas.duckdb
    then answers `rucas_version()` with `version`); say what was taken over and how the views changed. `lap` is told when each step is done: "diff" (finding the
    changed rows), "copy" (Parquet, and the previous databases copied), "patch" (their tables) and
    "patch views" (the materialised views)."""
    changes = table_changes(previous.build_dir / "parquet", tables, previous.changed_source_ids)
    lap("diff")
    kept = link_or_write_parquet(previous.build_dir / "parquet", tables, changes, staging / "parquet")
    shutil.copyfile(previous.build_dir / "rucas.duckdb", staging / "rucas.duckdb")
    shutil.copyfile(previous.build_dir / "rucas.db", staging / "rucas.db")
    lap("copy")
    patches: list[ViewPatch] = []
    if any(not change.empty for change in changes.values()):
        patches = patch_duckdb(staging / "rucas.duckdb", changes, views, lap)
        patch_sqlite(staging / "rucas.db", changes, patches, lap)
    con = duckdb.connect(str(staging / "rucas.duckdb"))
    try:
        set_version(con, version)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return Patched(previous.output_entries([f"parquet/{name}.parquet" for name in kept]),
                   {patch.view.name: "in place" if patch.in_place else "rewritten" for patch in patches})
