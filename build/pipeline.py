"""The build as functions a notebook can call: validate the curated corpus, or build every output from it."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rucas.build.memory import PeakSampler
from rucas.build.read.errors import ValidationFailed
from rucas.build.validate.cache import remove_unused_segments
from rucas.build.validate.corpus import Validated, save_cache, validate_corpus

if TYPE_CHECKING:
    import pyarrow as pa

    from rucas.build.read.watch import Changes

    from rucas.build.review.records import ReviewRecords

# The writers (DuckDB, SQLite, Datasette) are imported by `build` when it runs, so that `validate`
# starts without them.

Progress = Callable[[str], None]

SPILL = ".tables"
"""The folder of a build's staging folder that holds its tables between stages; removed before publishing."""


WRITTEN_BEFORE_SQLITE = ("parquet", "rucas.duckdb", "annotations")
"""The outputs a cold build has finished when it waits for its SQLite writer: it flushes them to the disk then."""


def quiet(_: str) -> None:
    """A progress callback that says nothing."""


def stderr_progress(message: str) -> None:
    """A progress callback that prints to standard error."""
    print(message, file=sys.stderr, flush=True)


@dataclass
class BuildReport:
    """What a build did: where its outputs are, its version, row counts and seconds per stage."""

    output_dir: Path
    build_dir: Path
    version: str
    row_counts: dict[str, int]
    stage_seconds: dict[str, float] = field(default_factory=dict)
    """Seconds per stage: validate, cache (storing it), then either sort (every table sorted: a cold build;
    a patched build sorts only the tables whose Parquet file it writes again, during copy), parquet, duckdb,
    duckdb views (computing the materialised views), sqlite (tables, full-text indexes, the foreign key check,
    ANALYZE) and sqlite views (storing the views' rows), or, patching, diff, copy, patch (tables) and patch
    views; then annotations (the Web Annotations), datasette_config, manifest (listing and hashing the outputs)
    and publish (flushing them to disk, the swap, removing superseded builds). In a cold build sqlite and sqlite
    views are written by a process of their own (SqliteWriter) while this one runs parquet, duckdb, duckdb views
    and annotations: their seconds are the writer's, flush is the build flushing its finished outputs to the disk
    meanwhile, and sqlite wait is how long it then waited for the writer, so that the stages' seconds add up to
    more than the build's."""
    articles_from_cache: int = 0
    patched: bool = False
    """True if the outputs were patched from the previous build (rucas.build.write.incremental)."""
    views_patched: dict[str, str] = field(default_factory=dict)
    """In a patched build, each materialised view whose rows changed: "in place" (the changed rows only),
    "moved" (rows took other places: the others renumbered) or "rewritten" (a view without a unit, computed and
    written whole)."""
    stage_peak_rss_mib: dict[str, float] = field(default_factory=dict)
    """Peak of the summed resident sets of the build process and its workers (MiB) during each stage, sampled
    every 50 ms where the system reports it (Linux; rucas.build.memory)."""
    databases: str = ""
    """In a patched build, how the databases to patch came into it: "cloned" (a reflink), "spare" (the superseded
    build brought forward) or "copied" (rucas.build.write.incremental.bring_databases); empty in a cold build."""
    recomputed: list[str] = field(default_factory=list)
    """In a patched build, the whole-corpus queries computed again because the patch changed what they read
    (materialised views without a unit, page and chart tables: rucas.build.write.reads); the others kept their
    rows."""


def dataset_version(inputs_sha256: str) -> str:
    """The dataset version: package version plus the first 12 hex digits of the inputs' hash."""
    from rucas._version import __version__

    return f"{__version__}+{inputs_sha256[:12]}"


def validate(curated_dir: Path, cache_dir: Path | None = None, progress: Progress = quiet,
             bar: bool = False) -> Validated:
    """Read and validate the curated corpus into tables; write nothing. Raises ValidationFailed listing every error.

    With `cache_dir` (a build's cache), articles validated before with the same files and the same
    validation code are taken from it instead of being checked again; the result is the same.
    """
    from rucas.build.review.records import ReviewCheck

    progress(f"validating {curated_dir}")
    return validate_corpus(curated_dir, cache_dir, counter=progress_bar("validating") if bar else None, tables=False,
                           after=ReviewCheck(curated_dir))


@dataclass
class WatchRound:
    """One validation of a watch (validate_watching): what changed before it (None for the first), and the outcome."""

    changed: Changes | None
    outcome: Validated | ValidationFailed
    seconds: float
    """How long listing what changed and validating took."""


def validate_watching(curated_dir: Path, cache_dir: Path | None, report: Callable[[WatchRound], None], *,
                      rounds: int | None = None) -> None:
    """Validate the corpus as `validate` does, then again each time a watch of the folder reports a change, and hand
    each outcome to `report` (which may raise to stop; KeyboardInterrupt stops the watch too), at most `rounds`
    times. Only the files reported changed are listed again (rucas.build.read.watch); the rest is `validate`'s path.

    Raises WatchUnavailable when the system cannot watch the folder (not Linux, or inotify refused)."""
    import gc

    from rucas.build.read.watch import CuratedWatch, WatchedCorpus
    from rucas.build.review.records import ReviewCheck
    from rucas.build.validate.cache import load_fingerprints

    with CuratedWatch(curated_dir) as watch:
        corpus, changed, done = WatchedCorpus(curated_dir), None, 0
        while True:
            started = time.perf_counter()
            outcome: Validated | ValidationFailed
            known = load_fingerprints(cache_dir) if cache_dir is not None else None
            try:
                outcome = validate_corpus(corpus.read(known), cache_dir, tables=False, after=ReviewCheck(curated_dir))
            except ValidationFailed as failure:
                outcome = failure.with_traceback(None)  # not the frames of the validation, nor what they held
            del known  # the cache's fingerprints are not held while the watch waits for the next save
            report(WatchRound(changed, outcome, time.perf_counter() - started))
            done += 1
            if rounds is not None and done >= rounds:
                return
            del outcome
            gc.unfreeze()  # read_corpus froze what was alive; in a process that lives on, cycles are freed again
            gc.collect()
            changed = watch.wait()
            while not changed:
                changed = watch.wait()
            corpus.changed(changed)


def add_review_tables(tables: Mapping[str, pa.Table], records: ReviewRecords) -> None:
    """Fill coding_agreement and adjudications from the review records the validation read (empty without any)."""
    from rucas.build.review.records import agreement_rows
    from rucas.build.arrow_tables import rows_to_arrow, sort_table
    from rucas.schema import table_spec

    for name, rows in (("coding_agreement", agreement_rows(records)), ("adjudications", records.decisions)):
        spec = table_spec(name)
        tables[name] = sort_table(spec, rows_to_arrow(spec, rows))


class _Timer:
    """Times the stages of a build and, where the system tells it (Linux), the peak memory of the build's
    processes during each (rucas.build.memory.PeakSampler, which must be running)."""

    def __init__(self, report: dict[str, float], progress: Progress, peaks: dict[str, float], memory: PeakSampler):
        self.report, self.progress, self.last = report, progress, time.perf_counter()
        self.peaks, self.memory = peaks, memory

    def lap(self, stage: str) -> None:
        """Count the seconds since the last lap towards `stage` (a stage may be timed in several laps), and the
        processes' peak resident set since the last lap."""
        import pyarrow as pa

        pa.default_memory_pool().release_unused()  # what the stage freed goes back to the system, not kept by the pool
        now = time.perf_counter()
        self.report[stage] = round(self.report.get(stage, 0.0) + now - self.last, 4)
        peak = self.memory.take()
        if peak is not None:
            self.peaks[stage] = max(self.peaks.get(stage, 0.0), peak)
        self.progress(f"  {stage}: {now - self.last:.2f} s" + (f", peak {peak:,.0f} MiB" if peak is not None else ""))
        self.last = now


def progress_bar(label: str, stream=sys.stderr) -> Callable[[int, int], None]:
    """A counter that draws `label [#####     ] done/total` on one line of `stream`."""

    def draw(done: int, total: int) -> None:
        filled = int(30 * done / total) if total else 30
        end = "\n" if done >= total else ""
        print(f"\r  {label} [{'#' * filled}{' ' * (30 - filled)}] {done:,}/{total:,}", end=end, file=stream, flush=True)

    return draw


def build(curated_dir: Path, output_dir: Path, progress: Progress = quiet, *, cache: bool = True,
          bar: bool = False, incremental: bool = True) -> BuildReport:
    """Validate, then write Parquet, DuckDB, SQLite, datapackage.json, Datasette config and manifest.

    Outputs are written to a staging folder and published with one atomic swap; on any error
    nothing that was published before changes. With `cache`, validated rows of unchanged
    articles are reused from <output>/.cache (see rucas.build.validate.cache); `bar` draws a progress bar.
    With `incremental`, a build whose input differs from the published one only in articles and
    annotations patches the previous outputs instead of rewriting them (rucas.build.write.incremental).
    The report gives each stage's seconds and the peak memory of the build's processes during it.
    """
    with PeakSampler() as memory:
        return _build(curated_dir, output_dir, progress, cache=cache, bar=bar, incremental=incremental,
                      memory=memory)


def _build(curated_dir: Path, output_dir: Path, progress: Progress, *, cache: bool, bar: bool, incremental: bool,
           memory: PeakSampler) -> BuildReport:
    """build(), timed stage by stage with `memory` sampling."""
    from rucas.build.publish.atomic import build_lock, flush_finished, flush_staging, new_staging_dir, publish
    from rucas.build.publish.config_directory import write_config
    from rucas.build.review.records import ReviewCheck, review_inputs
    from rucas.build.write.datapackage import write_datapackage
    from rucas.build.write.duckdb_db import write_duckdb
    from rucas.build.write.incremental import (WRITER_RECORD, previous_build, start_early_copy, write_patched,
                                               writer_digest)
    from rucas.build.read.file_list import OUTPUT_FIELDS, FileList
    from rucas.build.write.manifest import MANIFEST_COLUMNS, content_digest, write_manifest
    from rucas.build.write.parquet import write_parquet
    from rucas.build.write.sqlite_db import full_text_counts
    from rucas.build.write.sqlite_writer import SqliteWriter
    from rucas.build.write.review_records import write_review_records
    from rucas.build.write.web_annotations import write_web_annotations
    from rucas.build.table_files import SortedOnDemand, row_counts
    from rucas.queries import view_files

    stages: dict[str, float] = {}
    peaks: dict[str, float] = {}
    timer = _Timer(stages, progress, peaks, memory)
    cache_dir = output_dir / ".cache"
    review = ReviewCheck(curated_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    with build_lock(output_dir), contextlib.ExitStack() as done:
        staging = new_staging_dir(output_dir)
        spill = staging / SPILL  # the tables between stages, one file each (rucas.build.table_files)
        writer = writer_digest(cache_dir / WRITER_RECORD if cache else None)
        kept_manifests = cache_dir / MANIFEST_COLUMNS if cache else None  # manifests as columns, for the next build
        early = start_early_copy(output_dir, staging, writer, kept_manifests) if incremental else None
        if early is not None:  # copying the current databases while validating; waited for before anything fails
            done.callback(early.discard)
        validated = validate_corpus(curated_dir, cache_dir if cache else None,
                                    counter=progress_bar("validating") if bar else None, after=review, spill=spill)
        add_review_tables(validated.tables, review.records)
        validated.inputs = validated.inputs + review_inputs(curated_dir)
        inputs, tables, reused = validated.inputs, validated.tables, validated.reused
        assert isinstance(tables, SortedOnDemand)  # with a spill folder: each table sorted when first asked for
        progress(f"  {validated.reused:,} article(s) from the cache, {validated.validated:,} validated")
        timer.lap("validate")
        version = dataset_version(inputs.digest())
        timer.lap("normalise")
        if cache:  # before any table is sorted (save_cache); segments the unsorted ones read stay until the end
            save_cache(cache_dir, validated)
            timer.lap("cache")
        validated.cache_tables, validated.key_tables = {}, {}
        validated.fingerprints = None  # stored in the cache: 200,000 files' at 100k articles, not held while patching
        views = view_files()
        previous = previous_build(output_dir, inputs, writer, kept_manifests) if incremental else None
        if previous is None and early is not None:  # a cold build: the copies are not needed
            early.discard()
        known_outputs = FileList.empty(OUTPUT_FIELDS)  # files not hashed again: taken over, or hashed when written
        views_patched: dict[str, str] = {}
        known_counts: dict[str, int] = {}  # rows of rucas.db's tables beside the schema's the build knows
        if previous is not None:
            progress("  patching the previous build")
            patched = write_patched(previous, tables, staging, views, version, inputs, lap=timer.lap,
                                    early=early)
            known_outputs, views_patched, known_counts = patched.outputs, patched.views, patched.counts_kept
            progress(f"  databases {patched.databases}; views patched: "
                     + (", ".join(f"{name} {how}" for name, how in views_patched.items()) or "none changed")
                     + "; whole-corpus queries computed again: " + (", ".join(patched.recomputed) or "none"))
        else:  # SQLite writes rucas.db in a process of its own while this one writes the other outputs
            tables.sort_all()  # every table is written: the writer is handed their files
            timer.lap("sort")
            sqlite = SqliteWriter(tables, staging / "rucas.db", views, staging / "rucas.duckdb")
            done.callback(sqlite.stop)  # a build failing elsewhere ends it before its staging folder is removed
            write_parquet(tables, staging / "parquet")
            timer.lap("parquet")
            write_duckdb(tables, staging / "rucas.duckdb", views, version, lap=timer.lap)
            sqlite.duckdb_written()
        taken_from, folder = previous, previous.build_dir / "annotations" if previous is not None else None
        if early is not None:  # taken by a patched build (its links too); else its copies go before anything is listed
            if previous is not None and early.used and early.take_annotations(staging):
                folder = staging / "annotations"  # links to the current build's files, made while validating
            early.discard()
        if previous is not None and patched.spare is not None:  # the spare build whose databases were patched
            moved = patched.spare.build_dir / "annotations"
            if (moved / "articles").is_dir() and not moved.is_symlink() and not (moved / "articles").is_symlink():
                os.rename(moved, staging / "annotations")  # its files are kept where the articles are unchanged
                taken_from, folder = patched.spare, staging / "annotations"
            shutil.rmtree(patched.spare.build_dir, ignore_errors=True)
        if taken_from is None or folder is None or not (folder / "articles").is_dir():
            written = write_web_annotations(tables, staging / "annotations")  # every row's evidence
        else:  # only the changed articles' annotations are encoded; the others are the previous files
            written = write_web_annotations(tables, staging / "annotations", previous=folder,
                                            changed=set(taken_from.changed_source_ids))
            taken = sorted({f"articles/{name}" for name in os.listdir(staging / "annotations" / "articles")}
                           - written.keys())  # every file not written is one of that build's, unchanged
            known_outputs += taken_from.output_entries([f"annotations/{path}" for path in taken])
        annotations = sorted(written)
        known_outputs += FileList.from_columns([f"annotations/{path}" for path in annotations],
                                               [written[path].sha256 for path in annotations],
                                               [written[path].bytes for path in annotations],
                                               OUTPUT_FIELDS)  # hashed as they were written: not read again
        timer.lap("annotations")
        flushed: tuple[str, ...] = ()
        if previous is None:  # the SQLite writer's stages ran beside the others: the wait for it is a stage too
            flushed = flush_finished(staging, WRITTEN_BEFORE_SQLITE)  # while the writer works
            timer.lap("flush")
            written_beside = sqlite.finish()
            stages.update(written_beside)
            progress("  " + ", ".join(f"{stage}: {seconds:.2f} s" for stage, seconds in written_beside.items())
                     + " (the SQLite writer, beside the stages above)")
            timer.lap("sqlite wait")
        write_review_records(curated_dir, inputs, staging / "records")  # the codings and logs behind review_status
        counts = row_counts(tables)
        del tables, validated
        shutil.rmtree(spill)  # made by this build, in its own staging folder; never published
        if cache:  # the tables are gone: the segments a cache written whole superseded are no longer read
            remove_unused_segments(cache_dir)
        write_config(staging / "datasette", staging / "rucas.db", digest=content_digest(inputs.digest(),
                     writer), known_counts=known_counts | counts | full_text_counts(counts))
        write_datapackage(staging / "datapackage.json", version)
        timer.lap("datasette_config")
        flush_staging(staging, flushed)  # publish then flushes manifest.json alone
        write_manifest(staging / "manifest.json", version=version, inputs=inputs, build_dir=staging,
                       row_counts=counts, writer_sha256=writer, known_outputs=known_outputs, kept=kept_manifests)
        timer.lap("manifest")
        final = publish(output_dir, staging, version.replace("+", "-"), written_after_flush=["manifest.json"])
        timer.lap("publish")
    return BuildReport(output_dir, final, version, counts, stages, reused, previous is not None, views_patched,
                       peaks, databases=patched.databases if previous is not None else "",
                       recomputed=patched.recomputed if previous is not None else [])


def ensure_built(output_dir: Path) -> None:
    """Build into output_dir if it holds no published build yet; write the Datasette config if it lacks one."""
    from rucas.build.publish.serve import config_dir, publish_config

    if not (output_dir / "manifest.json").exists():
        from rucas.build.paths import default_curated_dir

        build(default_curated_dir(), output_dir, stderr_progress)
    if not (config_dir(output_dir) / "inspect-data.json").exists():
        publish_config(output_dir)
