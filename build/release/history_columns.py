"""Write the row history (first_release, last_changed_release) into a release folder being made.

The build leaves both columns null; the release fills them from its Ledger (rucas.build.release.history)
in each copy of the tables: the Parquet files (written as the build writes them, so byte-reproducible),
rucas.db (UPDATE, then VACUUM: the updated rows leave free pages) and rucas.duckdb. The files that describe them
follow: manifest.json's entries of the rewritten files and of links to them, and datasette/inspect-data.json's hash,
size and row counts of rucas.db.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from rucas.build.release.history import Ledger, history_tables
from rucas.build.write.manifest import NOT_REPRODUCIBLE, file_sha256, manifest_text
from rucas.build.write.parquet import write_parquet
from rucas.schema import TableSpec

INSPECT_DATA = "datasette/inspect-data.json"


def _history_values(ledger: Ledger, spec: TableSpec, ids: list[str]) -> tuple[list[str | None], list[str | None]]:
    records = ledger.rows.get(spec.name, {})
    first = [records[row_id].first_release if row_id in records else None for row_id in ids]
    last = [records[row_id].last_changed_release if row_id in records else None for row_id in ids]
    return first, last


def _with_history(table: pa.Table, first: list[str | None], last: list[str | None]) -> pa.Table:
    for name, values in (("first_release", first), ("last_changed_release", last)):
        index = table.schema.get_field_index(name)
        field = table.schema.field(index)
        table = table.set_column(index, field, pa.array(values, type=field.type))
    return table


def _write_parquet_files(folder: Path, ledger: Ledger) -> dict[str, list[tuple[str | None, str | None, str]]]:
    """Rewrite each traced table's Parquet file; return per table the (first, last, id) rows for the databases."""
    updates = {}
    for spec in history_tables():
        path = folder / "parquet" / f"{spec.name}.parquet"
        table = pq.read_table(path)
        (key,) = spec.primary_key
        ids = table.column(key).to_pylist()
        first, last = _history_values(ledger, spec, ids)
        write_parquet({spec.name: _with_history(table, first, last)}, path.parent)
        updates[spec.name] = list(zip(first, last, ids))
    return updates


def _update_sqlite(database: Path, updates: dict[str, list[tuple[str | None, str | None, str]]]) -> None:
    con = sqlite3.connect(database, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("BEGIN")
        for spec in history_tables():
            (key,) = spec.primary_key
            con.executemany(f"UPDATE {spec.name} SET first_release = ?, last_changed_release = ? WHERE {key} = ?",
                            updates[spec.name])
        con.execute("COMMIT")
        con.execute("VACUUM")
    finally:
        con.close()


def _update_duckdb(database: Path, updates: dict[str, list[tuple[str | None, str | None, str]]]) -> None:
    con = duckdb.connect(str(database))
    try:
        for spec in history_tables():
            (key,) = spec.primary_key
            rows = updates[spec.name]
            incoming = pa.table({"first_release": pa.array([r[0] for r in rows], pa.string()),
                                 "last_changed_release": pa.array([r[1] for r in rows], pa.string()),
                                 "row_id": pa.array([r[2] for r in rows], pa.string())})
            con.register("incoming", incoming)
            con.execute(f"UPDATE {spec.name} SET first_release = incoming.first_release, "
                        f"last_changed_release = incoming.last_changed_release FROM incoming "
                        f"WHERE {spec.name}.{key} = incoming.row_id")
            con.unregister("incoming")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _rehash(folder: Path, changed: list[str]) -> None:
    """Give inspect-data.json rucas.db's new hash, size and row counts (counted again: the release's rucas.db is
    written anew, and its full-text indexes' shadow tables need not have the build's counts), and manifest.json's
    entries of the `changed` files, of inspect-data.json and of links to them (datasette/rucas.db) their new
    bytes and SHA-256. The build's manifest gave rucas.db no hash (PATCHED_IN_PLACE); the release's, written
    anew, is byte-reproducible and gets one. Each file is hashed once (rucas.db is 3.9 GB at 100,000 articles,
    reached by two entries and the inspect data)."""
    from rucas.build.write.sqlite_db import table_counts

    hashes: dict[Path, str] = {}

    def sha256(path: Path) -> str:
        real = path.resolve()
        if real not in hashes:
            hashes[real] = file_sha256(real)
        return hashes[real]

    inspect_path = folder / INSPECT_DATA
    if inspect_path.is_file():
        inspected = json.loads(inspect_path.read_text(encoding="utf-8"))
        database = folder / "rucas.db"
        for described in inspected.values():
            if isinstance(described, dict) and described.get("file") == "rucas.db":
                described["hash"], described["size"] = sha256(database), database.stat().st_size
                described["tables"] = {name: {"count": count} for name, count in table_counts(database, {}).items()}
        inspect_path.write_text(json.dumps(inspected, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    rewritten = {(folder / relative).resolve() for relative in [*changed, INSPECT_DATA]}
    for entry in manifest["outputs"]:
        path = folder / entry["path"]
        if entry["path"] not in NOT_REPRODUCIBLE and path.is_file() and path.resolve() in rewritten:
            entry["bytes"], entry["sha256"] = path.stat().st_size, sha256(path)
    manifest_path.write_text(manifest_text(manifest), encoding="utf-8")


def write_history(folder: Path, ledger: Ledger) -> None:
    """Fill first_release and last_changed_release of every traced table in the release folder `folder`."""
    updates = _write_parquet_files(folder, ledger)
    _update_sqlite(folder / "rucas.db", updates)
    _update_duckdb(folder / "rucas.duckdb", updates)
    _rehash(folder, [f"parquet/{spec.name}.parquet" for spec in history_tables()] + ["rucas.db"])
