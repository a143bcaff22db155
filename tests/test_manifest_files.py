"""A build keeps its manifest's inputs and outputs as columns in its cache (.cache/manifests), named by the
manifest's SHA-256, and the next build reads them there instead of parsing the JSON: what it reads is what the
JSON says, and a manifest that is not the one kept is read from its JSON."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from rucas.build.paths import default_curated_dir
from rucas.build.pipeline import build
from rucas.build.write.manifest import (KEEP_MANIFEST_COLUMNS, MANIFEST_COLUMNS, ManifestError, keep_manifest_files,
                                        read_manifest_files)

LONG_AGO = 1_600_000_000_000_000_000  # September 2020, in nanoseconds


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("manifest-files") / "output"
    build(default_curated_dir(), output)
    return output


def same(one, other) -> bool:
    return (one.header == other.header and one.inputs.table.equals(other.inputs.table)
            and one.outputs.table.equals(other.outputs.table))


def test_the_kept_columns_are_what_the_manifest_says(output: Path) -> None:
    kept = output / ".cache" / MANIFEST_COLUMNS
    manifest = output / "manifest.json"
    parsed, taken = read_manifest_files(manifest), read_manifest_files(manifest, kept)
    assert same(parsed, taken)
    text = json.loads(manifest.read_text(encoding="utf-8"))
    assert parsed.outputs.entries() == text["outputs"] and parsed.inputs.entries() == text["inputs"]
    assert parsed.outputs.sizes()["rucas.db"] == (output / "rucas.db").stat().st_size, \
        "rucas.db's size, which tells the next build whether a superseded build's file is untouched, is kept too"
    assert parsed.header["writer_sha256"] == text["writer_sha256"] and "inputs" not in parsed.header


def test_a_manifest_that_is_not_the_one_kept_is_read_from_its_json(output: Path, tmp_path: Path) -> None:
    kept = output / ".cache" / MANIFEST_COLUMNS
    text = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    text["outputs"] = text["outputs"][:3]
    changed = tmp_path / "manifest.json"
    changed.write_text(json.dumps(text), encoding="utf-8")
    assert len(read_manifest_files(changed, kept).outputs) == 3


def test_damaged_kept_columns_are_not_used(output: Path, tmp_path: Path) -> None:
    kept = tmp_path / MANIFEST_COLUMNS
    manifest = output / "manifest.json"
    keep_manifest_files(kept, manifest.read_bytes(), read_manifest_files(manifest))
    (kept_file,) = kept.iterdir()
    kept_file.write_bytes(kept_file.read_bytes()[:100])
    assert same(read_manifest_files(manifest, kept), read_manifest_files(manifest))


def test_a_missing_manifest_is_the_same_error_with_or_without_kept_columns(tmp_path: Path) -> None:
    for kept in (None, tmp_path):
        with pytest.raises(ManifestError, match="missing"):
            read_manifest_files(tmp_path / "manifest.json", kept)


def test_only_the_newest_manifests_are_kept_and_nothing_else_is_removed(output: Path, tmp_path: Path) -> None:
    kept = tmp_path / MANIFEST_COLUMNS
    kept.mkdir()
    (kept / "notes.txt").write_text("not RUCAS's")
    files = read_manifest_files(output / "manifest.json")
    written = []
    for number in range(KEEP_MANIFEST_COLUMNS + 2):
        data = f"manifest {number}".encode()
        keep_manifest_files(kept, data, files)
        path = kept / f"{hashlib.sha256(data).hexdigest()}.arrow"
        os.utime(path, ns=(LONG_AGO + number * 10**9,) * 2)  # one second apart, whatever the clock's tick
        written.append(path.name)
    assert sorted(path.name for path in kept.iterdir()) == sorted(["notes.txt", *written[-KEEP_MANIFEST_COLUMNS:]])
