"""The stored record behind each review status, published with the build: the codings and adjudication logs.

A source that says `double-coded` or `adjudicated` rests on files of the curated folder
(`codings/<role>/<id>.yaml`, the coder's RECORD.md and packet, `adjudications/<id>.yaml`); the tables
`coding_agreement` and `adjudications` are computed from them. The build copies them, byte for byte and
checked against the hashes the manifest records as inputs, into `records/` of the output, so that a
build or a release carries what lets a reader recompute its agreement figures and read each decision.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import pyarrow.compute as pc

from rucas.build.read.file_list import FileList
from rucas.build.read.layout import ADJUDICATIONS_FOLDER, CODINGS_FOLDER

RECORD_FOLDERS = (CODINGS_FOLDER, ADJUDICATIONS_FOLDER)
"""The curated folders whose files are the review record."""


def write_review_records(curated: Path, inputs: FileList, out: Path) -> list[str]:
    """Copy every input under RECORD_FOLDERS from `curated` into `out` (created, possibly empty).

    Returns the copied paths relative to `out`. A file whose bytes no longer have the hash recorded for it
    (it changed during the build) raises RuntimeError rather than publish a record the manifest misstates."""
    out.mkdir(parents=True, exist_ok=True)
    copied: list[str] = []
    paths = inputs.table.column("path")
    records = inputs.table.filter(functools.reduce(pc.or_, [pc.starts_with(paths, f"{folder}/")
                                                            for folder in RECORD_FOLDERS]))
    for relative, sha256 in zip(records.column("path").to_pylist(), records.column("sha256").to_pylist()):
        data = (curated / relative).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise RuntimeError(f"{curated / relative} changed during the build. Fix: build again.")
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        copied.append(relative)
    return copied
