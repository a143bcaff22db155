"""Compare two builds or releases table by table and view by view, matching rows by their primary key.

Either side is a folder holding `parquet/<table>.parquet` and `rucas.duckdb` (an output folder such as
dataset/, or a release folder). Tables are read from the Parquet files, views from each side's own
DuckDB file (so a view is compared as that build defined it). Keys come from the one definition:
`TableSpec.primary_key` for tables, the `-- key:` line of queries/views/<name>.sql for views. A relation
without a key that is unique on both sides (none today) is compared as a multiset of whole rows: then
there are no "changed" rows, only rows added and removed. A renamed id is a removal plus an addition (a
release lists it as renamed beside the diff). The row history (ROW_HISTORY_COLUMNS) is not compared: a
release writes it, and it changes whenever a row does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from rucas.build.write.manifest import file_sha256, read_manifest
from rucas.queries import view_files
from rucas.schema import table_specs
from rucas.schema.tables import ROW_HISTORY_COLUMNS


class DiffError(ValueError):
    """Two builds cannot be compared (one no longer matches its manifest, or a file cannot be read); the
    message names the file and the fix."""


@dataclass(frozen=True)
class ChangedRow:
    """A row present on both sides under the same key whose other values differ."""

    key: dict[str, object]
    columns: dict[str, tuple[object, object]]
    """(old value, new value) of every column that differs."""


@dataclass
class RelationDiff:
    """What changed in one table or view between two builds."""

    name: str
    kind: str
    """"table" or "view"."""
    key: tuple[str, ...]
    """The columns rows were matched by; empty when compared as a multiset (see `note`)."""
    rows_old: int | None
    """Rows on the old side; None when the relation is not there."""
    rows_new: int | None
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    added: list[dict[str, object]] = field(default_factory=list)
    """Keys of rows only on the new side (whole rows when compared as a multiset)."""
    removed: list[dict[str, object]] = field(default_factory=list)
    changed: list[ChangedRow] = field(default_factory=list)
    note: str = ""

    @property
    def unchanged(self) -> bool:
        """Whether the relation is the same on both sides (rows, values and columns)."""
        return (self.rows_old is not None and self.rows_new is not None and not self.added and not self.removed
                and not self.changed and not self.columns_added and not self.columns_removed)


@dataclass
class DatasetDiff:
    """Every table's and view's changes between an old and a new build, tables first."""

    old_version: str
    new_version: str
    relations: list[RelationDiff]

    def of(self, name: str) -> RelationDiff:
        """The changes of one table or view."""
        for relation in self.relations:
            if relation.name == name:
                return relation
        raise KeyError(f"no table or view named {name!r} on either side")

    @property
    def tables(self) -> list[RelationDiff]:
        return [relation for relation in self.relations if relation.kind == "table"]

    @property
    def views(self) -> list[RelationDiff]:
        return [relation for relation in self.relations if relation.kind == "view"]


def dataset_version_of(folder: Path) -> str:
    """The dataset version recorded in a build's or release's manifest.json."""
    manifest = folder / "manifest.json"
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder. Fix: give an output folder of `rucas build` "
                                "(e.g. dataset/) or a release folder.")
    if not manifest.is_file():
        raise FileNotFoundError(f"{folder}: no manifest.json here. Fix: give an output folder of `rucas build` "
                                "(e.g. dataset/) or a release folder.")
    return read_manifest(manifest)["version"]


def check_tables_match_manifest(folder: Path) -> None:
    """Raise DiffError unless the Parquet files of the build or release in `folder` are exactly those its
    manifest.json lists, with the listed bytes: a table deleted, added or altered since the build would
    otherwise be reported as a change of the data."""
    manifest = read_manifest(folder / "manifest.json")
    listed = {entry["path"]: entry for entry in manifest["outputs"]
              if isinstance(entry, dict) and str(entry.get("path", "")).startswith("parquet/")}
    present = {f"parquet/{path.name}" for path in (folder / "parquet").glob("*.parquet")}
    problems = [f"{path} is missing" for path in sorted(listed.keys() - present)]
    problems += [f"{path} is not in it" for path in sorted(present - listed.keys())]
    for path in sorted(listed.keys() & present):
        entry = listed[path]
        if entry.get("sha256") is not None and file_sha256(folder / path) != entry["sha256"]:
            problems.append(f"{path} differs from it: {(folder / path).stat().st_size:,} bytes, listed with "
                            f"{entry.get('bytes')} and another hash")
    if problems:
        raise DiffError(f"{folder}: no longer matches its manifest.json ({'; '.join(problems)}); so its tables "
                        "cannot be compared. Fix: run `rucas build` again (an output folder), or restore the "
                        "release from its archive (a release folder).")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class _Side:
    """One build attached to a shared DuckDB connection: its Parquet tables and its views."""

    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path, alias: str):
        self.folder, self.alias = folder, alias
        self.tables = {path.stem: path for path in sorted((folder / "parquet").glob("*.parquet"))}
        database = folder / "rucas.duckdb"
        self.views: set[str] = set()
        if database.is_file():
            try:
                con.execute(f"ATTACH {_literal(str(database))} AS {alias} (READ_ONLY)")
            except duckdb.Error as exc:
                raise DiffError(f"{database}: cannot be opened by DuckDB ({str(exc).splitlines()[0]}). Fix: run "
                                "`rucas build` again (an output folder), or restore the release from its archive; "
                                "its tables are also in parquet/.") from exc
            rows = con.execute("SELECT table_name FROM information_schema.tables WHERE table_catalog = ?",
                               [alias]).fetchall()
            prepared = {view.name for view in view_files()}  # not their <name>_live twins: the same rows
            self.views = {name for (name,) in rows} & prepared

    def source(self, name: str) -> str | None:
        """SQL naming the relation's rows on this side, or None when it is not there."""
        if name in self.tables:
            return f"read_parquet({_literal(str(self.tables[name]))})"
        if name in self.views:
            return f"{self.alias}.main.{_quoted(name)}"
        return None


def _columns(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    return {name: kind for name, kind, *_ in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}


def _count(con: duckdb.DuckDBPyConnection, source: str) -> int:
    return con.execute(f"SELECT count(*) FROM {source}").fetchone()[0]


def _key_is_unique(con: duckdb.DuckDBPyConnection, source: str, key: tuple[str, ...]) -> bool:
    columns = ", ".join(_quoted(column) for column in key)
    duplicates = con.execute(f"SELECT count(*) FROM (SELECT {columns} FROM {source} GROUP BY ALL "
                             "HAVING count(*) > 1)").fetchone()[0]
    return duplicates == 0


def _comparable(alias: str, column: str, old_types: dict[str, str], new_types: dict[str, str]) -> str:
    """A column as compared across sides: as is when both sides agree on its type, else as text."""
    expression = f"{alias}.{_quoted(column)}"
    return expression if old_types[column] == new_types[column] else f"CAST({expression} AS VARCHAR)"


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, object]]:
    result = con.execute(sql)
    names = [column[0] for column in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def _compare_by_key(con: duckdb.DuckDBPyConnection, diff: RelationDiff, old: str, new: str,
                    old_types: dict[str, str], new_types: dict[str, str]) -> None:
    key = diff.key
    matched = " AND ".join(f"{_comparable('o', c, old_types, new_types)} IS NOT DISTINCT FROM "
                           f"{_comparable('n', c, old_types, new_types)}" for c in key)
    order = ", ".join(_quoted(column) for column in key)
    keys_new = ", ".join(f"n.{_quoted(column)}" for column in key)
    keys_old = ", ".join(f"o.{_quoted(column)}" for column in key)
    diff.added = _rows(con, f"SELECT {keys_new} FROM {new} n WHERE NOT EXISTS "
                            f"(SELECT 1 FROM {old} o WHERE {matched}) ORDER BY {order}")
    diff.removed = _rows(con, f"SELECT {keys_old} FROM {old} o WHERE NOT EXISTS "
                              f"(SELECT 1 FROM {new} n WHERE {matched}) ORDER BY {order}")
    values = [column for column in new_types if column in old_types and column not in key
              and column not in ROW_HISTORY_COLUMNS]  # a release's bookkeeping, not the row's data
    if not values:
        return
    differs = " OR ".join(f"{_comparable('o', c, old_types, new_types)} IS DISTINCT FROM "
                          f"{_comparable('n', c, old_types, new_types)}" for c in values)
    pairs = ", ".join(f"o.{_quoted(c)} AS {_quoted('old:' + c)}, n.{_quoted(c)} AS {_quoted('new:' + c)}"
                      for c in values)
    for row in _rows(con, f"SELECT {keys_new}, {pairs} FROM {old} o JOIN {new} n ON {matched} "
                          f"WHERE {differs} ORDER BY {keys_new}"):
        changed = {c: (row[f"old:{c}"], row[f"new:{c}"]) for c in values if row[f"old:{c}"] != row[f"new:{c}"]}
        diff.changed.append(ChangedRow({c: row[c] for c in key}, changed))


def _compare_as_multiset(con: duckdb.DuckDBPyConnection, diff: RelationDiff, old: str, new: str,
                         old_types: dict[str, str], new_types: dict[str, str]) -> None:
    common = [column for column in new_types if column in old_types]
    old_columns = ", ".join(f"{_comparable('o', c, old_types, new_types)} AS {_quoted(c)}" for c in common)
    new_columns = ", ".join(f"{_comparable('n', c, old_types, new_types)} AS {_quoted(c)}" for c in common)
    order = ", ".join(_quoted(column) for column in common)
    diff.added = _rows(con, f"SELECT * FROM (SELECT {new_columns} FROM {new} n EXCEPT ALL "
                            f"SELECT {old_columns} FROM {old} o) ORDER BY {order}")
    diff.removed = _rows(con, f"SELECT * FROM (SELECT {old_columns} FROM {old} o EXCEPT ALL "
                              f"SELECT {new_columns} FROM {new} n) ORDER BY {order}")


def _materialised(con: duckdb.DuckDBPyConnection, source: str | None, table: str) -> str | None:
    """The relation copied once into a temporary table (a view is computed once, not at every comparison)."""
    if source is None:
        return None
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {source}")
    return table


def _compare(con: duckdb.DuckDBPyConnection, name: str, kind: str, key: tuple[str, ...],
             old_source: str | None, new_source: str | None) -> RelationDiff:
    old, new = _materialised(con, old_source, "old_rows"), _materialised(con, new_source, "new_rows")
    diff = RelationDiff(name, kind, key, _count(con, old) if old else None, _count(con, new) if new else None)
    if old is None or new is None:
        diff.key = ()
        diff.note = f"{kind} only in the {'new' if old is None else 'old'} build"
        return diff
    old_types, new_types = _columns(con, old), _columns(con, new)
    diff.columns_added = [column for column in new_types if column not in old_types]
    diff.columns_removed = [column for column in old_types if column not in new_types]
    usable = bool(key) and all(c in old_types and c in new_types for c in key)
    if usable and _key_is_unique(con, old, key) and _key_is_unique(con, new, key):
        _compare_by_key(con, diff, old, new, old_types, new_types)
    else:
        reason = ("it has no stated key" if not key else
                  "its key columns are not on both sides" if not usable else "its key is not unique")
        diff.key, diff.note = (), f"compared as a multiset of whole rows: {reason}"
        _compare_as_multiset(con, diff, old, new, old_types, new_types)
    return diff


def _in_order(names: set[str], preferred: list[str]) -> list[str]:
    return [name for name in preferred if name in names] + sorted(names - set(preferred))


def diff_builds(old: Path, new: Path) -> DatasetDiff:
    """Compare every table and view of two builds or releases (see the module docstring)."""
    old_version, new_version = dataset_version_of(old), dataset_version_of(new)
    check_tables_match_manifest(old)
    check_tables_match_manifest(new)
    con = duckdb.connect()
    try:
        con.execute("SET threads = 2")
        old_side, new_side = _Side(con, old, "old_build"), _Side(con, new, "new_build")
        table_keys = {spec.name: tuple(spec.primary_key) for spec in table_specs()}
        view_keys = {view.name: view.key for view in view_files()}
        relations = []
        compared = [(name, "table", table_keys.get(name, ()))
                    for name in _in_order(set(old_side.tables) | set(new_side.tables), list(table_keys))]
        compared += [(name, "view", view_keys.get(name, ())) for name in _in_order(old_side.views | new_side.views,
                                                                                  list(view_keys))]
        for name, kind, key in compared:
            try:
                relations.append(_compare(con, name, kind, key, old_side.source(name), new_side.source(name)))
            except duckdb.Error as exc:
                raise DiffError(f"{kind} {name} of {old} or {new}: cannot be read ({str(exc).splitlines()[0]}). "
                                "Fix: run `rucas build` again (an output folder), or restore the release from its "
                                "archive (a release folder).") from exc
        return DatasetDiff(old_version, new_version, relations)
    finally:
        con.close()
