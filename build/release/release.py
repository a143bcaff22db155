"""Make a release: copy a clean build into releases/<version>/ with its CHANGES, citation, checksums and one archive.

A release folder holds:

    parquet/<table>.parquet, rucas.db, rucas.duckdb, datapackage.json, manifest.json   the build's outputs
    annotations/        every row's evidence as W3C Web Annotations (all.jsonld, articles/<source_id>.jsonld)
    datasette/          the build's Datasette configuration, with the release's /changes page
    CITATION.cff        the citation of this version, with its release date
    CHANGES, changes.json   the diff against the previous release (text; JSON as `rucas diff --format json`), and
                        the ids of the previous release this one lacks: renamed or deleted
                        (rucas.build.release.identity)
    release.json        version, release date and previous version (marks a finished release)
    README.txt          what the folder holds and how to check it
    SHA256SUMS          the SHA-256 of every file above but rucas.duckdb (`sha256sum -c SHA256SUMS`)
    rucas-<version>.tar.gz   every file in SHA256SUMS, and SHA256SUMS, under rucas-<version>/

The tables with curator-written ids carry each row's history (first_release, last_changed_release), traced
through the releases already in the releases folder (rucas.build.release.history) and written into the
copy (rucas.build.release.history_columns); before that, the id promise is checked against them
(rucas.build.release.identity), and a build that breaks it is not released.

Everything but rucas.duckdb is byte-reproducible: the same build (or two builds of the same curated
input, cold or patched), the same previous release and the same date give the same bytes, archive included.
A patched build's rucas.db holds the same rows as a cold build's, not the same bytes (its view tables' rowids,
its full-text indexes' segments, its planner statistics and its free pages follow the edits it was patched
with), so the release copies neither database: it writes rucas.duckdb and then rucas.db anew from the build's
Parquet files, which verify_build has checked against the manifest, as a cold build writes them
(write_databases). Nothing of the release's databases comes from the build's database files, which a reader may
have changed (a build's manifest gives neither database a hash to check: rucas.duckdb's bytes differ between
identical builds, and rucas.db's follow the edits a build was patched with, PATCHED_IN_PLACE). It is released
only from a build of this code (refuse_other_code), which is what writes them again. DuckDB's file differs
between identical builds (rucas.build.write.manifest.NOT_REPRODUCIBLE), so it stays outside SHA256SUMS and the
archive; its tables equal the Parquet files.

The release date is not read from the clock, so that a release can be made again byte for byte: it is
--date, or else the date of the newest git commit of the curated folder, when the build is of exactly
the committed curated files.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from rucas.build.release.archive import write_archive
from rucas.build.release.citation import citation_cff
from rucas.build.release.diff import DatasetDiff, DiffError, dataset_version_of, diff_builds
from rucas.build.release.history import Ledger, add_release, trace_releases
from rucas.build.release.history_columns import write_history
from rucas.build.release.identity import IdChanges, IdPromiseError, check_ids
from rucas.build.release.releases import RELEASE_RECORD, Release, ReleaseRecordError, list_releases, read_release
from rucas.build.release.report import changes_json, changes_text
from rucas.build.release.site import add_release_pages
from rucas.build.release.staging import release_staging, remove_stale_staging
from rucas.build.release.version_scheme import is_dataset_version, required_bump, version_warning
from rucas.build.write.manifest import NOT_REPRODUCIBLE, ManifestError, file_sha256, read_manifest
from rucas.build.write.web_annotations import write_all_annotations

BUILD_FILES = ("parquet", "datapackage.json", "manifest.json", "datasette", "annotations", "records")
"""What a release copies from the build (the databases it writes anew: write_databases)."""

OUTSIDE_CHECKSUMS = frozenset(NOT_REPRODUCIBLE)
"""Release files neither in SHA256SUMS nor in the archive (their bytes are not reproducible)."""


class ReleaseError(Exception):
    """A release cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class ReleaseReport:
    """What `make_release` wrote."""

    release: Release
    archive: Path
    archive_sha256: str
    warning: str | None
    """A note for the maintainer when the version number is lower than the changes require."""


def verify_build(output_dir: Path) -> Path:
    """The folder of the build published in output_dir, checked against its manifest: every output the
    manifest hashes must have that hash. Raises ReleaseError naming the first that does not."""
    manifest_path = output_dir / "manifest.json"
    if not manifest_path.is_file():
        raise ReleaseError(f"{output_dir}: no build here (no manifest.json); run `rucas build` first")
    build_dir = manifest_path.resolve().parent
    try:
        manifest = read_manifest(manifest_path)
    except ManifestError as problem:
        raise ReleaseError(str(problem)) from problem
    for output in manifest["outputs"]:
        path = build_dir / output["path"]
        if output["sha256"] is not None and (not path.is_file() or file_sha256(path) != output["sha256"]):
            raise ReleaseError(f"{path}: differs from the build's manifest.json, so this is not a clean build; "
                               "run `rucas build` and release again")
    return build_dir


def refuse_unadjudicated(build_dir: Path) -> None:
    """Raise ReleaseError naming the articles of the build that are neither adjudicated nor test data: a release
    publishes only codings whose disagreements were decided (codebook review_status)."""
    import pyarrow.parquet as pq

    from rucas.schema.codes import ReviewStatus

    sources = pq.read_table(build_dir / "parquet" / "sources.parquet", columns=["source_id", "review_status"])
    allowed = {ReviewStatus.adjudicated.value, ReviewStatus.test_data.value}
    pending = sorted(f"{source_id} ({status})" for source_id, status in zip(sources.column("source_id").to_pylist(),
                                                                             sources.column("review_status").to_pylist())
                     if status not in allowed)
    if pending:
        raise ReleaseError(f"{build_dir}: {len(pending)} article(s) are not adjudicated, and a release publishes only "
                           f"adjudicated articles: {', '.join(pending[:10])}{' ...' if len(pending) > 10 else ''}. "
                           "Fix: store the second coding, decide every disagreement in adjudications/<id>.yaml, set "
                           "review_status: adjudicated, build, then release")


def refuse_other_code(build_dir: Path) -> None:
    """Raise ReleaseError unless the build in `build_dir` was written by this code (its manifest's writer_sha256 is
    rucas.build.write.incremental.writer_digest()): the release writes the databases again with this code's writers
    and views (write_databases), which must be the ones that wrote the build."""
    from rucas.build.write.incremental import writer_digest

    written_by, ours = read_manifest(build_dir / "manifest.json").get("writer_sha256"), writer_digest()
    if written_by != ours:
        raise ReleaseError(f"{build_dir}: this build was written by other code than this rucas's (writer digest "
                           f"{str(written_by)[:12]}, this code's {ours[:12]}), and a release writes the "
                           "databases again with this code. Fix: run `rucas build` with this code, then release")


def write_databases(folder: Path, version: str) -> None:
    """Write `folder`/rucas.duckdb (rucas_version() answering `version`) and then `folder`/rucas.db, neither of
    which may exist, from `folder`'s Parquet files alone, with the writers of a cold build
    (rucas.build.write.duckdb_db.write_duckdb, rucas.build.write.sqlite_db.write_sqlite): rucas.db gets the bytes
    of a cold build's of the same input, whether the build released was cold or patched."""
    import pyarrow.parquet as pq

    from rucas.build.table_files import ComputedTables
    from rucas.build.write.duckdb_db import write_duckdb
    from rucas.build.write.sqlite_db import write_sqlite
    from rucas.queries import view_files
    from rucas.schema import table_specs

    tables = ComputedTables([spec.name for spec in table_specs()],  # each writer reads one table at a time
                            lambda name: pq.read_table(folder / "parquet" / f"{name}.parquet", memory_map=True))
    views = view_files()
    write_duckdb(tables, folder / "rucas.duckdb", views, version)
    write_sqlite(tables, folder / "rucas.db", views, folder / "rucas.duckdb")


def release_date_from_git(curated_dir: Path, build_dir: Path) -> datetime.date:
    """The date of the newest commit of curated_dir, if the build is of exactly its committed files.

    Raises ReleaseError (saying to pass --date) when the folder is not in git, has uncommitted
    changes, or holds files other than the build's inputs."""
    manifest = read_manifest(build_dir / "manifest.json")
    for item in manifest["inputs"]:
        path = curated_dir / item["path"]
        if not path.is_file() or file_sha256(path) != item["sha256"]:
            raise ReleaseError(f"{path}: not the file the build was made from, so the release date cannot be taken "
                               "from git; pass --date YYYY-MM-DD (the date the curated input was last changed)")

    def git(*arguments: str) -> str:
        result = subprocess.run(["git", "-C", str(curated_dir), *arguments], capture_output=True, text=True,
                                check=False)
        if result.returncode != 0:
            raise ReleaseError(f"{curated_dir}: not in a git repository ({result.stderr.strip()}); "
                               "pass --date YYYY-MM-DD")
        return result.stdout.strip()

    if git("status", "--porcelain", "--", "."):
        raise ReleaseError(f"{curated_dir}: has uncommitted changes; commit them, or pass --date YYYY-MM-DD")
    committed = git("log", "-1", "--format=%cs", "--", ".")
    if not committed:
        raise ReleaseError(f"{curated_dir}: no commit holds it yet; commit it, or pass --date YYYY-MM-DD")
    return datetime.date.fromisoformat(committed)


def _copy_build(build_dir: Path, target: Path) -> None:
    for name in BUILD_FILES:
        source = build_dir / name
        if source.is_dir():
            shutil.copytree(source, target / name, symlinks=True)
        else:
            shutil.copy2(source, target / name)


def _files(folder: Path) -> list[str]:
    """Every file and link under folder, as sorted "/"-separated relative paths."""
    found = [path for path in folder.rglob("*") if path.is_file() or path.is_symlink()]
    return sorted(path.relative_to(folder).as_posix() for path in found)


def _readme(version: str, date: str, previous: str | None) -> str:
    against = f"the previous release, {previous}" if previous else "nothing: this is the first release"
    return (
        f"RUCAS release {version}, released {date}\n\n"
        "parquet/          one Parquet file per table (the durable, engine-neutral format)\n"
        "rucas.db          SQLite: the tables, full-text indexes and prepared views (what Datasette serves)\n"
        "rucas.duckdb      DuckDB: the same tables and views\n"
        "datapackage.json  Frictionless Data Package descriptor of the Parquet files\n"
        "annotations/      the evidence of every statement, event, condition and claim as W3C Web Annotations\n"
        "                  (JSON-LD): all.jsonld, and articles/<source_id>.jsonld per article\n"
        "manifest.json     the build this release was made from: inputs, row counts, and the size and hash\n"
        "                  of every output as it is in this folder (the release writes rucas.db and\n"
        "                  rucas.duckdb anew from the Parquet files, and adds the row history to all three),\n"
        "                  but for datasette/metadata.json and datasette/templates/: the release adds its\n"
        "                  version and changes to the site\n"
        "datasette/        Datasette configuration directory: `datasette datasette/` serves this release\n"
        f"CHANGES           what changed against {against} (text); changes.json the same as JSON\n"
        "CITATION.cff      how to cite this release\n"
        "release.json      version, release date, previous version\n"
        "SHA256SUMS        checksums of every file but rucas.duckdb: run `sha256sum -c SHA256SUMS` here\n\n"
        "rucas.duckdb is neither in SHA256SUMS nor in the archive: DuckDB writes different bytes for the same\n"
        "data, so its checksum could not be reproduced. Its tables equal the Parquet files; `rucas build` of the\n"
        "same curated input recreates it, and DuckDB reads the Parquet files directly:\n"
        "    SELECT * FROM read_parquet('parquet/events.parquet')\n"
        "Every other file, and the archive, is byte-reproducible from the same curated input.\n"
    )


def _epoch(date: datetime.date) -> int:
    return int(datetime.datetime(date.year, date.month, date.day, tzinfo=datetime.UTC).timestamp())


def make_release(output_dir: Path, releases_dir: Path, *, released: datetime.date | None = None,
                 previous: Path | None = None, curated_dir: Path | None = None) -> ReleaseReport:
    """Release the build published in output_dir into releases_dir/<version>/ (see the module docstring).

    `previous` is the release (or build) to compare with; by default the newest release in
    releases_dir. `released` is the release date; without it, see release_date_from_git
    (`curated_dir`, by default the package's curated folder). Raises ReleaseError."""
    from rucas.build.paths import default_curated_dir

    build_dir = verify_build(output_dir)
    refuse_other_code(build_dir)
    refuse_unadjudicated(build_dir)
    version = dataset_version_of(build_dir)
    if not is_dataset_version(version):
        raise ReleaseError(f"{build_dir / 'manifest.json'}: version {version[:80]!r} is not a dataset version "
                           "(MAJOR.MINOR.PATCH+INPUTS), and it would name the release's folder. Fix: run "
                           "`rucas build` again and release that build.")
    date = released or release_date_from_git(curated_dir or default_curated_dir(), build_dir)
    target = releases_dir / version
    if target.exists():
        raise ReleaseError(f"{target}: release {version} exists already; a release is never overwritten "
                           "(remove the folder first if it is yours to remove)")
    try:
        earlier = [release for release in list_releases(releases_dir) if release.version != version]
    except ReleaseRecordError as problem:
        raise ReleaseError(str(problem)) from problem
    if previous is None:
        previous = earlier[-1].folder if earlier else None
    ledger = trace_releases([(release.version, release.folder) for release in earlier])
    ids = _check_ids(ledger, build_dir, curated_dir or default_curated_dir())
    releases_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(releases_dir)
    with release_staging(releases_dir) as staging:
        _copy_build(build_dir, staging)
        write_databases(staging, version)
        write_all_annotations(staging / "annotations")  # the whole corpus's evidence in one file: a release's
        add_release(ledger, version, staging)
        write_history(staging, ledger)
        diff: DatasetDiff | None = _diff(previous, staging) if previous is not None else None
        bump = required_bump(diff)[0] if diff is not None else None
        previous_version = diff.old_version if diff is not None else None
        if diff is not None:
            (staging / "CHANGES").write_text(changes_text(diff) + ids.text(), encoding="utf-8")
            document = json.loads(changes_json(diff))
            document["ids"] = ids.document()
            (staging / "changes.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                                                  encoding="utf-8")
        else:
            (staging / "CHANGES").write_text(f"RUCAS {version}: the first release; there is no earlier release "
                                             "to compare it with.\n", encoding="utf-8")
            (staging / "changes.json").write_text(json.dumps({"format": 1, "old_version": None,
                                                              "new_version": version, "relations": []},
                                                             indent=2) + "\n", encoding="utf-8")
        add_release_pages(staging / "datasette", version, date.isoformat(), diff, bump)
        (staging / "CITATION.cff").write_text(citation_cff(version, date), encoding="utf-8")
        (staging / RELEASE_RECORD).write_text(json.dumps({"version": version, "date": date.isoformat(),
                                                          "previous": previous_version}, indent=2) + "\n",
                                              encoding="utf-8")
        (staging / "README.txt").write_text(_readme(version, date.isoformat(), previous_version), encoding="utf-8")
        checked = [name for name in _files(staging) if name not in OUTSIDE_CHECKSUMS]
        sums = "".join(f"{file_sha256(staging / name)}  {name}\n" for name in checked
                       if not (staging / name).is_symlink())
        (staging / "SHA256SUMS").write_text(sums, encoding="utf-8")
        archive_name = f"rucas-{version}.tar.gz"
        write_archive(staging / archive_name, staging, checked + ["SHA256SUMS"], f"rucas-{version}", _epoch(date))
        os.rename(staging, target)
    warning = version_warning(diff) if diff is not None else None
    return ReleaseReport(read_release(target), target / archive_name, file_sha256(target / archive_name), warning)


def _check_ids(ledger: Ledger, build_dir: Path, curated_dir: Path) -> IdChanges:
    """The build's renamed and deleted ids against the releases before it; ReleaseError when it breaks the promise."""
    try:
        return check_ids(ledger, build_dir, curated_dir)
    except IdPromiseError as problem:
        raise ReleaseError(str(problem)) from problem


def _diff(previous: Path, new: Path) -> DatasetDiff:
    """The changes from the previous release (or build) to the new one; ReleaseError when they cannot be read."""
    try:
        return diff_builds(previous, new)
    except (DiffError, ManifestError, FileNotFoundError) as problem:
        raise ReleaseError(f"the previous release {previous} cannot be compared with: {problem}") from problem
