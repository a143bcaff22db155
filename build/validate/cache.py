"""Validate the corpus reusing, per article, the rows of earlier runs, keyed by content hash.

An article's rows depend only on its two files, its source_id, the reference files and the
build code, so `article_key` hashes exactly those and the cache keeps each valid article's
rows in Arrow, column by column (one IPC file per table, rows tagged with their article's
key). A run validates only the articles whose key is new, in two processes when there are
many, then assembles every table from cached and new rows.

This is a fast path, never a second definition: the checks that span files run here as
vectorised set tests, and whenever anything is unusual (a link, a stray file, an error
anywhere) the corpus is validated again the ordinary way, by `validate_corpus`, so that
every error message is exactly the one it would be without the cache.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import multiprocessing
import os
import shutil
import stat
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import ipc
from rucas.build.read.corpus import (
    MAX_FILE_BYTES,
    REFERENCE_FILES,
    SLUG,
    Corpus,
    CuratedFile,
    read_corpus,
)
from rucas.build.validate.checks import (
    CURATED_CODEBOOKS,
    RowOrigin,
    Rows,
    check_roles_and_memberships,
    validate_article,
    validate_corpus,
    validate_reference,
)
from rucas.schema import TableSpec, table_spec, table_specs
from rucas.schema.derive import arrow_schema

CACHE_FORMAT = "1"
ARTICLE_KEY = "__article_key"
"""Extra column of cached tables: the key of the article each row came from."""
PARALLEL_MIN_ARTICLES = 400
"""Below this many articles to validate, one process is faster than starting a second."""

Counter = Callable[[int, int], None]
"""Called with (articles validated so far, articles to validate) as validation advances."""


@dataclass(frozen=True)
class ScannedFile:
    """One curated file as listed (not yet read): its path, shown name, size and stat fingerprint."""

    path: Path
    relative: str
    shown: str
    fingerprint: tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode

    @property
    def size(self) -> int:
        return self.fingerprint[0]


@dataclass
class CachedValidation:
    """What a cached validation produced: every table, the inputs for the manifest, and what was reused."""

    tables: dict[str, pa.Table]
    inputs: list[dict[str, object]]
    reused: int
    validated: int
    cache_tables: dict[str, pa.Table]
    context: str
    fingerprints: dict[str, tuple[tuple[int, int, int, int], str]]


def _shown_prefix(directory: Path) -> tuple[str | None, Path]:
    try:
        return str(directory.resolve().relative_to(Path.cwd().resolve())), directory
    except ValueError:
        return None, directory


def _shown(prefix: str | None, directory: Path, name: str) -> str:
    """display_path() of a regular file directly inside a real (non-link) directory, without resolving it."""
    if prefix is None:
        return str(directory / name)
    return name if prefix == "." else f"{prefix}/{name}"


def _scan_directory(root: Path, folder: str, suffix: str) -> dict[str, ScannedFile] | None:
    directory = root / folder
    if directory.is_symlink() or not directory.is_dir():
        return None
    prefix, _ = _shown_prefix(directory)
    found: dict[str, ScannedFile] = {}
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            info = entry.stat(follow_symlinks=False)
            stem, dot, ext = entry.name.rpartition(".")
            if (not stat.S_ISREG(info.st_mode) or f".{ext}" != suffix or not dot or not SLUG.match(stem)
                    or info.st_size > MAX_FILE_BYTES):
                return None
            found[stem] = ScannedFile(Path(entry.path), f"{folder}/{entry.name}", _shown(prefix, directory, entry.name),
                                      (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
    return found


def scan_corpus(root: Path) -> tuple[dict[str, ScannedFile], dict[str, ScannedFile], dict[str, ScannedFile]] | None:
    """List reference files, articles and annotations without reading them.

    Returns None when anything is unusual (a missing or linked file, a stray name, an article
    without annotation): `read_corpus` then reports it in its own words.
    """
    if root.is_symlink() or not root.is_dir():
        return None
    reference: dict[str, ScannedFile] = {}
    folder = root / "reference"
    if folder.is_symlink():
        return None
    prefix, _ = _shown_prefix(folder)
    for name in REFERENCE_FILES:
        path = folder / f"{name}.yaml"
        try:
            info = path.lstat()
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return None
        reference[name] = ScannedFile(path, f"reference/{name}.yaml", _shown(prefix, folder, path.name),
                                      (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
    articles = _scan_directory(root, "articles", ".txt")
    annotations = _scan_directory(root, "annotations", ".yaml")
    if articles is None or annotations is None or articles.keys() != annotations.keys():
        return None
    return reference, articles, annotations


VALIDATION_CODE = {"rucas.build.read": ("*.py",), "rucas.build.validate": ("*.py",), "rucas.schema": ("*.py",),
                   "rucas.build.curate": ("suggestions.py",)}
"""The modules an article's validated rows depend on, by package."""


def code_digest() -> str:
    """A hash of the validation and schema code: a changed check invalidates every cached result."""
    import importlib

    import rucas

    digest = hashlib.sha256(f"{rucas.__version__}\0{CACHE_FORMAT}\n".encode())
    for package, patterns in VALIDATION_CODE.items():
        folder = Path(importlib.import_module(package).__file__).resolve().parent
        for pattern in patterns:
            for path in sorted(folder.glob(pattern)):
                digest.update(f"{package}.{path.name}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def article_key(context: str, source_id: str, article_sha256: str, annotation_sha256: str) -> str:
    """The cache key of one article: the context (code and reference files), its id and its two files."""
    return hashlib.sha256(f"{context}\0{source_id}\0{article_sha256}\0{annotation_sha256}".encode()).hexdigest()


def rows_to_arrow(spec: TableSpec, rows: list[dict[str, Any]], keys: list[str] | None = None) -> pa.Table:
    """Rows as a pyarrow Table of the table's schema, unsorted; with `keys`, tagged by ARTICLE_KEY."""
    schema = arrow_schema(spec)
    columns = [pa.array([row[field.name] for row in rows], type=field.type) for field in schema]
    if keys is None:
        return pa.Table.from_arrays(columns, schema=schema)
    return pa.Table.from_arrays([*columns, pa.array(keys, pa.string())],
                                schema=schema.append(pa.field(ARTICLE_KEY, pa.string())))


def sort_table(spec: TableSpec, table: pa.Table) -> pa.Table:
    """A table in primary-key order (nulls last), one chunk per column, dictionaries in order of first use.

    The same rows give the same table whatever chunks they arrived in, so Parquet is byte-identical.
    """
    plain = [column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column
             for column in table.columns]
    if table.num_rows:
        keys = pa.table({name: plain[table.schema.get_field_index(name)] for name in spec.primary_key})
        order = pc.sort_indices(keys, sort_keys=[(name, "ascending", "at_end") for name in spec.primary_key])
        plain = [column.take(order) for column in plain]
    columns = [column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column for column in plain]
    columns = [column.dictionary_encode().cast(field.type) if pa.types.is_dictionary(field.type) else column
               for column, field in zip(columns, table.schema)]
    return pa.Table.from_arrays(columns, schema=table.schema)


@dataclass(frozen=True)
class _Job:
    source_id: str
    key: str
    article: tuple[Path, str]
    annotation: tuple[Path, str]


def _validate_jobs(jobs: list[_Job]) -> tuple[dict[str, pa.Table], int]:
    """Validate articles; return their rows as tagged Arrow tables and how many had errors."""
    tables: dict[str, list[dict[str, Any]]] = {}
    keys: dict[str, list[str]] = {}
    failed = 0
    for job in jobs:
        article = CuratedFile(job.article[0], job.article[1], job.article[0].read_bytes())
        annotation = CuratedFile(job.annotation[0], job.annotation[1], job.annotation[0].read_bytes())
        result = validate_article(job.source_id, article, annotation)
        if result.errors:
            failed += 1
            continue
        for table, rows in result.rows.tables.items():
            tables.setdefault(table, []).extend(rows)
            keys.setdefault(table, []).extend([job.key] * len(rows))
    return {name: rows_to_arrow(table_spec(name), rows, keys[name]) for name, rows in tables.items()}, failed


def _run_jobs(jobs: list[_Job], workers: int, counter: Counter) -> tuple[list[dict[str, pa.Table]], int]:
    if workers < 2 or len(jobs) < PARALLEL_MIN_ARTICLES:
        results = []
        for start in range(0, len(jobs), 1000):
            results.append(_validate_jobs(jobs[start:start + 1000]))
            counter(min(start + 1000, len(jobs)), len(jobs))
        return [tables for tables, _ in results], sum(failed for _, failed in results)
    chunk = max(200, min(5000, len(jobs) // (workers * 8)))
    parts, failed, done = [], 0, 0
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(_validate_jobs, jobs[start:start + chunk]): min(chunk, len(jobs) - start)
                   for start in range(0, len(jobs), chunk)}
        for future in concurrent.futures.as_completed(futures):
            tables, bad = future.result()
            parts.append(tables)
            failed += bad
            done += futures[future]
            counter(done, len(jobs))
    return parts, failed


def _fingerprints_path(cache_dir: Path) -> Path:
    return cache_dir / "fingerprints.arrow"


def _load_fingerprints(cache_dir: Path) -> dict[str, tuple[tuple[int, int, int, int], str]]:
    try:
        with pa.memory_map(str(_fingerprints_path(cache_dir))) as source:
            table = ipc.open_file(source).read_all()
    except (OSError, pa.ArrowInvalid):
        return {}
    columns = [table.column(name).to_pylist() for name in ("path", "size", "mtime_ns", "ctime_ns", "inode", "sha256")]
    return {path: ((size, mtime, ctime, inode), sha) for path, size, mtime, ctime, inode, sha in zip(*columns)}


def _load_rows(cache_dir: Path, context: str) -> dict[str, pa.Table]:
    """The cached tables of the current cache, or {} when there is none for this context."""
    try:
        token = (cache_dir / "current").read_text(encoding="utf-8").strip()
        meta = json.loads((cache_dir / token / "meta.json").read_text(encoding="utf-8"))
        if meta.get("context") != context:
            return {}
        tables = {}
        for name in meta["tables"]:
            with pa.memory_map(str(cache_dir / token / f"{name}.arrow")) as source:
                tables[name] = ipc.open_file(source).read_all()
        return tables
    except (OSError, ValueError, KeyError, pa.ArrowInvalid):
        return {}


def _write_ipc(table: pa.Table, path: Path) -> None:
    with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def save_cache(cache_dir: Path, validation: CachedValidation) -> None:
    """Store the validated rows and file fingerprints; replaces the previous cache atomically."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    token = f"rows-{uuid.uuid4().hex[:12]}"
    directory = cache_dir / token
    directory.mkdir()
    for name, table in validation.cache_tables.items():
        _write_ipc(table.unify_dictionaries(), directory / f"{name}.arrow")
    (directory / "meta.json").write_text(json.dumps({"context": validation.context,
                                                     "tables": sorted(validation.cache_tables)}), encoding="utf-8")
    items = sorted(validation.fingerprints.items())
    fingerprints = pa.table({"path": [p for p, _ in items], "size": [f[0][0] for _, f in items],
                             "mtime_ns": [f[0][1] for _, f in items], "ctime_ns": [f[0][2] for _, f in items],
                             "inode": [f[0][3] for _, f in items], "sha256": [f[1] for _, f in items]})
    temporary = cache_dir / f".fingerprints-{token}.arrow"
    _write_ipc(fingerprints, temporary)
    os.replace(temporary, _fingerprints_path(cache_dir))
    pointer = cache_dir / f".current-{token}"
    pointer.write_text(token + "\n", encoding="utf-8")
    os.replace(pointer, cache_dir / "current")
    for old in cache_dir.glob("rows-*"):
        if old.name != token:
            shutil.rmtree(old, ignore_errors=True)


def _sha256_of(file: ScannedFile, known: dict[str, tuple[tuple[int, int, int, int], str]]) -> str:
    cached = known.get(file.relative)
    if cached and cached[0] == file.fingerprint:
        return cached[1]
    return hashlib.sha256(file.path.read_bytes()).hexdigest()


def corpus_is_clean(tables: dict[str, pa.Table]) -> bool:
    """The checks of `check_corpus_rows` as set tests over whole columns: True when none would fail.

    Unique primary keys, resolving foreign keys, codebook values; roles and memberships (a few
    reference rows) go through the ordinary check.
    """
    keys: dict[str, pa.Array] = {}
    for spec in table_specs():
        table = tables[spec.name]
        if len(spec.primary_key) == 1:
            column = table.column(spec.primary_key[0])
            unique = pc.unique(column)
            if len(unique) != table.num_rows:
                return False
            keys[spec.name] = unique
        elif table.num_rows and table.group_by(spec.primary_key).aggregate([]).num_rows != table.num_rows:
            return False
    codebook = tables["codebook"]
    for spec in table_specs():
        table = tables[spec.name]
        for column in spec.columns:
            values = pc.drop_null(table.column(column.name))
            if not len(values):
                continue
            allowed = None
            if column.references:
                allowed = keys.get(column.references[0])
                if allowed is None:
                    return False
            elif column.name in CURATED_CODEBOOKS.values():
                allowed = codebook.filter(pc.equal(codebook.column("codebook"), column.name)).column("code")
            if allowed is not None and not pc.all(pc.is_in(values, value_set=pa.array(allowed))).as_py():
                return False
    rows = Rows()
    for name in ("actors", "actor_roles", "alliance_members"):
        for row in tables[name].to_pylist():
            rows.add(name, row, RowOrigin("", 1, {}))
    for source_id in tables["sources"].column("source_id").to_pylist():
        rows.add("sources", {"source_id": source_id}, RowOrigin("", 1, {}))
    errors: list = []
    check_roles_and_memberships(rows, errors)
    return not errors


def validate_cached(curated_dir: Path, cache_dir: Path | None, *, workers: int = 2,
                    counter: Counter | None = None) -> CachedValidation | None:
    """Validate the corpus, reusing cached rows of unchanged articles; return every table sorted.

    Returns None when the corpus is unusual enough that `read_corpus` must look at it (the
    caller then validates the ordinary way). Raises ValidationFailed, with exactly the
    ordinary messages, when there are errors.
    """
    scanned = scan_corpus(curated_dir)
    if scanned is None:
        return None
    reference_files, articles, annotations = scanned
    known = _load_fingerprints(cache_dir) if cache_dir else {}
    corpus = Corpus(curated_dir)
    for name, file in reference_files.items():
        corpus.reference[name] = CuratedFile(file.path, file.shown, file.path.read_bytes())
    reference = validate_reference(corpus)
    if reference.errors:
        validate_corpus(read_corpus(curated_dir))
        return None
    context = hashlib.sha256((code_digest() + "".join(
        f"\0{name}\0{corpus.reference[name].sha256}" for name in sorted(corpus.reference))).encode()).hexdigest()
    cached = _load_rows(cache_dir, context) if cache_dir else {}
    cached_keys = set(cached["sources"].column(ARTICLE_KEY).to_pylist()) if "sources" in cached else set()

    fingerprints: dict[str, tuple[tuple[int, int, int, int], str]] = {}
    inputs: list[dict[str, object]] = []
    for name in sorted(reference_files):
        file = reference_files[name]
        fingerprints[file.relative] = (file.fingerprint, corpus.reference[name].sha256)
    shas: dict[str, str] = {}
    for files in (articles, annotations):
        for stem in sorted(files):
            file = files[stem]
            sha = _sha256_of(file, known)
            fingerprints[file.relative] = (file.fingerprint, sha)
            shas[file.relative] = sha
    for name in sorted(reference_files):
        file = reference_files[name]
        inputs.append({"path": file.relative, "sha256": fingerprints[file.relative][1], "bytes": file.size})
    for files in (articles, annotations):
        for stem in sorted(files):
            inputs.append({"path": files[stem].relative, "sha256": shas[files[stem].relative], "bytes": files[stem].size})

    keys: dict[str, str] = {}
    jobs: list[_Job] = []
    for source_id in sorted(articles):
        article, annotation = articles[source_id], annotations[source_id]
        key = article_key(context, source_id, shas[article.relative], shas[annotation.relative])
        keys[source_id] = key
        if key not in cached_keys:
            jobs.append(_Job(source_id, key, (article.path, article.shown), (annotation.path, annotation.shown)))
    parts, failed = _run_jobs(jobs, workers, counter or (lambda done, total: None))
    if failed:
        validate_corpus(read_corpus(curated_dir))  # raises with the ordinary messages
        return None

    current = pa.array(sorted(keys.values()), pa.string())
    tables: dict[str, pa.Table] = {}
    cache_tables: dict[str, pa.Table] = {}
    for spec in table_specs():
        schema = arrow_schema(spec)
        tagged = schema.append(pa.field(ARTICLE_KEY, pa.string()))
        pieces = []
        if spec.name in cached:
            old = cached[spec.name]
            if len(cached_keys) != len(current) or cached_keys != set(keys.values()):
                old = old.filter(pc.is_in(old.column(ARTICLE_KEY), value_set=current))
            pieces.append(old.cast(tagged))
        pieces += [part[spec.name].cast(tagged) for part in parts if spec.name in part]
        article_rows = pa.concat_tables(pieces) if pieces else tagged.empty_table()
        if article_rows.num_rows:
            cache_tables[spec.name] = article_rows
        reference_rows = rows_to_arrow(spec, reference.rows.tables.get(spec.name, []))
        tables[spec.name] = sort_table(spec, pa.concat_tables([reference_rows, article_rows.drop_columns([ARTICLE_KEY])]))
    if not corpus_is_clean(tables):
        rows = validate_corpus(read_corpus(curated_dir))  # raises with the ordinary messages
        tables = {spec.name: sort_table(spec, rows_to_arrow(spec, rows.tables.get(spec.name, [])))
                  for spec in table_specs()}
    return CachedValidation(tables, inputs, len(articles) - len(jobs), len(jobs), cache_tables, context, fingerprints)
