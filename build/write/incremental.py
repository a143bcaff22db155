"""Write a build by patching the previous one: only the rows that changed are deleted and inserted.

When the previous build was written by the same code (the digest of WRITER_CODE and WRITER_DATA, kept in
its manifest) and only articles and annotations differ, the build's rucas.duckdb and rucas.db are patched
databases of an earlier build instead of being rewritten:

- The databases to patch are put into the staging folder without copying where that can be done safely
  (bring_databases), in this order:
  1. a reflink clone of the current build's files (FICLONE: btrfs, XFS, bcachefs...), which shares their
     blocks until written and so leaves the published files as they are;
  2. else the superseded build kept beside the current one (the spare: publishing keeps one, KEEP_PREVIOUS),
     brought forward: it is patched with the changes between ITS inputs and the new ones. Its two files are
     taken only when it is proven that nothing else uses them: it is a build-* folder in RUCAS's own .builds/,
     its manifest is readable and written by this writer code, both files have one name (no release or other
     build shares them by a hard link), no journal or WAL lies beside them, no process has either file open
     or mapped (proven by the kernel granting a write lease, whoever the process: rucas.build.open_files.
     unused_elsewhere) and no process /proc shows holds any other file of that build. Both are asked before
     and again after the folder is renamed to a staging name: after the rename no reader can open the files
     by their old path, and one that opened them in between is seen (the folder then gets its name back).
     Readers never reach a superseded build through the published links, which point at the current one;
  3. else a copy of the current build's files (the first rebuild after a cold build, or a spare in use).
  The spare is the build publishing would otherwise have removed at this build's end (it keeps only the
  newest superseded build), so bringing it forward costs no disk and removes nothing publishing would keep.
- For every table, the rows that are gone or changed are found by comparing the new table with the
  base build's Parquet file (both sorted by key, same schema); a row whose parent row is replaced is
  replaced too, so that foreign keys hold at every step. Those rows are deleted (children first) and the
  new versions inserted (parents first); the full-text indexes are told of both.
- Parquet files of tables without any change are hard links to the base build's (byte-identical to
  what a cold build writes, since the writer is deterministic), and their hashes come from its manifest.
- The materialised views are patched too: only the rows of the units (events, statements, articles,
  actors) that the changed rows touch are computed again, over their neighbourhood
  (rucas.build.write.patch_views); a view whose rows for them came out the same is left as it was, rows that
  keep their places are replaced in place, and rows that move are put between their new neighbours (place_rows:
  rucas.db's view tables number their rows with room between them, so no other row is renumbered).
- The whole-corpus queries (views without a unit, the page figures and dashboard charts the build stores) are
  computed again only when the patch changed something they read, column by column (rucas.build.write.reads):
  a corrected summary or quote leaves the panels, page figures and charts as they were.

Anything else (a reference file changed, other code, no previous build) is a cold build. The result is
the same content as a cold build of the same input (tests/test_incremental.py proves it): the same rows in the
same order in every table and view; only the rowids of rucas.db's view tables, which are places with room
between them and never shown, may differ from a cold build's (and so may the file's bytes: its manifest gives
rucas.db's size, not its hash, rucas.build.write.manifest.PATCHED_IN_PLACE).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from rucas.build.code_hash import recorded_code_digest
from rucas.build.open_files import held_open, unused_elsewhere
from rucas.build.write.duckdb_db import (MEMORY_LIMIT, PATCH_MEMORY_LIMIT, connect, set_version, spill_directory,
                                         without_progress_bar)
from rucas.build.read.file_list import FileList
from rucas.build.write.manifest import ManifestError, read_manifest_files
from rucas.build.write.materialise import ROWID_STEP, facet_columns, live_name, sqlite_store, view_batches
from rucas.build.arrow_tables import article_rows, plain_values
from rucas.build.write.patch_views import (IN_PLACE, MOVED, REWRITTEN, ViewPatch, ViewsPatched, key_values, patch_views,
                                          unit_table, write_moved)
from rucas.build.write.reads import Reads, columns_read
from rucas.build.write.table_change import TableChange, table_changed
from rucas.build.write.parquet import write_parquet
from rucas.build.table_files import ComputedTables, rows_of
from rucas.queries import SqlFile
from rucas.schema import TableSpec, table_specs

WRITER_CODE = ("rucas.build.write", "rucas.build.review")
"""The code that decides what the written outputs hold (these modules, all the rucas modules they import, and
WRITER_DATA): a change to any of it makes the next build cold."""

WRITER_DATA = {"rucas.queries": ("views/*.sql",)}
"""The files besides modules that decide the written outputs: the views' SQL."""

PATCHABLE_INPUTS = ("articles/", "annotations/")
"""Inputs whose changes a build may patch in; a change anywhere else (reference/) makes it cold."""


WRITER_RECORD = "writer-code.json"
"""The file of a build's cache folder that keeps writer_digest()'s CodeRecord (rucas.build.code_hash)."""


def writer_digest(record: Path | None = None) -> str:
    """A hash of the schema, writer, review and view code (and the package version): rucas.build.code_hash. With
    `record` (a build's cache folder's WRITER_RECORD), taken from there while nothing it hashed changed."""
    return recorded_code_digest(record, WRITER_CODE, WRITER_DATA)


@dataclass(frozen=True)
class Previous:
    """The published build a new one may patch: its folder, and its manifest's inputs and outputs."""

    build_dir: Path
    inputs: FileList
    outputs: FileList
    changed_inputs: frozenset[str] = frozenset()
    """Paths (relative to the curated folder) of the inputs added, removed or changed since that build."""
    writer_sha256: str = ""
    """The writer digest it was written by: the new build's (writer_digest)."""
    kept_manifests: Path | None = None
    """The new build's cache folder keeping manifests as columns (rucas.build.write.manifest.MANIFEST_COLUMNS)."""

    @property
    def changed_source_ids(self) -> set[str]:
        """The articles whose article or annotation file was added, removed or changed."""
        return {Path(path).stem for path in self.changed_inputs}

    def output_entries(self, paths: list[str]) -> FileList:
        """The previous manifest's entries (path, bytes, sha256) of those of `paths` it lists."""
        return self.outputs.only(paths)


def previous_build(output_dir: Path, inputs: FileList, writer_sha256: str,
                   kept_manifests: Path | None = None) -> Previous | None:
    """The current build of output_dir if the new `inputs` may be patched into it, else None (build cold):
    it must exist whole, have been written by the writer code whose digest is `writer_sha256` (this one's,
    writer_digest), and differ only in articles/annotations. `kept_manifests`: where the build's cache keeps
    manifests as columns (rucas.build.write.manifest.read_manifest_files), if it has a cache."""
    manifest_path = output_dir / "manifest.json"
    if not manifest_path.exists():
        return None
    return _patchable(manifest_path.resolve().parent, inputs, writer_sha256, kept_manifests)


def _patchable(build_dir: Path, inputs: FileList, writer_sha256: str, kept_manifests: Path | None) -> Previous | None:
    """The build in `build_dir` as a Previous if the new `inputs` may be patched into it, else None. Its
    manifest's entries are read as columns (rucas.build.read.file_list)."""
    try:
        manifest = read_manifest_files(build_dir / "manifest.json", kept_manifests)
    except (ManifestError, ValueError):  # a damaged previous build is not patched: the cold build replaces it
        return None
    if manifest.header.get("writer_sha256") != writer_sha256:
        return None
    before, outputs = manifest.inputs, manifest.outputs
    if not all((build_dir / name).exists() for name in ("rucas.db", "rucas.duckdb", "parquet")):
        return None
    changed = inputs.changed_paths(before)
    if not all(path.startswith(PATCHABLE_INPUTS) for path in changed):
        return None
    return Previous(build_dir, before, outputs, frozenset(changed), writer_sha256, kept_manifests)


DATABASES = ("rucas.duckdb", "rucas.db")
"""The database files a patched build patches (everything else it writes anew or links)."""

FICLONE = 0x40049409
"""Linux's ioctl making a file a reflink clone of another: it shares their blocks until either is written."""

_NO_CLONE = {errno.EOPNOTSUPP, errno.ENOTTY, errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EPERM}
"""What FICLONE answers where the file system (or the pair of files) cannot be cloned."""


def clone_file(source: Path, target: Path) -> bool:
    """Make `target` (new) a reflink clone of `source` and return True; where the file system cannot clone,
    return False and leave no `target`."""
    with open(source, "rb") as original, open(target, "xb") as clone:
        try:
            fcntl.ioctl(clone.fileno(), FICLONE, original.fileno())
            return True
        except OSError as problem:
            if problem.errno not in _NO_CLONE:
                raise
    target.unlink()
    return False


def _untouched(spare: Previous) -> bool:
    """Whether the spare's database files are as its build left them and nothing else shares them: one name
    each, no journal or write-ahead log beside them, rucas.db of the size its manifest gives."""
    folder = spare.build_dir
    if any((folder / name).stat().st_nlink != 1 or (folder / name).is_symlink() for name in DATABASES):
        return False
    if any((folder / leftover).exists() for leftover in ("rucas.db-journal", "rucas.db-wal", "rucas.duckdb.wal")):
        return False
    return spare.outputs.only(["rucas.db"]).sizes().get("rucas.db") == (folder / "rucas.db").stat().st_size


def claim_spare(current: Previous, inputs: FileList, staging: Path) -> Previous | None:
    """Move the database files of the superseded build kept beside `current` into `staging` if `inputs` may
    be patched into it and it is proven that nothing uses them (see the module's docstring); return that
    build, renamed to a staging folder (removed by the build when done, or with its leftovers on failure),
    else None with nothing moved."""
    builds = current.build_dir.parent
    superseded = [folder for folder in builds.glob("build-*") if folder != current.build_dir
                  and folder.is_dir() and not folder.is_symlink()]
    for folder in sorted(superseded, key=lambda folder: folder.stat().st_mtime, reverse=True):
        spare = _patchable(folder, inputs, current.writer_sha256, current.kept_manifests)
        if spare is None or not _untouched(spare) or held_open(folder) \
                or not unused_elsewhere([folder / name for name in DATABASES]):
            continue
        base = builds / f"staging-{uuid.uuid4().hex[:12]}-spare"
        os.rename(folder, base)  # from here no reader can open it by its old path
        if held_open(base) or not unused_elsewhere([base / name for name in DATABASES]):
            os.rename(base, folder)  # opened between the look and the rename: it stays a build
            continue
        for name in DATABASES:
            os.rename(base / name, staging / name)
        return Previous(base, spare.inputs, spare.outputs, spare.changed_inputs, spare.writer_sha256,
                        spare.kept_manifests)
    return None


EARLY_COPY = "early-databases"
"""The folder of a build's staging folder where EarlyCopy copies the current build's databases."""


class EarlyCopy:
    """The current build's database files, copied into a folder of the new build's staging folder in a thread
    while the new build validates (start_early_copy says when): a rebuild that must copy them (no reflinks, no
    spare build yet: the first rebuild after a cold build) then finds them copied (4.6 GB at 100,000 articles,
    about 2.5 s, which validation's 3.5 s of Python on the other core now hides). Once they are copied, the thread
    links the current build's Web Annotation files into the folder's `annotations` (100,000 links at 100,000
    articles, 1.1-1.6 s of the first rebuild's annotations stage when made after patching): the build takes them
    over as it takes over a spare build's (take_annotations). A build that does not use them discards them."""

    def __init__(self, source: Path, folder: Path):
        self.source, self.folder, self.used = source, folder, False
        self._problem: BaseException | None = None
        self._copied = threading.Event()
        folder.mkdir()
        self._thread = threading.Thread(target=self._copy, name="copying the current build's databases", daemon=True)
        self._thread.start()

    def _copy(self) -> None:
        try:
            for name in DATABASES:
                shutil.copyfile(self.source / name, self.folder / name)
        except BaseException as problem:  # told to the build when it asks for the copies (take)
            self._problem = problem
        finally:
            self._copied.set()
        if self._problem is None:
            self._link_annotations()

    def _link_annotations(self) -> None:
        """Link every file of the current build's annotations/articles into the folder's; nothing (the build then
        links them itself) if that cannot be done."""
        from rucas.build.write.web_annotations import ARTICLES_FOLDER, link_files

        source = self.source / "annotations" / ARTICLES_FOLDER
        try:
            with os.scandir(source) as entries:
                names = sorted(entry.name for entry in entries if entry.is_file(follow_symlinks=False))
            (self.folder / "annotations" / ARTICLES_FOLDER).mkdir(parents=True)
            link_files(source, self.folder / "annotations" / ARTICLES_FOLDER, names)
        except OSError:
            shutil.rmtree(self.folder / "annotations", ignore_errors=True)  # made here, in the build's staging folder

    def take(self, staging: Path) -> None:
        """Wait for the copies and move them into `staging` (raises the copying's error, if any)."""
        self._copied.wait()
        if self._problem is not None:
            raise self._problem
        for name in DATABASES:
            os.rename(self.folder / name, staging / name)
        self.used = True

    def take_annotations(self, staging: Path) -> bool:
        """After take: wait for the links to the current build's Web Annotation files and move their folder to
        staging/annotations; False (nothing moved) when they could not be made."""
        self._thread.join()
        if not self.used or not (self.folder / "annotations").is_dir():
            return False
        os.rename(self.folder / "annotations", staging / "annotations")
        return True

    def discard(self) -> None:
        """Wait for the copying and linking to end and remove its folder (with what was not taken)."""
        self._thread.join()
        shutil.rmtree(self.folder, ignore_errors=True)  # made by this build, in its own staging folder


def start_early_copy(output_dir: Path, staging: Path, writer_sha256: str,
                     kept_manifests: Path | None = None) -> EarlyCopy | None:
    """Start copying the current build's databases into staging/EARLY_COPY (EarlyCopy) if a patched build of
    `output_dir` would copy them: a current build written by this writer code (`writer_sha256`) exists, no
    superseded build is there to be brought forward instead (claim_spare), and the file system cannot clone
    files (clone_file). Else None. Whether the new inputs may be patched in is known only after validation: a
    build that turns out cold discards the copies."""
    manifest = output_dir / "manifest.json"
    if not manifest.is_file():
        return None
    current = manifest.resolve().parent
    if any(folder != current and folder.is_dir() and not folder.is_symlink()
           for folder in current.parent.glob("build-*")):
        return None
    try:
        if read_manifest_files(manifest, kept_manifests).header.get("writer_sha256") != writer_sha256:
            return None
    except (ManifestError, ValueError):
        return None
    if not all((current / name).is_file() for name in DATABASES):
        return None
    probe = staging / f".{EARLY_COPY}-clone"
    if clone_file(current / DATABASES[0], probe):
        probe.unlink()  # clones can be made: bring_databases makes them at once
        return None
    return EarlyCopy(current, staging / EARLY_COPY)


def bring_databases(current: Previous, inputs: FileList, staging: Path,
                    early: EarlyCopy | None = None) -> tuple[Previous, str]:
    """Put patchable rucas.duckdb and rucas.db into `staging`: reflink clones of `current`'s, else the spare's
    (claim_spare), else copies of `current`'s (those `early` made, if it copied that build's). Return the build
    they are of and how they came ("cloned", "spare" or "copied")."""
    cloned = []
    for name in DATABASES:
        if not clone_file(current.build_dir / name, staging / name):
            break
        cloned.append(name)
    if len(cloned) == len(DATABASES):
        return current, "cloned"
    for name in cloned:
        (staging / name).unlink()
    spare = claim_spare(current, inputs, staging)
    if spare is not None:
        return spare, "spare"
    if early is not None and early.source == current.build_dir:
        early.take(staging)
        return current, "copied"
    for name in DATABASES:
        shutil.copyfile(current.build_dir / name, staging / name)
    return current, "copied"


def _key_match(spec: TableSpec, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{name} IS NOT DISTINCT FROM {right}.{name}" for name in spec.primary_key)


def _read_rows_having(path: Path, conditions: list[tuple[str, pa.Array]]) -> pa.Table:
    """The rows of a Parquet file whose column is one of its values for any of `conditions` (column, values)."""
    clauses = [[(column, "in", values.to_pylist())] for column, values in conditions if len(values)]
    return pq.read_table(path, filters=clauses) if clauses else pq.read_schema(path).empty_table()


def _replaced_candidates(tables: Mapping[str, pa.Table], spec: TableSpec, deleted: pa.Table) -> pa.Table:
    """The rows of the new table whose first key column holds a value of `deleted`'s (null matching null): a
    superset of the new versions of the deleted rows, found by reading that one column of the table (memory-mapped
    files: only its pages are read), and then only the chosen rows of the others (rucas.build.table_files.rows_of:
    a table not sorted yet stays so)."""
    first = spec.primary_key[0]
    return rows_of(tables, spec.name, [(first, plain_values(deleted.column(first)))])


def table_changes(previous_parquet: Path, tables: Mapping[str, pa.Table], changed_articles: set[str]) -> dict[str, TableChange]:
    """For every table (in dependency order): the rows of the previous build to delete and the new rows
    to insert. A row is deleted if it is gone or differs, or if it refers to a deleted parent row (a
    replaced parent takes its children with it); the new version of every deleted row, and every new
    row, is inserted.

    Only the rows of `changed_articles` (source ids whose files changed: `sources` rows and the rows
    below them) and the reference tables are compared: every other article's rows are the same in both
    builds, since an article's rows come from its own two files and a patched build has the same
    reference files. Children of a replaced row are looked up in every article (a claim may be another
    article's). The new tables are read only for those rows (rows_of): a table that sorts on demand is not sorted
    here, and only the reference tables are read whole."""
    old_parts = article_rows(lambda spec, conditions: _read_rows_having(previous_parquet / f"{spec.name}.parquet",
                                                                         conditions), changed_articles)
    new_parts = article_rows(lambda spec, conditions: rows_of(tables, spec.name, conditions), changed_articles)
    con = without_progress_bar(duckdb.connect(config={"threads": 2, "memory_limit": MEMORY_LIMIT,
                                                      "temp_directory": ""}))  # no spill:
    changes: dict[str, TableChange] = {}  # it holds the changed rows; the whole tables are Arrow it reads
    try:
        for spec in table_specs():
            keys = ", ".join(spec.primary_key)
            path = previous_parquet / f"{spec.name}.parquet"
            old_part = old_parts[spec.name] if spec.name in old_parts else pq.read_table(path)  # reference: whole
            new_part = new_parts[spec.name] if spec.name in new_parts else tables[spec.name]
            cascaded = [_read_rows_having(path, [(column.name, changes[column.references[0]].deleted
                                                  .column(column.references[1]).combine_chunks())])
                        for column in spec.columns if column.references and column.references[0] in changes]
            con.register("old", pa.concat_tables([old_part, *cascaded]) if cascaded else old_part)
            con.register("old_part", old_part)
            con.register("new_part", new_part)
            con.execute(f"CREATE TEMP TABLE deleted_{spec.name} AS SELECT {keys} FROM "
                        f"(SELECT * FROM old_part EXCEPT ALL SELECT * FROM new_part) "
                        + "".join(f" UNION SELECT {keys} FROM old WHERE {column.name} IN (SELECT "
                                  f"{column.references[1]} FROM deleted_{column.references[0]})"
                                  for column in spec.columns if column.references and column.references[0] in changes))
            deleted = con.sql(f"SELECT DISTINCT * FROM old WHERE EXISTS (SELECT 1 FROM deleted_{spec.name} d WHERE "
                              f"{_key_match(spec, 'd', 'old')}) ORDER BY {keys}").to_arrow_table()
            con.register("new", _replaced_candidates(tables, spec, con.sql(f"SELECT {spec.primary_key[0]} FROM "
                                                                            f"deleted_{spec.name}").to_arrow_table()))
            inserted = con.sql(
                f"SELECT * FROM new WHERE EXISTS (SELECT 1 FROM deleted_{spec.name} d WHERE "
                f"{_key_match(spec, 'd', 'new')}) UNION SELECT * FROM new_part WHERE NOT EXISTS (SELECT 1 FROM "
                f"old_part WHERE {_key_match(spec, 'old_part', 'new_part')}) ORDER BY {keys}").to_arrow_table()
            changes[spec.name] = TableChange(spec, deleted.cast(old_part.schema), inserted.cast(new_part.schema))
            for name in ("old", "old_part", "new_part", "new"):
                con.unregister(name)
    finally:
        con.close()
    return changes


def link_or_write_parquet(previous_parquet: Path, tables: Mapping[str, pa.Table], changes: dict[str, TableChange],
                          directory: Path) -> list[str]:
    """Write the Parquet files of changed tables; hard-link (or copy) the previous file of each unchanged
    one: a table the patch did not touch, or whose rows it put back as they were (a Parquet file is made from
    its rows alone, so the previous file has the bytes a new one would). Returns the names of the unchanged
    tables."""
    directory.mkdir(parents=True, exist_ok=True)
    kept = [name for name, change in changes.items() if change.empty or change.rows_put_back]
    for name in kept:
        try:
            os.link(previous_parquet / f"{name}.parquet", directory / f"{name}.parquet")
        except OSError:
            shutil.copyfile(previous_parquet / f"{name}.parquet", directory / f"{name}.parquet")
    write_parquet(ComputedTables([name for name in tables if name not in kept], tables.__getitem__), directory)
    return kept


def _ordered(changes: dict[str, TableChange]) -> list[TableChange]:
    return [change for change in changes.values() if not change.empty]


def patch_databases(staging: Path, changes: dict[str, TableChange], views: list[SqlFile], version: str,
                    lap: Callable[[str], None] = lambda stage: None,
                    reads: Mapping[str, Reads] | None = None) -> ViewsPatched:
    """Apply `changes` to the copied rucas.duckdb and rucas.db in `staging` and bring their materialised views up to
    date (rucas.build.write.patch_views; `reads`: what each view without a unit reads); rucas.duckdb then answers
    `rucas_version()` with `version`. Return how each view that changed changes, which whole-corpus queries were
    computed again, and the views whose rows moved.

    DuckDB's tables are patched first (children deleted first, parents inserted first) and every view's new rows
    computed there. Then two things run at once, neither reading what the other writes: in another thread, the
    DuckDB tables of the views whose rows moved are written again in order (write_moved: whole tables, 4.3 s for
    the seven date-ordered views at 100,000 articles when an event's date changes), with the views' comments and the
    version; here, rucas.db is patched (patch_sqlite: mostly the page figures and charts computed again, 3.9 s in
    that case), reading the tables of the views written whole from this connection. DuckDB's checkpoint comes once
    both are done."""
    from rucas.build.write.duckdb_db import comment_views

    con = connect(staging / "rucas.duckdb", memory_limit=PATCH_MEMORY_LIMIT)  # 2 threads; spilling beside the file
    try:
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
        done = patch_views(con, _ordered(changes), views, reads)
        lap("patch views")
        writer = con.cursor()  # its own connection to the same database, for the other thread
        failed: list[BaseException] = []

        def finish_duckdb() -> None:
            try:
                write_moved(writer, done.moved)
                comment_views(writer, [patch.view for patch in done.patches])
                set_version(writer, version)
            except BaseException as exc:  # noqa: BLE001 - raised again in the building thread
                failed.append(exc)
            finally:
                writer.close()

        finishing = threading.Thread(target=finish_duckdb, name="rucas-write-moved-views")
        finishing.start()
        try:
            done.recomputed += patch_sqlite(staging / "rucas.db", changes, done.patches, lap, con)
        finally:
            finishing.join()
        if failed:
            raise failed[0]
        con.execute("CHECKPOINT")
        lap("patch views")
        return done
    finally:
        con.close()


STALE_STATISTICS = 0.1
"""How far (a share of its rows) a table's row count may move from the count its planner statistics were taken at
before a patched build analyses it again."""


def statistics_stale(con: sqlite3.Connection, table: str) -> bool:
    """Whether `table`'s statistics (sqlite_stat1, which the cold build's ANALYZE wrote) were taken at a row count
    more than STALE_STATISTICS away from its count now, or are missing. An edit moves a few rows of a large table:
    the planner's choices stand, and ANALYZE of the changed tables (0.9 s of a rebuild at 100,000 articles) is
    left for when the tables have grown or shrunk, as SQLite's own `PRAGMA optimize` does."""
    stat = con.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = ? LIMIT 1", (table,)).fetchone()
    if stat is None:
        return True
    (now,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    then = int(stat[0].split()[0])
    return abs(now - then) > STALE_STATISTICS * max(then, 1)


def _commit_checking_references(con: sqlite3.Connection) -> None:
    """COMMIT the patch, which SQLite refuses while a row it deleted or inserted breaks a foreign key
    (foreign_keys and defer_foreign_keys on: only the changed rows and the rows that point at them are looked
    up, not every table, as the cold build's `PRAGMA foreign_key_check` does: 1.3 s at 100,000 articles).
    When it refuses, the whole check names the first broken references and the build stops (the patched
    file is the staging folder's copy, which is discarded)."""
    try:
        con.execute("COMMIT")
    except sqlite3.IntegrityError:
        problems = con.execute("PRAGMA foreign_key_check").fetchall()
        raise RuntimeError(f"foreign key check failed in the patched SQLite file: {problems[:5]}") from None


def rowids_of(con: sqlite3.Connection, view: SqlFile, keys: list[tuple]) -> list[int]:
    """The rowid of the row of each key in the view's table of rucas.db (found through the index on the key's first
    column). A view's key is unique, so each key names one row; a file where one does not is not the build this
    patch was computed from, and the build stops."""
    where = " AND ".join(f"{name} IS ?" for name in view.key)
    found = []
    for key in keys:
        rows = con.execute(f"SELECT rowid FROM {view.name} WHERE {where}", key).fetchall()
        if len(rows) != 1:
            raise RuntimeError(f"{view.name} of the patched SQLite file holds {len(rows)} rows with the key "
                               f"{dict(zip(view.key, key))}, where the patch expects one")
        found.append(rows[0][0])
    return found


def _room(con: sqlite3.Connection, view: SqlFile, after: tuple | None, count: int) -> list[int] | None:
    """`count` ascending rowids between the row of key `after` (the table's start if None) and the row after it,
    evenly spaced; after the last row, ROWID_STEP apart. None when the gap is too narrow for them."""
    low = rowids_of(con, view, [after])[0] if after is not None else 0
    (high,) = con.execute(f"SELECT min(rowid) FROM {view.name} WHERE rowid > ?", (low,)).fetchone()
    step = ROWID_STEP if high is None else (high - low) // (count + 1)
    return [low + step * k for k in range(1, count + 1)] if step > 0 else None


def place_rows(con: sqlite3.Connection, patch: ViewPatch) -> None:
    """Give a view's SQLite table the rows of a moved patch: the old rows go, and each run of new rows that follow
    one kept row (their `after`) comes between that row and the next, at rowids spaced evenly in the gap between
    them. Every other row keeps its rowid, so the table's order is the view's without renumbering it: a row that
    moves costs its own rows and their index entries, wherever it goes. When a gap is too narrow (more than
    sixteen rows put into it one at a time since the table was written), the table is numbered again first
    (renumber_rows)."""
    view, rows = patch.view, patch.rows
    assert rows is not None and patch.old_rows is not None and len(patch.after) == rows.num_rows
    gone = rowids_of(con, view, key_values(patch.old_rows, view))
    con.executemany(f"DELETE FROM {view.name} WHERE rowid = ?", [(rowid,) for rowid in gone])
    start = 0
    while start < rows.num_rows:
        end = start + 1
        while end < rows.num_rows and patch.after[end] == patch.after[start]:
            end += 1
        rowids = _room(con, view, patch.after[start], end - start)
        if rowids is None:
            renumber_rows(con, view.name)
            rowids = _room(con, view, patch.after[start], end - start)
            assert rowids is not None
        insert_at(con, view.name, rows.slice(start, end - start), rowids)
        start = end


def insert_at(con: sqlite3.Connection, name: str, rows: pa.Table, rowids: list[int]) -> None:
    """Insert `rows` into the SQLite table `name`, row i at rowids[i], values as SQLite holds them."""
    from rucas.build.write.sqlite_values import sqlite_values

    con.executemany(f"INSERT INTO {name} (rowid, {', '.join(rows.column_names)}) "
                    f"VALUES (?, {', '.join('?' for _ in rows.column_names)})",
                    zip(rowids, *(sqlite_values(column) for column in rows.columns)))


def renumber_rows(con: sqlite3.Connection, name: str) -> None:
    """Number the rows of a view's SQLite table again as a cold build writes them (row k at rowid k * ROWID_STEP,
    in rowid order). The table is copied with its columns' declared types (as sqlite_store declares them) and its
    indexes, and the planner's statistics of the old table carried over (the same rows)."""
    indexes = [sql for (sql,) in con.execute("SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? "
                                             "AND sql IS NOT NULL ORDER BY name", (name,))]
    analysed = con.execute("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'").fetchone() is not None
    statistics = con.execute("SELECT tbl, idx, stat FROM sqlite_stat1 WHERE tbl = ?", (name,)).fetchall() if analysed else []
    declared = con.execute(f"SELECT name, type FROM pragma_table_info('{name}') ORDER BY cid").fetchall()
    columns = ", ".join(column for column, _ in declared)
    numbered = f"{name}__numbered"
    con.execute(f"CREATE TABLE {numbered} ({', '.join(f'{column} {kind}' for column, kind in declared)})")
    con.execute(f"INSERT INTO {numbered} (rowid, {columns}) SELECT row_number() OVER (ORDER BY rowid) * {ROWID_STEP}, "
                f"{columns} FROM {name} ORDER BY rowid")
    con.execute(f"DROP TABLE {name}")
    con.execute("PRAGMA legacy_alter_table = ON")  # views naming the table are not parsed again while it is missing
    try:
        con.execute(f"ALTER TABLE {numbered} RENAME TO {name}")
    finally:
        con.execute("PRAGMA legacy_alter_table = OFF")
    for sql in indexes:
        con.execute(sql)
    con.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", statistics)


def patch_sqlite(path: Path, changes: dict[str, TableChange], patches: list[ViewPatch],
                 lap: Callable[[str], None] = lambda stage: None,
                 computed: duckdb.DuckDBPyConnection | None = None) -> list[str]:
    """Apply `changes` to the copied SQLite file at `path`, keeping the full-text indexes in step, and
    the view `patches` (rows replaced in place, rows moved between their new neighbours, or the view's table written
    again from its table in the patched DuckDB database `computed`, batch by batch); compute again the page tables
    (rucas.build.write.page_tables) that read anything changed. Return the names of those."""
    from rucas.build.write.facet_counts import patch_facet_counts
    from rucas.build.write.page_tables import write_page_tables
    from rucas.build.write.sqlite_db import index_rows, unindex_rows
    from rucas.build.write.sqlite_values import sqlite_values

    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute("PRAGMA foreign_keys = ON")  # each deleted and inserted row is checked, at COMMIT (deferred)
        con.execute("BEGIN")
        con.execute("PRAGMA defer_foreign_keys = ON")
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
            if patch.how == IN_PLACE:  # the same places: each new row takes the rowid of the row it replaces
                rowids = rowids_of(con, patch.view, key_values(patch.old_rows, patch.view))
                con.executemany(f"DELETE FROM {name} WHERE rowid = ?", [(rowid,) for rowid in rowids])
                insert_at(con, name, patch.rows, rowids)
            elif patch.how == MOVED:
                place_rows(con, patch)
            else:
                if computed is None:
                    raise ValueError(f"{name} is written again: patch_sqlite needs the patched DuckDB database")
                con.execute(f"DROP TABLE {name}")
                sqlite_store(con, name, view_batches(computed, patch.view), facet_columns(patch.view))
        patch_facet_counts(con, changes, patches)
        changed = {name: table_changed(change) for name, change in changes.items() if not change.empty}
        changed |= {patch.view.name: patch.changed() for patch in patches}
        recomputed = write_page_tables(con, changed)
        _commit_checking_references(con)
        for name in [change.spec.name for change in _ordered(changes) if statistics_stale(con, change.spec.name)]:
            con.execute(f"ANALYZE {name}")
        for name in [p.view.name for p in patches if p.how == REWRITTEN]:  # written again: no statistics
            con.execute(f"ANALYZE {name}")
        for name in [p.view.name for p in patches if p.how == MOVED and statistics_stale(con, p.view.name)]:
            con.execute(f"ANALYZE {name}")
        lap("patch views")
        return recomputed
    finally:
        con.close()


@dataclass
class Patched:
    """What patching wrote: the manifest entries (path, bytes, sha256) of the output files taken over
    unchanged, how each materialised view that changed was patched (ViewPatch.how), how the
    databases came into the staging folder (bring_databases: "cloned", "spare" or "copied"), and the row
    counts of the SQLite tables it left as they were besides the schema's (BASE_INSPECT_DATA), and the
    whole-corpus queries computed again (views without a unit, page tables: rucas.build.write.reads)."""

    outputs: FileList
    views: dict[str, str]
    databases: str
    counts_kept: dict[str, int]
    recomputed: list[str] = field(default_factory=list)
    spare: Previous | None = None
    """The superseded build whose database files were patched (claim_spare), its folder renamed to a staging
    folder: the caller takes its Web Annotations over (they are the spare's build's, and `changed_source_ids`
    says which articles changed since) and removes the rest. A build that stops before leaves it to the next,
    which removes every staging folder it finds."""


BASE_INSPECT_DATA = Path("datasette") / "inspect-data.json"
"""Where a build keeps the row count of every table of its rucas.db (rucas.build.publish.config_directory)."""


def counts_kept(base: Path, changes: dict[str, TableChange], views: list[SqlFile],
                patches: list[ViewPatch]) -> dict[str, int]:
    """The row counts, from the base build's BASE_INSPECT_DATA, of the views and full-text index tables
    (<table>_fts*) of rucas.db that patching left as they were; none if that file cannot be read."""
    from rucas.build.write.sqlite_db import FULL_TEXT

    try:
        tables = json.loads((base / BASE_INSPECT_DATA).read_text(encoding="utf-8"))["rucas"]["tables"]
        counts = {name: int(entry["count"]) for name, entry in tables.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
    kept_views = {view.name for view in views} - {patch.view.name for patch in patches}
    kept_indexes = tuple(f"{name}_fts" for name in FULL_TEXT if changes[name].empty)
    return {name: count for name, count in counts.items() if name in kept_views or name.startswith(kept_indexes)}


def whole_view_reads(database: Path, views: list[SqlFile]) -> dict[str, Reads]:
    """What each view without a unit (patch_views computes it whole) reads, from its live view in the SQLite
    file `database` (the same SQL as DuckDB's)."""
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return {view.name: columns_read(con, f"SELECT * FROM {live_name(view)}") for view in views
                if unit_table(view) is None}
    finally:
        con.close()


def write_patched(previous: Previous, tables: Mapping[str, pa.Table], staging: Path, views: list[SqlFile],
                  version: str, inputs: FileList, lap: Callable[[str], None] = lambda stage: None,
                  early: EarlyCopy | None = None) -> Patched:
    """Write Parquet, rucas.duckdb and rucas.db into `staging` by patching the databases bring_databases
    puts there (`previous`'s, or the spare's, or the copies `early` made); rucas.duckdb then answers
    `rucas_version()` with `version`.
    Say what was taken over and how the views changed. `lap` is told when each step is done: "copy" (the
    databases brought; the unchanged Parquet files linked, the changed written), "diff" (finding the changed
    rows), "patch" (the tables) and "patch views" (the materialised views)."""
    base, how = bring_databases(previous, inputs, staging, early)
    lap("copy")
    spare = base if base is not previous else None  # renamed to a staging folder by claim_spare
    try:
        parquet = base.build_dir / "parquet"
        changes = table_changes(parquet, tables, base.changed_source_ids)
        lap("diff")
        done = ViewsPatched()
        try:
            if any(not change.empty for change in changes.values()):
                done = patch_databases(staging, changes, views, version, lap,
                                       whole_view_reads(staging / "rucas.db", views))
            else:
                con = connect(staging / "rucas.duckdb")
                try:
                    set_version(con, version)
                    con.execute("CHECKPOINT")
                finally:
                    con.close()
        finally:
            shutil.rmtree(spill_directory(staging / "rucas.duckdb"), ignore_errors=True)  # made by connect
        kept = link_or_write_parquet(parquet, tables, changes, staging / "parquet")
        lap("copy")
        patches = done.patches
        return Patched(base.output_entries([f"parquet/{name}.parquet" for name in kept]),
                       {patch.view.name: patch.how for patch in patches},
                       how, counts_kept(base.build_dir, changes, views, patches), done.recomputed, spare)
    except BaseException:
        if spare is not None:  # its files are used up
            shutil.rmtree(spare.build_dir, ignore_errors=True)
        raise
