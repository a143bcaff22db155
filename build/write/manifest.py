"""The build manifest: what went in, what came out, row counts and the dataset version."""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from pyarrow import ipc

from rucas.build.read.file_list import INPUT_FIELDS, OUTPUT_FIELDS, FileList

NOT_REPRODUCIBLE = {"rucas.duckdb"}
"""Outputs whose bytes differ between identical builds (DuckDB's file format); the manifest lists them
without a hash or size. Their contents equal the Parquet files, which are byte-reproducible."""

PATCHED_IN_PLACE = {"rucas.db"}
"""Outputs a rebuild patches in place (rucas.build.write.incremental), so that their bytes follow the edits the
build was patched with, not only its input: a cold and a patched build of the same input hold the same rows in
other bytes. A build's manifest gives their size (and that of each link to them) but no hash; Datasette's
inspect data identifies rucas.db by the build's content_digest instead. A release writes them anew from its
checked Parquet files, byte-reproducibly, and its manifest and SHA256SUMS hash them
(rucas.build.release.release.write_databases). Hashing rucas.db for a build's manifest took 4 s of CPU
at 100,000 articles (3.9 GB), in every rebuild, for a hash that nothing checked."""


class ManifestError(ValueError):
    """A manifest.json cannot be read or lacks what every manifest holds; the message names it and the fix."""


MANIFEST_KEYS = {"version": str, "row_counts": dict, "inputs": list, "outputs": list}
"""What every manifest holds, and of which JSON type: a file without them is no build's manifest."""


def read_manifest(path: Path) -> dict[str, object]:
    """The manifest at `path`, checked to be a JSON object with MANIFEST_KEYS. Raises ManifestError naming
    the file and the fix when it is missing, truncated, not JSON or not a manifest (a traceback is no answer)."""
    return _parsed(path, _manifest_bytes(path))


def _manifest_bytes(path: Path) -> bytes:
    """The bytes of the manifest at `path` (ManifestError when it is missing or cannot be read)."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise ManifestError(f"{path}: missing, so the folder holds no finished build. Fix: run `rucas build`, "
                            "or give the output folder of one (or a release folder).") from exc
    except OSError as exc:
        raise ManifestError(f"{path}: cannot be read as a build's manifest ({exc}). Fix: run `rucas build` again "
                            "(it replaces a build it made), or restore a release from its archive.") from exc


def _parsed(path: Path, data: bytes) -> dict[str, object]:
    """read_manifest of the manifest `path` whose bytes are `data`."""
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: cannot be read as a build's manifest ({exc}). Fix: run `rucas build` again "
                            "(it replaces a build it made), or restore a release from its archive.") from exc
    wrong = [key for key, kind in MANIFEST_KEYS.items() if not isinstance(manifest, dict)
             or not isinstance(manifest.get(key), kind)]
    if wrong:
        raise ManifestError(f"{path}: not a build's manifest (missing or wrong: {', '.join(wrong)}). Fix: run "
                            "`rucas build` again, or restore a release from its archive.")
    return manifest


MANIFEST_COLUMNS = "manifests"
"""The folder of a build cache (.cache/manifests) that keeps recent manifests' inputs and outputs as Arrow columns,
each in <the manifest's SHA-256>.arrow: a patched build reads the current build's and the spare's there instead of
parsing their JSON (44 MB each at 100,000 articles: about 0.2 s each, with the conversion to columns)."""

KEEP_MANIFEST_COLUMNS = 3
"""How many manifests' columns MANIFEST_COLUMNS keeps (the newest): the new build's, the current one's (the next
spare) and one more."""

_KEPT_NAME = re.compile(r"[0-9a-f]{64}\.arrow\Z")
"""The name of a file of MANIFEST_COLUMNS: only such files are removed from it."""


FILE_LISTS = ("inputs", "outputs")
"""The keys of a manifest that list files (FileList); the others are its header."""


@dataclass(frozen=True)
class ManifestFiles:
    """A manifest's inputs and outputs as columns, and its other keys (`header`: version, writer_sha256, ...)."""

    header: dict[str, object]
    inputs: FileList
    outputs: FileList


def read_manifest_files(path: Path, kept: Path | None = None) -> ManifestFiles:
    """The manifest at `path` as ManifestFiles; with `kept` (a MANIFEST_COLUMNS folder), its columns are taken
    from there when it keeps them for a manifest of the same SHA-256, else the JSON is parsed. Raises
    ManifestError as read_manifest does, and ValueError when an entry is not a file's."""
    data = _manifest_bytes(path)
    if kept is not None:
        try:
            with pa.memory_map(str(kept / f"{hashlib.sha256(data).hexdigest()}.arrow")) as source:
                table = ipc.open_file(source).read_all()
            metadata = table.schema.metadata or {}
            count = int(metadata[b"inputs"])
            table = table.replace_schema_metadata()
            return ManifestFiles(json.loads(metadata[b"header"]), FileList(table.slice(0, count)),
                                 FileList(table.slice(count).select(list(OUTPUT_FIELDS))))
        except (OSError, KeyError, ValueError, pa.ArrowInvalid):  # none kept (or damaged): the JSON is read
            pass
    manifest = _parsed(path, data)
    return ManifestFiles({key: value for key, value in manifest.items() if key not in FILE_LISTS},
                         FileList.from_entries(manifest["inputs"]),  # type: ignore[arg-type]
                         FileList.from_entries(manifest["outputs"], OUTPUT_FIELDS))  # type: ignore[arg-type]


def keep_manifest_files(kept: Path, data: bytes, files: ManifestFiles) -> None:
    """Keep `files`, the columns of the manifest whose bytes are `data`, in the MANIFEST_COLUMNS folder `kept`
    (made if missing), and remove all but its KEEP_MANIFEST_COLUMNS newest files."""
    kept.mkdir(exist_ok=True)
    table = pa.concat_tables([files.inputs.table.select(list(INPUT_FIELDS)),
                              files.outputs.table.select(list(INPUT_FIELDS))])  # in one order: read back by slices
    table = table.replace_schema_metadata({"header": json.dumps(files.header), "inputs": str(len(files.inputs))})
    name = f"{hashlib.sha256(data).hexdigest()}.arrow"
    temporary = kept / f".{name}.{uuid.uuid4().hex[:12]}"
    with pa.OSFile(str(temporary), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    os.replace(temporary, kept / name)
    ours = sorted((path for path in kept.iterdir() if _KEPT_NAME.match(path.name)),
                  key=lambda path: path.stat().st_mtime_ns, reverse=True)
    for path in ours[KEEP_MANIFEST_COLUMNS:]:
        path.unlink(missing_ok=True)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(build_dir: Path) -> list[str]:
    """Every file under `build_dir` but manifest.json (following links to files, as the published folder is read;
    not descending into links to folders), as sorted paths relative to it. A directory entry says whether it is a
    regular file without a stat call (the 100,049 files of a 100k build: 0.14 s, against 0.56 s with one each)."""
    found = []
    pending = [(build_dir, "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((Path(entry.path), f"{prefix}{entry.name}/"))
                elif entry.is_file() and not (prefix == "" and entry.name == "manifest.json"):
                    found.append(f"{prefix}{entry.name}")
    return sorted(found)


def content_digest(inputs_sha256: str, writer_sha256: str) -> str:
    """SHA-256 of the inputs' digest and the writer code's digest: what a build's rows are made of. A cold and a
    patched build of the same input have it in common (their rucas.db rows are the same, their bytes need not
    be); Datasette's inspect data gives it as the database's hash (rucas.build.publish.inspection)."""
    return hashlib.sha256(f"{inputs_sha256}\0{writer_sha256}\n".encode()).hexdigest()


def write_manifest(path: Path, *, version: str, inputs: FileList, build_dir: Path, row_counts: dict[str, int],
                   writer_sha256: str | None = None, known_outputs: FileList | None = None,
                   kept: Path | None = None) -> None:
    """Write manifest.json describing the build in `build_dir`.

    `writer_sha256` identifies the code that wrote the outputs (see rucas.build.write.incremental);
    `known_outputs` are entries of files taken over unchanged from the previous build, or hashed as they were
    written, not hashed again. Every other file is hashed here, but those NOT_REPRODUCIBLE (listed without hash
    or size) and those PATCHED_IN_PLACE and the links to them (listed with their size alone). With `kept` (a
    MANIFEST_COLUMNS folder), its inputs and outputs are kept there as columns for the next build
    (keep_manifest_files). Raises ValueError if it lists a file twice."""
    listed = _files(build_dir)
    known = known_outputs.only(listed) if known_outputs is not None else FileList.empty(OUTPUT_FIELDS)
    known_paths = set(known.paths)
    if len(known_paths) != len(known):
        raise ValueError("the known outputs list a file twice")
    fresh = [relative for relative in listed if relative not in known_paths]
    patched = {os.path.realpath(build_dir / name) for name in PATCHED_IN_PLACE}
    sized = [relative not in NOT_REPRODUCIBLE for relative in fresh]
    hashed = [keep and os.path.realpath(build_dir / relative) not in patched for relative, keep in zip(fresh, sized)]
    outputs = (known + FileList.from_columns(
        fresh, [file_sha256(build_dir / relative) if hash_it else None for relative, hash_it in zip(fresh, hashed)],
        [(build_dir / relative).stat().st_size if keep else None for relative, keep in zip(fresh, sized)],
        OUTPUT_FIELDS)).sorted()
    manifest = {
        "dataset": "rucas",
        "version": version,
        "inputs_sha256": inputs.digest(),
        "writer_sha256": writer_sha256,
        "row_counts": row_counts,
        "inputs": inputs,
        "outputs": outputs,
    }
    data = manifest_text(manifest).encode("utf-8")
    path.write_bytes(data)
    if kept is not None:
        keep_manifest_files(kept, data, ManifestFiles(
            {key: value for key, value in manifest.items() if key not in FILE_LISTS}, inputs, outputs))


def manifest_text(manifest: dict[str, object]) -> str:
    """manifest.json's text: one key per line, and each entry of a list (an input, an output) on one line of
    its own, so that a manifest reads and diffs entry by entry. Every line is written by json's C encoder
    (`json.dumps` with an indent runs the pure-Python one: for the 300,000 entries of a build of 100,000
    articles 1.04 s, against 0.81 s)."""
    lines = []
    for key, value in manifest.items():
        if isinstance(value, FileList):  # the build's inputs and outputs, held as columns
            value = value.json_lines()
        elif isinstance(value, list):
            value = [json.dumps(item) for item in value]
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}")
            continue
        if value:
            lines.append(f"  {json.dumps(key)}: [\n    " + ",\n    ".join(value) + "\n  ]")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"
